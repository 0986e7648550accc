#include "imbolc_model.h"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <random>
#include <stdexcept>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/imbolc_Parameters.cpp"
#include "session/imbolc_Sequencing.cpp"
#include "session/imbolc_Session.cpp"
#include "session/imbolc_DrumKit.cpp"
#include "undo/imbolc_UndoHistory.cpp"
#include "voices/imbolc_VoiceAllocator.cpp"
#include "actions/imbolc_Dispatcher.cpp"
#include "actions/imbolc_DispatcherInstruments.cpp"
#include "actions/imbolc_DispatcherMixer.cpp"
#include "actions/imbolc_DispatcherNotes.cpp"
#include "actions/imbolc_DispatcherArrangement.cpp"
#include "actions/imbolc_DispatcherSession.cpp"
#include "actions/imbolc_DispatcherHistory.cpp"
#include "actions/imbolc_DispatcherDrums.cpp"
#include "actions/imbolc_DispatcherMacros.cpp"
#include "actions/imbolc_DispatcherMidi.cpp"
#include "reference/imbolc_ReferenceSessions.cpp"
#include "files/imbolc_SaveTarget.cpp"
