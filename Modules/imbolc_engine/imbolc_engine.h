/*******************************************************************************
 BEGIN_JUCE_MODULE_DECLARATION

  ID:                 imbolc_engine
  vendor:             imbolc
  version:            0.1.0
  name:               Imbolc audio engine
  description:        Lock-free graph of instrument, bus and master chains built off the audio thread, fed by command queues; the built-in polyphonic instruments.
  minimumCppStandard: 20
  dependencies:       imbolc_model juce_audio_basics juce_audio_formats juce_audio_processors juce_dsp

 END_JUCE_MODULE_DECLARATION
*******************************************************************************/

#pragma once
#define IMBOLC_ENGINE_H_INCLUDED

#include <imbolc_model/imbolc_model.h>
#include <juce_audio_basics/juce_audio_basics.h>
#include <juce_audio_formats/juce_audio_formats.h>
#include <juce_audio_processors/juce_audio_processors.h>
#include <juce_dsp/juce_dsp.h>

// Debian's libreaderwriterqueue-dev: the single-producer single-consumer queues between the threads.
#include <readerwriterqueue/readerwriterqueue.h>

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <complex>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "meters/imbolc_TripleBuffer.h"
#include "meters/imbolc_ScopeBuffer.h"
#include "meters/imbolc_LoudnessMeter.h"
#include "meters/imbolc_SpectrumAnalyser.h"
#include "meters/imbolc_AnalysisMeters.h"
#include "processors/imbolc_NodeProcessor.h"
#include "processors/imbolc_BasicNodes.h"
#include "graph/imbolc_ExternalNotes.h"
#include "processors/imbolc_ExternalSourceNode.h"
#include "dsp/imbolc_EffectMath.h"
#include "dsp/imbolc_Filters.h"
#include "dsp/imbolc_Freeverb.h"
#include "dsp/imbolc_Effects.h"
#include "dsp/imbolc_Oscillators.h"
#include "dsp/imbolc_Voices.h"
#include "dsp/imbolc_SynthNode.h"
#include "dsp/imbolc_Drums.h"
#include "dsp/imbolc_Sampler.h"
#include "dsp/imbolc_DrumKitSynth.h"
#include "plugins/imbolc_PluginHost.h"
#include "plugins/imbolc_PluginNode.h"
#include "plugins/imbolc_PluginSandbox.h"
#include "plugins/imbolc_PluginScanner.h"
#include "processors/imbolc_NodeFactory.h"
#include "graph/imbolc_Commands.h"
#include "sequencer/imbolc_Sequence.h"
#include "sequencer/imbolc_Sequencer.h"
#include "sequencer/imbolc_SequenceBuilder.h"
#include "graph/imbolc_HostInput.h"
#include "graph/imbolc_MidiOut.h"
#include "graph/imbolc_AudioInput.h"
#include "graph/imbolc_CompensationDelay.h"
#include "graph/imbolc_Chains.h"
#include "graph/imbolc_RenderWorkers.h"
#include "graph/imbolc_AudioGraph.h"
#include "graph/imbolc_CommandBacklog.h"
#include "graph/imbolc_Engine.h"
#include "render/imbolc_OfflineRender.h"
