/*******************************************************************************
 BEGIN_JUCE_MODULE_DECLARATION

  ID:                 imbolc_gui
  vendor:             imbolc
  version:            0.1.0
  name:               Imbolc views
  description:        The components of Imbolc's window, shared by the desktop app and the plugin editor: they show a session through the application core's SessionAccess and emit Actions, never reaching into the engine.
  minimumCppStandard: 20
  dependencies:       imbolc_app juce_gui_basics juce_gui_extra juce_audio_utils

 END_JUCE_MODULE_DECLARATION
*******************************************************************************/

#pragma once
#define IMBOLC_GUI_H_INCLUDED

#include <imbolc_app/imbolc_app.h>
#include <juce_audio_utils/juce_audio_utils.h>
#include <juce_gui_basics/juce_gui_basics.h>
#include <juce_gui_extra/juce_gui_extra.h>

#include "core/imbolc_LookAndFeel.h"
#include "core/imbolc_GuiContext.h"
#include "core/imbolc_ParamText.h"
#include "core/imbolc_AutomationTargets.h"
#include "transport/imbolc_TransportBar.h"
#include "rack/imbolc_InstrumentRack.h"
#include "chain/imbolc_ChainView.h"
#include "chain/imbolc_ParamKnob.h"
#include "mixer/imbolc_MixerView.h"
#include "editors/imbolc_StepSequencer.h"
#include "analysis/imbolc_AnalysisPanel.h"
#include "plugins/imbolc_PluginBrowser.h"
#include "network/imbolc_NetworkPanel.h"
#include "editors/imbolc_Timeline.h"
#include "editors/imbolc_AutomationLane.h"
#include "editors/imbolc_AudioClipFiles.h"
#include "editors/imbolc_Arrangement.h"
#include "editors/imbolc_PianoRoll.h"
#include "main/imbolc_MainComponent.h"
#include "main/imbolc_MacroPanel.h"
#include "main/imbolc_MidiMappingPanel.h"
#include "main/imbolc_RenderJob.h"
