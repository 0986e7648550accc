// The imbolc_protocol module's one translation unit (JUCE module convention): every .cpp of the module
// is included here, so helpers in their anonymous namespaces must have distinct names.

#include "imbolc_protocol.h"

#include <imbolc_generated.h>
#include <imbolc_SchemaText.h>

#include <flatbuffers/idl.h>
#include <flatbuffers/util.h>

#include <array>
#include <atomic>
#include <bitset>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/imbolc_SchemaParser.cpp"
#include "project/imbolc_DrumKitCodec.cpp"
#include "project/imbolc_ProjectCodec.cpp"
#include "project/imbolc_ProjectFile.cpp"
#include "project/imbolc_JsonView.cpp"
#include "wire/imbolc_WireUnions.cpp"
#include "wire/imbolc_ActionCodec.cpp"
#include "wire/imbolc_PatchCodec.cpp"
#include "wire/imbolc_MessageCodec.cpp"
#include "wire/imbolc_MessageJson.cpp"
#include "wire/imbolc_Framing.cpp"
#include "wire/imbolc_Patches.cpp"
