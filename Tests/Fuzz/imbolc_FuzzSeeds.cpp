// Writes the fuzz target's seed corpus at build time (no binary blobs in git): every message kind with
// realistic content, patches made by makePatch from real edits of the small reference session (note,
// point, instrument and ownership changes), a full sync of that session; each as a bare payload, as a
// frame, and all frames as one stream. Seeds are built from the same code the fuzzer tests, so they
// follow the schema as it changes.
//
// usage: imbolc_fuzz_seeds DIRECTORY

#include <imbolc_protocol/imbolc_protocol.h>
#include <imbolc_sc/imbolc_sc.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace
{
using namespace imbolc;
namespace msg = protocol::msg;

protocol::Bytes bytesOf (std::initializer_list<int> values)
{
    protocol::Bytes b;
    for (auto v : values)
        b.push_back ((std::uint8_t) v);
    return b;
}

/** Edits of the small session through the real dispatcher, and the patch that carries them. */
protocol::StatePatch patchFrom (const model::Session& start, const std::vector<model::Action>& actions, std::uint64_t seq, const protocol::Ownership* ownership = nullptr)
{
    auto session = start;
    model::UndoHistory history;
    model::Dispatcher dispatcher (session, history);
    model::NetDirty dirty;
    for (const auto& a : actions)
    {
        const auto result = dispatcher.apply (a);
        if (! result.ok())
            throw std::runtime_error ("a seed edit was refused: " + result.error);
        dirty.merge (result.changes.net);
    }
    return protocol::makePatch (session, dirty, seq, ownership);
}

std::vector<protocol::Message> seedMessages()
{
    const auto session = model::makeReferenceSession (model::ReferenceSize::small);
    const auto& first = session.instruments[0];
    const auto& track = *session.pianoRoll.find (first.id);
    const auto& lane = session.automation[0];
    const auto level = model::ParamAddress::instrument (first.id, model::ParamGroup::strip, 0);
    const auto& kit = session.instruments.asVector().back(); // the demo's drum machine
    auto clap = kit.drums.pads[3];
    clap.kind = model::DrumPadKind::sample;
    clap.samplePath = "samples/clap.wav";

    protocol::Ownership ownership;
    ownership.owners = { { first.id, 1 }, { session.instruments[1].id, 2 } };
    ownership.privilegedClient = 1;

    const auto nonce = bytesOf ({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 });
    const protocol::Bytes proof (protocol::proofBytes, 0xab);

    std::vector<protocol::Message> m;
    m.push_back (msg::Challenge { protocol::protocolVersion, nonce, true, session.settings.name });
    m.push_back (msg::Hello { protocol::protocolVersion, "Ana", { first.id }, true, nonce, proof, 0, {} });
    m.push_back (msg::Hello { protocol::protocolVersion, "Ben", {}, false, nonce, {}, 7, proof });
    m.push_back (msg::Welcome { 3, { first.id }, true, protocol::Bytes (protocol::tokenBytes, 0x5a) });

    model::Note note;
    note.tick = 480;
    note.pitch = 64;
    const std::vector<model::Action> actions {
        model::action::SetParam { level, 0.5f },
        model::action::AddNote { first.id, note },
        model::action::MoveNote { first.id, track.notes[0].id, 960, 62 },
        model::action::SetPoint { lane.id, { 240, 0.25f, model::CurveType::sCurve } },
        model::action::RenameInstrument { first.id, "Lead" },
        model::action::SetPluginState { model::NodeKind::instrument, first.id.value, {}, bytesOf ({ 0, 1, 2, 255 }) },
        model::action::SetBpm { 128.0 },
        model::action::Undo {},
        model::action::MoveInstrument { first.id, 2 },
        model::action::SetDrumStep { kit.id, 0, 4, { true, 110, 0.5f } },
        model::action::SetDrumSteps { kit.id, { { 6, 0, { true, 90, 1.0f } }, { 6, 2, { true, 70, 1.0f } }, { 6, 4, { false, 100, 1.0f } } } },
        model::action::SetDrumPad { kit.id, 3, clap },
        model::action::SetDrumPattern { kit.id, 32, 8, 0.25f },
        model::action::SetMacro { 3, model::Macro { true, level, 1.5f, 0.25f } },
        model::action::SetMidiChannel { first.id, 10 },
        model::action::SetMidiOutput { first.id, 4 },
    };
    std::uint32_t requestId = 1;
    for (const auto& a : actions)
        m.push_back (msg::Action { requestId++, a });

    m.push_back (msg::ActionRejected { 4, "You do not own that instrument." });

    // Fine-grained patches (note and point operations; a point value taken from its lane is in its
    // target's range), item updates, a structural change, ownership.
    m.push_back (patchFrom (session,
                            { model::action::MoveNote { first.id, track.notes[0].id, 720, 61 },
                              model::action::AddNote { first.id, note },
                              model::action::DeleteNote { first.id, track.notes[1].id },
                              model::action::ResizeNote { first.id, track.notes[2].id, 60 },
                              model::action::SetNoteVelocity { first.id, track.notes[3].id, 90, 0.5f } },
                            1));
    m.push_back (patchFrom (session,
                            { model::action::SetPoint { lane.id, { 120, lane.points.points[0].value, model::CurveType::step } },
                              model::action::DeletePoint { lane.id, lane.points.points[0].tick } },
                            2));
    m.push_back (patchFrom (session, { model::action::SetParam { level, 1.25f }, model::action::SetBpm { 90.0 }, model::action::Play {} }, 3, &ownership));
    m.push_back (patchFrom (session, { model::action::AddBus { "Verb 2" }, model::action::DuplicateInstrument { first.id }, model::action::MoveInstrument { first.id, 1000 } }, 4));
    m.push_back (patchFrom (session, { model::action::SetMacro { 0, model::Macro { true, level, 0.0f, 2.0f } }, model::action::SetMidiChannel { first.id, 2 } }, 7));
    m.push_back (patchFrom (session, { model::action::SetDrumSteps { kit.id, { { 0, 0, { true, 127, 1.0f } }, { 2, 4, { true, 100, 0.75f } } } }, model::action::SetDrumPad { kit.id, 3, clap } }, 6));

    m.push_back (msg::FullStateSync { 5, session, ownership });
    m.push_back (msg::Metering { 1920, 120.0, true, 0.5f, 0.25f, { { model::NodeKind::instrument, first.id.value, 0.1f, 0.2f } }, { protocol::ServerMeter::State::running, 2.5f, 4.0f, 9, 120 } });
    m.push_back (msg::Ping { 42 });
    m.push_back (msg::Pong { 42 });
    m.push_back (msg::RequestFullSync { 3 });
    m.push_back (msg::RequestPrivilege {});
    m.push_back (msg::PrivilegeGranted {});
    m.push_back (msg::PrivilegeDenied { "Seat 2 is using the privilege." });
    m.push_back (msg::PrivilegeRevoked { 2 });
    m.push_back (msg::ReconnectSuccessful { 3, { first.id }, false, protocol::Bytes (protocol::tokenBytes, 0x33) });
    m.push_back (msg::ReconnectFailed { "The seat was not kept." });
    m.push_back (msg::Goodbye {});
    m.push_back (msg::Shutdown { "The host ended the session." });
    m.push_back (msg::Error { "The frame is malformed." });
    return m;
}

bool write (const std::filesystem::path& file, const protocol::Bytes& bytes)
{
    std::ofstream out (file, std::ios::binary | std::ios::trunc);
    out.write ((const char*) bytes.data(), (std::streamsize) bytes.size());
    return out.good();
}
} // namespace

/** Every kind of reply the SuperCollider backend reads, as scsynth sends them (and a bundle, which a
    reply never is). */
std::vector<sc::Bytes> oscSeeds()
{
    using sc::OscMessage;
    const std::vector<OscMessage> replies {
        { "/status.reply", { (std::int32_t) 1, (std::int32_t) 120, (std::int32_t) 9, (std::int32_t) 14, (std::int32_t) 21, 3.5f, 7.25f, 48000.0, 47999.98 } },
        { "/g_queryTree.reply", { (std::int32_t) 0, (std::int32_t) 100, (std::int32_t) 2, (std::int32_t) 1000, (std::int32_t) -1, std::string ("imbolc_saw"), (std::int32_t) 1001, (std::int32_t) 0 } },
        { "/n_go", { (std::int32_t) 1000, (std::int32_t) 100, (std::int32_t) -1, (std::int32_t) -1, (std::int32_t) 0 } },
        { "/n_end", { (std::int32_t) 1000, (std::int32_t) 100, (std::int32_t) -1, (std::int32_t) -1, (std::int32_t) 0 } },
        { "/done", { std::string ("/notify"), (std::int32_t) 1, (std::int32_t) 4 } },
        { "/fail", { std::string ("/d_recv"), std::string ("bad definition") } },
        { "/synced", { (std::int32_t) 7 } },
        { "/n_set", { (std::int32_t) 1002, std::string ("cutoff"), 640.0f } },
        { "/blob", { sc::Bytes { 1, 2, 3, 4, 5 } } },
    };
    std::vector<sc::Bytes> seeds;
    for (const auto& m : replies)
        seeds.push_back (sc::osc::encodeMessage (m));
    seeds.push_back (sc::osc::encodeBundle (1.5, { replies[0] }));
    return seeds;
}

int main (int argc, char** argv)
{
    if (argc != 2 && argc != 3)
    {
        std::cerr << "usage: imbolc_fuzz_seeds DIRECTORY [OSC_DIRECTORY]\n";
        return 2;
    }
    try
    {
        const std::filesystem::path dir (argv[1]);
        std::filesystem::create_directories (dir);

        protocol::Bytes stream;
        int index = 0;
        for (const auto& message : seedMessages())
        {
            // A seed that does not decode would teach the fuzzer nothing about the accepting paths.
            const auto payload = protocol::encodeMessage (message);
            if (const auto decoded = protocol::decodeMessage (payload.data(), payload.size()); ! decoded.ok())
                throw std::runtime_error (std::string ("a seed ") + protocol::messageName (message) + " does not decode: " + decoded.error);

            const auto name = std::to_string (index++) + "-" + protocol::messageName (message);
            const auto frame = protocol::encodeFrame (message);
            if (! write (dir / (name + ".payload"), payload) || ! write (dir / (name + ".frame"), frame))
                throw std::runtime_error ("could not write " + (dir / name).string());
            stream.insert (stream.end(), frame.begin(), frame.end());
        }
        if (! write (dir / "stream.frames", stream))
            throw std::runtime_error ("could not write the stream seed");
        std::cout << "Wrote " << 2 * index + 1 << " seeds to " << dir.string() << "\n";

        if (argc == 3)
        {
            const std::filesystem::path oscDir (argv[2]);
            std::filesystem::create_directories (oscDir);
            int n = 0;
            for (const auto& seed : oscSeeds())
                if (! write (oscDir / ("reply-" + std::to_string (n++) + ".osc"), seed))
                    throw std::runtime_error ("could not write " + oscDir.string());
            std::cout << "Wrote " << n << " OSC seeds to " << oscDir.string() << "\n";
        }
        return 0;
    }
    catch (const std::exception& e)
    {
        std::cerr << "imbolc_fuzz_seeds: " << e.what() << "\n";
        return 1;
    }
}
