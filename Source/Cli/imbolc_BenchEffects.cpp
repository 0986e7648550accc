// imbolc bench effects: each built-in filter and effect node against the stock JUCE 7.0.5 processor it
// stands in for (or wraps), or a naive version where JUCE has none, measured in the same run on the
// same stereo input. Figures are nanoseconds per stereo sample; the ratio is baseline / ours.

#include "imbolc_BenchSupport.h"

#include <imbolc_engine/imbolc_engine.h>

#include <functional>

namespace imbolc::cli::bench
{
namespace
{
    constexpr double fxSampleRate = 48000.0;
    constexpr int fxBlock = 256;
    constexpr int fxBlocks = 188; // about a second of audio per run
    constexpr int fxRuns = 15;

    /** A second of stereo noise, copied into the work buffer before every block (for both sides). */
    struct Input
    {
        juce::AudioBuffer<float> source { 2, fxBlock* fxBlocks };
        juce::AudioBuffer<float> work;

        Input()
        {
            juce::Random random (2024);
            for (int c = 0; c < 2; ++c)
                for (int i = 0; i < source.getNumSamples(); ++i)
                    source.setSample (c, i, 0.5f * (random.nextFloat() * 2.0f - 1.0f));
            work.setSize (2, fxBlock);
        }

        void load (int blockIndex)
        {
            for (int c = 0; c < 2; ++c)
                work.copyFrom (c, 0, source, c, blockIndex * fxBlock, fxBlock);
        }
    };

    using BlockFn = std::function<void (int)>;

    /** Nanoseconds per stereo sample of ours and of the baseline, each `processOneBlock(blockIndex)`
        run over a second of input. The two alternate run by run and each figure is its median, so a
        busy machine slows both alike. */
    std::pair<double, double> nanosPerSample (Input& input, const BlockFn& ours, const BlockFn& baseline)
    {
        auto second = [&] (const BlockFn& fn)
        {
            for (int b = 0; b < fxBlocks; ++b)
            {
                input.load (b);
                fn (b);
            }
        };
        second (ours); // warm up caches and branch predictors
        second (baseline);
        std::vector<double> a, b;
        for (int run = 0; run < fxRuns; ++run)
        {
            a.push_back (medianNanos (1, [&]
                                      { second (ours); }));
            b.push_back (medianNanos (1, [&]
                                      { second (baseline); }));
        }
        std::sort (a.begin(), a.end());
        std::sort (b.begin(), b.end());
        const auto samples = (double) (fxBlock * fxBlocks);
        return { a[a.size() / 2] / samples, b[b.size() / 2] / samples };
    }

    std::string perSample (double nanos)
    {
        char text[32];
        std::snprintf (text, sizeof (text), "%.2f ns", nanos);
        return text;
    }

    model::Stage stage (model::StageKind kind, model::FilterType filter, model::EffectType effect, std::vector<std::pair<int, float>> values)
    {
        model::Stage s;
        s.kind = kind;
        s.filter = filter;
        s.effect = effect;
        s.params = kind == model::StageKind::filter ? model::makeFilterParameters (filter)
                   : kind == model::StageKind::eq   ? model::makeEqParameters()
                                                    : model::makeEffectParameters (effect);
        for (auto [i, v] : values)
            s.params[(std::size_t) i].value = v;
        return s;
    }

    std::unique_ptr<engine::NodeProcessor> makeNode (const model::Stage& s)
    {
        auto node = engine::NodeFactory().createStage (s);
        node->setPlayConfigDetails (2, 2, fxSampleRate, fxBlock);
        node->prepareToPlay (fxSampleRate, fxBlock);
        return node;
    }

    /** Ours: the node through its processBlock; `beforeBlock` may move its parameters. */
    BlockFn nodeBlock (engine::NodeProcessor& node, Input& input, BlockFn beforeBlock = {})
    {
        return [&node, &input, beforeBlock] (int b)
        {
            static juce::MidiBuffer midi;
            if (beforeBlock)
                beforeBlock (b);
            node.processBlock (input.work, midi);
        };
    }

    /** A stock juce::dsp processor on the same buffer. */
    template <typename Processor>
    BlockFn juceBlock (Processor& processor, Input& input)
    {
        return [&processor, &input] (int)
        {
            juce::dsp::AudioBlock<float> block (input.work);
            processor.process (juce::dsp::ProcessContextReplacing<float> (block));
        };
    }

    const juce::dsp::ProcessSpec fxSpec { fxSampleRate, (juce::uint32) fxBlock, 2 };

    void report (const std::string& what, std::pair<double, double> figures)
    {
        row (what, perSample (figures.first), perSample (figures.second), figures.second / figures.first);
    }

    /** The cutoff sweep both filters follow when modulated: 200 Hz .. 6.4 kHz and back at 2 Hz,
        precomputed so neither side pays for it. */
    const std::vector<float>& sweptCutoffs()
    {
        static const std::vector<float> cutoffs = []
        {
            std::vector<float> v ((std::size_t) (fxBlock * (fxBlocks + 1)));
            for (std::size_t i = 0; i < v.size(); ++i)
                v[i] = (float) (200.0 * std::pow (2.0, 2.5 + 2.5 * std::sin (juce::MathConstants<double>::twoPi * 2.0 * (double) i / fxSampleRate)));
            return v;
        }();
        return cutoffs;
    }
} // namespace

int benchEffects()
{
    juce::ScopedNoDenormals noDenormals;
    Input input;
    header ("bench effects: ns per stereo sample (48 kHz, 256-sample blocks)", "juce::dsp");

    //==========================================================================
    // Filter: our TPT SVF against juce::dsp::StateVariableTPTFilter (same topology), low-pass at Q 2.
    {
        const float q = 2.0f; // our resonance runs Q 0.707 .. maxQ exponentially
        const float resonance = std::log (q / 0.70710678f) / std::log (engine::FilterNode::maxQ / 0.70710678f);
        auto node = makeNode (stage (model::StageKind::filter, model::FilterType::lowPass, {}, { { 0, 1000.0f }, { 1, resonance } }));
        juce::dsp::StateVariableTPTFilter<float> svf;
        svf.prepare (fxSpec);
        svf.setType (juce::dsp::StateVariableTPTFilterType::lowpass);
        svf.setCutoffFrequency (1000.0f);
        svf.setResonance (q);
        report ("filter low-pass, fixed cutoff", nanosPerSample (input, nodeBlock (*node, input), juceBlock (svf, input)));

        // Modulated: a new cutoff every sample for both (ours: a one-block automation ramp to the
        // sweep's next point; the stock filter: setCutoffFrequency before every sample).
        const auto& cutoffs = sweptCutoffs();
        const auto ours = nodeBlock (*node, input, [&] (int b)
                                     { node->setParameterRamp (0, cutoffs[(std::size_t) ((b + 1) * fxBlock)], fxBlock); });
        const BlockFn stock = [&] (int b)
        {
            float* left = input.work.getWritePointer (0);
            float* right = input.work.getWritePointer (1);
            for (int i = 0; i < fxBlock; ++i)
            {
                svf.setCutoffFrequency (cutoffs[(std::size_t) (b * fxBlock + i)]);
                left[i] = svf.processSample (0, left[i]);
                right[i] = svf.processSample (1, right[i]);
            }
        };
        report ("filter low-pass, cutoff moving each sample", nanosPerSample (input, ours, stock));

        auto drive = makeNode (stage (model::StageKind::filter, model::FilterType::lowPass, {}, { { 0, 1000.0f }, { 1, resonance }, { 2, 0.5f } }));
        svf.setCutoffFrequency (1000.0f);
        report ("filter low-pass, drive 0.5 (stock: none)", nanosPerSample (input, nodeBlock (*drive, input), juceBlock (svf, input)));
    }

    //==========================================================================
    // EQ: four bell bands against four juce::dsp::IIR::Filter peak biquads per side.
    {
        const float freqs[] = { 100.0f, 500.0f, 2000.0f, 8000.0f }, gains[] = { 4.0f, -3.0f, 6.0f, -5.0f }, qs[] = { 0.7f, 1.5f, 2.0f, 0.9f };
        std::vector<std::pair<int, float>> values;
        for (int b = 0; b < 4; ++b)
        {
            values.push_back ({ b * 3, freqs[b] });
            values.push_back ({ b * 3 + 1, gains[b] });
            values.push_back ({ b * 3 + 2, qs[b] });
        }
        auto node = makeNode (stage (model::StageKind::eq, {}, {}, values));

        using Band = juce::dsp::ProcessorDuplicator<juce::dsp::IIR::Filter<float>, juce::dsp::IIR::Coefficients<float>>;
        juce::dsp::ProcessorChain<Band, Band, Band, Band> chain;
        auto setBand = [&] (auto& band, int b, float freq)
        {
            *band.state = *juce::dsp::IIR::Coefficients<float>::makePeakFilter (fxSampleRate, freq, qs[b], juce::Decibels::decibelsToGain (gains[b]));
        };
        auto setAll = [&] (float scale)
        {
            setBand (chain.get<0>(), 0, freqs[0] * scale);
            setBand (chain.get<1>(), 1, freqs[1] * scale);
            setBand (chain.get<2>(), 2, freqs[2] * scale);
            setBand (chain.get<3>(), 3, freqs[3] * scale);
        };
        chain.prepare (fxSpec);
        setAll (1.0f);
        report ("eq, four bands", nanosPerSample (input, nodeBlock (*node, input), juceBlock (chain, input)));

        // Moving: every band's frequency glides; ours recomputes per 32 samples, and so does the stock
        // chain (new peak coefficients for every band each 32-sample slice).
        auto scaleAt = [] (int sample)
        { return (float) std::pow (2.0, std::sin (juce::MathConstants<double>::twoPi * 0.5 * sample / fxSampleRate)); };
        const auto ours = nodeBlock (*node, input, [&] (int b)
                                     {
            for (int band = 0; band < 4; ++band)
                node->setParameterRamp (band * 3, freqs[band] * scaleAt ((b + 1) * fxBlock), fxBlock); });
        const BlockFn stock = [&] (int b)
        {
            juce::dsp::AudioBlock<float> whole (input.work);
            for (int start = 0; start < fxBlock; start += 32)
            {
                setAll (scaleAt (b * fxBlock + start));
                auto slice = whole.getSubBlock ((size_t) start, 32);
                chain.process (juce::dsp::ProcessContextReplacing<float> (slice));
            }
        };
        report ("eq, four bands, frequencies moving", nanosPerSample (input, ours, stock));
    }

    //==========================================================================
    {
        auto node = makeNode (stage (model::StageKind::effect, {}, model::EffectType::reverb, {}));
        juce::dsp::Reverb reverb;
        juce::dsp::Reverb::Parameters p;
        p.roomSize = 0.5f;
        p.damping = 0.5f;
        p.width = 1.0f;
        p.wetLevel = 0.25f / 3.0f;
        p.dryLevel = 0.5f * 0.75f;
        reverb.setParameters (p);
        reverb.prepare (fxSpec);
        report ("reverb (juce::Reverb's samples, block-wise)", nanosPerSample (input, nodeBlock (*node, input), juceBlock (reverb, input)));
    }
    {
        auto node = makeNode (stage (model::StageKind::effect, {}, model::EffectType::chorus, {}));
        juce::dsp::Chorus<float> chorus;
        chorus.prepare (fxSpec);
        chorus.setRate (0.8f);
        chorus.setDepth (0.3f);
        chorus.setCentreDelay (engine::ChorusNode::centreMs);
        chorus.setFeedback (0.0f);
        chorus.setMix (0.5f);
        report ("chorus", nanosPerSample (input, nodeBlock (*node, input), juceBlock (chorus, input)));
    }
    {
        auto node = makeNode (stage (model::StageKind::effect, {}, model::EffectType::compressor, { { 4, 6.0f } }));
        juce::dsp::ProcessorChain<juce::dsp::Compressor<float>, juce::dsp::Gain<float>> stock;
        auto& comp = stock.get<0>();
        comp.setThreshold (-18.0f);
        comp.setRatio (4.0f);
        comp.setAttack (10.0f);
        comp.setRelease (150.0f);
        stock.get<1>().setGainDecibels (6.0f);
        stock.prepare (fxSpec);
        report ("compressor (stock: + Gain for makeup)", nanosPerSample (input, nodeBlock (*node, input), juceBlock (stock, input)));
    }
    {
        // No stock distortion: a naive one, std::tanh per sample into a juce IIR low-pass, dry/wet.
        auto node = makeNode (stage (model::StageKind::effect, {}, model::EffectType::distortion, { { 0, 0.5f }, { 1, 0.5f }, { 2, 0.7f } }));
        using Tone = juce::dsp::ProcessorDuplicator<juce::dsp::IIR::Filter<float>, juce::dsp::IIR::Coefficients<float>>;
        Tone tone;
        tone.prepare (fxSpec);
        *tone.state = *juce::dsp::IIR::Coefficients<float>::makeLowPass (fxSampleRate, 3162.0f);
        juce::AudioBuffer<float> dry (2, fxBlock);
        const float gain = juce::Decibels::decibelsToGain (15.0f), outGain = 1.0f / std::sqrt (gain), mix = 0.7f;
        const BlockFn naive = [&] (int)
        {
            for (int c = 0; c < 2; ++c)
            {
                dry.copyFrom (c, 0, input.work, c, 0, fxBlock);
                auto* x = input.work.getWritePointer (c);
                for (int i = 0; i < fxBlock; ++i)
                    x[i] = std::tanh (x[i] * gain) * outGain;
            }
            juce::dsp::AudioBlock<float> block (input.work);
            tone.process (juce::dsp::ProcessContextReplacing<float> (block));
            for (int c = 0; c < 2; ++c)
            {
                auto* x = input.work.getWritePointer (c);
                const auto* d = dry.getReadPointer (c);
                for (int i = 0; i < fxBlock; ++i)
                    x[i] = d[i] + mix * (x[i] - d[i]);
            }
        };
        report ("distortion (naive: tanh + IIR tone)", nanosPerSample (input, nodeBlock (*node, input), naive));
    }
    {
        auto node = makeNode (stage (model::StageKind::effect, {}, model::EffectType::limiter, {}));
        juce::dsp::Limiter<float> limiter;
        limiter.setThreshold (-0.3f);
        limiter.setRelease (50.0f);
        limiter.prepare (fxSpec);
        report ("limiter (ours looks ahead, stock not)", nanosPerSample (input, nodeBlock (*node, input), juceBlock (limiter, input)));
    }

    std::cout << "\n  Ours: Modules/imbolc_engine/dsp (filter, EQ, reverb, chorus, compressor, distortion, limiter),\n"
                 "  each through NodeProcessor::processBlock with the model's parameters; the reverb is fx::Freeverb,\n"
                 "  bit for bit juce::Reverb's output. Baselines: the juce::dsp processor for the same job with matching settings\n"
                 "  (StateVariableTPTFilter, four IIR::Filter peak biquads, Reverb, Chorus, Compressor + Gain,\n"
                 "  Limiter), and for distortion a naive std::tanh waveshaper with an IIR tone filter.\n";
    return 0;
}

} // namespace imbolc::cli::bench
