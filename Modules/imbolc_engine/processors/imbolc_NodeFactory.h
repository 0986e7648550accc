#pragma once

namespace imbolc::engine
{

/** Makes a chain's nodes from the model. The engine asks it for every node it builds, so tests (and
    later plugin hosting) can supply their own.

    Message thread only: making nodes allocates.
*/
class NodeFactory
{
public:
    virtual ~NodeFactory() = default;

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

protected:
    void warn (const juce::String& sentence) { warnings.push_back (sentence); }

private:
    std::vector<juce::String> warnings;
    juce::File baseDirectory;
};

} // namespace imbolc::engine
