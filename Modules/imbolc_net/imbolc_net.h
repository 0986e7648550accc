/*******************************************************************************
 BEGIN_JUCE_MODULE_DECLARATION

  ID:                 imbolc_net
  vendor:             imbolc
  version:            0.1.0
  name:               Imbolc session network
  description:        Session server and client over juce::StreamingSocket: handshake, ownership, patches, outboxes.
  minimumCppStandard: 20
  dependencies:       imbolc_protocol juce_cryptography juce_events

 END_JUCE_MODULE_DECLARATION
*******************************************************************************/

#pragma once
#define IMBOLC_NET_H_INCLUDED

#include <imbolc_protocol/imbolc_protocol.h>
#include <juce_cryptography/juce_cryptography.h>
#include <juce_events/juce_events.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <thread>

#include "security/imbolc_Security.h"
#include "server/imbolc_Outbox.h"
#include "server/imbolc_Connection.h"
#include "server/imbolc_Writer.h"
#include "server/imbolc_Authorization.h"
#include "server/imbolc_SessionServer.h"
#include "client/imbolc_SessionClient.h"
#include "discovery/imbolc_Discovery.h"
