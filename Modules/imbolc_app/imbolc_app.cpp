// The imbolc_app module's one translation unit (JUCE module convention): every .cpp of the module is
// included here, so helpers in their anonymous namespaces must have distinct names.

#include "imbolc_app.h"

#include "files/imbolc_ProjectFiles.cpp"
#include "session/imbolc_SessionAccess.cpp"
#include "midi/imbolc_JackMidi.cpp"
#include "midi/imbolc_MidiInputs.cpp"
#include "midi/imbolc_MidiOutputs.cpp"
#include "audio/imbolc_AudioOutput.cpp"
#include "audio/imbolc_ScOutput.cpp"
#include "record/imbolc_MidiRecorder.cpp"
#include "session/imbolc_SessionHost.cpp"
#include "session/imbolc_RemoteSession.cpp"
#include "session/imbolc_SessionSeat.cpp"
#include "link/imbolc_LinkSession.cpp"
#include "midi/imbolc_MidiClockIn.cpp"
#include "plugins/imbolc_PluginScanSupervisor.cpp"
