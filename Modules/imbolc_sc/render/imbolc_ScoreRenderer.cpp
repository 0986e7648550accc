namespace imbolc::sc
{

namespace
{
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

ScoreRenderer::Score ScoreRenderer::makeScore (const model::Session& session, std::vector<ScheduledNote> notes, const Options& options)
{
    Score score;

    // Time 0: every definition, the group layout, then the session's nodes, as a live server gets them.
    SessionMirror::Range range;
    range.firstBus = outputChannels;
    range.busCount = 1024 - outputChannels; // scsynth's default bus count (-a)
    range.everyInstrument = true;
    SessionMirror mirror (range);

    auto definitions = allVoiceDefinitions();
    for (auto& d : allProcessingDefinitions())
        definitions.push_back (std::move (d));
    std::vector<OscMessage> setup;
    setup.push_back ({ "/d_recv", { synthDefFile (definitions) } });
    for (auto group : ScsynthClient::groupLayout)
        setup.push_back ({ "/g_new", { group, (std::int32_t) 1, (std::int32_t) 0 } });
    auto nodes = mirror.build (session);
    // Samplers' samples: NRT scsynth reads them before the first sample is rendered. A file it cannot
    // read leaves that instrument silent, with a sentence.
    for (const auto& load : mirror.takeSampleLoads())
    {
        juce::AudioFormatManager formats;
        formats.registerBasicFormats();
        const juce::File file (juce::String (load.path));
        std::unique_ptr<juce::AudioFormatReader> reader (file.existsAsFile() ? formats.createReaderFor (file) : nullptr);
        if (reader == nullptr || reader->numChannels == 0)
        {
            score.warnings.push_back (load.owner + " is silent on SuperCollider: its sample \"" + load.path + "\" " + (file.existsAsFile() ? "is not an audio file Imbolc can read." : "does not exist."));
            mirror.setSampleVoice (load.instrument, 0, 1.0f);
            continue;
        }
        if (reader->numChannels > 2)
            setup.push_back ({ "/b_allocReadChannel", { load.buffer, load.path, (std::int32_t) 0, (std::int32_t) 0, (std::int32_t) 0, (std::int32_t) 1 } });
        else
            setup.push_back ({ "/b_allocRead", { load.buffer, load.path, (std::int32_t) 0, (std::int32_t) 0 } });
        mirror.setSampleVoice (load.instrument, juce::jmin (2, (int) reader->numChannels), 1.0f);
    }
    setup.insert (setup.end(), nodes.begin(), nodes.end());
    appendBundle (score.bytes, 0.0, setup);
    for (auto& w : mirror.takeWarnings())
        score.warnings.push_back (std::move (w));

    // Note-offs before note-ons at the same time, as the engine's sequencer orders them.
    std::stable_sort (notes.begin(), notes.end(), [] (const ScheduledNote& a, const ScheduledNote& b)
                      { return std::make_tuple (a.seconds, a.on) < std::make_tuple (b.seconds, b.on); });

    // scsynth frees a voice when its release ends; offline nobody reports it, so the mirror is told
    // at the time the release ends (gate 0: the instrument's release; a steal's forced release: its own).
    using Ending = std::pair<double, std::int32_t>;
    std::priority_queue<Ending, std::vector<Ending>, std::greater<>> endings;
    std::unordered_map<std::uint32_t, double> releaseOf, ringOf;
    for (const auto& instrument : session.instruments)
    {
        releaseOf[instrument.id.value] = instrument.amp.release;
        // A drum frees itself 80 dB down, 4/3 of its decay after it starts, whatever the note off.
        using B = model::BuiltInSource;
        if (instrument.source.kind == model::SourceKind::builtIn && (instrument.source.builtIn == B::kick || instrument.source.builtIn == B::snare || instrument.source.builtIn == B::hat))
            for (const auto& p : instrument.source.params)
                if (p.name == "decay")
                    ringOf[instrument.id.value] = p.value * 4.0 / 3.0;
    }

    double end = 0.0;
    for (std::size_t i = 0; i < notes.size();)
    {
        const auto t = notes[i].seconds;
        while (! endings.empty() && endings.top().first <= t)
        {
            mirror.nodeEnded (endings.top().second);
            endings.pop();
        }

        std::vector<OscMessage> bundle;
        for (; i < notes.size() && notes[i].seconds == t; ++i)
        {
            const auto& n = notes[i];
            if (n.param)
            {
                auto messages = mirror.automate (n.instrument, n.group, n.item, n.index, n.value);
                bundle.insert (bundle.end(), std::make_move_iterator (messages.begin()), std::make_move_iterator (messages.end()));
                continue;
            }
            auto messages = n.allOff ? mirror.allNotesOff (n.instrument) : n.on ? mirror.noteOn (n.instrument, n.note, n.velocity, (std::int64_t) i)
                                                                                : mirror.noteOff (n.instrument, n.note, (std::int64_t) i);
            for (const auto& m : messages)
            {
                if (m.address == "/s_new")
                {
                    ++score.voices;
                    if (const auto ring = ringOf.find (n.instrument.value); ring != ringOf.end())
                    {
                        endings.push ({ t + ring->second, std::get<std::int32_t> (m.arguments[1]) });
                        end = std::max (end, t + ring->second);
                    }
                }
                if (m.address == "/n_set" && m.arguments.size() == 3 && std::get_if<std::string> (&m.arguments[1]) != nullptr && std::get<std::string> (m.arguments[1]) == "gate")
                {
                    const auto gate = std::get<float> (m.arguments[2]);
                    const auto release = gate < 0.0f ? (double) (-1.0f - gate) : releaseOf[n.instrument.value];
                    endings.push ({ t + release, std::get<std::int32_t> (m.arguments[0]) });
                    end = std::max (end, t + release);
                }
            }
            bundle.insert (bundle.end(), std::make_move_iterator (messages.begin()), std::make_move_iterator (messages.end()));
            end = std::max (end, t);
        }
        if (! bundle.empty())
            appendBundle (score.bytes, t, bundle);
    }

    // The score's last time is where scsynth stops writing: the end plus the tail.
    score.seconds = end + options.tailSeconds;
    appendBundle (score.bytes, score.seconds, { { "/c_set", { (std::int32_t) 0, 0.0f } } });
    return score;
}

ScoreRenderer::Result ScoreRenderer::render (const model::Session& session, std::vector<ScheduledNote> notes, const juce::File& wav, const Options& options)
{
    const auto score = makeScore (session, std::move (notes), options);
    auto result = renderScore (score.bytes, wav, options);
    result.warnings = score.warnings;
    result.seconds = score.seconds;
    return result;
}

ScoreRenderer::Result ScoreRenderer::renderScore (const Bytes& score, const juce::File& wav, const Options& options)
{
    Result result;
    // The output is checked (and its temporary file made) first: a target that must not be
    // replaced is refused whether or not scsynth is there.
    model::AtomicSave save;
    if (auto started = save.begin (wav, model::AtomicSave::MissingFolder::refuse); started.failed())
    {
        result.error = started.getErrorMessage().toStdString();
        return result;
    }

    const auto scsynth = findProgram (options.scsynth);
    if (scsynth == juce::File())
    {
        result.error = "There is no scsynth (" + options.scsynth.toStdString() + ") to render with: install SuperCollider's server (Debian: supercollider-server).";
        return result;
    }

    const auto& target = save.getTarget();
    const auto scoreFile = target.getSiblingFile ("." + target.getFileName() + ".osc");
    // scsynth writes the audio into the save's temporary file (it truncates the file it is given,
    // which keeps the save's lock), so a killed render leaves what the next save of `wav` removes.
    const auto partial = save.getFile();
    if (! scoreFile.replaceWithData (score.data(), score.size()))
    {
        result.error = "Could not write the score beside " + target.getFullPathName().toStdString() + ".";
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

    // The temporary file exists from the start: scsynth wrote nothing when it is still empty.
    if (code != 0 || partial.getSize() == 0)
    {
        const auto lastLine = juce::StringArray::fromLines (output.trim()).joinIntoString (" ").getLastCharacters (200);
        result.error = "scsynth could not render the score (exit code " + std::to_string (code) + "): " + lastLine.toStdString();
        return result;
    }
    if (auto moved = save.commit(); moved.failed())
        result.error = moved.getErrorMessage().toStdString();
    return result;
}

} // namespace imbolc::sc
