// The imbolc_gui module's one translation unit (JUCE module convention): every .cpp of the module is
// included here, so helpers in their anonymous namespaces must have distinct names.

#include "imbolc_gui.h"

#include "core/imbolc_LookAndFeel.cpp"
#include "core/imbolc_GuiContext.cpp"
#include "core/imbolc_ParamText.cpp"
#include "core/imbolc_AutomationTargets.cpp"
#include "transport/imbolc_TransportBar.cpp"
#include "rack/imbolc_InstrumentRack.cpp"
#include "chain/imbolc_ChainPanels.cpp"
#include "chain/imbolc_ChainView.cpp"
#include "chain/imbolc_ParamKnob.cpp"
#include "mixer/imbolc_MixerStrip.cpp"
#include "mixer/imbolc_MixerView.cpp"
#include "analysis/imbolc_AnalysisPanel.cpp"
#include "plugins/imbolc_PluginBrowser.cpp"
#include "network/imbolc_NetworkPanel.cpp"
#include "editors/imbolc_Timeline.cpp"
#include "editors/imbolc_AutomationLane.cpp"
#include "editors/imbolc_AutomationLanePaint.cpp"
#include "main/imbolc_MainComponent.cpp"
#include "main/imbolc_RenderJob.cpp"
