// imbolc bench: our figures beside the baseline's, measured in the same run. Never asserted in CI.

#include "imbolc_BenchSupport.h"

#include <flatbuffers/idl.h>
#include <imbolc_SchemaText.h>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace imbolc::cli
{
namespace bench
{
    //==============================================================================
    int benchModel()
    {
        std::cout << "Building the large reference session..." << std::flush;
        auto session = model::makeReferenceSession (model::ReferenceSize::large);
        std::cout << " done.\n";

        const auto target = session.instruments[session.instruments.size() / 2].id;
        const model::UndoScope single { model::UndoScopeKind::instrument, target.value };
        const model::UndoScope full { model::UndoScopeKind::full, 0 };

        header ("bench model: undo snapshots (large session)", "full copy");
        const auto singleNs = medianNanos (2001, [&]
                                           { auto e = model::UndoHistory::snapshot (session, single); (void) e; });
        const auto fullNs = medianNanos (101, [&]
                                         { auto e = model::UndoHistory::snapshot (session, full); (void) e; });
        row ("undo snapshot of a parameter tweak", human (singleNs), human (fullNs), fullNs / singleNs);

        // A 30-step knob sweep, 20 ms apart, through the real dispatcher: one entry with coalescing; the
        // baseline is the same sweep with every step outside the coalescing window (no coalescing).
        auto sweep = [&] (std::int64_t stepMs)
        {
            std::int64_t now = 0;
            auto copy = session;
            model::UndoHistory history ([&now]
                                        { return now; });
            model::Dispatcher dispatcher (copy, history);
            const auto cutoff = model::ParamAddress::stage (model::NodeKind::instrument, target.value, copy.instruments.find (target)->chain[0].id, 0);
            for (int step = 0; step < 30; ++step, now += stepMs)
                dispatcher.apply (model::action::SetParam { cutoff, 200.0f + 100.0f * (float) step });
            return history.undoDepth();
        };
        const auto coalesced = sweep (20);
        const auto separate = sweep (model::UndoHistory::coalesceWindowMs + 100);
        row ("undo entries for a 30-step sweep", std::to_string (coalesced), std::to_string (separate), (double) separate / (double) coalesced);

        {
            std::int64_t now = 0;
            auto copy = session;
            model::UndoHistory history ([&now]
                                        { return now; });
            model::Dispatcher dispatcher (copy, history);
            const auto level = model::ParamAddress::instrument (target, model::ParamGroup::strip, 0);
            int i = 0;
            const auto perTweak = medianNanos (20001, [&]
                                               { dispatcher.apply (model::action::SetParam { level, (float) (i++ % 100) / 100.0f }); });
            row ("dispatch one parameter tweak (with undo)", human (perTweak), "-", std::nullopt);
        }

        //==========================================================================
        header ("bench model: project file (large session)", "JSON text");
        std::vector<std::uint8_t> encoded;
        const auto encodeNs = medianNanos (11, [&]
                                           { encoded = protocol::encodeProject (session); });

        flatbuffers::IDLOptions options;
        options.strict_json = true;
        options.output_default_scalars_in_json = true;
        flatbuffers::Parser parser (options);
        if (! parser.Parse (protocol::detail::schemaText))
        {
            std::cerr << "The embedded schema does not parse: " << parser.error_ << "\n";
            return 1;
        }
        std::string json;
        const auto jsonEncodeNs = medianNanos (5, [&]
                                               { json.clear(); flatbuffers::GenerateText (parser, encoded.data(), &json); });
        row ("serialize", human (encodeNs), human (jsonEncodeNs), jsonEncodeNs / encodeNs);

        const auto decodeNs = medianNanos (11, [&]
                                           { auto r = protocol::decodeProject (encoded.data(), encoded.size()); (void) r; });
        const auto jsonDecodeNs = medianNanos (5, [&]
                                               {
            flatbuffers::Parser p (options);
            p.Parse (protocol::detail::schemaText);
            p.Parse (json.c_str()); });
        row ("parse (verify, checksum, decode, validate)", human (decodeNs), human (jsonDecodeNs), jsonDecodeNs / decodeNs);
        row ("file size", bytes ((double) encoded.size()), bytes ((double) json.size()), (double) json.size() / (double) encoded.size());

        const auto folder = juce::File::getSpecialLocation (juce::File::tempDirectory).getChildFile ("imbolc-bench-" + juce::String (juce::Random().nextInt64()));
        folder.createDirectory();
        const auto file = folder.getChildFile ("large.imbolc");
        const auto jsonFile = folder.getChildFile ("large.json");
        const auto saveNs = medianNanos (5, [&]
                                         { protocol::saveProject (session, file); });
        const auto jsonSaveNs = medianNanos (5, [&]
                                             {
            std::string text;
            flatbuffers::GenerateText (parser, protocol::encodeProject (session).data(), &text);
            protocol::writeFileAtomically (jsonFile, text.data(), text.size()); });
        row ("save (encode, atomic write, fsync)", human (saveNs), human (jsonSaveNs), jsonSaveNs / saveNs);
        const auto loadNs = medianNanos (5, [&]
                                         { auto r = protocol::loadProject (file); (void) r; });
        const auto jsonLoadNs = medianNanos (5, [&]
                                             {
            juce::MemoryBlock text;
            jsonFile.loadFileAsData (text);
            std::string error;
            auto b = protocol::projectFromJson (text.toString().toStdString(), error);
            (void) b; });
        row ("load (read, decode, validate)", human (loadNs), human (jsonLoadNs), jsonLoadNs / loadNs);
        folder.deleteRecursively();

        std::cout << "\n  Ratios are baseline / imbolc: above 1 means Imbolc is faster or smaller.\n"
                     "  Baselines: a whole-session copy per undo step (what an unscoped undo does), the same sweep\n"
                     "  without coalescing, and the same session as JSON text (FlatBuffers' text generator/parser).\n";
        return 0;
    }
} // namespace bench

const std::vector<std::string>& benchSuites()
{
    static const std::vector<std::string> suites { "model", "engine", "voices", "effects", "plugins", "plugin", "net", "sc", "gui", "link" };
    return suites;
}

int runBench (const std::vector<std::string>& suites)
{
    const auto& chosen = suites.empty() ? benchSuites() : suites;
    int status = 0;
    for (const auto& suite : chosen)
        if (suite == "model")
            status |= bench::benchModel();
        else if (suite == "engine")
            status |= bench::benchEngine();
        else if (suite == "voices")
            status |= bench::benchVoices();
        else if (suite == "plugins")
            status |= bench::benchPlugins();
        else if (suite == "plugin")
        {
            // Asked for by name, a missing plugin bundle is an error; in a run of every suite it is a skip.
            if (suites.empty() && ! bench::pluginBenchBundleBuilt())
                std::cout << "\nbench plugin: skipped. " << bench::pluginBenchMissingSentence() << "\n";
            else
                status |= bench::benchPlugin();
        }
        else if (suite == "effects")
            status |= bench::benchEffects();
        else if (suite == "net")
            status |= bench::benchNet();
        else if (suite == "sc")
            status |= bench::benchSc();
        else if (suite == "link")
            status |= bench::benchLink();
        else if (suite == "gui")
        {
            // Asked for by name, a missing display is an error; in a run of every suite it is a skip.
            if (suites.empty() && ! bench::guiBenchHasDisplay())
                std::cout << "\nbench gui: skipped. " << bench::guiNeedsDisplaySentence << "\n";
            else
                status |= bench::benchGui();
        }
    return status;
}

} // namespace imbolc::cli
