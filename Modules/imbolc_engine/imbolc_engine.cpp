// The imbolc_engine module's one translation unit (JUCE module convention): every .cpp of the module
// is included here, so helpers in their anonymous namespaces must have distinct names.

#include "imbolc_engine.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "meters/imbolc_ScopeBuffer.cpp"
#include "meters/imbolc_LoudnessMeter.cpp"
#include "meters/imbolc_SpectrumAnalyser.cpp"
#include "meters/imbolc_AnalysisMeters.cpp"
#include "processors/imbolc_NodeProcessor.cpp"
#include "processors/imbolc_BasicNodes.cpp"
#include "processors/imbolc_NodeFactory.cpp"
#include "sequencer/imbolc_Sequencer.cpp"
#include "sequencer/imbolc_SequenceBuilder.cpp"
#include "graph/imbolc_Chains.cpp"
#include "graph/imbolc_AudioGraph.cpp"
#include "graph/imbolc_Engine.cpp"
#include "render/imbolc_OfflineRender.cpp"
