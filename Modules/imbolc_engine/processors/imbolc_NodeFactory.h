#pragma once

namespace imbolc::engine
{

/** Makes a chain's nodes from the model. The engine asks it for every node it builds, so tests can
    supply their own.

    Hosted plugins (SourceKind::plugin, EffectType::plugin) become PluginNodes, loaded through a
    PluginHost the factory makes on first use. A plugin that cannot be loaded becomes a silent source
    or a pass-through stage with the model's parameters, and leaves one warning sentence behind.

    Message thread only: making nodes allocates, and plugins are loaded there.
*/
class NodeFactory
{
public:
    NodeFactory();
    virtual ~NodeFactory();

    /** The instrument's source. Its parameters are the source's, then the amp envelope's four
        (model::AmpParam order), which is how the engine addresses amp parameters. */
    virtual std::unique_ptr<NodeProcessor> createSource (const model::Instrument&);

    /** One processing stage of an instrument, bus or master chain; parameters in model order. */
    virtual std::unique_ptr<NodeProcessor> createStage (const model::Stage&);

    /** Sentences about nodes built differently from what the model asks (e.g. a sample that could not
        be read plays silence), since the last call. */
    std::vector<juce::String> takeWarnings() { return std::exchange (warnings, {}); }

    /** Where relative paths in the session (sample files) are resolved from: the session file's folder. */
    void setBaseDirectory (const juce::File& dir) { baseDirectory = dir; }
    const juce::File& getBaseDirectory() const noexcept { return baseDirectory; }

    /** One sentence per plugin that could not be loaded (or whose saved state could not be applied)
        since the last call, oldest first; the list is emptied. Message thread. */
    std::vector<juce::String> takePluginWarnings();

    /** The host that loads plugins for this factory, made on first use. Message thread. */
    PluginHost& getPluginHost();

    /** The sample rate and block size plugins are first instantiated with (the chain prepares them
        again with the engine's). Message thread. */
    void setPluginDefaults (double sampleRate, int blockSize) noexcept;

protected:
    void warn (const juce::String& sentence) { warnings.push_back (sentence); }

    /** The PluginNode for a hosted plugin, or nullptr after adding a warning. `owner` names the node
        in the warning (e.g. "instrument 3 (\"Lead\")"). */
    std::unique_ptr<NodeProcessor> createPluginNode (const model::PluginRef&, const std::vector<model::Parameter>& params, bool isSource, const juce::String& owner);

private:
    std::vector<juce::String> warnings;
    juce::File baseDirectory;
    std::unique_ptr<PluginHost> pluginHost;
    std::vector<juce::String> pluginWarnings;
    double pluginSampleRate = 48000.0;
    int pluginBlockSize = 512;
};

} // namespace imbolc::engine
