// The imbolc_net module's one translation unit (JUCE module convention): every .cpp of the module is
// included here, so helpers in their anonymous namespaces must have distinct names.

#include "imbolc_net.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "security/imbolc_Security.cpp"
#include "server/imbolc_Outbox.cpp"
#include "server/imbolc_Connection.cpp"
#include "server/imbolc_Writer.cpp"
#include "server/imbolc_Authorization.cpp"
#include "server/imbolc_SessionServer.cpp"
#include "client/imbolc_SessionClient.cpp"
#include "discovery/imbolc_Discovery.cpp"
