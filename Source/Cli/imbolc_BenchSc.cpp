// imbolc bench sc: what the SuperCollider backend puts on the wire per note and per tweak, beside the
// original Imbolc's layout (a voice group, a control synth and a source synth per note; a group free
// after the release) and an untargeted tweak (the instrument's chain rebuilt); then a real scsynth
// under 200 notes per second for 10 s: bundles it reports late and voices left behind, beside the same
// load sent with no schedule-ahead.

#include "imbolc_BenchSupport.h"

namespace imbolc::cli::bench
{
namespace
{
    std::size_t bundleBytes (const std::vector<sc::OscMessage>& messages)
    {
        return messages.empty() ? 0 : sc::osc::encodeBundle (sc::ScsynthClient::ntpNow(), messages).size();
    }

    /** One instrument like the ones played below: a saw through a low-pass filter. */
    model::InstrumentId addLead (model::Dispatcher& dispatcher, std::vector<model::AudioEffect>* effects = nullptr)
    {
        model::Source source;
        source.builtIn = model::BuiltInSource::saw;
        model::Stage filter;
        filter.kind = model::StageKind::filter;
        filter.params = model::makeFilterParameters (model::FilterType::lowPass);
        auto added = dispatcher.apply (model::action::AddInstrument { "lead", source, model::Backend::superCollider, { filter } });
        if (effects != nullptr)
            *effects = added.changes.audio;
        dispatcher.apply (model::action::SetParam { model::ParamAddress::instrument (model::InstrumentId { added.createdId }, model::ParamGroup::amp, (std::uint16_t) model::AmpParam::release), 0.05f });
        return model::InstrumentId { added.createdId };
    }

    /** The original's note: a voice group, a control synth (freq, gate, velocity) and the source synth
        in one bundle; its release a gate, then the group freed after release + margin in another. */
    std::pair<std::vector<sc::OscMessage>, std::vector<sc::OscMessage>> originalNote (const sc::SessionMirror::InstrumentNodes& n, const std::vector<std::pair<std::string, float>>& controls)
    {
        const std::int32_t group = 5000, control = 5001, voice = 5002, controlBus = 64;
        std::vector<sc::OscMessage> on;
        on.push_back ({ "/g_new", { group, (std::int32_t) 0, n.voiceGroup } });
        on.push_back ({ "/s_new", { std::string ("imbolc_voice_control"), control, (std::int32_t) 0, group, std::string ("out"), (float) controlBus, std::string ("freq"), 261.6f, std::string ("gate"), 1.0f, std::string ("velocity"), 0.8f } });
        sc::OscMessage source { "/s_new", { n.voiceDefinition, voice, (std::int32_t) 1, group, std::string ("out"), (float) n.bus, std::string ("freq_in"), (float) controlBus } };
        for (const auto& [name, value] : controls)
        {
            source.arguments.emplace_back (name);
            source.arguments.emplace_back (value);
        }
        on.push_back (std::move (source));
        return { on, { { "/n_set", { control, std::string ("gate"), 0.0f } }, { "/n_free", { group } } } };
    }

    int runWireCosts()
    {
        header ("bench sc: OSC per note and per tweak (baseline: the original's voice layout, an untargeted rebuild)", "baseline");
        model::Session session;
        model::UndoHistory history;
        model::Dispatcher dispatcher (session, history);
        sc::SessionMirror mirror ({});
        mirror.build (session);
        std::vector<model::AudioEffect> effects;
        const auto id = addLead (dispatcher, &effects);
        mirror.apply (session, effects);
        const auto& instrument = *session.instruments.find (id);
        const auto* nodes = mirror.findInstrument (id);

        const auto on = mirror.noteOn (id, 60, 0.8f, 1);
        const auto off = mirror.noteOff (id, 60, 2);
        std::vector<std::pair<std::string, float>> controls;
        for (const auto& p : instrument.source.params)
            controls.emplace_back (p.name, p.value);
        for (auto [name, value] : { std::pair<const char*, float> { "attack", instrument.amp.attack }, { "decay", instrument.amp.decay }, { "sustain", instrument.amp.sustain }, { "release", instrument.amp.release } })
            controls.emplace_back (name, value);
        const auto [originalOn, originalOff] = originalNote (*nodes, controls);
        const auto ours = (double) (bundleBytes (on) + bundleBytes (off));
        // The original sends the release gate and the timed group free as two bundles.
        const auto theirs = (double) (bundleBytes (originalOn) + bundleBytes ({ originalOff[0] }) + bundleBytes ({ originalOff[1] }));
        row ("bytes per note (on + off)", bytes (ours), bytes (theirs), theirs / ours);
        row ("messages per note", std::to_string (on.size() + off.size()), std::to_string (originalOn.size() + originalOff.size()), (double) (originalOn.size() + originalOff.size()) / (double) (on.size() + off.size()));
        row ("datagrams per note", "2", "3", 1.5);

        // A filter cutoff tweak: ours is one /n_set; the baseline rebuilds the instrument's chain.
        const auto stage = instrument.chain[0].id;
        auto tweak = dispatcher.apply (model::action::SetParam { model::ParamAddress::stage (model::NodeKind::instrument, id.value, stage, 0), 900.0f });
        const auto tweakMessages = mirror.apply (session, tweak.changes.audio);
        const auto rebuild = mirror.apply (session, { model::AudioEffect::forId (model::AudioEffect::Kind::rebuildInstrument, id.value) });
        const auto tweakBytes = (double) sc::osc::encodeMessage (tweakMessages.at (0)).size();
        double rebuildBytes = 0;
        for (const auto& m : rebuild)
            rebuildBytes += (double) sc::osc::encodeMessage (m).size();
        row ("bytes per parameter tweak", bytes (tweakBytes), bytes (rebuildBytes), rebuildBytes / tweakBytes);
        row ("messages per parameter tweak", std::to_string (tweakMessages.size()), std::to_string (rebuild.size()), (double) rebuild.size() / (double) tweakMessages.size());
        return 0;
    }

    struct LoadFigures
    {
        bool ran = false;
        std::string error;
        int sent = 0, late = 0;
        std::size_t leakedInPool = 0;
        int leakedOnServer = 0;
        double latency = 0.0;
        float peakCpu = 0.0f;
    };

    /** 200 notes per second for 10 s, each due on a 5 ms grid and lasting 40 ms (about 8 voices at
        once), sent as the engine's sender thread sends them: when due, timetagged due + latency. */
    LoadFigures runLoad (double latencySeconds)
    {
        LoadFigures f;
        sc::LocalScsynth local;
        if (auto started = local.start ({}); started.failed())
        {
            f.error = started.getErrorMessage().toStdString();
            return f;
        }

        model::Session session;
        model::UndoHistory history;
        model::Dispatcher dispatcher (session, history);
        sc::ScBackend::Options options;
        options.server = { "127.0.0.1", local.getPort(), 2000 };
        options.sampleRate = 48000.0;
        options.blockSize = 256;
        options.latencySeconds = latencySeconds;
        sc::ScBackend backend (options);
        if (auto r = backend.start (session); r.failed())
        {
            f.error = r.getErrorMessage().toStdString();
            return f;
        }
        std::vector<model::AudioEffect> effects;
        const auto id = addLead (dispatcher, &effects);
        backend.apply (session, effects);
        backend.apply (session, { model::AudioEffect::forId (model::AudioEffect::Kind::rebuildInstrument, id.value) });
        const auto baselineSynths = backend.getClient().queryStatus().value_or (sc::ScsynthClient::Status {}).synths;
        const auto logBefore = local.readLog();

        constexpr int notesPerSecond = 200, seconds = 10, total = notesPerSecond * seconds;
        const auto start = sc::ScsynthClient::ntpNow() + 0.05;
        std::vector<std::pair<double, int>> offs;
        while (f.sent < total || ! offs.empty())
        {
            const auto now = sc::ScsynthClient::ntpNow();
            while (f.sent < total && start + f.sent / (double) notesPerSecond <= now)
            {
                const auto due = start + f.sent / (double) notesPerSecond;
                const auto note = 48 + (f.sent * 7) % 36;
                backend.noteOn (id, note, 0.6f, due);
                offs.emplace_back (due + 0.04, note);
                ++f.sent;
            }
            for (auto it = offs.begin(); it != offs.end();)
                if (it->first <= now)
                {
                    backend.noteOff (id, it->second, it->first);
                    it = offs.erase (it);
                }
                else
                    ++it;
            backend.update (session);
            f.peakCpu = std::max (f.peakCpu, backend.getMeters().status.peakCpu);
            std::this_thread::sleep_for (std::chrono::milliseconds (1));
        }

        // Wait out the releases, then count what is left.
        for (int i = 0; i < 100 && backend.getMeters().liveVoices > 0; ++i)
        {
            backend.update (session);
            std::this_thread::sleep_for (std::chrono::milliseconds (20));
        }
        const auto status = backend.getClient().queryStatus().value_or (sc::ScsynthClient::Status {});
        // scsynth prints "late 0.0123..." for every bundle that arrives after its timetag.
        for (const auto& line : juce::StringArray::fromLines (local.readLog().substring (logBefore.length())))
            if (line.trimStart().startsWith ("late "))
                ++f.late;
        f.leakedInPool = backend.getMeters().liveVoices;
        f.leakedOnServer = status.synths - baselineSynths;
        f.latency = backend.getLatencySeconds();
        f.ran = true;
        local.stop();
        return f;
    }

    int runLoadBenchmark()
    {
        header ("bench sc: 200 notes/s for 10 s on a real scsynth (jackd dummy, 48 kHz, 256-sample period)", "no ahead");
        const auto ours = runLoad (-1.0); // the default: one block + 5 ms, at least 10 ms
        const auto none = runLoad (0.0); // the baseline: each bundle timetagged the moment it is due
        if (! ours.ran || ! none.ran)
        {
            std::cout << "  skipped: " << (ours.ran ? none.error : ours.error) << "\n";
            return 1;
        }
        row ("notes sent", std::to_string (ours.sent), std::to_string (none.sent), std::nullopt);
        row ("schedule-ahead latency", fixed (ours.latency * 1000.0, 1) + " ms", fixed (none.latency * 1000.0, 1) + " ms", std::nullopt);
        row ("late bundles (scsynth's count; target 0)", std::to_string (ours.late), std::to_string (none.late), std::nullopt);
        row ("voices leaked, our pool (target 0)", std::to_string (ours.leakedInPool), std::to_string (none.leakedInPool), std::nullopt);
        row ("voices leaked, scsynth's count (target 0)", std::to_string (ours.leakedOnServer), std::to_string (none.leakedOnServer), std::nullopt);
        row ("scsynth peak CPU during the run", fixed (ours.peakCpu, 1) + " %", fixed (none.peakCpu, 1) + " %", std::nullopt);
        return 0;
    }
} // namespace

int benchSc()
{
    int status = runWireCosts();
    status |= runLoadBenchmark();
    return status;
}

} // namespace imbolc::cli::bench
