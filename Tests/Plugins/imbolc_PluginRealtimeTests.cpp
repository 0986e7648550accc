// Hosted plugins on a real audio thread under the real-time harness (Tests/Helpers/imbolc_RealtimeHarness):
// every malloc, free, new, delete and mutex lock the audio thread makes is recorded. Built only where the
// harness can interpose (not under sanitizers).
//
// What the harness found, and why the two formats are tested apart:
// - LV2 (JUCE's LV2 host, lilv, mda JX10 and Delay): nothing. Notes, parameter sweeps and plugin chains
//   installed and retired while audio runs make no allocation and take no lock. Asserted: zero.
// - VST3 (JUCE 7.0.5's VST3 host, and any JUCE-built VST3 plugin such as our test synth) takes
//   uncontended mutexes on the audio thread every block, and allocates once per thread:
//   * VST3PluginInstance::processAudio and MidiEventList::toMidiBuffer: JUCE's VST3 MidiEventList keeps
//     its events in an Array<Vst::Event, CriticalSection>, so every event-list call locks (the plugin's
//     own getEventCount/getEvent calls into that list lock it too);
//   * VST3Parameter::setValue -> EditControllerParameterDispatcher::push ->
//     MessageManager::isThisTheMessageThread(), which locks a std::mutex around the message thread id;
//   * inside the plugin (JUCE's VST3 wrapper, JuceVST3Component::process): its processor's callback
//     lock, and AudioProcessorParameter::sendValueChangedMessageToListeners' listener lock per change;
//   * once per audio thread: malloc from __tls_get_addr, glibc allocating the plugin library's
//     thread-local storage on its first use on that thread.
//   None of these is in our code, and setValue is the only way through JUCE's AudioProcessorParameter
//   API to a hosted VST3 parameter. So the VST3 test runs the plugin's calls (processBlock and every
//   parameter setValue) inside a ScopedRealtimeExemption: our chain, PluginNode and engine around them
//   must make zero, and what JUCE's host and the plugin did is counted apart and printed.

#include "imbolc_PluginTestSupport.h"
#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;
using model::ParamAddress;
using model::ParamGroup;

namespace
{
/** A real AudioPluginInstance around a real hosted plugin whose every call from the audio thread
    (processBlock, parameter setValue) is exempted from the harness: a test-only seam, not a mock: the
    plugin and JUCE's host underneath run exactly as they do without it. */
class ExemptedPlugin final : public juce::AudioPluginInstance
{
public:
    explicit ExemptedPlugin (std::unique_ptr<juce::AudioPluginInstance> p)
        : juce::AudioPluginInstance (layoutOf (*p)), inner (std::move (p))
    {
        for (auto* param : inner->getParameters())
            addHostedParameter (std::make_unique<Parameter> (*param));
    }

    void fillInPluginDescription (juce::PluginDescription& d) const override { inner->fillInPluginDescription (d); }
    const juce::String getName() const override { return inner->getName(); }
    void prepareToPlay (double rate, int block) override { inner->prepareToPlay (rate, block); }
    void releaseResources() override { inner->releaseResources(); }
    void processBlock (juce::AudioBuffer<float>& b, juce::MidiBuffer& m) override
    {
        ScopedRealtimeExemption exempt;
        inner->processBlock (b, m);
    }
    using juce::AudioPluginInstance::processBlock;
    double getTailLengthSeconds() const override { return inner->getTailLengthSeconds(); }
    bool acceptsMidi() const override { return inner->acceptsMidi(); }
    bool producesMidi() const override { return inner->producesMidi(); }
    juce::AudioProcessorEditor* createEditor() override { return nullptr; }
    bool hasEditor() const override { return false; }
    int getNumPrograms() override { return inner->getNumPrograms(); }
    int getCurrentProgram() override { return inner->getCurrentProgram(); }
    void setCurrentProgram (int i) override { inner->setCurrentProgram (i); }
    const juce::String getProgramName (int i) override { return inner->getProgramName (i); }
    void changeProgramName (int i, const juce::String& n) override { inner->changeProgramName (i, n); }
    void getStateInformation (juce::MemoryBlock& b) override { inner->getStateInformation (b); }
    void setStateInformation (const void* d, int n) override { inner->setStateInformation (d, n); }
    bool isBusesLayoutSupported (const BusesLayout& l) const override { return inner->checkBusesLayoutSupported (l); }
    void processorLayoutsChanged() override { inner->setBusesLayout (getBusesLayout()); }

private:
    static BusesProperties layoutOf (juce::AudioPluginInstance& p)
    {
        BusesProperties props;
        for (int i = 0; i < p.getBusCount (true); ++i)
            props.addBus (true, p.getBus (true, i)->getName(), p.getChannelLayoutOfBus (true, i), p.getBus (true, i)->isEnabled());
        for (int i = 0; i < p.getBusCount (false); ++i)
            props.addBus (false, p.getBus (false, i)->getName(), p.getChannelLayoutOfBus (false, i), p.getBus (false, i)->isEnabled());
        return props;
    }

    struct Parameter final : juce::AudioPluginInstance::HostedParameter
    {
        explicit Parameter (juce::AudioProcessorParameter& p)
            : target (p) {}
        juce::String getParameterID() const override
        {
            auto* hosted = dynamic_cast<juce::HostedAudioProcessorParameter*> (&target);
            return hosted != nullptr ? hosted->getParameterID() : juce::String (target.getParameterIndex());
        }
        float getValue() const override { return target.getValue(); }
        void setValue (float v) override
        {
            ScopedRealtimeExemption exempt;
            target.setValue (v);
        }
        float getDefaultValue() const override { return target.getDefaultValue(); }
        juce::String getName (int n) const override { return target.getName (n); }
        juce::String getLabel() const override { return target.getLabel(); }
        int getNumSteps() const override { return target.getNumSteps(); }
        bool isDiscrete() const override { return target.isDiscrete(); }
        bool isBoolean() const override { return target.isBoolean(); }
        juce::String getText (float v, int n) const override { return target.getText (v, n); }
        float getValueForText (const juce::String& t) const override { return target.getValueForText (t); }
        juce::AudioProcessorParameter& target;
    };

    std::unique_ptr<juce::AudioPluginInstance> inner;
};

/** The engine's own factory, but plugin sources are wrapped in ExemptedPlugin. */
struct ExemptingFactory final : engine::NodeFactory
{
    std::unique_ptr<engine::NodeProcessor> createSource (const model::Instrument& inst) override
    {
        if (inst.source.kind != model::SourceKind::plugin)
            return engine::NodeFactory::createSource (inst);
        juce::String error;
        auto instance = getPluginHost().createInstance (inst.source.plugin, 48000.0, 256, error);
        REQUIRE (instance != nullptr);
        return std::make_unique<engine::PluginNode> (std::make_unique<ExemptedPlugin> (std::move (instance)), inst.source.plugin, inst.source.params, true);
    }
};

struct MarkedRun
{
    std::vector<float> left;
    RealtimeViolations violations;
};

/** Runs the rig's engine on a real-time-marked audio thread while `edit` (called `steps` times, each
    followed by two blocks) changes things on this thread. Returns the left channel and what the audio
    thread did. */
template <typename Edit>
MarkedRun runMarked (PluginRig& rig, int steps, Edit&& edit)
{
    RealtimeAudioThread audio (rig.engine, 4000);
    audio.render (10);
    for (int step = 0; step < steps; ++step)
    {
        edit (step, audio);
        audio.render (2);
    }
    auto violations = audio.finish (20);
    return { audio.getLeft(), std::move (violations) };
}
} // namespace

TEST_CASE ("realtime LV2 plugin chains make no allocation or lock through notes, parameter sweeps and rebuilds", "[plugins][realtime][lv2]")
{
    REQUIRE (realtimeHarnessActive());

    PluginRig rig;
    const auto jx10 = rig.addPluginInstrument (lv2Ref (jx10Uri), { rig.pluginStage (lv2Ref (delayUri)) });
    const auto delayStage = rig.session.instruments.find (jx10)->chain[0].id;
    const auto bus = model::BusId { rig.act (model::action::AddBus { "plugin fx" }) };
    rig.act (model::action::AddStage { NodeKind::bus, bus.value, rig.pluginStage (lv2Ref (delayUri)) });
    rig.act (model::action::AddSend { jx10, bus, 0.5f, false });
    REQUIRE (rig.engine.getNodeFactory().takePluginWarnings().empty());
    rig.engine.update();

    juce::Random random (7);
    const auto run = runMarked (rig, 200, [&] (int step, AudioThread& audio)
                                {
        const int note = 48 + (step % 24);
        rig.engine.noteOn (jx10, note, 0.7f);
        if (step % 3 == 0)
            rig.engine.noteOff (jx10, note - 3);
        rig.setParam (ParamAddress::instrument (jx10, ParamGroup::source, (std::uint16_t) random.nextInt (24)), random.nextFloat());
        rig.setParam (ParamAddress::stage (NodeKind::instrument, jx10.value, delayStage, 4), random.nextFloat());
        if (step == 50 || step == 120)
        {
            // A plugin instrument built here, installed and retired by the audio thread; and a chain
            // rebuilt around a live plugin (its state carried over).
            const auto extra = rig.addPluginInstrument (lv2Ref (jx10Uri));
            rig.engine.noteOn (extra, 60, 1.0f);
            audio.render (5);
            rig.act (model::action::DeleteInstrument { extra });
            rig.act (model::action::AddStage { NodeKind::instrument, jx10.value, EngineRig::effect (model::EffectType::gain) });
        } });

    checkRealtimeSafe (run.violations);
    CHECK (peak (run.left, 0, run.left.size()) > 0.05f); // the plugins really ran
}

TEST_CASE ("realtime VST3 plugin chain: our code around the plugin makes no allocation or lock", "[plugins][realtime][vst3]")
{
    REQUIRE (realtimeHarnessActive());

    PluginRig rig (std::make_unique<ExemptingFactory>());
    const auto synth = rig.addPluginInstrument (testSynthRef());
    const auto bus = model::BusId { rig.act (model::action::AddBus { "fx" }) };
    rig.act (model::action::AddSend { synth, bus, 0.5f, false });
    rig.engine.update();

    juce::Random random (11);
    const auto run = runMarked (rig, 200, [&] (int step, AudioThread& audio)
                                {
        rig.engine.noteOn (synth, 48 + (step % 24), 0.9f);
        rig.setParam (ParamAddress::instrument (synth, ParamGroup::source, synthGain), 0.2f + 0.6f * random.nextFloat());
        rig.setParam (ParamAddress::instrument (synth, ParamGroup::source, synthTranspose), random.nextFloat());
        if (step == 50)
        {
            const auto extra = rig.addPluginInstrument (testSynthRef());
            rig.engine.noteOn (extra, 60, 1.0f);
            audio.render (5);
            rig.act (model::action::DeleteInstrument { extra });
        } });

    checkRealtimeSafe (run.violations); // ours
    const auto theirs = exemptRealtimeViolations();
    WARN ("JUCE's VST3 host and the JUCE-built test plugin, inside their own calls on the audio thread: "
          << theirs.locks << " mutex locks, " << theirs.allocations << " allocations, " << theirs.deallocations
          << " deallocations (see the comment at the top of this file for which calls)");
    CHECK (peak (run.left, 0, run.left.size()) > 0.05f);
}
