namespace imbolc::app
{

LoadedSession loadSessionFile (const juce::File& file)
{
    if (! file.existsAsFile())
        return { std::nullopt, "There is no file at " + file.getFullPathName() + "." };
    juce::MemoryBlock data;
    if (! file.loadFileAsData (data))
        return { std::nullopt, "Could not read " + file.getFullPathName() + "." };
    auto decoded = protocol::decodeProject ((const std::uint8_t*) data.getData(), data.getSize());
    if (! decoded.ok())
        return { std::nullopt, decoded.error };
    return { std::move (decoded.session), {} };
}

juce::File autosaveFileFor (const juce::File& sessionFile)
{
    return sessionFile.getSiblingFile (sessionFile.getFileName() + ".autosave");
}

juce::Result writeDemoSession (const model::Session& session, const juce::File& file, std::vector<juce::File>& written)
{
    const auto bytes = protocol::encodeProject (session);
    if (auto r = protocol::writeFileAtomically (file, bytes.data(), bytes.size()); r.failed())
        return r;
    written.push_back (file);

    // The sampler instruments play a sample beside the project: write the demo's own.
    std::set<std::string> samples;
    for (const auto& inst : session.instruments)
        if (inst.source.builtIn == model::BuiltInSource::sampler && ! inst.source.samplePath.empty() && ! juce::File::isAbsolutePath (inst.source.samplePath))
            samples.insert (inst.source.samplePath);
    for (const auto& path : samples)
    {
        const auto sample = file.getParentDirectory().getChildFile (juce::String (path));
        if (auto r = engine::writeDemoSample (sample); r.failed())
            return r;
        written.push_back (sample);
    }
    return juce::Result::ok();
}

bool hasSuperColliderInstruments (const model::Session& session)
{
    return std::any_of (session.instruments.begin(), session.instruments.end(), [] (const auto& i)
                        { return i.backend == model::Backend::superCollider; });
}

RenderOutcome renderSessionToWav (const model::Session& session, const juce::File& target, const juce::File& baseDirectory,
                                  std::function<void (double)> progress, std::function<bool()> shouldCancel)
{
    engine::OfflineRenderer::Options options;
    options.shouldCancel = std::move (shouldCancel);
    auto factory = std::make_unique<engine::NodeFactory>();
    factory->setBaseDirectory (baseDirectory);
    engine::OfflineRenderer renderer (options, std::move (factory));
    const auto result = renderer.renderToWav (session, target, [&progress] (const engine::OfflineRenderer::Progress& p)
                                              {
                                                  if (progress)
                                                      progress (p.fraction);
                                              });
    return { result.error, result.audioSeconds, result.realTimeFactor(), result.warnings };
}

} // namespace imbolc::app
