// A VST3 module that crashes as soon as a host asks it for its factory, as a broken plugin does during a
// scan. It exists only so the scanner's dead-man's pedal can be tested against a real crash in a real
// process. Nothing else is in it: no factory is ever returned.

#include <cstdlib>

extern "C"
{
    __attribute__ ((visibility ("default"))) bool ModuleEntry (void*) { return true; }
    __attribute__ ((visibility ("default"))) bool ModuleExit() { return true; }
    __attribute__ ((visibility ("default"))) void* GetPluginFactory()
    {
        std::abort();
    }
}
