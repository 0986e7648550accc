namespace imbolc::protocol
{

namespace
{
    // The schema's unions mirror the C++ variants one to one (type index = variant index + 1). These,
    // and the per-alternative checks in encodeUnionMember and decodeUnionMember, catch a schema and a
    // model that drift.
    static_assert (std::variant_size_v<Message> == (std::size_t) fb::Payload::MAX, "protocol::Message and the schema's Payload union differ");
    static_assert (std::variant_size_v<model::Action> == (std::size_t) fb::ActionBody::MAX, "model::Action and the schema's ActionBody union differ");

    /** The table type an encoder returned (only used inside decltype). */
    template <typename Table>
    Table* wireTableOf (flatbuffers::Offset<Table>);

    /** The schema table `Encoder::body` writes for a value type: the one place that pairs the two. */
    template <typename Encoder, typename Value>
    using WireTableFor = std::remove_pointer_t<decltype (wireTableOf (std::declval<Encoder&>().body (std::declval<const Value&>())))>;

    /** The union type value the schema gives a table. */
    template <typename UnionType, typename Table>
    constexpr UnionType unionTypeOf()
    {
        if constexpr (std::is_same_v<UnionType, fb::Payload>)
            return fb::PayloadTraits<Table>::enum_value;
        else
            return fb::ActionBodyTraits<Table>::enum_value;
    }

    /** The position of a type among a variant's alternatives. */
    template <typename T, typename Variant>
    struct WireAlternativeIndex;

    template <typename T, typename... Ts>
    struct WireAlternativeIndex<T, std::variant<Ts...>>
    {
        static constexpr std::size_t value = []
        {
            constexpr bool same[] = { std::is_same_v<T, Ts>... };
            std::size_t i = 0;
            while (! same[i])
                ++i;
            return i;
        }();
    };

    /** A variant as a union member: its type value and the table `encoder.body (alternative)` wrote. */
    template <typename UnionType, typename Encoder, typename Variant>
    std::pair<UnionType, flatbuffers::Offset<void>> encodeUnionMember (Encoder& encoder, const Variant& v)
    {
        return std::visit ([&encoder] (const auto& alternative)
                           {
                               const auto offset = encoder.body (alternative);
                               using Table = std::remove_pointer_t<decltype (wireTableOf (offset))>;
                               constexpr auto type = unionTypeOf<UnionType, Table>();
                               static_assert ((std::size_t) type == WireAlternativeIndex<std::decay_t<decltype (alternative)>, Variant>::value + 1,
                                              "a schema union member is out of the variant's order");
                               return std::pair { type, offset.Union() }; },
                           v);
    }

    template <typename Variant, typename Encoder, typename Decoder, typename UnionType, std::size_t I>
    void decodeUnionAlternative (Decoder& decoder, const CodecDecoder& codec, const void* table, std::optional<Variant>& out)
    {
        using Value = std::variant_alternative_t<I, Variant>;
        using Table = WireTableFor<Encoder, Value>;
        static_assert ((std::size_t) unionTypeOf<UnionType, Table>() == I + 1, "a schema union member is out of the variant's order");

        Value value {};
        decoder.body (*static_cast<const Table*> (table), value);
        if (codec.error.empty())
            out.emplace (std::in_place_index<I>, std::move (value));
    }

    template <typename Variant, typename Encoder, typename Decoder, typename UnionType, std::size_t... I>
    void decodeUnionIndex (Decoder& decoder, const CodecDecoder& codec, std::size_t index, const void* table, std::optional<Variant>& out, std::index_sequence<I...>)
    {
        (void) ((index == I ? (decodeUnionAlternative<Variant, Encoder, Decoder, UnionType, I> (decoder, codec, table, out), true) : false) || ...);
    }

    /** The variant alternative a verified union member holds, read with `decoder.body (table, value)`;
        the table type of each alternative is the one Encoder writes for it. nullopt, with the sentence
        in codec.error, if the member is absent, of a type this build does not know, or does not decode.
    */
    template <typename Variant, typename Encoder, typename Decoder, typename UnionType>
    std::optional<Variant> decodeUnionMember (Decoder& decoder, CodecDecoder& codec, UnionType type, const void* table, const char* what)
    {
        if (type == UnionType::NONE || table == nullptr)
        {
            codec.fail (what, " is empty.");
            return std::nullopt;
        }
        if ((std::size_t) type > (std::size_t) UnionType::MAX)
        {
            codec.fail (what, " is of a kind this build does not know (", (int) type, "); the peer runs a newer protocol.");
            return std::nullopt;
        }
        std::optional<Variant> out;
        decodeUnionIndex<Variant, Encoder, Decoder, UnionType> (decoder, codec, (std::size_t) type - 1, table, out, std::make_index_sequence<std::variant_size_v<Variant>>());
        return out;
    }
} // namespace

} // namespace imbolc::protocol
