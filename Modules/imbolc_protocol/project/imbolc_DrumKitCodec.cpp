// Drum kits in the schema, for the project codec (instruments) and the wire's actions: one place that
// maps model::DrumKit and model::DrumPad to their tables and back, so both read and write them alike.

namespace imbolc::protocol
{

namespace
{
    static_assert ((int) fb::DrumPadKind::MAX + 1 == model::numDrumPadKinds);
    static_assert (model::DrumKit::maxSteps <= 256, "a stored step's index is a ubyte");

    flatbuffers::Offset<fb::DrumPad> encodeDrumPad (flatbuffers::FlatBufferBuilder& builder, const model::DrumPad& pad)
    {
        const auto name = builder.CreateString (pad.name.data(), pad.name.size());
        const auto path = builder.CreateString (pad.samplePath.data(), pad.samplePath.size());
        return fb::CreateDrumPad (builder, static_cast<fb::DrumPadKind> (pad.kind), name, path, pad.level, pad.tune, pad.decay);
    }

    /** The kit of an instrument, or nothing at all for one that has never been a drum kit: its bytes
        are then what they were before drum kits existed. Rows keep only the steps that are not empty. */
    flatbuffers::Offset<fb::DrumKit> encodeDrumKit (flatbuffers::FlatBufferBuilder& builder, const model::DrumKit& kit)
    {
        if (kit == model::DrumKit {})
            return 0;
        std::vector<flatbuffers::Offset<fb::DrumPad>> pads;
        pads.reserve (kit.pads.size());
        for (const auto& pad : kit.pads)
            pads.push_back (encodeDrumPad (builder, pad));
        const auto padsOffset = builder.CreateVector (pads);

        std::vector<flatbuffers::Offset<fb::DrumRow>> rows;
        rows.reserve (kit.rows.size());
        std::vector<fb::DrumStep> steps;
        for (const auto& row : kit.rows)
        {
            steps.clear();
            for (std::size_t i = 0; i < row.size(); ++i)
                if (row[i] != model::DrumStep {})
                    steps.emplace_back ((std::uint8_t) i, row[i].on, row[i].velocity, row[i].probability);
            rows.push_back (fb::CreateDrumRow (builder, steps.empty() ? 0 : builder.CreateVectorOfStructs (steps)));
        }
        const auto rowsOffset = builder.CreateVector (rows);
        return fb::CreateDrumKit (builder, padsOffset, rowsOffset, kit.steps, kit.stepsPerBeat, kit.swing);
    }

    /** Reads a pad with the decoder (CodecDecoder) of the buffer it is part of. */
    template <typename Decoder>
    model::DrumPad decodeDrumPad (Decoder& codec, const fb::DrumPad* in)
    {
        model::DrumPad out;
        if (in == nullptr)
            return out;
        out.kind = codec.template enumValue<model::DrumPadKind> (in->kind(), "A drum pad's kind");
        out.name = codec.string (in->name());
        out.samplePath = codec.string (in->sample_path());
        out.level = in->level();
        out.tune = in->tune();
        out.decay = in->decay();
        return out;
    }

    /** Reads a kit; an absent one is no kit. Values are left to model::validate, but what the model
        cannot hold (a step index past a row, one index twice) is an error here. */
    template <typename Decoder>
    model::DrumKit decodeDrumKit (Decoder& codec, const fb::DrumKit* in)
    {
        model::DrumKit out;
        if (in == nullptr)
            return out;
        out.steps = in->steps();
        out.stepsPerBeat = in->steps_per_beat();
        out.swing = in->swing();
        // A row decodes to far more memory than it takes in the buffer: refuse more than a kit has
        // before reading any (the budget alone would let a forged buffer ask for gigabytes).
        constexpr auto most = (flatbuffers::uoffset_t) model::DrumKit::numPads;
        if ((in->pads() != nullptr && in->pads()->size() > most) || (in->rows() != nullptr && in->rows()->size() > most))
        {
            codec.fail ("A drum kit has more than ", model::DrumKit::numPads, " pads or rows.");
            return out;
        }
        if (const auto* pads = in->pads(); pads != nullptr && codec.spendVector (pads, Decoder::tableBytes))
        {
            out.pads.reserve (pads->size());
            for (const auto* pad : *pads)
                out.pads.push_back (decodeDrumPad (codec, pad));
        }
        if (const auto* rows = in->rows(); rows != nullptr && codec.spendVector (rows, Decoder::tableBytes))
        {
            out.rows.resize (rows->size());
            for (flatbuffers::uoffset_t r = 0; r < rows->size(); ++r)
            {
                const auto* steps = rows->Get (r)->steps();
                if (steps == nullptr || ! codec.spendVector (steps, sizeof (fb::DrumStep)))
                    continue;
                std::bitset<(std::size_t) model::DrumKit::maxSteps> seen;
                for (const auto* step : *steps)
                {
                    if (step->index() >= model::DrumKit::maxSteps)
                    {
                        codec.fail ("A drum step's index ", (int) step->index(), " is outside 0 to ", model::DrumKit::maxSteps - 1, ".");
                        return out;
                    }
                    if (seen.test (step->index()))
                    {
                        codec.fail ("Drum step ", (int) step->index(), " appears twice in a row.");
                        return out;
                    }
                    seen.set (step->index());
                    out.rows[r][step->index()] = { step->on(), step->velocity(), step->probability() };
                }
            }
        }
        return out;
    }
} // namespace

} // namespace imbolc::protocol
