#pragma once

namespace imbolc::engine
{

/** Finds, loads and describes hosted VST3 and LV2 plugins, through JUCE's AudioPluginFormatManager.

    How a model::PluginRef names a plugin (its `identifier`):
    - VST3: the bundle's path, '|', then JUCE's PluginDescription::createIdentifierString() (which ends
      in the plugin's unique id), e.g. "/usr/lib/vst3/Synth.vst3|VST3-Synth-1b2c3d4e-5f6a7b8c". A bare
      path names the first plugin in the bundle.
    - LV2: the plugin's URI, e.g. "http://drobilla.net/plugins/mda/JX10".

    Besides the formats' default folders, the directories in the environment variable
    IMBOLC_PLUGIN_PATH (colon-separated) are searched, so tests and users can add their own.

    Message thread only, everything: plugin formats load libraries, instantiate plugins and ask them
    for their state, which VST3 and LV2 both reserve for the main thread. Constructing one makes the
    calling thread JUCE's message thread if there is none yet (a command-line tool has no event loop).
*/
class PluginHost
{
public:
    PluginHost();
    ~PluginHost();

    /** The directories named by IMBOLC_PLUGIN_PATH. Any thread. */
    static juce::FileSearchPath extraSearchPath();

    /** Where plugins of `format` are looked for: its default folders, then extraSearchPath(). */
    juce::FileSearchPath searchPath (model::PluginFormat format);

    /** Every plugin of `format` on the search path, as the format's scanner takes them: VST3 bundle
        paths, or LV2 URIs (lilv loads whole bundles, so LV2 plugins are listed by URI, not by file). */
    juce::StringArray findAllPlugins (model::PluginFormat format);

    juce::AudioPluginFormat& getFormat (model::PluginFormat) noexcept;
    juce::AudioPluginFormatManager& getFormatManager() noexcept { return formats; }

    /** The plugin `ref` names, or nullopt and one sentence in `error` saying why it cannot be found.
        Descriptions are cached per identifier: describing a VST3 plugin instantiates it once. */
    std::optional<juce::PluginDescription> describe (const model::PluginRef& ref, juce::String& error);

    /** Loads the plugin and applies `ref.state` if there is any. On failure returns nullptr and one
        sentence in `error`. State that cannot be read (corrupt, or another plugin's) is not applied at
        all: the plugin is returned with its defaults and `error` says so, so nothing is half-applied. */
    std::unique_ptr<juce::AudioPluginInstance> createInstance (const model::PluginRef& ref, double sampleRate, int blockSize, juce::String& error);

    /** What a caller needs to put a plugin into the model: its ref (name filled in, state kept) and its
        parameters. Loads the plugin once. nullopt and one sentence in `error` if it cannot be loaded. */
    struct Inspection
    {
        model::PluginRef ref;
        std::vector<model::Parameter> params;
        bool isInstrument = false;
    };
    std::optional<Inspection> inspect (const model::PluginRef& ref, juce::String& error);

    //==============================================================================
    /** The identifier (see the class comment) of a scanned or described plugin. Any thread. */
    static juce::String makeIdentifier (const juce::PluginDescription&);
    /** A ref naming `description`, without state. Any thread. */
    static model::PluginRef makeRef (const juce::PluginDescription& description);
    static std::optional<model::PluginFormat> formatOf (const juce::PluginDescription&) noexcept;

    /** One model::Parameter per plugin parameter, in the plugin's order: name, and the normalized
        value, range 0..1 and default that node parameter i sets on plugin parameter i. */
    static std::vector<model::Parameter> getParameters (juce::AudioPluginInstance&);

    /** The plugin's state as it saves it (getStateInformation). The JUCE hosts make this call on the
        message thread while audio runs, as VST3 and LV2 allow. Message thread. */
    static std::vector<std::uint8_t> captureState (juce::AudioPluginInstance&);

    /** Empty if `state` is something this plugin's format could restore for the plugin `ref` names,
        else one sentence saying what is wrong. Any thread. */
    static juce::String checkState (const model::PluginRef& ref, const std::vector<std::uint8_t>& state);

private:
    std::unique_ptr<juce::AudioPluginInstance> instantiate (const juce::PluginDescription&, double sampleRate, int blockSize, juce::String& error);

    juce::AudioPluginFormatManager formats;
    juce::AudioPluginFormat* vst3 = nullptr;
    juce::AudioPluginFormat* lv2 = nullptr;
    std::map<juce::String, juce::PluginDescription> described;

    JUCE_DECLARE_NON_COPYABLE (PluginHost)
};

/** "VST3" or "LV2". Any thread. */
const char* toString (model::PluginFormat) noexcept;

} // namespace imbolc::engine
