// The imbolc_engine module's one translation unit (JUCE module convention): every .cpp of the module
// is included here, so helpers in their anonymous namespaces must have distinct names.

#include "imbolc_engine.h"

#include <algorithm>
#include <cmath>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// The plugin sandbox: processes, POSIX shared memory, futexes and a socket pair (Linux).
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
extern char** environ;

// lilv and serd, as compiled into juce_audio_processors (JUCE_PLUGINHOST_LV2): PluginHost checks LV2
// state with them before JUCE's host applies it.
#include <lilv/lilv.h>
#include <serd/serd.h>

#include "meters/imbolc_ScopeBuffer.cpp"
#include "meters/imbolc_LoudnessMeter.cpp"
#include "meters/imbolc_SpectrumAnalyser.cpp"
#include "meters/imbolc_AnalysisMeters.cpp"
#include "processors/imbolc_NodeProcessor.cpp"
#include "processors/imbolc_BasicNodes.cpp"
#include "graph/imbolc_ExternalNotes.cpp"
#include "processors/imbolc_ExternalSourceNode.cpp"
#include "dsp/imbolc_Oscillators.cpp"
#include "dsp/imbolc_SynthNode.cpp"
#include "dsp/imbolc_Sampler.cpp"
#include "dsp/imbolc_DrumKitSynth.cpp"
#include "plugins/imbolc_PluginHost.cpp"
#include "plugins/imbolc_PluginNode.cpp"
#include "plugins/imbolc_PluginScanner.cpp"
#include "plugins/imbolc_PluginSandbox.cpp"
#include "plugins/imbolc_PluginSandboxWorker.cpp"
#include "dsp/imbolc_Filters.cpp"
#include "dsp/imbolc_Freeverb.cpp"
#include "dsp/imbolc_Effects.cpp"
#include "processors/imbolc_NodeFactory.cpp"
#include "sequencer/imbolc_Sequencer.cpp"
#include "sequencer/imbolc_SequenceBuilder.cpp"
#include "graph/imbolc_MidiOut.cpp"
#include "graph/imbolc_AudioInput.cpp"
#include "graph/imbolc_CompensationDelay.cpp"
#include "graph/imbolc_Chains.cpp"
#include "graph/imbolc_RenderWorkers.cpp"
#include "graph/imbolc_AudioGraph.cpp"
#include "graph/imbolc_CommandBacklog.cpp"
#include "graph/imbolc_Engine.cpp"
#include "graph/imbolc_EngineChains.cpp"
#include "graph/imbolc_EngineSequences.cpp"
#include "graph/imbolc_EngineLatency.cpp"
#include "render/imbolc_OfflineRender.cpp"
