/*******************************************************************************
 BEGIN_JUCE_MODULE_DECLARATION

  ID:                 imbolc_model
  vendor:             imbolc
  version:            0.1.0
  name:               Imbolc session model
  description:        Session value types, actions, the dispatcher, scoped undo. No audio, no sockets.
  minimumCppStandard: 20
  dependencies:       juce_core

 END_JUCE_MODULE_DECLARATION
*******************************************************************************/

#pragma once
#define IMBOLC_MODEL_H_INCLUDED

#include <juce_core/juce_core.h>

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "session/imbolc_Ids.h"
#include "session/imbolc_IdMap.h"
#include "session/imbolc_Parameters.h"
#include "session/imbolc_DrumKit.h"
#include "session/imbolc_Instrument.h"
#include "session/imbolc_Sequencing.h"
#include "session/imbolc_Session.h"
#include "actions/imbolc_Action.h"
#include "actions/imbolc_ChangeSet.h"
#include "undo/imbolc_UndoHistory.h"
#include "voices/imbolc_VoiceAllocator.h"
#include "actions/imbolc_Dispatcher.h"
#include "reference/imbolc_ReferenceSessions.h"
#include "files/imbolc_SaveTarget.h"
