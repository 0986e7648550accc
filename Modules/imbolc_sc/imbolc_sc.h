/*******************************************************************************
 BEGIN_JUCE_MODULE_DECLARATION

  ID:                 imbolc_sc
  vendor:             imbolc
  version:            0.1.0
  name:               Imbolc SuperCollider backend
  description:        The external-synth path: SynthDefs written by our own code, OSC to scsynth, NRT scores.
  minimumCppStandard: 20
  dependencies:       imbolc_model juce_audio_formats

 END_JUCE_MODULE_DECLARATION
*******************************************************************************/

#pragma once
#define IMBOLC_SC_H_INCLUDED

#include <imbolc_model/imbolc_model.h>
#include <juce_audio_formats/juce_audio_formats.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <mutex>
#include <set>
#include <thread>
#include <optional>
#include <variant>
#include <string>
#include <sys/types.h>
#include <vector>

#include "synthdef/imbolc_SynthDefBuilder.h"
#include "synthdef/imbolc_SynthDefs.h"
#include "synthdef/imbolc_ProcessingDefs.h"
#include "osc/imbolc_OscWriter.h"
#include "render/imbolc_ScoreRenderer.h"
#include "server/imbolc_ScsynthClient.h"
#include "server/imbolc_LocalScsynth.h"
#include "backend/imbolc_SessionMirror.h"
#include "backend/imbolc_ScBackend.h"
