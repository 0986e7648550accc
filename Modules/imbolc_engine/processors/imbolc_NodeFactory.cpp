namespace imbolc::engine
{

NodeFactory::NodeFactory() = default;
NodeFactory::~NodeFactory() = default;

void NodeFactory::setBaseDirectory (const juce::File& dir)
{
    baseDirectory = dir;
}

juce::File NodeFactory::getBaseDirectory() const
{
    return baseDirectory != juce::File() ? baseDirectory : juce::File::getCurrentWorkingDirectory();
}

std::vector<juce::String> NodeFactory::takeWarnings()
{
    return std::exchange (warnings, {});
}

void NodeFactory::warn (const juce::String& sentence)
{
    if (std::find (warnings.begin(), warnings.end(), sentence) == warnings.end())
        warnings.push_back (sentence);
}

std::shared_ptr<const SampleData> NodeFactory::sampleFor (const model::Instrument& inst)
{
    if (inst.source.samplePath.empty())
    {
        warn ("Instrument '" + juce::String (inst.name) + "' is a sampler with no sample file: it plays silence. Choose a sample.");
        return nullptr;
    }
    return sampleFor (inst.source.samplePath, "instrument '" + juce::String (inst.name) + "'");
}

DrumKitSynth::Setup NodeFactory::drumKitFor (const model::Instrument& inst)
{
    // An instrument without a kit (made outside the dispatcher, which always gives one) plays the default.
    static const auto defaultKit = model::makeDefaultDrumKit();
    const auto& kit = inst.drums.hasPads() ? inst.drums : defaultKit;
    DrumKitSynth::Setup setup;
    for (int p = 0; p < DrumKitSynth::numPads; ++p)
    {
        const auto& pad = kit.pads[(std::size_t) p];
        setup.kinds[(std::size_t) p] = pad.kind;
        if (pad.kind != model::DrumPadKind::sample)
            continue;
        const auto owner = "pad " + juce::String (p + 1) + " ('" + juce::String (pad.name) + "') of instrument '" + juce::String (inst.name) + "'";
        if (pad.samplePath.empty())
            warn ("P" + owner.substring (1) + " is a sample pad with no file: it plays silence. Choose a sample.");
        else
            setup.samples[(std::size_t) p] = sampleFor (pad.samplePath, owner);
    }
    return setup;
}

std::shared_ptr<const SampleData> NodeFactory::sampleFor (const std::string& path, const juce::String& owner)
{
    const auto text = juce::String (path);
    const auto file = juce::File::isAbsolutePath (text) ? juce::File (text) : getBaseDirectory().getChildFile (text);
    const auto key = file.getFullPathName();
    const auto modified = file.getLastModificationTime();
    const auto size = file.getSize();

    // Forget samples no chain holds any more; reuse one that is still held and unchanged on disk.
    for (auto it = samples.begin(); it != samples.end();)
        it = it->second.data.expired() ? samples.erase (it) : std::next (it);
    if (auto it = samples.find (key); it != samples.end() && it->second.modified == modified && it->second.size == size)
        if (auto data = it->second.data.lock())
            return data;

    if (formats == nullptr)
    {
        formats = std::make_unique<juce::AudioFormatManager>();
        formats->registerBasicFormats();
    }
    juce::String problem;
    bool truncated = false;
    auto data = loadSample (*formats, file, problem, truncated);
    if (data == nullptr)
    {
        warn ("Sample file '" + text + "' for " + owner + " could not be read (it " + problem + "): it plays silence. Check the path.");
        return nullptr;
    }
    if (truncated)
        warn ("Sample file '" + text + "' for " + owner + " is longer than " + juce::String (juce::roundToInt (maxSampleSeconds / 60.0)) + " minutes: only its beginning plays.");
    samples[key] = { modified, size, data };
    return data;
}

std::unique_ptr<NodeProcessor> NodeFactory::createSource (const model::Instrument& inst)
{
    using model::BuiltInSource;

    if (inst.source.kind == model::SourceKind::plugin)
        if (auto node = createPluginNode (inst.source.plugin, inst.source.params, true, "instrument " + juce::String (inst.id.value) + " (\"" + juce::String (inst.name) + "\")"))
            return node;

    if (inst.source.kind != model::SourceKind::builtIn)
    {
        // Audio input is not in this version and a SynthDef is scsynth's to play (the engine says so
        // once per instrument), and a plugin that failed to load has nothing to render; the chain
        // keeps a silent source so its stages and strip still run and its parameters still resolve.
        return std::make_unique<PassThroughNode> ("Silent source", withAmpPlaceholders (inst.source.params));
    }

    switch (inst.source.builtIn)
    {
        case BuiltInSource::saw:
            return std::make_unique<PolySource<SawSynth>> (inst);
        case BuiltInSource::square:
        case BuiltInSource::pulse:
            return std::make_unique<PolySource<PulseSynth>> (inst);
        case BuiltInSource::triangle:
            return std::make_unique<PolySource<TriangleSynth>> (inst);
        case BuiltInSource::sine:
            return std::make_unique<PolySource<SineSynth>> (inst);
        case BuiltInSource::noise:
            return std::make_unique<PolySource<NoiseSynth>> (inst);
        case BuiltInSource::supersaw:
            return std::make_unique<PolySource<SupersawSynth>> (inst);
        case BuiltInSource::fm:
            return std::make_unique<PolySource<FmSynth>> (inst);
        case BuiltInSource::sampler:
            return std::make_unique<PolySource<SamplerSynth>> (inst, SamplerSynth::Setup { sampleFor (inst) });
        case BuiltInSource::kick:
            return std::make_unique<PolySource<KickSynth>> (inst);
        case BuiltInSource::snare:
            return std::make_unique<PolySource<SnareSynth>> (inst);
        case BuiltInSource::hat:
            return std::make_unique<PolySource<HatSynth>> (inst);
        case BuiltInSource::drumKit:
            return std::make_unique<PolySource<DrumKitSynth>> (inst, drumKitFor (inst));
    }
    return std::make_unique<PolySource<SineSynth>> (inst);
}

std::unique_ptr<NodeProcessor> NodeFactory::createStage (const model::Stage& stage)
{
    switch (stage.kind)
    {
        case model::StageKind::filter:
            return std::make_unique<FilterNode> (stage.filter, stage.params);
        case model::StageKind::eq:
            return std::make_unique<EqNode> (stage.params);
        case model::StageKind::effect:
            break;
    }
    switch (stage.effect)
    {
        case model::EffectType::gain:
            return std::make_unique<GainNode> (stage.params);
        case model::EffectType::delay:
            return std::make_unique<DelayNode> (stage.params);
        case model::EffectType::reverb:
            return std::make_unique<ReverbNode> (stage.params);
        case model::EffectType::chorus:
            return std::make_unique<ChorusNode> (stage.params);
        case model::EffectType::compressor:
            return std::make_unique<CompressorNode> (stage.params);
        case model::EffectType::distortion:
            return std::make_unique<DistortionNode> (stage.params);
        case model::EffectType::limiter:
            return std::make_unique<LimiterNode> (stage.params);
        case model::EffectType::plugin:
            if (auto node = createPluginNode (stage.plugin, stage.params, false, "stage " + juce::String (stage.id.value)))
                return node;
            break; // a plugin that cannot be loaded keeps its parameters and passes audio (with a warning)
    }
    return std::make_unique<PassThroughNode> (model::toString (stage.effect), stage.params);
}

//==============================================================================
std::vector<juce::String> NodeFactory::takePluginWarnings()
{
    return std::exchange (pluginWarnings, {});
}

PluginHost& NodeFactory::getPluginHost()
{
    if (pluginHost == nullptr)
        pluginHost = std::make_unique<PluginHost>();
    return *pluginHost;
}

void NodeFactory::setPluginDefaults (double sampleRate, int blockSize) noexcept
{
    pluginSampleRate = sampleRate;
    pluginBlockSize = blockSize;
}

void NodeFactory::setPluginSandbox (PluginSandboxOptions o)
{
    sandboxOptions = std::move (o);
    // Plugins made from now on go into a shared sandbox started with these options; those already in
    // one stay there until their chains are rebuilt (and it ends with the last of them).
    sharedSandbox.reset();
}

void NodeFactory::superviseSandboxes()
{
    std::erase_if (sandboxes, [] (const auto& w)
                   { return w.expired(); });
    std::vector<std::shared_ptr<PluginSandbox>> live;
    for (const auto& w : sandboxes)
        if (auto box = w.lock())
            live.push_back (std::move (box));
    // Each process once (a shared one serves many plugins), then every plugin's warnings in order.
    std::vector<SandboxProcess*> supervised;
    for (const auto& box : live)
        if (auto* process = &box->getProcess(); std::find (supervised.begin(), supervised.end(), process) == supervised.end())
        {
            supervised.push_back (process);
            process->supervise();
        }
    for (const auto& box : live)
        box->takeWarnings (pluginWarnings);
}

juce::String NodeFactory::findSandboxThatLostBlocks() const
{
    for (const auto& w : sandboxes)
        if (auto box = w.lock(); box != nullptr && box->getLostBlocks() > 0)
            return box->describe();
    return {};
}

std::unique_ptr<NodeProcessor> NodeFactory::createPluginNode (const model::PluginRef& ref, const std::vector<model::Parameter>& params, bool isSource, const juce::String& owner)
{
    if (sandboxOptions.mode != PluginSandboxMode::inProcess)
    {
        // Shared: every plugin joins the one process (started on first need, ended with the last
        // plugin in it). Per plugin: a process of its own.
        std::shared_ptr<SandboxProcess> process;
        if (sandboxOptions.mode == PluginSandboxMode::shared)
        {
            process = sharedSandbox.lock();
            if (process == nullptr)
            {
                process = std::make_shared<SandboxProcess> (sandboxOptions, true);
                sharedSandbox = process;
            }
        }
        auto box = std::make_shared<PluginSandbox> (sandboxOptions, ref, (int) params.size(), isSource, owner, std::move (process));
        juce::String problem;
        if (! box->start (pluginSampleRate, pluginBlockSize, problem))
        {
            pluginWarnings.push_back (problem.trimCharactersAtEnd (".") + ", so " + owner + (isSource ? " stays silent." : " passes audio through unchanged."));
            return nullptr;
        }
        sandboxes.push_back (box);
        return std::make_unique<SandboxedPluginNode> (std::move (box), params, isSource);
    }

    juce::String problem;
    auto instance = getPluginHost().createInstance (ref, pluginSampleRate, pluginBlockSize, problem);
    if (instance == nullptr)
    {
        pluginWarnings.push_back (problem.trimCharactersAtEnd (".") + ", so " + owner + (isSource ? " stays silent." : " passes audio through unchanged."));
        return nullptr;
    }
    if (problem.isNotEmpty())
        pluginWarnings.push_back (problem); // the plugin runs, from its defaults
    return std::make_unique<PluginNode> (std::move (instance), ref, params, isSource);
}

} // namespace imbolc::engine
