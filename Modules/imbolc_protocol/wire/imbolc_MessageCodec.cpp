namespace imbolc::protocol
{

namespace
{
    enum class WireFraming
    {
        bare, ///< the FlatBuffers buffer alone (decodeMessage's input)
        lengthPrefixed ///< one complete frame for a socket
    };

    //==============================================================================
    /** Writes messages: one body() per message type; the union's type value follows from the table
        body() returns (encodeUnionMember). Actions are ActionEncoder's, patches PatchEncoder's.
    */
    class MessageEncoder
    {
    public:
        explicit MessageEncoder (flatbuffers::FlatBufferBuilder& b)
            : builder (b), codec (b) {}

        /** The message as a Payload union member: its type value and its table. */
        std::pair<fb::Payload, flatbuffers::Offset<void>> encode (const Message& m)
        {
            return encodeUnionMember<fb::Payload> (*this, m);
        }

        flatbuffers::Offset<fb::FullStateSync> fullSync (Seq seq, const model::Session& session, const Ownership& ownership)
        {
            const auto sessionOffset = codec.session (session);
            const auto ownershipOffset = encodeOwnership (builder, ownership);
            return fb::CreateFullStateSync (builder, seq, sessionOffset, ownershipOffset);
        }

        flatbuffers::Offset<fb::Challenge> body (const msg::Challenge& m)
        {
            const auto nonce = bytes (m.serverNonce);
            const auto name = text (m.sessionName);
            return fb::CreateChallenge (builder, m.protocolVersion, nonce, m.passphraseRequired, name);
        }

        flatbuffers::Offset<fb::Hello> body (const msg::Hello& m)
        {
            const auto name = text (m.name);
            const auto requested = ids (m.requestedInstruments);
            const auto nonce = bytes (m.clientNonce);
            const auto proof = bytes (m.passphraseProof);
            const auto reconnectProof = bytes (m.reconnectProof);
            return fb::CreateHello (builder, m.protocolVersion, name, requested, m.requestPrivilege, nonce, proof, m.reconnectClientId, reconnectProof);
        }

        flatbuffers::Offset<fb::Welcome> body (const msg::Welcome& m)
        {
            const auto granted = ids (m.grantedInstruments);
            const auto token = bytes (m.token);
            return fb::CreateWelcome (builder, m.clientId, granted, m.privilege, token);
        }

        flatbuffers::Offset<fb::Action> body (const msg::Action& m)
        {
            const auto [type, offset] = ActionEncoder (builder).encode (m.action);
            return fb::CreateAction (builder, m.requestId, type, offset, m.gesture);
        }

        flatbuffers::Offset<fb::ActionRejected> body (const msg::ActionRejected& m)
        {
            const auto reason = text (m.reason);
            return fb::CreateActionRejected (builder, m.requestId, reason);
        }

        flatbuffers::Offset<fb::StatePatch> body (const StatePatch& m) { return PatchEncoder (builder).write (m); }
        flatbuffers::Offset<fb::FullStateSync> body (const msg::FullStateSync& m) { return fullSync (m.seq, m.session, m.ownership); }

        flatbuffers::Offset<fb::Metering> body (const msg::Metering& m)
        {
            std::vector<fb::StripPeak> strips;
            strips.reserve (m.strips.size());
            for (const auto& s : m.strips)
                strips.emplace_back (toFb<fb::NodeKind> (s.node), s.id, s.left, s.right);
            const auto stripsOffset = strips.empty() ? 0 : builder.CreateVectorOfStructs (strips);
            const fb::ServerMeter server ((std::uint8_t) m.server.state, m.server.averageCpu, m.server.peakCpu, m.server.synths, m.server.ugens);
            return fb::CreateMetering (builder, m.playhead, m.bpm, m.playing, m.masterLeft, m.masterRight, stripsOffset, m.server.state == ServerMeter::State::none ? nullptr : &server);
        }

        flatbuffers::Offset<fb::Ping> body (const msg::Ping& m) { return fb::CreatePing (builder, m.nonce); }
        flatbuffers::Offset<fb::Pong> body (const msg::Pong& m) { return fb::CreatePong (builder, m.nonce); }
        flatbuffers::Offset<fb::RequestFullSync> body (const msg::RequestFullSync& m) { return fb::CreateRequestFullSync (builder, m.haveSeq); }
        flatbuffers::Offset<fb::RequestPrivilege> body (const msg::RequestPrivilege&) { return fb::CreateRequestPrivilege (builder); }
        flatbuffers::Offset<fb::PrivilegeGranted> body (const msg::PrivilegeGranted&) { return fb::CreatePrivilegeGranted (builder); }
        flatbuffers::Offset<fb::PrivilegeDenied> body (const msg::PrivilegeDenied& m) { return fb::CreatePrivilegeDenied (builder, text (m.reason)); }
        flatbuffers::Offset<fb::PrivilegeRevoked> body (const msg::PrivilegeRevoked& m) { return fb::CreatePrivilegeRevoked (builder, m.newHolder); }

        flatbuffers::Offset<fb::ReconnectSuccessful> body (const msg::ReconnectSuccessful& m)
        {
            const auto restored = ids (m.restoredInstruments);
            const auto token = bytes (m.token);
            return fb::CreateReconnectSuccessful (builder, m.clientId, restored, m.privilege, token);
        }

        flatbuffers::Offset<fb::ReconnectFailed> body (const msg::ReconnectFailed& m) { return fb::CreateReconnectFailed (builder, text (m.reason)); }
        flatbuffers::Offset<fb::Goodbye> body (const msg::Goodbye&) { return fb::CreateGoodbye (builder); }
        flatbuffers::Offset<fb::Shutdown> body (const msg::Shutdown& m) { return fb::CreateShutdown (builder, text (m.reason)); }
        flatbuffers::Offset<fb::Error> body (const msg::Error& m) { return fb::CreateError (builder, text (m.message)); }
        flatbuffers::Offset<fb::Notice> body (const msg::Notice& m) { return fb::CreateNotice (builder, text (m.text)); }

    private:
        // Empty strings and vectors are left out (they read back empty): fewer bytes, same value.
        flatbuffers::Offset<flatbuffers::String> text (const std::string& s)
        {
            return s.empty() ? 0 : codec.string (s);
        }

        flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> bytes (const Bytes& b)
        {
            return b.empty() ? 0 : builder.CreateVector (b);
        }

        flatbuffers::Offset<flatbuffers::Vector<std::uint32_t>> ids (const std::vector<model::InstrumentId>& list)
        {
            if (list.empty())
                return 0;
            std::vector<std::uint32_t> values;
            values.reserve (list.size());
            for (const auto id : list)
                values.push_back (id.value);
            return builder.CreateVector (values);
        }

        flatbuffers::FlatBufferBuilder& builder;
        CodecEncoder codec;
    };

    /** Finishes a Message around a payload with the wire identifier, optionally behind its frame length. */
    Bytes finishWireMessage (flatbuffers::FlatBufferBuilder& builder, fb::Payload type, flatbuffers::Offset<void> payload, WireFraming framing)
    {
        builder.Finish (fb::CreateMessage (builder, type, payload), wireIdentifier);
        const auto size = (std::size_t) builder.GetSize();
        const auto prefix = framing == WireFraming::lengthPrefixed ? frameLengthBytes : 0;
        Bytes out (prefix + size);
        if (prefix != 0)
            writeFrameLength (out.data(), (std::uint32_t) size);
        std::memcpy (out.data() + prefix, builder.GetBufferPointer(), size);
        return out;
    }

    Bytes encodeWireMessage (const Message& m, WireFraming framing)
    {
        flatbuffers::FlatBufferBuilder builder (std::holds_alternative<msg::FullStateSync> (m) ? 64 * 1024 : 1024);
        const auto [type, payload] = MessageEncoder (builder).encode (m);
        return finishWireMessage (builder, type, payload, framing);
    }

    //==============================================================================
    /** Reads a verified Message into values, checking what the verifier cannot see: union and enum
        values this build does not know, byte strings of the wrong length, names and texts in the
        handshake and the server's messages, and a full sync's session (model::validate). An action's
        values are the Dispatcher's to check (ActionDecoder), a patch's applyPatch's (decodePatch).
        Keeps the first problem as one sentence (in codec.error).
    */
    class MessageDecoder
    {
    public:
        MessageDecoder() { codec.keepTransport = true; }

        CodecDecoder codec;

        /** The message, or nullopt with the sentence in codec.error. */
        std::optional<Message> decode (fb::Payload type, const void* table)
        {
            return decodeUnionMember<Message, MessageEncoder> (*this, codec, type, table, "The message");
        }

        void body (const fb::Challenge& in, msg::Challenge& out)
        {
            out.protocolVersion = in.protocol_version();
            out.serverNonce = exactBytes (in.server_nonce(), nonceBytes, false, "The server nonce");
            out.passphraseRequired = in.passphrase_required();
            out.sessionName = name (in.session_name(), "The session name");
        }

        void body (const fb::Hello& in, msg::Hello& out)
        {
            out.protocolVersion = in.protocol_version();
            out.name = name (in.name(), "The client name");
            out.requestedInstruments = ids (in.requested_instruments(), "A requested instrument");
            out.requestPrivilege = in.request_privilege();
            out.clientNonce = exactBytes (in.client_nonce(), nonceBytes, false, "The client nonce");
            out.passphraseProof = exactBytes (in.passphrase_proof(), proofBytes, true, "The passphrase proof");
            out.reconnectClientId = in.reconnect_client_id();
            out.reconnectProof = exactBytes (in.reconnect_proof(), proofBytes, true, "The reconnect proof");
        }

        void body (const fb::Welcome& in, msg::Welcome& out)
        {
            out.clientId = in.client_id();
            out.grantedInstruments = ids (in.granted_instruments(), "A granted instrument");
            out.privilege = in.privilege();
            out.token = exactBytes (in.token(), tokenBytes, false, "The session token");
        }

        void body (const fb::Action& in, msg::Action& out)
        {
            out.requestId = in.request_id();
            out.gesture = in.gesture();
            if (auto a = ActionDecoder (codec).decode (in.body_type(), in.body()))
                out.action = std::move (*a);
        }

        void body (const fb::ActionRejected& in, msg::ActionRejected& out)
        {
            out.requestId = in.request_id();
            out.reason = text (in.reason(), "The rejection reason");
        }

        void body (const fb::StatePatch& in, StatePatch& out) { decodePatch (codec, in, out); }

        void body (const fb::FullStateSync& in, msg::FullStateSync& out)
        {
            out.seq = in.seq();
            if (in.session() == nullptr)
                return codec.fail ("The state sync holds no session.");
            if (auto session = codec.run (*in.session()))
            {
                if (auto problem = model::validate (*session); ! problem.empty())
                    return codec.fail ("The state sync's session is invalid: ", problem);
                out.session = std::move (*session);
            }
            if (const auto* o = in.ownership())
                out.ownership = decodeOwnership (codec, *o);
        }

        void body (const fb::Metering& in, msg::Metering& out)
        {
            out.playhead = in.playhead();
            out.bpm = in.bpm();
            out.playing = in.playing();
            out.masterLeft = in.master_left();
            out.masterRight = in.master_right();
            if (! std::isfinite (out.bpm) || ! std::isfinite (out.masterLeft) || ! std::isfinite (out.masterRight))
                codec.fail ("The metering holds a tempo or master level that is not a finite number.");
            if (const auto* strips = in.strips(); strips != nullptr && codec.spendVector (strips, sizeof (fb::StripPeak)))
            {
                out.strips.reserve (strips->size());
                for (const auto* s : *strips)
                {
                    const StripPeak peak { codec.enumValue<model::NodeKind> (s->node(), "A metered strip's node kind"), s->id(), s->left(), s->right() };
                    if (! std::isfinite (peak.left) || ! std::isfinite (peak.right))
                        codec.fail ("The metering of strip ", peak.id, " is not a finite number.");
                    out.strips.push_back (peak);
                }
            }
            if (const auto* server = in.server())
            {
                if (server->state() > (std::uint8_t) ServerMeter::State::lost)
                    codec.fail ("The metering names a server state ", (int) server->state(), " that does not exist.");
                out.server = { (ServerMeter::State) server->state(), server->average_cpu(), server->peak_cpu(), server->synths(), server->ugens() };
                if (! std::isfinite (out.server.averageCpu) || ! std::isfinite (out.server.peakCpu) || out.server.synths < 0 || out.server.ugens < 0)
                    codec.fail ("The metering of the synthesis server holds a CPU load that is not a finite number or a negative count.");
            }
        }

        void body (const fb::Ping& in, msg::Ping& out) { out.nonce = in.nonce(); }
        void body (const fb::Pong& in, msg::Pong& out) { out.nonce = in.nonce(); }
        void body (const fb::RequestFullSync& in, msg::RequestFullSync& out) { out.haveSeq = in.have_seq(); }
        void body (const fb::RequestPrivilege&, msg::RequestPrivilege&) {}
        void body (const fb::PrivilegeGranted&, msg::PrivilegeGranted&) {}
        void body (const fb::PrivilegeDenied& in, msg::PrivilegeDenied& out) { out.reason = text (in.reason(), "The reason privilege was denied"); }
        void body (const fb::PrivilegeRevoked& in, msg::PrivilegeRevoked& out) { out.newHolder = in.new_holder(); }

        void body (const fb::ReconnectSuccessful& in, msg::ReconnectSuccessful& out)
        {
            out.clientId = in.client_id();
            out.restoredInstruments = ids (in.restored_instruments(), "A restored instrument");
            out.privilege = in.privilege();
            out.token = exactBytes (in.token(), tokenBytes, false, "The session token");
        }

        void body (const fb::ReconnectFailed& in, msg::ReconnectFailed& out) { out.reason = text (in.reason(), "The reason the reconnect failed"); }
        void body (const fb::Goodbye&, msg::Goodbye&) {}
        void body (const fb::Shutdown& in, msg::Shutdown& out) { out.reason = text (in.reason(), "The shutdown reason"); }
        void body (const fb::Error& in, msg::Error& out) { out.message = text (in.message(), "The error message"); }
        void body (const fb::Notice& in, msg::Notice& out) { out.text = text (in.text(), "The notice"); }

    private:
        /** Any text: it must be UTF-8 (JSON and the GUI show it). */
        std::string text (const flatbuffers::String* s, const char* what)
        {
            auto out = codec.string (s);
            if (! juce::CharPointer_UTF8::isValidString (out.data(), (int) std::min<std::size_t> (out.size(), (std::size_t) std::numeric_limits<int>::max())))
                codec.fail (what, " is not valid UTF-8 text.");
            return out;
        }

        std::string name (const flatbuffers::String* s, const char* what)
        {
            auto out = codec.string (s);
            if (auto problem = model::checks::name (what, out); ! problem.empty())
                codec.fail (problem);
            return out;
        }

        Bytes exactBytes (const flatbuffers::Vector<std::uint8_t>* v, std::size_t expected, bool mayBeEmpty, const char* what)
        {
            const std::size_t size = v != nullptr ? v->size() : 0;
            if (size != expected && ! (mayBeEmpty && size == 0))
            {
                codec.fail (what, " is ", size, " bytes long (it must be ", expected, mayBeEmpty ? " bytes, or absent)." : " bytes).");
                return {};
            }
            if (v == nullptr || ! codec.spendVector (v, 1))
                return {};
            return { v->begin(), v->end() };
        }

        std::vector<model::InstrumentId> ids (const flatbuffers::Vector<std::uint32_t>* v, const char* what)
        {
            std::vector<model::InstrumentId> out;
            if (v == nullptr || ! codec.spendVector (v, sizeof (std::uint32_t)))
                return out;
            out.reserve (v->size());
            for (const auto id : *v)
            {
                if (id == 0)
                    codec.fail (what, " has id 0, which names no instrument.");
                out.push_back (model::InstrumentId { id });
            }
            return out;
        }
    };

    /** Decoding needs 8-byte alignment (FlatBuffers reads scalars in place); a buffer that lacks it is
        copied once. */
    struct AlignedWireBuffer
    {
        AlignedWireBuffer (const std::uint8_t* data, std::size_t size)
        {
            if (reinterpret_cast<std::uintptr_t> (data) % alignof (std::uint64_t) == 0)
            {
                bytes = data;
                return;
            }
            storage.resize ((size + sizeof (std::uint64_t) - 1) / sizeof (std::uint64_t));
            std::memcpy (storage.data(), data, size);
            bytes = reinterpret_cast<const std::uint8_t*> (storage.data());
        }

        const std::uint8_t* bytes = nullptr;
        std::vector<std::uint64_t> storage;
    };

    MessageDecodeResult wireDecodeFailure (std::string sentence)
    {
        return { std::nullopt, std::move (sentence) };
    }

    MessageDecodeResult decodeWireMessage (const std::uint8_t* data, std::size_t size, const DecodeLimits& limits)
    {
        if (data == nullptr || size == 0)
            return wireDecodeFailure ("The message is empty.");
        if (size > limits.maxFrameBytes || size >= FLATBUFFERS_MAX_BUFFER_SIZE)
            return wireDecodeFailure ("The message is " + std::to_string (size) + " bytes long, more than the limit of " + std::to_string (limits.maxFrameBytes) + ".");
        if (size < 8)
            return wireDecodeFailure ("The message is truncated (" + std::to_string (size) + " bytes).");
        if (! flatbuffers::BufferHasIdentifier (data, wireIdentifier))
            return wireDecodeFailure ("This is not an Imbolc session message (wrong identifier).");

        const AlignedWireBuffer buffer (data, size);

        flatbuffers::Verifier::Options options;
        options.max_depth = limits.maxDepth;
        options.max_tables = limits.maxTables;
        options.check_alignment = true;
        flatbuffers::Verifier verifier (buffer.bytes, size, options);
        if (! verifier.VerifyBuffer<fb::Message> (wireIdentifier))
            return wireDecodeFailure ("The message is truncated or corrupt (it fails FlatBuffers verification).");

        const auto* root = flatbuffers::GetRoot<fb::Message> (buffer.bytes);
        MessageDecoder decoder;
        decoder.codec.budget = size;
        auto message = decoder.decode (root->payload_type(), root->payload());
        if (! decoder.codec.error.empty())
            return wireDecodeFailure (decoder.codec.error);
        return { std::move (message), {} };
    }
} // namespace

//==============================================================================
bool msg::Action::operator== (const Action& other) const
{
    return requestId == other.requestId && action == other.action && gesture == other.gesture;
}

const char* messageName (const Message& m) noexcept
{
    return fb::EnumNamePayload ((fb::Payload) (m.index() + 1));
}

Bytes encodeMessage (const Message& m)
{
    return encodeWireMessage (m, WireFraming::bare);
}

Bytes encodeFrame (const Message& m)
{
    return encodeWireMessage (m, WireFraming::lengthPrefixed);
}

Bytes encodeFullSyncFrame (Seq seq, const model::Session& session, const Ownership& ownership)
{
    flatbuffers::FlatBufferBuilder builder (64 * 1024);
    const auto body = MessageEncoder (builder).fullSync (seq, session, ownership);
    return finishWireMessage (builder, fb::Payload::FullStateSync, body.Union(), WireFraming::lengthPrefixed);
}

MessageDecodeResult decodeMessage (const std::uint8_t* data, std::size_t size, const DecodeLimits& limits)
{
    try
    {
        return decodeWireMessage (data, size, limits);
    }
    catch (const std::bad_alloc&)
    {
        return wireDecodeFailure ("The message could not be decoded: out of memory.");
    }
    catch (const std::exception& e)
    {
        return wireDecodeFailure (std::string ("The message could not be decoded: ") + e.what() + ".");
    }
}

} // namespace imbolc::protocol
