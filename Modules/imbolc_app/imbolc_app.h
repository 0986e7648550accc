/*******************************************************************************
 BEGIN_JUCE_MODULE_DECLARATION

  ID:                 imbolc_app
  vendor:             imbolc
  version:            0.1.0
  name:               Imbolc application core
  description:        What the command-line tool, the desktop app and the plugin share: the session host (session, undo, dispatcher, engine, SuperCollider output, server, files), the same interface over a joined seat, audio output, Ableton Link, plugin-scan supervision.
  minimumCppStandard: 20
  dependencies:       imbolc_engine imbolc_sc imbolc_net juce_audio_devices
  linuxPackages:      jack

 END_JUCE_MODULE_DECLARATION
*******************************************************************************/

#pragma once
#define IMBOLC_APP_H_INCLUDED

#include <imbolc_engine/imbolc_engine.h>
#include <imbolc_net/imbolc_net.h>
#include <imbolc_sc/imbolc_sc.h>
#include <juce_audio_devices/juce_audio_devices.h>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "files/imbolc_ProjectFiles.h"
#include "session/imbolc_SessionAccess.h"
#include "midi/imbolc_MidiBytes.h"
#include "midi/imbolc_JackMidi.h"
#include "midi/imbolc_MidiInputs.h"
#include "midi/imbolc_MidiOutputs.h"
#include "audio/imbolc_AudioOutput.h"
#include "audio/imbolc_ScOutput.h"
#include "record/imbolc_MidiRecorder.h"
#include "session/imbolc_SessionHost.h"
#include "session/imbolc_RemoteSession.h"
#include "session/imbolc_SessionSeat.h"
#include "link/imbolc_LinkSession.h"
#include "midi/imbolc_MidiClockIn.h"
#include "plugins/imbolc_PluginScanSupervisor.h"
