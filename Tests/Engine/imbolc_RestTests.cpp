// Stages at rest skip silence (NodeProcessor::processSilence): a node run as the chain runs it (skip a
// block of exact silence whenever it says it is at rest) gives the same bytes as the same node given
// every block, through bursts, long silences and parameters that move all the while; and a whole
// offline render gives the same bytes with resting on and off.

#include "imbolc_RestTestSupport.h"

#include <cstring>

using namespace imbolc;
using namespace imbolc::test;
using namespace imbolc::test::fx;
using model::EffectType;
using model::FilterType;

TEST_CASE ("every built-in stage at rest skips silence and gives the bytes of processing it", "[effects][rest]")
{
    const auto burst = noise (0.25, 0.9f, 5);
    for (const auto& c : everyRestingStage())
    {
        NodeRun always (c.stage), resting (c.stage);
        INFO (always.node->getName());
        juce::AudioBuffer<float> a (2, block), b (2, block);
        juce::MidiBuffer midi;
        juce::Random movesA (7), movesB (7), sizes (11);

        std::int64_t at = 0;
        int skippedFresh = 0, skippedAfterSound = 0, mismatches = 0;
        bool heardTail = false, heardSound = false;
        const auto total = (std::int64_t) (3 * 14.0 * rate);
        for (int index = 0; at < total; ++index)
        {
            // Odd block sizes now and then: the nodes' slices must land the same either way.
            const int n = index % 7 == 3 ? 1 + sizes.nextInt (block) : block;
            a.setSize (2, n, false, false, true);
            b.setSize (2, n, false, false, true);
            for (int i = 0; i < n; ++i)
            {
                const float x = signalAt (at + i, burst);
                a.setSample (0, i, x);
                a.setSample (1, i, x == 0.0f ? 0.0f : -0.5f * x); // -0.5 * 0 would be -0.0f, not silence
            }
            for (int ch = 0; ch < 2; ++ch)
                b.copyFrom (ch, 0, a, ch, 0, n);

            moveParameters (*always.node, c.moved, movesA, index);
            moveParameters (*resting.node, c.moved, movesB, index);

            const bool silentIn = engine::NodeProcessor::isExactSilence (a, n);
            always.node->processBlock (a, midi);
            if (silentIn && resting.node->processSilence (n))
            {
                if (at < firstSound)
                    ++skippedFresh;
                else
                    ++skippedAfterSound;
            }
            else
                resting.node->processBlock (b, midi);

            if (! engine::NodeProcessor::isExactSilence (a, n))
                (silentIn ? heardTail : heardSound) = true;
            for (int ch = 0; ch < 2; ++ch)
                if (std::memcmp (a.getReadPointer (ch), b.getReadPointer (ch), sizeof (float) * (std::size_t) n) != 0)
                    ++mismatches;
            at += n;
        }

        CHECK (mismatches == 0);
        // It rested from the start, and (where it can) again after sound had gone through it: the
        // state it rests in was reached, not only started in.
        CHECK (heardSound); // the bursts came through as sound
        CHECK (skippedFresh > 0);
        if (c.restsAfterSound)
            CHECK (skippedAfterSound > 0);
        if (c.stage.kind == model::StageKind::effect && (c.stage.effect == EffectType::delay || c.stage.effect == EffectType::reverb || c.stage.effect == EffectType::chorus))
            CHECK (heardTail); // a tail rang on into the silence before it rested
    }
}

TEST_CASE ("a node that is not at rest is processed, and a processed block wakes a resting node", "[effects][rest]")
{
    NodeRun reverb (effectStage (EffectType::reverb));
    juce::MidiBuffer midi;
    juce::AudioBuffer<float> buffer (2, block);
    buffer.clear();
    CHECK (reverb.node->processSilence (block)); // fresh: its lines are silent

    // Sound goes in: the lines ring, so silence no longer passes it by.
    buffer.setSample (0, 0, 1.0f);
    reverb.node->processBlock (buffer, midi);
    buffer.clear();
    CHECK_FALSE (reverb.node->processSilence (block));

    // Neither does -0.0f count as silence: a node fed it is processed.
    juce::AudioBuffer<float> negative (2, 4);
    negative.clear();
    negative.setSample (1, 2, -0.0f);
    CHECK_FALSE (engine::NodeProcessor::isExactSilence (negative, 4));
    negative.setSample (1, 2, 0.0f);
    CHECK (engine::NodeProcessor::isExactSilence (negative, 4));
}

TEST_CASE ("an offline render gives the same bytes with stages resting as with every stage processed", "[engine][rest]")
{
    // The large reference session: 64 instruments of which one plays at a time, its clip ending at
    // 30 s, when the next one starts; most chains are silent throughout, the first one's tails ring
    // down and rest after it.
    const auto session = model::makeReferenceSession (model::ReferenceSize::large);
    auto renderWith = [&] (bool resting)
    {
        engine::ChainBase::setRestingAllowed (resting);
        engine::OfflineRenderer::Options o;
        o.maxSeconds = 34.0;
        o.renderWorkers = 1;
        engine::OfflineRenderer renderer (o);
        juce::AudioBuffer<float> out;
        const auto result = renderer.renderToBuffer (session, out);
        engine::ChainBase::setRestingAllowed (true);
        REQUIRE (result.ok());
        return out;
    };
    const auto processed = renderWith (false);
    const auto rested = renderWith (true);
    REQUIRE (processed.getNumSamples() == rested.getNumSamples());
    REQUIRE (processed.getNumSamples() >= 34 * 48000);
    REQUIRE (processed.getMagnitude (0, 0, 30 * 48000) > 0.01f);
    REQUIRE (processed.getMagnitude (0, 31 * 48000, 3 * 48000) > 0.01f); // the second instrument too
    for (int c = 0; c < 2; ++c)
        CHECK (std::memcmp (processed.getReadPointer (c), rested.getReadPointer (c), sizeof (float) * (std::size_t) processed.getNumSamples()) == 0);
}
