namespace imbolc::sc
{

namespace
{
    float sourceParam (const model::Source& s, const char* name, float fallback)
    {
        for (const auto& p : s.params)
            if (p.name == name)
                return p.value;
        return fallback;
    }

    /** The program as a path, looked up on PATH when it is a bare name; empty when it is not there
        (juce::ChildProcess would start a child that fails to exec, with no sentence to tell). */
    juce::File findProgram (const juce::String& program)
    {
        if (program.containsChar ('/'))
        {
            const juce::File f (program);
            return f.existsAsFile() ? f : juce::File();
        }
        for (const auto& folder : juce::StringArray::fromTokens (juce::SystemStats::getEnvironmentVariable ("PATH", "/usr/bin:/bin"), ":", ""))
            if (folder.isNotEmpty())
                if (const auto f = juce::File (folder).getChildFile (program); f.existsAsFile())
                    return f;
        return {};
    }
} // namespace

void ScoreRenderer::appendBundle (Bytes& score, double seconds, const std::vector<OscMessage>& messages)
{
    const auto bundle = osc::encodeBundle (seconds, messages);
    const auto size = (std::uint32_t) bundle.size();
    score.insert (score.end(), { (std::uint8_t) (size >> 24), (std::uint8_t) (size >> 16), (std::uint8_t) (size >> 8), (std::uint8_t) size });
    score.insert (score.end(), bundle.begin(), bundle.end());
}

ScoreRenderer::Score ScoreRenderer::makeScore (const model::Session& session, const Options& options)
{
    Score score;
    const double secondsPerTick = 60.0 / (session.settings.bpm * (double) model::ticksPerBeat);

    // Time 0: every definition, then the sources group at the tail of the root node.
    std::vector<OscMessage> setup;
    setup.push_back ({ "/d_recv", { synthDefFile (allVoiceDefinitions()) } });
    setup.push_back ({ "/g_new", { sourcesGroup, (std::int32_t) 1, (std::int32_t) 0 } });
    appendBundle (score.bytes, 0.0, setup);

    struct Timed
    {
        double seconds;
        std::int32_t order; ///< note-offs before note-ons at the same time
        OscMessage message;
    };
    std::vector<Timed> events;
    std::int32_t nextNode = firstNodeId;
    double end = 0.0;

    const bool anySolo = std::any_of (session.instruments.begin(), session.instruments.end(), [] (const auto& i)
                                      { return i.strip.solo; });
    for (const auto& instrument : session.instruments)
    {
        if (instrument.strip.mute || (anySolo && ! instrument.strip.solo))
            continue;
        const auto* track = session.pianoRoll.find (instrument.id);
        if (track == nullptr || track->notes.empty())
            continue;
        if (instrument.source.kind != model::SourceKind::builtIn || ! voiceDefinition (instrument.source.builtIn).has_value())
        {
            score.warnings.push_back ("Instrument \"" + instrument.name + "\" is not played on SuperCollider: its source ("
                                      + (instrument.source.kind == model::SourceKind::builtIn ? std::string (model::toString (instrument.source.builtIn)) : std::string ("not a built-in"))
                                      + ") has no SuperCollider voice yet.");
            continue;
        }

        const auto name = voiceDefinitionName (instrument.source.builtIn);
        const auto tune = sourceParam (instrument.source, "tune", 0.0f) + sourceParam (instrument.source, "fine", 0.0f) / 100.0f;
        const auto level = sourceParam (instrument.source, "level", 0.8f) * instrument.strip.level;
        const auto width = sourceParam (instrument.source, "width", 0.5f);

        for (const auto& note : track->notes)
        {
            const auto on = (double) note.tick * secondsPerTick;
            const auto off = (double) (note.tick + note.duration) * secondsPerTick;
            const auto node = nextNode++;
            const auto freq = (float) (440.0 * std::pow (2.0, ((double) note.pitch + tune - 69.0) / 12.0));
            const auto amp = level * (float) note.velocity / 127.0f * 0.5f;

            events.push_back ({ on, 1, { "/s_new", { name, node, (std::int32_t) 0, sourcesGroup, // addToHead of the sources group
                                                     std::string ("freq"),
                                                     freq,
                                                     std::string ("amp"),
                                                     amp,
                                                     std::string ("pan"),
                                                     instrument.strip.pan,
                                                     std::string ("width"),
                                                     width,
                                                     std::string ("attack"),
                                                     instrument.amp.attack,
                                                     std::string ("decay"),
                                                     instrument.amp.decay,
                                                     std::string ("sustain"),
                                                     instrument.amp.sustain,
                                                     std::string ("release"),
                                                     instrument.amp.release } } });
            events.push_back ({ off, 0, { "/n_set", { node, std::string ("gate"), 0.0f } } });
            end = std::max (end, off + (double) instrument.amp.release);
            ++score.voices;
        }
    }

    std::stable_sort (events.begin(), events.end(), [] (const Timed& a, const Timed& b)
                      { return std::tie (a.seconds, a.order) < std::tie (b.seconds, b.order); });
    for (std::size_t i = 0; i < events.size();)
    {
        std::vector<OscMessage> bundle;
        const auto t = events[i].seconds;
        for (; i < events.size() && events[i].seconds == t; ++i)
            bundle.push_back (std::move (events[i].message));
        appendBundle (score.bytes, t, bundle);
    }

    // The score's last time is where scsynth stops writing: the end plus the tail.
    score.seconds = end + options.tailSeconds;
    appendBundle (score.bytes, score.seconds, { { "/c_set", { (std::int32_t) 0, 0.0f } } });
    return score;
}

ScoreRenderer::Result ScoreRenderer::render (const model::Session& session, const juce::File& wav, const Options& options)
{
    const auto score = makeScore (session, options);
    auto result = renderScore (score.bytes, wav, options);
    result.warnings = score.warnings;
    result.seconds = score.seconds;
    return result;
}

ScoreRenderer::Result ScoreRenderer::renderScore (const Bytes& score, const juce::File& wav, const Options& options)
{
    Result result;
    if (! wav.getParentDirectory().isDirectory())
    {
        result.error = "The folder " + wav.getParentDirectory().getFullPathName().toStdString() + " does not exist.";
        return result;
    }

    const auto scsynth = findProgram (options.scsynth);
    if (scsynth == juce::File())
    {
        result.error = "There is no scsynth (" + options.scsynth.toStdString() + ") to render with: install SuperCollider's server (Debian: supercollider-server).";
        return result;
    }

    const auto scoreFile = wav.getSiblingFile ("." + wav.getFileName() + ".osc");
    const auto partial = wav.getSiblingFile ("." + wav.getFileName() + ".partial.wav");
    if (! scoreFile.replaceWithData (score.data(), score.size()))
    {
        result.error = "Could not write the score beside " + wav.getFullPathName().toStdString() + ".";
        return result;
    }

    const auto sampleFormat = options.bitsPerSample == 16 ? "int16" : options.bitsPerSample == 32 ? "float"
                                                                                                  : "int24";
    // -D 0: the score brings every definition it uses (/d_recv), so the user's synthdefs folder is
    // neither read nor complained about when it does not exist.
    juce::StringArray command { scsynth.getFullPathName(), "-N", scoreFile.getFullPathName(), "_", partial.getFullPathName(), juce::String ((int) options.sampleRate), "WAV", sampleFormat, "-o", "2", "-i", "0", "-z", juce::String (options.blockSize), "-D", "0" };
    juce::ChildProcess process;
    if (! process.start (command, juce::ChildProcess::wantStdOut | juce::ChildProcess::wantStdErr))
    {
        scoreFile.deleteFile();
        result.error = "Could not run scsynth (" + options.scsynth.toStdString() + "): install SuperCollider's server (Debian: supercollider-server).";
        return result;
    }
    const auto output = process.readAllProcessOutput();
    result.output = output.toStdString();
    process.waitForProcessToFinish (-1);
    const auto code = process.getExitCode();
    scoreFile.deleteFile();

    if (code != 0 || ! partial.existsAsFile())
    {
        partial.deleteFile();
        const auto lastLine = juce::StringArray::fromLines (output.trim()).joinIntoString (" ").getLastCharacters (200);
        result.error = "scsynth could not render the score (exit code " + std::to_string (code) + "): " + lastLine.toStdString();
        return result;
    }
    if (! partial.moveFileTo (wav))
    {
        partial.deleteFile();
        result.error = "Could not move the rendered audio to " + wav.getFullPathName().toStdString() + ".";
    }
    return result;
}

} // namespace imbolc::sc
