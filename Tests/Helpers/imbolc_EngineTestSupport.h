#pragma once

#include "imbolc_TestHelpers.h"

#include <imbolc_engine/imbolc_engine.h>

#include <cmath>
#include <thread>

namespace imbolc::test
{

/** A session, its dispatcher and an engine, wired the way the app wires them: every applied action's
    audio effects go to the engine. Rendering happens inline (render) or on a real audio thread
    (AudioThread below). */
struct EngineRig
{
    static constexpr double sampleRate = 48000.0;
    static constexpr int blockSize = 256;

    FakeClock clock;
    model::Session session;
    model::UndoHistory history { clock.function() };
    model::Dispatcher dispatcher { session, history };
    engine::Engine engine;

    explicit EngineRig (std::unique_ptr<engine::NodeFactory> factory = nullptr, engine::Engine::Options options = {})
        : engine (std::move (factory), options)
    {
        engine.prepare (sampleRate, blockSize);
    }

    std::uint32_t act (const model::Action& a)
    {
        auto r = applyOk (dispatcher, a);
        engine.apply (session, r.changes);
        return r.createdId;
    }

    /** A built-in instrument with the given stages, at the master. */
    model::InstrumentId addInstrument (model::BuiltInSource kind = model::BuiltInSource::sine, std::vector<model::Stage> chain = {})
    {
        model::Source s;
        s.builtIn = kind;
        return model::InstrumentId { act (model::action::AddInstrument { "inst", s, model::Backend::internal, std::move (chain) }) };
    }

    static model::Stage effect (model::EffectType type, std::vector<std::pair<int, float>> values = {})
    {
        model::Stage st;
        st.kind = model::StageKind::effect;
        st.effect = type;
        st.params = model::makeEffectParameters (type);
        for (auto [i, v] : values)
            st.params[(std::size_t) i].value = v;
        return st;
    }

    void setParam (model::ParamAddress a, float v) { act (model::action::SetParam { a, v }); }

    /** Renders `blocks` blocks on this thread, appending to left/right. */
    void render (int blocks, std::vector<float>& left, std::vector<float>& right)
    {
        std::vector<float> l ((std::size_t) blockSize), r ((std::size_t) blockSize);
        float* outs[] = { l.data(), r.data() };
        for (int b = 0; b < blocks; ++b)
        {
            engine.process (outs, 2, blockSize);
            engine.update();
            left.insert (left.end(), l.begin(), l.end());
            right.insert (right.end(), r.begin(), r.end());
        }
    }
};

/** A real audio thread: renders blocks into a preallocated recording, paced by the test (it renders
    only as many blocks as the test has allowed so far), so edits on the test's thread land while audio
    runs. Its body never allocates: the recording is sized up front. */
class AudioThread
{
public:
    /** `wrap`, if given, runs the thread's whole loop (passed to it as a function), e.g. inside a
        real-time marking scope. */
    using Wrapper = std::function<void (const std::function<void()>&)>;

    AudioThread (engine::Engine& e, int blockSize, int maxBlocks, Wrapper wrap = {})
        : engine (e), block (blockSize), capacity (maxBlocks), left ((std::size_t) (blockSize * maxBlocks)), right (left.size()), wrapper (std::move (wrap))
    {
        thread = std::thread ([this]
                              { run(); });
    }

    ~AudioThread() { stop(); }

    /** Lets the thread render up to `blocks` more blocks. */
    void allow (int blocks) { allowed.fetch_add (blocks); }

    /** Lets the thread render `blocks` more blocks and waits until it has (see waitUntilCaughtUp). */
    void render (int blocks)
    {
        allow (blocks);
        waitUntilCaughtUp();
    }

    /** Waits (message thread) until every allowed block is rendered, calling update() meanwhile. */
    void waitUntilCaughtUp()
    {
        while (rendered.load() < juce::jmin (allowed.load(), capacity))
        {
            engine.update();
            std::this_thread::sleep_for (std::chrono::microseconds (200));
        }
    }

    void stop()
    {
        quit = true;
        if (thread.joinable())
            thread.join();
    }

    engine::Engine& getEngine() const { return engine; }
    std::thread::id getId() const { return id; }
    int blocksRendered() const { return rendered.load(); }
    const std::vector<float>& getLeft() const { return left; }
    const std::vector<float>& getRight() const { return right; }

private:
    void run()
    {
        id = std::this_thread::get_id();
        const std::function<void()> body = [this]
        { loop(); };
        if (wrapper)
            wrapper (body);
        else
            body();
    }

    void loop()
    {
        while (! quit.load())
        {
            const int done = rendered.load();
            if (done >= capacity || done >= allowed.load())
            {
                std::this_thread::yield();
                continue;
            }
            float* outs[] = { left.data() + done * block, right.data() + done * block };
            engine.process (outs, 2, block);
            rendered.store (done + 1);
        }
    }

    engine::Engine& engine;
    int block, capacity;
    std::vector<float> left, right;
    Wrapper wrapper;
    std::atomic<int> allowed { 0 }, rendered { 0 };
    std::atomic<bool> quit { false };
    std::thread::id id;
    std::thread thread;
};

inline float peak (const std::vector<float>& v, std::size_t from, std::size_t to)
{
    float p = 0.0f;
    for (auto i = from; i < std::min (to, v.size()); ++i)
        p = std::max (p, std::abs (v[i]));
    return p;
}

inline float maxStep (const std::vector<float>& v, std::size_t from, std::size_t to)
{
    float m = 0.0f;
    for (auto i = std::max<std::size_t> (from, 1); i < std::min (to, v.size()); ++i)
        m = std::max (m, std::abs (v[i] - v[i - 1]));
    return m;
}

/** Root mean square of [from, to); 0 for an empty range. */
inline double rms (const std::vector<float>& v, std::size_t from, std::size_t to)
{
    double sum = 0.0;
    to = std::min (to, v.size());
    for (auto i = from; i < to; ++i)
        sum += (double) v[i] * v[i];
    return to > from ? std::sqrt (sum / (double) (to - from)) : 0.0;
}

/** Upward zero crossings per second: the frequency of a clean tone. */
inline double frequencyOf (const std::vector<float>& v, std::size_t from, std::size_t to, double sampleRate)
{
    int crossings = 0;
    for (auto i = from + 1; i < std::min (to, v.size()); ++i)
        if (v[i - 1] < 0.0f && v[i] >= 0.0f)
            ++crossings;
    return crossings * sampleRate / (double) (std::min (to, v.size()) - from);
}

} // namespace imbolc::test
