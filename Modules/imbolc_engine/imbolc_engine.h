/*******************************************************************************
 BEGIN_JUCE_MODULE_DECLARATION

  ID:                 imbolc_engine
  vendor:             imbolc
  version:            0.1.0
  name:               Imbolc audio engine
  description:        Lock-free graph of instrument, bus and master chains built off the audio thread, fed by command queues.
  minimumCppStandard: 20
  dependencies:       imbolc_model juce_audio_basics juce_audio_processors juce_dsp

 END_JUCE_MODULE_DECLARATION
*******************************************************************************/

#pragma once
#define IMBOLC_ENGINE_H_INCLUDED

#include <imbolc_model/imbolc_model.h>
#include <juce_audio_basics/juce_audio_basics.h>
#include <juce_audio_processors/juce_audio_processors.h>
#include <juce_dsp/juce_dsp.h>

// Debian's libreaderwriterqueue-dev: the single-producer single-consumer queues between the threads.
#include <readerwriterqueue/readerwriterqueue.h>

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "processors/imbolc_NodeProcessor.h"
#include "processors/imbolc_BasicNodes.h"
#include "dsp/imbolc_EffectMath.h"
#include "dsp/imbolc_Filters.h"
#include "dsp/imbolc_Effects.h"
#include "processors/imbolc_NodeFactory.h"
#include "graph/imbolc_Commands.h"
#include "graph/imbolc_Chains.h"
#include "graph/imbolc_AudioGraph.h"
#include "graph/imbolc_Engine.h"
