#pragma once

namespace imbolc::engine
{

/** Makes a chain's nodes from the model. The engine asks it for every node it builds, so tests can
    supply their own.

    Hosted plugins (SourceKind::plugin, EffectType::plugin) become PluginNodes, loaded through a
    PluginHost the factory makes on first use, or SandboxedPluginNodes when a sandbox is asked for
    (setPluginSandbox). A plugin that cannot be loaded becomes a silent source
    or a pass-through stage with the model's parameters, and leaves one warning sentence behind.

    Message thread only: making nodes allocates, plugins are loaded here, and a sampler's file is read here, never on the audio
    thread. A sample used by several chains (an instrument rebuilt while its old chain fades out) is
    read once and shared while any chain still holds it.
*/
class NodeFactory
{
public:
    NodeFactory();
    virtual ~NodeFactory();

    /** The instrument's source: for a built-in source, a polyphonic SourceNode of that kind under the
        instrument's voice cap. Its parameters are the source's, then the amp envelope's four
        (model::AmpParam order), which is how the engine addresses amp parameters. */
    virtual std::unique_ptr<NodeProcessor> createSource (const model::Instrument&);

    /** One processing stage of an instrument, bus or master chain; parameters in model order. */
    virtual std::unique_ptr<NodeProcessor> createStage (const model::Stage&);

    /** Where relative sample paths (model::Source::samplePath, model::DrumPad::samplePath) are found:
        the project's folder. Until
        set, the current working directory. Message thread. */
    void setBaseDirectory (const juce::File&);
    juce::File getBaseDirectory() const;

    /** An audio file (an audio clip's), relative to the base directory or absolute, read once while any
        node holds it; null after one warning naming `owner` when it cannot be read (the clip is silent).
        Message thread. */
    std::shared_ptr<const SampleData> readAudioFile (const std::string& path, const juce::String& owner) { return sampleFor (path, owner); }

    /** What went wrong while making nodes since the last call (a sample that could not be read, ...), one
        sentence each for the user, oldest first; the list is emptied. Message thread. */
    std::vector<juce::String> takeWarnings();

    /** One sentence per plugin that could not be loaded (or whose saved state could not be applied)
        since the last call, oldest first; the list is emptied. Message thread. */
    std::vector<juce::String> takePluginWarnings();

    /** The host that loads plugins for this factory, made on first use. Message thread. */
    PluginHost& getPluginHost();

    /** The sample rate and block size plugins are first instantiated with (the chain prepares them
        again with the engine's). Message thread. */
    void setPluginDefaults (double sampleRate, int blockSize) noexcept;

    /** Where plugins made from now on run (in process, or in sandbox processes). Message thread. */
    void setPluginSandbox (PluginSandboxOptions);
    const PluginSandboxOptions& getPluginSandbox() const noexcept { return sandboxOptions; }

    /** Supervises every live sandbox process (SandboxProcess::supervise): deaths and hangs become one
        warning per plugin in it (takePluginWarnings) and restarts. Message thread (Engine::update
        calls it). */
    void superviseSandboxes();

    /** The first sandboxed plugin that lost a block (PluginSandbox::getLostBlocks), described for a
        sentence ("The plugin \"X\" (instrument 1 (\"Lead\"))"); empty while none has. An offline
        render stops on it. Message thread. */
    juce::String findSandboxThatLostBlocks() const;

protected:
    /** Records a warning for takeWarnings (an identical one still waiting is not repeated). */
    void warn (const juce::String&);

    /** The PluginNode for a hosted plugin, or nullptr after adding a warning. `owner` names the node
        in the warning (e.g. "instrument 3 (\"Lead\")"). */
    std::unique_ptr<NodeProcessor> createPluginNode (const model::PluginRef&, const std::vector<model::Parameter>& params, bool isSource, const juce::String& owner);

private:
    std::shared_ptr<const SampleData> sampleFor (const model::Instrument&);
    /** A sample file (relative to the base directory), read once while any chain holds it; `owner` names
        what plays it in the warning if it cannot be read. */
    std::shared_ptr<const SampleData> sampleFor (const std::string& path, const juce::String& owner);
    /** A drum kit's pad kinds and the samples of its sample pads. */
    DrumKitSynth::Setup drumKitFor (const model::Instrument&);

    struct CachedSample
    {
        juce::Time modified;
        juce::int64 size = 0;
        std::weak_ptr<const SampleData> data;
    };

    juce::File baseDirectory;
    std::vector<juce::String> warnings;
    std::unique_ptr<juce::AudioFormatManager> formats;
    std::map<juce::String, CachedSample> samples;
    std::unique_ptr<PluginHost> pluginHost;
    std::vector<juce::String> pluginWarnings;
    double pluginSampleRate = 48000.0;
    int pluginBlockSize = 512;
    PluginSandboxOptions sandboxOptions;
    std::vector<std::weak_ptr<PluginSandbox>> sandboxes; ///< the nodes own them; expired ones are dropped
    std::weak_ptr<SandboxProcess> sharedSandbox; ///< PluginSandboxMode::shared: the process new plugins join
};

} // namespace imbolc::engine
