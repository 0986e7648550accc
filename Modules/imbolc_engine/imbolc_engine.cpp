// The imbolc_engine module's one translation unit (JUCE module convention): every .cpp of the module
// is included here, so helpers in their anonymous namespaces must have distinct names.

#include "imbolc_engine.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "processors/imbolc_NodeProcessor.cpp"
#include "processors/imbolc_BasicNodes.cpp"
#include "dsp/imbolc_Filters.cpp"
#include "dsp/imbolc_Effects.cpp"
#include "processors/imbolc_NodeFactory.cpp"
#include "graph/imbolc_Chains.cpp"
#include "graph/imbolc_AudioGraph.cpp"
#include "graph/imbolc_Engine.cpp"
