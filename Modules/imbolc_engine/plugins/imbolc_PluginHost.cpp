namespace imbolc::engine
{

namespace
{
    constexpr const char* vst3IdentifierMarker = "|VST3-";

    juce::String inQuotes (const juce::String& s) { return "\"" + s + "\""; }

    /** A URID map for reading LV2 state with lilv, as the host does, without a plugin instance. */
    struct StateCheckUridMap
    {
        std::map<std::string, LV2_URID> ids;

        static LV2_URID map (LV2_URID_Map_Handle handle, const char* uri)
        {
            auto& self = *static_cast<StateCheckUridMap*> (handle);
            return self.ids.emplace (uri, (LV2_URID) self.ids.size() + 1).first->second;
        }
    };

    /** True if `text` is Turtle without a single syntax error. lilv reads what it can of a broken
        document (a truncated state still names its plugin and some of its values) and JUCE applies
        that: half a state. serd, the parser under lilv, says whether all of it parsed. */
    bool isStrictTurtle (const std::string& text)
    {
        auto* reader = serd_reader_new (SERD_TURTLE, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
        serd_reader_set_strict (reader, true);
        serd_reader_set_error_sink (
            reader, [] (void*, const SerdError*)
            { return SERD_SUCCESS; },
            nullptr); // quiet: the caller reports
        const auto status = serd_reader_read_string (reader, reinterpret_cast<const std::uint8_t*> (text.c_str()));
        serd_reader_free (reader);
        return status == SERD_SUCCESS;
    }
} // namespace

const char* toString (model::PluginFormat f) noexcept
{
    return f == model::PluginFormat::vst3 ? "VST3" : "LV2";
}

PluginHost::PluginHost()
{
    // JUCE's VST3 host posts parameter changes to the message thread and its LV2 host runs async
    // updates there: a tool without an event loop still needs one to exist.
    juce::MessageManager::getInstance();

    auto vst3Format = std::make_unique<juce::VST3PluginFormat>();
    auto lv2Format = std::make_unique<juce::LV2PluginFormat>();
    vst3 = vst3Format.get();
    lv2 = lv2Format.get();
    formats.addFormat (vst3Format.release());
    formats.addFormat (lv2Format.release());

    // The LV2 format loads its world from the default folders only; bundles in IMBOLC_PLUGIN_PATH
    // join it here (LV2 plugins are found by URI, so their bundles must be loaded before any lookup).
    // Only folders that hold LV2 bundles are given to lilv, which would complain about every other
    // folder (a VST3 bundle, say) as a broken LV2 bundle.
    juce::FileSearchPath lv2Extra;
    const auto extra = extraSearchPath();
    for (int i = 0; i < extra.getNumPaths(); ++i)
        for (const auto& entry : juce::RangedDirectoryIterator (extra[i], false, "*", juce::File::findDirectories))
            if (entry.getFile().getChildFile ("manifest.ttl").existsAsFile())
            {
                lv2Extra.add (extra[i]);
                break;
            }
    if (lv2Extra.getNumPaths() > 0)
        lv2->searchPathsForPlugins (lv2Extra, true, false);
}

PluginHost::~PluginHost() = default;

juce::FileSearchPath PluginHost::extraSearchPath()
{
    juce::FileSearchPath path;
    const auto value = juce::SystemStats::getEnvironmentVariable ("IMBOLC_PLUGIN_PATH", {});
    for (const auto& dir : juce::StringArray::fromTokens (value, ":", ""))
        if (dir.trim().isNotEmpty())
            path.add (juce::File::getCurrentWorkingDirectory().getChildFile (dir.trim()));
    return path;
}

juce::FileSearchPath PluginHost::searchPath (model::PluginFormat format)
{
    auto path = getFormat (format).getDefaultLocationsToSearch();
    const auto extra = extraSearchPath();
    for (int i = 0; i < extra.getNumPaths(); ++i)
        path.add (extra[i]);
    path.removeRedundantPaths();
    return path;
}

juce::StringArray PluginHost::findAllPlugins (model::PluginFormat format)
{
    if (format == model::PluginFormat::vst3)
        return vst3->searchPathsForPlugins (searchPath (format), true, false);
    // Given no folders, lilv loads nothing more (everything on the path was loaded when this host was
    // made) and the format lists every plugin it knows.
    return lv2->searchPathsForPlugins ({}, true, false);
}

juce::AudioPluginFormat& PluginHost::getFormat (model::PluginFormat f) noexcept
{
    return f == model::PluginFormat::vst3 ? *vst3 : *lv2;
}

//==============================================================================
juce::String PluginHost::makeIdentifier (const juce::PluginDescription& d)
{
    if (d.pluginFormatName == juce::VST3PluginFormat::getFormatName())
        return d.fileOrIdentifier + "|" + d.createIdentifierString();
    return d.fileOrIdentifier;
}

std::optional<model::PluginFormat> PluginHost::formatOf (const juce::PluginDescription& d) noexcept
{
    if (d.pluginFormatName == juce::VST3PluginFormat::getFormatName())
        return model::PluginFormat::vst3;
    if (d.pluginFormatName == juce::LV2PluginFormat::getFormatName())
        return model::PluginFormat::lv2;
    return std::nullopt;
}

model::PluginRef PluginHost::makeRef (const juce::PluginDescription& d)
{
    model::PluginRef ref;
    ref.format = formatOf (d).value_or (model::PluginFormat::vst3);
    ref.identifier = makeIdentifier (d).toStdString();
    ref.name = d.name.toStdString();
    return ref;
}

std::optional<juce::PluginDescription> PluginHost::describe (const model::PluginRef& ref, juce::String& error)
{
    const auto identifier = juce::String (ref.identifier);
    const auto key = juce::String (toString (ref.format)) + " " + identifier;
    if (auto it = described.find (key); it != described.end())
        return it->second;

    const auto label = ref.name.empty() ? inQuotes (identifier) : inQuotes (juce::String (ref.name)) + " (" + identifier + ")";
    if (identifier.isEmpty())
    {
        error = "A " + juce::String (toString (ref.format)) + " plugin without an identifier cannot be loaded.";
        return std::nullopt;
    }

    juce::OwnedArray<juce::PluginDescription> found;
    std::optional<juce::PluginDescription> match;
    if (ref.format == model::PluginFormat::lv2)
    {
        if (! lv2->fileMightContainThisPluginType (identifier))
        {
            error = "The LV2 plugin identifier " + inQuotes (identifier) + " is not a URI.";
            return std::nullopt;
        }
        lv2->findAllTypesForFile (found, identifier);
        if (found.isEmpty())
        {
            error = "There is no LV2 plugin " + label + " on this machine.";
            return std::nullopt;
        }
        match = *found.getFirst();
    }
    else
    {
        const auto marker = identifier.lastIndexOf (vst3IdentifierMarker);
        const auto path = marker >= 0 ? identifier.substring (0, marker) : identifier;
        const auto uid = marker >= 0 ? identifier.fromLastOccurrenceOf ("-", false, false) : juce::String();
        if (! juce::File::isAbsolutePath (path) || ! vst3->fileMightContainThisPluginType (path))
        {
            error = "There is no VST3 plugin " + label + " on this machine.";
            return std::nullopt;
        }
        vst3->findAllTypesForFile (found, path);
        for (auto* d : found)
            if (uid.isEmpty() || d->uniqueId == (int) (juce::uint32) uid.getHexValue64())
            {
                match = *d;
                break;
            }
        if (! match)
        {
            error = found.isEmpty() ? "The VST3 bundle " + inQuotes (path) + " could not be opened as a plugin."
                                    : "The VST3 bundle " + inQuotes (path) + " has no plugin " + label + ".";
            return std::nullopt;
        }
    }
    described[key] = *match;
    return match;
}

std::unique_ptr<juce::AudioPluginInstance> PluginHost::instantiate (const juce::PluginDescription& d, double sampleRate, int blockSize, juce::String& error)
{
    juce::String message;
    auto instance = formats.createPluginInstance (d, sampleRate > 0.0 ? sampleRate : 48000.0, juce::jmax (1, blockSize), message);
    if (instance == nullptr)
        error = "The " + d.pluginFormatName + " plugin " + inQuotes (d.name) + " could not be loaded"
                + (message.isNotEmpty() ? " (" + message.trimCharactersAtEnd (".") + ")." : ".");
    return instance;
}

std::unique_ptr<juce::AudioPluginInstance> PluginHost::createInstance (const model::PluginRef& ref, double sampleRate, int blockSize, juce::String& error)
{
    auto description = describe (ref, error);
    if (! description)
        return nullptr;
    auto instance = instantiate (*description, sampleRate, blockSize, error);
    if (instance == nullptr || ref.state.empty())
        return instance;

    if (auto problem = checkState (ref, ref.state); problem.isNotEmpty())
    {
        error = problem;
        return instance;
    }
    instance->setStateInformation (ref.state.data(), (int) ref.state.size());
    return instance;
}

std::optional<PluginHost::Inspection> PluginHost::inspect (const model::PluginRef& ref, juce::String& error)
{
    auto description = describe (ref, error);
    if (! description)
        return std::nullopt;
    juce::String stateProblem;
    auto instance = createInstance (ref, 48000.0, 512, stateProblem);
    if (instance == nullptr)
    {
        error = stateProblem;
        return std::nullopt;
    }
    Inspection result;
    result.ref = makeRef (*description);
    result.ref.state = ref.state;
    result.params = getParameters (*instance);
    result.isInstrument = description->isInstrument;
    error = stateProblem; // a state that could not be applied is worth a warning, not a failure
    return result;
}

//==============================================================================
std::vector<model::Parameter> PluginHost::getParameters (juce::AudioPluginInstance& instance)
{
    std::vector<model::Parameter> params;
    const auto& all = instance.getParameters();
    params.reserve ((std::size_t) all.size());
    for (auto* p : all)
    {
        auto name = p->getName (256).trim();
        if (name.isEmpty())
            name = "Parameter " + juce::String (p->getParameterIndex() + 1);
        const auto value = juce::jlimit (0.0f, 1.0f, p->getValue());
        const auto defaultValue = juce::jlimit (0.0f, 1.0f, p->getDefaultValue());
        params.push_back ({ name.toStdString(), value, 0.0f, 1.0f, defaultValue });
    }
    return params;
}

std::vector<std::uint8_t> PluginHost::captureState (juce::AudioPluginInstance& instance)
{
    juce::MemoryBlock block;
    instance.getStateInformation (block);
    const auto* bytes = static_cast<const std::uint8_t*> (block.getData());
    return { bytes, bytes + block.getSize() };
}

juce::String PluginHost::checkState (const model::PluginRef& ref, const std::vector<std::uint8_t>& state)
{
    const auto name = inQuotes (ref.name.empty() ? juce::String (ref.identifier) : juce::String (ref.name));
    const auto unreadable = "The saved state of the plugin " + name + " cannot be read, so it starts from its defaults.";
    if (state.empty())
        return {};
    if (state.size() > (std::size_t) std::numeric_limits<int>::max())
        return unreadable;

    if (ref.format == model::PluginFormat::vst3)
    {
        // What JUCE's VST3 host restores from: its own XML of the component's and controller's state.
        auto xml = juce::AudioProcessor::getXmlFromBinary (state.data(), (int) state.size());
        return xml != nullptr && xml->hasTagName ("VST3PluginState") ? juce::String() : unreadable;
    }

    // LV2 state is Turtle text that lilv parses; JUCE's host silently ignores what lilv rejects, so it is
    // parsed here first. The text must also be the state of this plugin, not of another one.
    std::string text (state.begin(), state.end());
    if (text.find ('\0') != std::string::npos || ! isStrictTurtle (text))
        return unreadable;
    StateCheckUridMap uridMap;
    LV2_URID_Map map { &uridMap, StateCheckUridMap::map };
    auto* world = lilv_world_new();
    auto* parsed = lilv_state_new_from_string (world, &map, text.c_str());
    juce::String result;
    if (parsed == nullptr)
        result = unreadable;
    else if (const auto* uri = lilv_state_get_plugin_uri (parsed); uri == nullptr || juce::String (lilv_node_as_uri (uri)) != juce::String (ref.identifier))
        result = "The saved state for the plugin " + name + " belongs to another plugin, so it starts from its defaults.";
    if (parsed != nullptr)
        lilv_state_free (parsed);
    lilv_world_free (world);
    return result;
}

} // namespace imbolc::engine
