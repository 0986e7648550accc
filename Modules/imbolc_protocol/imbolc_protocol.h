/*******************************************************************************
 BEGIN_JUCE_MODULE_DECLARATION

  ID:                 imbolc_protocol
  vendor:             imbolc
  version:            0.1.0
  name:               Imbolc protocol
  description:        The one FlatBuffers schema: project files, wire messages and patches, their JSON text form.
  minimumCppStandard: 20
  dependencies:       imbolc_model juce_core

 END_JUCE_MODULE_DECLARATION
*******************************************************************************/

#pragma once
#define IMBOLC_PROTOCOL_H_INCLUDED

#include <imbolc_model/imbolc_model.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "project/imbolc_ProjectCodec.h"
#include "project/imbolc_ProjectFile.h"
#include "project/imbolc_JsonView.h"
#include "wire/imbolc_Messages.h"
#include "wire/imbolc_Patches.h"
