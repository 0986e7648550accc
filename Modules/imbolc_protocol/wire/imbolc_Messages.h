#pragma once

namespace imbolc::protocol
{

/** The wire protocol's version: a Hello or Challenge with another one is refused with a sentence. */
constexpr std::uint32_t protocolVersion = 1;

/** The four bytes at offset 4 of every Message buffer (a project file has "IMBC"). */
constexpr const char* wireIdentifier = "IMBW";

/** Every frame starts with its payload's length: 4 bytes, big-endian (see writeFrameLength). */
constexpr std::size_t frameLengthBytes = 4;

/** Default largest frame payload a peer accepts; configurable per connection (see DecodeLimits). */
constexpr std::size_t defaultMaxFrameBytes = 16u * 1024u * 1024u;

constexpr std::size_t nonceBytes = 16; ///< Challenge/Hello nonces
constexpr std::size_t tokenBytes = 16; ///< session tokens: 128 bits from the OS random source
constexpr std::size_t proofBytes = 32; ///< HMAC-SHA256 proofs

using Bytes = std::vector<std::uint8_t>;

/** A state sequence number. 32 bits on the wire (a patch frame stays small): at 30 patches a second
    it would take 4.5 years of continuous serving to wrap. */
using Seq = std::uint32_t;

/** Who owns which instrument, and who holds the session-wide privilege (client 0: nobody). */
struct Ownership
{
    struct Owner
    {
        model::InstrumentId instrument;
        std::uint32_t client = 0;
        bool operator== (const Owner&) const = default;
    };

    std::vector<Owner> owners; ///< sorted by instrument id
    std::uint32_t privilegedClient = 0;

    bool operator== (const Ownership&) const = default;
};

/** A state patch as a value: what changed since the previous patch. Built on the server from a session
    and its accumulated model::NetDirty (see makePatch), encoded once, decoded and applied by every client
    (see applyPatch). Parts are applied in declaration order; an absent part is unchanged.
*/
struct StatePatch
{
    Seq seq = 0;
    std::uint32_t nextId = 0; ///< the session's id counter after the changes
    std::optional<model::SessionSettings> settings;
    std::optional<model::Transport> transport;
    std::optional<model::Instruments> instruments; ///< the whole rack (structural change, or > half changed)
    std::vector<model::Instrument> instrumentUpdates; ///< these instruments whole
    std::optional<model::PianoRoll> pianoRoll; ///< every track whole
    std::vector<model::Track> trackUpdates; ///< these tracks whole
    std::vector<model::NoteOp> noteOps; ///< edits of notes in tracks not sent whole, in order
    std::optional<model::Automation> automation; ///< every lane whole
    std::vector<model::Lane> laneUpdates;
    std::vector<model::PointOp> pointOps;
    std::optional<model::Arrangement> arrangement;
    std::optional<model::Mixer> mixer;
    std::vector<model::Bus> busUpdates;
    std::optional<model::Master> master;
    std::optional<Ownership> ownership;
    std::optional<model::Macros> macros; ///< every macro slot, when any changed

    bool operator== (const StatePatch&) const = default;
};

/** One kind of metering figure per strip (instrument or bus). */
struct StripPeak
{
    model::NodeKind node = model::NodeKind::instrument;
    std::uint32_t id = 0;
    float left = 0.0f, right = 0.0f;
    bool operator== (const StripPeak&) const = default;
};

/** The host's external synthesis server (scsynth) for the meters: its state, CPU and counts. */
struct ServerMeter
{
    enum class State : std::uint8_t
    {
        none,
        running,
        lost
    };
    State state = State::none;
    float averageCpu = 0.0f, peakCpu = 0.0f; ///< percent
    std::int32_t synths = 0, ugens = 0;
    bool operator== (const ServerMeter&) const = default;
};

/** The messages of the session network. Each mirrors the schema table of the same name. */
namespace msg
{
    struct Challenge
    {
        std::uint32_t protocolVersion = protocol::protocolVersion;
        Bytes serverNonce; ///< nonceBytes
        bool passphraseRequired = false;
        std::string sessionName;
        bool operator== (const Challenge&) const = default;
    };
    struct Hello
    {
        std::uint32_t protocolVersion = protocol::protocolVersion;
        std::string name;
        std::vector<model::InstrumentId> requestedInstruments;
        bool requestPrivilege = false;
        Bytes clientNonce; ///< nonceBytes
        Bytes passphraseProof; ///< empty, or proofBytes
        std::uint32_t reconnectClientId = 0; ///< 0: a new seat
        Bytes reconnectProof; ///< empty, or proofBytes
        bool operator== (const Hello&) const = default;
    };
    struct Welcome
    {
        std::uint32_t clientId = 0;
        std::vector<model::InstrumentId> grantedInstruments;
        bool privilege = false;
        Bytes token; ///< tokenBytes (masked when the session has a passphrase)
        bool operator== (const Welcome&) const = default;
    };
    /** A client's request to apply one model action; requestId comes back in ActionRejected. */
    struct Action
    {
        std::uint32_t requestId = 0;
        model::Action action;
        std::uint32_t gesture = 0; ///< nonzero: part of this seat's gesture (one undo step), see UndoHistory::setGesture
        bool operator== (const Action&) const;
    };
    struct ActionRejected
    {
        std::uint32_t requestId = 0;
        std::string reason;
        bool operator== (const ActionRejected&) const = default;
    };
    struct FullStateSync
    {
        Seq seq = 0;
        model::Session session;
        Ownership ownership;
        bool operator== (const FullStateSync&) const = default;
    };
    struct Metering
    {
        model::Tick playhead = 0;
        double bpm = 120.0;
        bool playing = false;
        float masterLeft = 0.0f, masterRight = 0.0f;
        std::vector<StripPeak> strips;
        ServerMeter server; ///< state none: the host plays no instrument on an external server
        bool operator== (const Metering&) const = default;
    };
    struct Ping
    {
        std::uint64_t nonce = 0;
        bool operator== (const Ping&) const = default;
    };
    struct Pong
    {
        std::uint64_t nonce = 0;
        bool operator== (const Pong&) const = default;
    };
    struct RequestFullSync
    {
        Seq haveSeq = 0; ///< the last state the seat applied
        bool operator== (const RequestFullSync&) const = default;
    };
    struct RequestPrivilege
    {
        bool operator== (const RequestPrivilege&) const = default;
    };
    struct PrivilegeGranted
    {
        bool operator== (const PrivilegeGranted&) const = default;
    };
    struct PrivilegeDenied
    {
        std::string reason;
        bool operator== (const PrivilegeDenied&) const = default;
    };
    struct PrivilegeRevoked
    {
        std::uint32_t newHolder = 0;
        bool operator== (const PrivilegeRevoked&) const = default;
    };
    struct ReconnectSuccessful
    {
        std::uint32_t clientId = 0;
        std::vector<model::InstrumentId> restoredInstruments;
        bool privilege = false;
        Bytes token; ///< the rotated token (masked when the session has a passphrase)
        bool operator== (const ReconnectSuccessful&) const = default;
    };
    struct ReconnectFailed
    {
        std::string reason;
        bool operator== (const ReconnectFailed&) const = default;
    };
    struct Goodbye
    {
        bool operator== (const Goodbye&) const = default;
    };
    struct Shutdown
    {
        std::string reason;
        bool operator== (const Shutdown&) const = default;
    };
    struct Error
    {
        std::string message;
        bool operator== (const Error&) const = default;
    };
    /** Host to every seat: one sentence to show, about the host's side of the session (a plugin that
        crashed there). */
    struct Notice
    {
        std::string text;
        bool operator== (const Notice&) const = default;
    };
} // namespace msg

/** Every message, in the order of the schema's Payload union (type index = variant index + 1). */
using Message = std::variant<
    msg::Challenge,
    msg::Hello,
    msg::Welcome,
    msg::Action,
    msg::ActionRejected,
    StatePatch,
    msg::FullStateSync,
    msg::Metering,
    msg::Ping,
    msg::Pong,
    msg::RequestFullSync,
    msg::RequestPrivilege,
    msg::PrivilegeGranted,
    msg::PrivilegeDenied,
    msg::PrivilegeRevoked,
    msg::ReconnectSuccessful,
    msg::ReconnectFailed,
    msg::Goodbye,
    msg::Shutdown,
    msg::Error,
    msg::Notice>;

/** The message kind's name as in the schema ("StatePatch", ...). Any thread. */
const char* messageName (const Message&) noexcept;

/** Limits applied to every inbound buffer before any field is read. */
struct DecodeLimits
{
    std::size_t maxFrameBytes = defaultMaxFrameBytes;
    std::uint32_t maxDepth = 64;
    std::uint32_t maxTables = 4'000'000;
};

/** Encodes a message as a finished FlatBuffers buffer with the wire identifier (no length prefix).
    Deterministic: the same message gives the same bytes. Any thread.
*/
Bytes encodeMessage (const Message&);

/** The same with the 4-byte big-endian length prefix: one complete frame, ready for a socket. */
Bytes encodeFrame (const Message&);

/** Encodes a FullStateSync straight from a session (no copy of the session). Any thread. */
Bytes encodeFullSyncFrame (Seq seq, const model::Session&, const Ownership&);

/** The result of decoding: a message, or one sentence saying why not. */
struct MessageDecodeResult
{
    std::optional<Message> message;
    std::string error;
    bool ok() const noexcept { return message.has_value(); }
};

/** Decodes one frame payload (without the length prefix). Rejects, with one sentence and no partial
    result, a buffer that is empty, oversize, foreign (wrong identifier), fails the FlatBuffers verifier
    under `limits`, has no payload, holds an enum or union value this build does not know, has a nonce,
    token or proof of the wrong length, a handshake name that model::checks::name refuses, or a full
    sync whose session fails model::validate.

    An action's values (names, ranges, NaN, notes, sources, stages) are NOT checked here: the
    Dispatcher checks them against the session, so a well-formed action with a bad value is refused
    with its reason (ActionRejected) instead of closing the connection. A StatePatch's values are
    checked where they can be, against the mirror they change: by applyPatch. Any thread.
*/
MessageDecodeResult decodeMessage (const std::uint8_t* data, std::size_t size, const DecodeLimits& limits = {});

/** JSON text of one frame payload, from FlatBuffers' own text generator (verified first): for people
    reading traffic (`imbolc join --json`). Empty with `error` set on failure. Any thread.
*/
std::string messageToJson (const std::uint8_t* data, std::size_t size, std::string& error);

/** Parses that JSON back into a frame payload (the inverse of messageToJson), for the benchmark's
    JSON baseline and for tests. Empty with `error` set on failure. Any thread.
*/
Bytes messageFromJson (const std::string& json, std::string& error);

/** Splits a byte stream into frame payloads. Feed it whatever the socket gave; take complete payloads.
    A length of zero or above maxFrameBytes is an error at once (before the payload arrives), and the
    reader stays failed. One reader per connection; any one thread at a time.
*/
class FrameReader
{
public:
    explicit FrameReader (std::size_t maxFrameBytes = defaultMaxFrameBytes);

    /** Appends received bytes. */
    void feed (const std::uint8_t* data, std::size_t size);

    /** The next complete payload, if one has arrived. Returns false when none is complete or after an
        error (see error()). */
    bool next (Bytes& payload);

    /** Non-empty once the stream is broken (oversize or zero length): one sentence. */
    const std::string& error() const noexcept { return failure; }

    /** Bytes received but not yet returned as a payload. */
    std::size_t buffered() const noexcept { return buffer.size() - readPosition; }

private:
    /** Checks the length at the read position once its four bytes are here; false once failed. */
    bool checkNextLength();

    std::size_t maxFrameBytes;
    Bytes buffer;
    std::size_t readPosition = 0;
    std::string failure;
};

/** Writes the 4-byte big-endian length of a payload. */
inline void writeFrameLength (std::uint8_t* out, std::uint32_t length) noexcept
{
    out[0] = (std::uint8_t) (length >> 24);
    out[1] = (std::uint8_t) (length >> 16);
    out[2] = (std::uint8_t) (length >> 8);
    out[3] = (std::uint8_t) length;
}

inline std::uint32_t readFrameLength (const std::uint8_t* in) noexcept
{
    return ((std::uint32_t) in[0] << 24) | ((std::uint32_t) in[1] << 16) | ((std::uint32_t) in[2] << 8) | (std::uint32_t) in[3];
}

} // namespace imbolc::protocol
