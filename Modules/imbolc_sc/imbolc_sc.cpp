// The imbolc_sc module's one translation unit (JUCE module convention): every .cpp of the module is
// included here, so helpers in their anonymous namespaces must have distinct names.

#include "imbolc_sc.h"

#include <climits>
#include <cmath>
#include <cstring>
#include <map>

#include "synthdef/imbolc_SynthDefBuilder.cpp"
#include "synthdef/imbolc_SynthDefs.cpp"
#include "synthdef/imbolc_ProcessingDefs.cpp"
#include "osc/imbolc_OscWriter.cpp"
#include "render/imbolc_ScoreRenderer.cpp"
#include "server/imbolc_ScsynthClient.cpp"
