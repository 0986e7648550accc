#pragma once

namespace imbolc::engine
{

/** Makes a chain's nodes from the model. The engine asks it for every node it builds, so tests (and
    later plugin hosting) can supply their own.

    Message thread only: making nodes allocates, and a sampler's file is read here, never on the audio
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

    /** Where relative sample paths (model::Source::samplePath) are found: the project's folder. Until
        set, the current working directory. Message thread. */
    void setBaseDirectory (const juce::File&);
    juce::File getBaseDirectory() const;

    /** What went wrong while making nodes since the last call (a sample that could not be read, ...), one
        sentence each for the user, oldest first; the list is emptied. Message thread. */
    std::vector<juce::String> takeWarnings();

protected:
    /** Records a warning for takeWarnings (an identical one still waiting is not repeated). */
    void warn (const juce::String&);

private:
    std::shared_ptr<const SampleData> sampleFor (const model::Instrument&);

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
};

} // namespace imbolc::engine
