// The built-in instruments on real audio: band-limiting (measured against naive oscillators that fail
// the same bar), pitch, the voice cap and its stealing order, click-free steals, sample-accurate MIDI,
// drums, and the sampler with real WAV and FLAC files.

#include "imbolc_SourceTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::BuiltInSource;
using State = engine::VoiceAllocator::State;

namespace
{
constexpr double rate = SourceRig::sampleRate;
constexpr int highNote = 100; // 2637 Hz: harmonics 10 and up (26.4 kHz on) lie above Nyquist
const double highHz = 440.0 * std::pow (2.0, (highNote - 69) / 12.0);

constexpr std::size_t fftSize = 32768;
constexpr std::size_t steadyFrom = 12000; // 0.25 s: attack and decay are over
constexpr double aliasBarDb = -60.0; // fold-back energy under the harmonics' energy

/** Frequency from the first to the last upward zero crossing (interpolated): precise for a clean tone. */
double crossingFrequency (const std::vector<float>& v, std::size_t from, std::size_t to)
{
    double first = -1.0, last = -1.0;
    int count = 0;
    for (auto i = from + 1; i < to; ++i)
        if (v[i - 1] < 0.0f && v[i] >= 0.0f)
        {
            const double t = (double) (i - 1) + v[i - 1] / (v[i - 1] - v[i]);
            if (first < 0.0)
                first = t;
            last = t;
            ++count;
        }
    return count > 1 ? (count - 1) * rate / (last - first) : 0.0;
}

double phaseAt (double hz, std::size_t i) { return std::fmod (hz * (double) i / rate, 1.0); }

/** A naive (not band-limited) oscillator of the same shape, for the same stretch of time. */
std::vector<float> naive (BuiltInSource kind, std::size_t length, double hz)
{
    std::vector<float> out (length);
    for (std::size_t i = 0; i < length; ++i)
    {
        const double t = phaseAt (hz, i);
        switch (kind)
        {
            case BuiltInSource::saw:
                out[i] = (float) (2.0 * t - 1.0);
                break;
            case BuiltInSource::square:
                out[i] = t < 0.5 ? 1.0f : -1.0f;
                break;
            case BuiltInSource::pulse:
            {
                // The same PWM as the pulse test below: width 0.3 + 0.2 sin (2 pi 0.5 Hz time).
                const double w = 0.3 + 0.2 * std::sin (juce::MathConstants<double>::twoPi * 0.5 * (double) i / rate);
                out[i] = t < w ? 1.0f : -1.0f;
                break;
            }
            case BuiltInSource::triangle:
                out[i] = (float) (t < 0.5 ? 4.0 * t - 1.0 : 3.0 - 4.0 * t);
                break;
            default:
                FAIL ("no naive oscillator for this kind");
        }
    }
    return out;
}

std::vector<double> supersawFrequencies (double hz, float detune, int count)
{
    std::vector<double> f;
    for (int j = 0; j < count; ++j)
        f.push_back (hz * std::pow (2.0, engine::SupersawSynth::detuneSemitones (j, detune) / 12.0));
    return f;
}

engine::SourceNode& sourceOf (EngineRig& rig, model::InstrumentId id)
{
    auto* s = dynamic_cast<engine::SourceNode*> (rig.engine.getSourceWhileStopped (id));
    REQUIRE (s != nullptr);
    return *s;
}
} // namespace

//==============================================================================
TEST_CASE ("sources: saw, square, pulse with PWM and triangle do not alias where naive ones do", "[sources][aliasing]")
{
    struct Case
    {
        BuiltInSource kind;
        std::initializer_list<std::pair<const char*, float>> params;
    };
    const Case cases[] = {
        { BuiltInSource::saw, {} },
        { BuiltInSource::square, {} },
        { BuiltInSource::pulse, { { "width", 0.3f }, { "pwmRate", 0.5f }, { "pwmDepth", 0.2f } } },
        { BuiltInSource::triangle, {} },
    };
    for (const auto& c : cases)
    {
        SourceRig rig (c.kind, c.params);
        rig.noteOn (highNote);
        rig.render ((std::int64_t) (steadyFrom + fftSize));
        const double ours = aliasToHarmonicDb (rig.left, steadyFrom, fftSize, { highHz }, rate);

        const auto reference = naive (c.kind, steadyFrom + fftSize, highHz);
        const double naiveDb = aliasToHarmonicDb (reference, steadyFrom, fftSize, { highHz }, rate);

        INFO (model::toString (c.kind) << ": " << ours << " dB of fold-back (naive: " << naiveDb << " dB)");
        CHECK (ours < aliasBarDb);
        CHECK (naiveDb > aliasBarDb); // the bar is one a naive oscillator fails
        CHECK (peak (rig.left, steadyFrom, rig.left.size()) > 0.3f);
    }
}

TEST_CASE ("sources: the supersaw's detuned stack does not alias where a naive stack does", "[sources][aliasing]")
{
    constexpr float detune = 0.3f;
    SourceRig rig (BuiltInSource::supersaw, { { "detune", detune }, { "voices", 7.0f }, { "mix", 0.7f } });
    rig.noteOn (highNote);
    rig.render ((std::int64_t) (steadyFrom + fftSize));
    const auto freqs = supersawFrequencies (highHz, detune, 7);
    const double ours = aliasToHarmonicDb (rig.left, steadyFrom, fftSize, freqs, rate, 8.0);

    std::array<float, engine::SupersawSynth::maxSaws> gains {};
    engine::SupersawSynth::Shared::gains (7.0f, 0.7f, gains);
    std::vector<float> reference (steadyFrom + fftSize, 0.0f);
    for (int j = 0; j < 7; ++j)
        for (std::size_t i = 0; i < reference.size(); ++i)
            reference[i] += gains[(std::size_t) j] * (float) (2.0 * phaseAt (freqs[(std::size_t) j], i + 1000 * (std::size_t) j) - 1.0);
    const double naiveDb = aliasToHarmonicDb (reference, steadyFrom, fftSize, freqs, rate, 8.0);

    INFO ("supersaw: " << ours << " dB of fold-back (naive: " << naiveDb << " dB)");
    CHECK (ours < aliasBarDb);
    CHECK (naiveDb > aliasBarDb);
}

TEST_CASE ("sources: FM keeps its index sane, so high notes and feedback do not fold back", "[sources][aliasing]")
{
    // Ratio 3, index 12 at 2.6 kHz would spread sidebands to 2.6 + 13 * 7.9 kHz: far past Nyquist. With
    // an integer ratio every legitimate component is a harmonic of the carrier: anything else folded.
    for (auto [note, ratio, index, feedback] : { std::tuple { highNote, 3.0f, 12.0f, 0.0f }, std::tuple { 48, 1.0f, 20.0f, 1.0f }, std::tuple { 69, 2.0f, 6.0f, 0.7f }, std::tuple { 88, 1.0f, 4.0f, 0.5f } })
    {
        SourceRig rig (BuiltInSource::fm, { { "ratio", ratio }, { "index", index }, { "feedback", feedback } });
        rig.noteOn (note);
        rig.render ((std::int64_t) (steadyFrom + fftSize));
        const double hz = 440.0 * std::pow (2.0, (note - 69) / 12.0);
        const double db = aliasToHarmonicDb (rig.left, steadyFrom, fftSize, { hz }, rate);
        INFO ("note " << note << " ratio " << ratio << " index " << index << " feedback " << feedback << ": " << db << " dB");
        CHECK (db < aliasBarDb);
        CHECK (peak (rig.left, steadyFrom, rig.left.size()) > 0.3f);
    }
    CHECK (engine::FmSynth::Shared::indexLimit ((float) (highHz / rate), (float) (3.0 * highHz / rate)) < 12.0f);

    // At a low note without feedback the full index range applies.
    CHECK (engine::FmSynth::Shared::indexLimit ((float) (110.0 / rate), (float) (220.0 / rate)) > 20.0f);

    // The same settings without the limit would fold back: the naive FM, computed here.
    std::vector<float> unlimited (steadyFrom + fftSize);
    for (std::size_t i = 0; i < unlimited.size(); ++i)
        unlimited[i] = (float) std::sin (juce::MathConstants<double>::twoPi * highHz * (double) i / rate + 12.0 * std::sin (juce::MathConstants<double>::twoPi * 3.0 * highHz * (double) i / rate));
    CHECK (aliasToHarmonicDb (unlimited, steadyFrom, fftSize, { highHz }, rate) > aliasBarDb);
}

//==============================================================================
TEST_CASE ("sources: every pitched source plays note 69 at 440 Hz, and tune and fine move it", "[sources][pitch]")
{
    TempFolder temp;
    const auto tone = temp / "tone.wav";
    REQUIRE (writeTone (tone, 44100.0, 2.0, { 440.0 }));

    struct Case
    {
        BuiltInSource kind;
        std::vector<std::pair<const char*, float>> params;
    };
    const std::vector<Case> cases = {
        { BuiltInSource::saw, {} },
        { BuiltInSource::square, {} },
        { BuiltInSource::pulse, { { "width", 0.25f } } },
        { BuiltInSource::triangle, {} },
        { BuiltInSource::sine, {} },
        { BuiltInSource::supersaw, { { "detune", 0.0f } } },
        { BuiltInSource::fm, {} },
        { BuiltInSource::sampler, { { "rootNote", 69.0f } } },
    };

    for (const auto& c : cases)
        for (auto [tune, fine, expected] : { std::tuple { 0.0f, 0.0f, 440.0 }, std::tuple { 12.0f, 0.0f, 880.0 }, std::tuple { -7.0f, 50.0f, 440.0 * std::pow (2.0, -6.5 / 12.0) } })
        {
            const bool hasFine = c.kind != BuiltInSource::supersaw && c.kind != BuiltInSource::fm && c.kind != BuiltInSource::sampler;
            if (fine != 0.0f && ! hasFine)
                continue;
            auto inst = SourceRig::makeInstrument (c.kind);
            for (auto [name, value] : c.params)
                for (auto& p : inst.source.params)
                    if (p.name == name)
                        p.value = value;
            inst.source.samplePath = tone.getFullPathName().toStdString();
            int note = 69;
            if (c.kind == BuiltInSource::sampler)
                note += (int) tune; // the sampler transposes by the note (its root note is its tuning)
            else
                for (auto& p : inst.source.params)
                    if (p.name == "tune")
                        p.value = tune;
                    else if (p.name == "fine")
                        p.value = fine;
            if (c.kind == BuiltInSource::sampler && tune < 0.0f)
                continue;

            SourceRig rig (inst);
            rig.noteOn (note);
            rig.render (65536 + 12000);
            const double f = peakFrequency (rig.left, 12000, 65536, expected * 0.8, expected * 1.2, rate);
            INFO (model::toString (c.kind) << " tune " << tune << " fine " << fine << ": " << f << " Hz, wanted " << expected);
            CHECK (std::abs (cents (f, expected)) < 2.0);
        }
}

//==============================================================================
TEST_CASE ("voices: the cap holds and stealing takes same pitch, then released, then the oldest held", "[sources][voices]")
{
    SourceRig rig (BuiltInSource::sine, {}, 4);
    auto& src = *rig.source;
    REQUIRE (src.getVoiceLimit() == 4);

    // Six notes, 10 ms apart: only four sound; the two oldest were stolen.
    for (int i = 0; i < 6; ++i)
    {
        rig.noteOn (60 + 2 * i, 0.8f);
        rig.render (480);
    }
    CHECK (src.getNumActiveVoices() == 4);
    CHECK (! src.isPlayingNote (60));
    CHECK (! src.isPlayingNote (62));
    for (int n : { 64, 66, 68, 70 })
        CHECK (src.isPlayingNote (n));

    // Same pitch: 66 again retriggers 66 (the oldest, 64, is left alone).
    rig.noteOn (66, 0.8f);
    rig.render (480);
    CHECK (src.getNumActiveVoices() == 4);
    for (int n : { 64, 66, 68, 70 })
        CHECK (src.isPlayingNote (n));

    // Released before held: release 70 then 68 (newest held notes); the next two notes take 70, then 68.
    rig.noteOff (70);
    rig.render (256);
    rig.noteOff (68);
    rig.render (256);
    rig.noteOn (72, 0.8f);
    rig.render (256);
    CHECK (! src.isPlayingNote (70));
    CHECK (src.isPlayingNote (68));
    CHECK (src.isPlayingNote (64));
    rig.noteOn (74, 0.8f);
    rig.render (256);
    CHECK (! src.isPlayingNote (68));
    CHECK (src.getNumActiveVoices() == 4);

    // Then the oldest held: 64 (before the retriggered 66).
    rig.noteOn (76, 0.8f);
    rig.render (256);
    CHECK (! src.isPlayingNote (64));
    CHECK (src.isPlayingNote (66));
    rig.noteOn (77, 0.8f);
    rig.render (256);
    CHECK (! src.isPlayingNote (66));
    for (int n : { 72, 74, 76, 77 })
        CHECK (src.isPlayingNote (n));

    // Stolen voices fade out in spare slots, then free them.
    rig.render (960);
    CHECK (src.getNumFadingVoices() == 0);
    CHECK (src.getNumActiveVoices() == 4);
}

TEST_CASE ("voices: among notes started together the quietest is stolen first", "[sources][voices]")
{
    SourceRig rig (BuiltInSource::saw, {}, 4);
    const float velocities[] = { 1.0f, 0.3f, 0.6f, 0.9f };
    for (int i = 0; i < 4; ++i)
        rig.noteOn (60 + i, velocities[i], 100);
    rig.render (4800);
    rig.noteOn (70);
    rig.render (256);
    CHECK (! rig.source->isPlayingNote (61)); // velocity 0.3
    rig.noteOn (71);
    rig.render (256);
    CHECK (! rig.source->isPlayingNote (62)); // velocity 0.6
    CHECK (rig.source->isPlayingNote (60));
    CHECK (rig.source->isPlayingNote (63));
}

TEST_CASE ("voices: the allocator's order in isolation", "[sources][voices]")
{
    engine::VoiceAllocator a (3);
    std::array<float, engine::VoiceAllocator::capacity> levels {};
    auto startNote = [&] (int note, std::int64_t time, float level)
    {
        if (const int v = a.chooseVictim (note, levels.data()); v >= 0)
            a.steal (v);
        const int s = a.acquire();
        a.start (s, note, time);
        levels[(std::size_t) s] = level;
        return s;
    };
    const int s60 = startNote (60, 0, 0.5f);
    const int s62 = startNote (62, 10, 0.5f);
    const int s64 = startNote (64, 20, 0.5f);
    CHECK (a.chooseVictim (66, levels.data()) == s60); // full: the oldest held
    CHECK (a.chooseVictim (64, levels.data()) == s64); // same pitch first
    a.release (s64, 30);
    a.release (s62, 40);
    CHECK (a.chooseVictim (66, levels.data()) == s64); // released first, earliest release first
    a.setLimit (4);
    CHECK (a.chooseVictim (66, levels.data()) == -1); // room left: nobody has to go
    a.setLimit (1);
    CHECK (a.chooseVictimOverLimit (levels.data()) == s64);
    a.steal (s64);
    CHECK (a.chooseVictimOverLimit (levels.data()) == s62);
    a.steal (s62);
    CHECK (a.chooseVictimOverLimit (levels.data()) == -1);
    CHECK (a.getNumActive() == 1);
    CHECK (a.getNumStolen() == 2);
    CHECK (a[s60].state == State::held);

    // The pool holds the largest cap plus spare slots for fades, and never more.
    engine::VoiceAllocator full (model::Instrument::maxVoiceCap);
    int acquired = 0;
    while (full.acquire() >= 0)
        ++acquired;
    CHECK (acquired == engine::VoiceAllocator::capacity);
    CHECK (acquired > model::Instrument::maxVoiceCap);
}

TEST_CASE ("voices: lowering the cap while notes sound steals down to it with fades", "[sources][voices]")
{
    SourceRig rig (BuiltInSource::sine, { { "sustain", 1.0f } }, 8);
    for (int i = 0; i < 6; ++i)
    {
        rig.noteOn (57 + 3 * i, 0.5f);
        rig.render (256);
    }
    rig.render (9600);
    REQUIRE (rig.source->getNumActiveVoices() == 6);
    const float steadyStep = maxStep (rig.left, rig.left.size() - 9600, rig.left.size());
    const auto before = rig.left.size();

    rig.source->setVoiceLimit (2);
    CHECK (rig.source->getVoiceLimit() == 2);
    CHECK (rig.source->getNumActiveVoices() == 2);
    CHECK (rig.source->getNumFadingVoices() == 4);
    CHECK (rig.source->isPlayingNote (57 + 3 * 4)); // the two newest stay
    CHECK (rig.source->isPlayingNote (57 + 3 * 5));
    rig.render (960);
    CHECK (rig.source->getNumFadingVoices() == 0);
    CHECK (maxStep (rig.left, before - 1, rig.left.size()) <= steadyStep * 1.1f);

    // A cap outside 1..256 is clamped.
    rig.source->setVoiceLimit (0);
    CHECK (rig.source->getVoiceLimit() == 1);
    rig.source->setVoiceLimit (100000);
    CHECK (rig.source->getVoiceLimit() == model::Instrument::maxVoiceCap);
}

TEST_CASE ("voices: a stolen voice fades out instead of clicking", "[sources][voices][click]")
{
    // Steady sines at full sustain; the steal lands where the old voice is at a peak, so cutting it
    // would jump by its whole amplitude.
    for (const bool samePitch : { true, false })
    {
        const int oldNote = 69, newNote = samePitch ? 69 : 72;
        auto inst = SourceRig::makeInstrument (BuiltInSource::sine, { { "sustain", 1.0f } }, 1);

        SourceRig reference (inst);
        reference.noteOn (oldNote);
        reference.render (24000);
        std::size_t at = 19200;
        for (std::size_t i = 19200; i < 19400; ++i)
            if (std::abs (reference.left[i]) > std::abs (reference.left[at]))
                at = i;
        const float amplitude = std::abs (reference.left[at]);
        const float oldStep = maxStep (reference.left, 9600, 19200);

        SourceRig newOnly (inst);
        newOnly.noteOn (newNote);
        newOnly.render (24000);
        const float newStep = maxStep (newOnly.left, 9600, 24000);

        SourceRig rig (inst);
        rig.noteOn (oldNote);
        rig.noteOn (newNote, 1.0f, (std::int64_t) at);
        rig.render (24000 + 9600);
        INFO ((samePitch ? "same pitch" : "new pitch") << ": amplitude " << amplitude << ", steady steps " << oldStep << " / " << newStep);
        REQUIRE (rig.source->getNumActiveVoices() == 1);
        REQUIRE (amplitude > 0.75f); // a cut here would be a step of this size
        CHECK (amplitude > 10.0f * std::max (oldStep, newStep));

        // Around the steal no step exceeds the steady signals' own largest.
        CHECK (maxStep (rig.left, at - 100, at + 2400) <= std::max (oldStep, newStep) * 1.1f);
        CHECK (rig.source->getNumFadingVoices() == 0);
        // Before the steal: identical to the old note alone.
        CHECK (std::equal (rig.left.begin(), rig.left.begin() + (std::ptrdiff_t) at, reference.left.begin()));
    }
}

//==============================================================================
TEST_CASE ("MIDI: notes start and end on their exact sample, all notes off releases, all sound off fades", "[sources][midi]")
{
    SourceRig rig (BuiltInSource::saw, { { "release", 0.05f } });
    rig.noteOn (57, 1.0f, 300); // block 1, offset 44
    rig.render (2048);
    CHECK (peak (rig.left, 0, 300) == 0.0f);
    CHECK (peak (rig.left, 300, 302) > 0.0f); // the saw starts at 0, mid-ramp: sound from the next sample

    // Two identical notes a few samples apart inside one block give the same, shifted, sound.
    SourceRig a (BuiltInSource::saw), b (BuiltInSource::saw);
    a.noteOn (60, 1.0f, 10);
    b.noteOn (60, 1.0f, 10 + 77);
    a.render (4096);
    b.render (4096);
    CHECK (std::equal (a.left.begin() + 10, a.left.begin() + 3000, b.left.begin() + 87));
    // And a note off lands on its sample too.
    a.noteOff (60, 5000 + 13);
    b.noteOff (60, 5000 + 13 + 77);
    a.render (4096);
    b.render (4096);
    CHECK (std::equal (a.left.begin() + 10, a.left.begin() + 7000, b.left.begin() + 87));

    // CC 123: every voice enters its release (50 ms), then silence.
    rig.noteOn (60);
    rig.noteOn (64);
    rig.render (2400);
    REQUIRE (rig.source->getNumActiveVoices() == 3);
    const auto offAt = rig.now + 5;
    rig.controller (123, offAt);
    rig.render (4800);
    CHECK (peak (rig.left, (std::size_t) offAt, (std::size_t) offAt + 480) > 0.2f); // still releasing 10 ms later
    CHECK (peak (rig.left, (std::size_t) offAt + 2400 + 64, rig.left.size()) == 0.0f);
    CHECK (rig.source->getNumActiveVoices() == 0);

    // CC 120: silent within the 5 ms fade (and a control chunk), without a jump.
    rig.noteOn (60);
    rig.render (4800);
    const float steadyStep = maxStep (rig.left, rig.left.size() - 2400, rig.left.size());
    const auto soundOffAt = rig.now + 100;
    rig.controller (120, soundOffAt);
    rig.render (2400);
    CHECK (peak (rig.left, (std::size_t) soundOffAt + 240 + 32, rig.left.size()) == 0.0f);
    CHECK (maxStep (rig.left, (std::size_t) soundOffAt - 1, rig.left.size()) <= steadyStep * 1.1f);

    // Velocity 0 is a note off.
    rig.noteOn (62);
    rig.render (256);
    rig.add (-1, 0x90, 62, 0);
    rig.render (256);
    CHECK (rig.source->getNumActiveVoices() == 1);
    CHECK (rig.source->isPlayingNote (62)); // releasing still counts as playing...
    rig.render (4800);
    CHECK (rig.source->getNumActiveVoices() == 0); // ...until the release ends
}

TEST_CASE ("sources: parameter layout is the model's source parameters, then the amp envelope", "[sources][params]")
{
    for (int k = 0; k < model::numBuiltInSources; ++k)
    {
        const auto kind = (BuiltInSource) k;
        SourceRig rig (kind);
        const auto params = model::makeParameters (kind);
        INFO (model::toString (kind));
        CHECK (rig.source->getAmpParameterOffset() == (int) params.size());
        // A drum kit's node has its pads' level, tune and decay after the amp envelope.
        const int extra = kind == BuiltInSource::drumKit ? engine::DrumKitSynth::numPads * engine::DrumKitSynth::numPadParameters : 0;
        CHECK (rig.node->getNumNodeParameters() == (int) params.size() + 4 + extra);
        CHECK (rig.source->getKind() == kind);
        CHECK (rig.source->writesEveryOutputSample());
        CHECK (rig.source->getVoiceLimit() == model::Instrument::defaultVoiceCap);
        for (std::size_t i = 0; i < params.size(); ++i)
            CHECK (rig.node->getParameterRange ((int) i) == juce::Range<float> (params[i].minValue, params[i].maxValue));
        CHECK (rig.node->getParameterRange ((int) params.size()).getStart() >= 0.005f); // attack at least 5 ms

        // Silence is written, not left: the rig hands it garbage.
        rig.render (512);
        CHECK (peak (rig.left, 0, rig.left.size()) == 0.0f);
    }
}

TEST_CASE ("sources: amp envelope shapes every voice, attack no shorter than 5 ms", "[sources][envelope]")
{
    SourceRig rig (BuiltInSource::sine, { { "attack", 0.05f }, { "decay", 0.1f }, { "sustain", 0.5f }, { "release", 0.1f }, { "level", 1.0f } });
    rig.noteOn (69);
    rig.render (24000);
    CHECK (peak (rig.left, 0, 240) < 0.11f); // 5 ms into a 50 ms attack
    CHECK (peak (rig.left, 2300, 2500) > 0.95f); // the top of the attack
    CHECK (peak (rig.left, 12000, 24000) == Approx (0.5f).margin (0.005f)); // sustain
    const auto off = (std::size_t) rig.now;
    rig.noteOff (69);
    rig.render (9600);
    CHECK (peak (rig.left, off + 2400, off + 2600) == Approx (0.25f).margin (0.02f)); // half-way through the release
    CHECK (peak (rig.left, off + 4800 + 64, rig.left.size()) == 0.0f);

    // The attack parameter cannot go under 5 ms.
    rig.node->setParameterRamp (rig.source->getAmpParameterOffset(), 0.0f, 0);
    CHECK (rig.node->getParameterValue (rig.source->getAmpParameterOffset()) == 0.005f);
}

//==============================================================================
TEST_CASE ("drums: kick, snare and hat are one-shots that sound and decay to silence", "[sources][drums]")
{
    for (const auto kind : { BuiltInSource::kick, BuiltInSource::snare, BuiltInSource::hat })
    {
        SourceRig rig (kind);
        rig.noteOn (36);
        rig.noteOff (36, 240); // a 5 ms note: drums ring out regardless
        rig.renderSeconds (3.0);
        INFO (model::toString (kind));
        const double early = rms (rig.left, 0, 2400);
        CHECK (peak (rig.left, 0, 4800) > 0.1f);
        CHECK (rms (rig.left, 480, 1440) > 0.02); // still sounding after the note off
        CHECK (rms (rig.left, 14400, 19200) < early * 0.3); // decaying
        CHECK (rig.source->getNumActiveVoices() == 0); // and over
        CHECK (peak (rig.left, rig.left.size() - 4800, rig.left.size()) == 0.0f);
    }

    // The kick's body settles at its pitch once the sweep is done.
    SourceRig kick (BuiltInSource::kick, { { "pitch", 60.0f }, { "decay", 1.5f } });
    kick.noteOn (36);
    kick.renderSeconds (1.0);
    CHECK (crossingFrequency (kick.left, 9600, 24000) == Approx (60.0).margin (1.5));

    // The hat is bright: its energy is above its tone's neighbourhood, not in the lows.
    SourceRig hat (BuiltInSource::hat, { { "decay", 0.5f } });
    hat.noteOn (42);
    hat.render (8192);
    const auto spectrum = powerSpectrum (hat.left, 0, 8192);
    double low = 0.0, high = 0.0;
    for (std::size_t i = 1; i < spectrum.size(); ++i)
        ((double) i * rate / 8192.0 < 1000.0 ? low : high) += spectrum[i];
    CHECK (high > 100.0 * low);

    // Snappy trades the body for noise: more energy above 2 kHz with it up.
    auto brightness = [] (float snappy)
    {
        SourceRig snare (BuiltInSource::snare, { { "snappy", snappy } });
        snare.noteOn (38);
        snare.render (8192);
        const auto s = powerSpectrum (snare.left, 0, 8192);
        double lo = 0.0, hi = 0.0;
        for (std::size_t i = 1; i < s.size(); ++i)
            ((double) i * rate / 8192.0 < 2000.0 ? lo : hi) += s[i];
        return hi / lo;
    };
    CHECK (brightness (1.0f) > 10.0 * brightness (0.1f));
}

TEST_CASE ("noise: colour tilts white towards pink at about the same loudness", "[sources][noise]")
{
    auto measure = [] (float colour)
    {
        SourceRig rig (BuiltInSource::noise, { { "colour", colour }, { "level", 1.0f }, { "sustain", 1.0f } });
        rig.noteOn (60);
        rig.render (12000 + 32768);
        const auto s = powerSpectrum (rig.left, 12000, 32768);
        double lo = 0.0, hi = 0.0;
        for (std::size_t i = 1; i < s.size(); ++i)
        {
            const double f = (double) i * rate / 32768.0;
            if (f >= 200.0 && f < 400.0)
                lo += s[i];
            else if (f >= 12800.0 && f < 19200.0)
                hi += s[i];
        }
        return std::pair { rms (rig.left, 12000, rig.left.size()), 10.0 * std::log10 ((lo / 200.0) / (hi / 6400.0)) };
    };
    const auto [whiteRms, whiteTilt] = measure (0.0f);
    const auto [pinkRms, pinkTilt] = measure (1.0f);
    CHECK (std::abs (whiteTilt) < 1.5); // flat
    CHECK (pinkTilt == Approx (3.0 * std::log2 (16000.0 / 300.0)).margin (3.0)); // -3 dB per octave
    CHECK (pinkRms == Approx (whiteRms).epsilon (0.35));
}

//==============================================================================
TEST_CASE ("sampler: plays a WAV at the right pitch, an octave up at twice the frequency", "[sources][sampler]")
{
    TempFolder temp;
    const auto file = temp / "a440.wav";
    REQUIRE (writeTone (file, 44100.0, 2.0, { 440.0 })); // another rate than the engine's: resampled

    auto inst = SourceRig::makeInstrument (BuiltInSource::sampler, { { "rootNote", 69.0f }, { "sustain", 1.0f } });
    inst.source.samplePath = file.getFullPathName().toStdString();
    SourceRig root (inst);
    root.noteOn (69);
    root.render (65536 + 4800);
    CHECK (peakFrequency (root.left, 4800, 65536, 300.0, 600.0, rate) == Approx (440.0).margin (0.3));
    CHECK (peak (root.left, 9600, 19200) == Approx (0.5f).margin (0.01f)); // the file's level at full velocity and level

    SourceRig octave (inst);
    octave.noteOn (81);
    octave.render (32768 + 4800);
    CHECK (peakFrequency (octave.left, 4800, 32768, 600.0, 1200.0, rate) == Approx (880.0).margin (0.5));
    // Played twice as fast, a 2 s sample ends after 1 s and the voice with it.
    octave.renderSeconds (0.5);
    CHECK (octave.source->getNumActiveVoices() == 0);
    CHECK (peak (octave.left, (std::size_t) (1.01 * rate), octave.left.size()) == 0.0f);
}

TEST_CASE ("sampler: relative paths, FLAC in stereo, start and loop", "[sources][sampler]")
{
    TempFolder temp;
    (temp / "samples").createDirectory();
    REQUIRE (writeTone (temp / "samples/stereo.flac", 48000.0, 0.25, { 440.0, 660.0 }, 24));

    engine::NodeFactory factory;
    factory.setBaseDirectory (temp.folder);
    CHECK (factory.getBaseDirectory() == temp.folder);
    auto inst = SourceRig::makeInstrument (BuiltInSource::sampler, { { "rootNote", 60.0f }, { "sustain", 1.0f } });
    inst.source.samplePath = "samples/stereo.flac";
    SourceRig rig (inst, &factory);
    CHECK (factory.takeWarnings().empty());
    rig.noteOn (60);
    rig.render (9600);
    CHECK (peak (rig.left, 2400, 9600) == Approx (0.5f).margin (0.01f));
    CHECK (peak (rig.right, 2400, 9600) == Approx (0.25f).margin (0.01f)); // the right channel is its own
    CHECK (frequencyOf (rig.right, 2400, 9600, rate) == Approx (660.0).margin (10.0));
    rig.render (4800);
    CHECK (rig.source->getNumActiveVoices() == 0); // 0.25 s, then over

    // Looping: the same quarter second keeps sounding while held.
    rig.node->setParameterRamp (rig.paramIndex ("loop"), 1.0f, 0);
    rig.noteOn (60);
    rig.renderSeconds (1.0);
    CHECK (rig.source->getNumActiveVoices() == 1);
    CHECK (peak (rig.left, rig.left.size() - 4800, rig.left.size()) == Approx (0.5f).margin (0.02f));
    rig.noteOff (60);
    rig.renderSeconds (0.5);
    CHECK (rig.source->getNumActiveVoices() == 0);

    // Start at the middle: the note is half as long.
    rig.node->setParameterRamp (rig.paramIndex ("loop"), 0.0f, 0);
    rig.node->setParameterRamp (rig.paramIndex ("start"), 0.5f, 0);
    const auto from = rig.now;
    rig.noteOn (60);
    rig.render (4800);
    CHECK (rig.source->getNumActiveVoices() == 1);
    rig.render (1536);
    CHECK (rig.source->getNumActiveVoices() == 0);
    CHECK (peak (rig.left, (std::size_t) from + 6000 + 64, rig.left.size()) == 0.0f);

    // The same file for a second instrument is read once and shared.
    SourceRig again (inst, &factory);
    again.noteOn (60);
    again.render (2400);
    CHECK (peak (again.left, 0, 2400) > 0.1f);
}

TEST_CASE ("sampler: a missing or unreadable sample plays silence and says so once", "[sources][sampler]")
{
    TempFolder temp;
    (temp / "notaudio.wav").replaceWithText ("this is not audio");
    engine::NodeFactory factory;
    factory.setBaseDirectory (temp.folder);

    for (const char* path : { "missing.wav", "notaudio.wav" })
    {
        auto inst = SourceRig::makeInstrument (BuiltInSource::sampler);
        inst.name = "Keys";
        inst.source.samplePath = path;
        SourceRig rig (inst, &factory);
        rig.noteOn (60);
        rig.render (4800);
        CHECK (peak (rig.left, 0, rig.left.size()) == 0.0f);
        CHECK (peak (rig.right, 0, rig.right.size()) == 0.0f);

        const auto warnings = factory.takeWarnings();
        REQUIRE (warnings.size() == 1);
        INFO (warnings[0]);
        CHECK (warnings[0].startsWith ("Sample file '" + juce::String (path) + "' for instrument 'Keys' could not be read"));
        CHECK (warnings[0].contains ("plays silence"));
        CHECK (factory.takeWarnings().empty());
    }

    auto inst = SourceRig::makeInstrument (BuiltInSource::sampler);
    inst.name = "Empty";
    SourceRig rig (inst, &factory);
    const auto warnings = factory.takeWarnings();
    REQUIRE (warnings.size() == 1);
    CHECK (warnings[0] == "Instrument 'Empty' is a sampler with no sample file: it plays silence. Choose a sample.");
}

TEST_CASE ("sampler: the demo sample is a deterministic half-second C4 pluck", "[sources][sampler]")
{
    TempFolder temp;
    const auto file = temp / "samples/demo-piano-c4.wav";
    REQUIRE (engine::writeDemoSample (file));
    REQUIRE (engine::writeDemoSample (temp / "again.wav"));
    juce::MemoryBlock first, second;
    REQUIRE (file.loadFileAsData (first));
    REQUIRE ((temp / "again.wav").loadFileAsData (second));
    CHECK (first == second);

    juce::AudioFormatManager formats;
    formats.registerBasicFormats();
    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (file));
    REQUIRE (reader != nullptr);
    CHECK (reader->sampleRate == 48000.0);
    CHECK (reader->numChannels == 1u);
    CHECK (reader->bitsPerSample == 24u);
    CHECK (reader->lengthInSamples == 24000);

    // Played at its root (the model's default, 60) it sounds at C4.
    auto inst = SourceRig::makeInstrument (BuiltInSource::sampler);
    inst.source.samplePath = file.getFullPathName().toStdString();
    SourceRig rig (inst);
    rig.noteOn (60);
    rig.render (16384);
    CHECK (cents (peakFrequency (rig.left, 0, 16384, 200.0, 330.0, rate), 261.6256) == Approx (0.0).margin (5.0));
    CHECK (peak (rig.left, 0, 4800) > 0.3f);
}

//==============================================================================
TEST_CASE ("engine: the voice cap reaches the source at build time and when changed", "[sources][engine]")
{
    EngineRig rig;
    const auto a = rig.addInstrument (BuiltInSource::sine);
    rig.act (model::action::SetVoiceCap { a, 2 });
    rig.engine.update();
    for (int n : { 60, 64, 67 })
        rig.engine.noteOn (a, n, 1.0f);
    std::vector<float> l, r;
    rig.render (4, l, r);
    auto& source = sourceOf (rig, a);
    CHECK (source.getVoiceLimit() == 2);
    CHECK (source.getNumActiveVoices() == 2);
    CHECK (! source.isPlayingNote (60));

    // A rebuilt chain (a stage added) is built with the instrument's cap.
    rig.act (model::action::SetVoiceCap { a, 5 });
    rig.act (model::action::AddStage { model::NodeKind::instrument, a.value, EngineRig::effect (model::EffectType::gain) });
    rig.render (4, l, r);
    CHECK (sourceOf (rig, a).getVoiceLimit() == 5);
    CHECK (&sourceOf (rig, a) != &source);

    // Amp parameters are addressed past the source parameters.
    rig.setParam (model::ParamAddress::instrument (a, model::ParamGroup::amp, (std::uint16_t) model::AmpParam::release), 1.5f);
    rig.render (1, l, r);
    CHECK (sourceOf (rig, a).getParameterTarget (sourceOf (rig, a).getAmpParameterOffset() + 3) == 1.5f);
}

TEST_CASE ("engine: a sampler in a session finds its sample next to the project", "[sources][engine]")
{
    TempFolder temp;
    REQUIRE (engine::writeDemoSample (temp / "samples/demo-piano-c4.wav"));
    EngineRig rig;
    rig.engine.getNodeFactory().setBaseDirectory (temp.folder);
    model::Source s;
    s.builtIn = BuiltInSource::sampler;
    s.samplePath = "samples/demo-piano-c4.wav";
    const auto a = model::InstrumentId { rig.act (model::action::AddInstrument { "Piano sample", s, model::Backend::internal, {} }) };
    CHECK (rig.engine.getNodeFactory().takeWarnings().empty());
    rig.engine.noteOn (a, 60, 1.0f);
    std::vector<float> l, r;
    rig.render (20, l, r);
    CHECK (peak (l, 0, l.size()) > 0.1f);
}
