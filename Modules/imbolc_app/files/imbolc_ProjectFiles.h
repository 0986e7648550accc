#pragma once

namespace imbolc::app
{

/** A session read from a file, or the one sentence saying why not. */
struct LoadedSession
{
    std::optional<model::Session> session;
    juce::String error;

    bool ok() const noexcept { return session.has_value(); }
};

/** Reads, verifies and decodes a project file: a missing, unreadable, truncated, corrupt, foreign or
    newer file gives one sentence and no session. Any thread but the audio thread. */
LoadedSession loadSessionFile (const juce::File&);

/** The side file an autosave of `sessionFile` goes to ("song.imbolc" -> "song.imbolc.autosave"), so a
    crash never costs more than the autosave interval and the session file itself is only written when
    the person saves. Any thread. */
juce::File autosaveFileFor (const juce::File& sessionFile);

/** Writes a reference session (`imbolc demo`, the app's "new from demo") to `file`, with the samples its
    sampler instruments play beside it. `written` gets every file written, the project first. One
    sentence on failure; what was written before it stays. Any thread but the audio thread. */
juce::Result writeDemoSession (const model::Session&, const juce::File& file, std::vector<juce::File>& written);

/** What renderSessionToWav did: one sentence when it failed or was cancelled, else how much it wrote. */
struct RenderOutcome
{
    juce::String error;
    double audioSeconds = 0.0, realTimeFactor = 0.0;
    std::vector<juce::String> warnings; ///< what rendered but not as written (a missing sample, a plugin)

    bool ok() const noexcept { return error.isEmpty(); }
};

/** Renders the whole song of `session` to a WAV file with the offline renderer (48 kHz, 24 bits), finding
    samples in `baseDirectory` as the live engine does. `progress` hears the fraction done (0..1);
    `shouldCancel`, asked after every block, stops it, leaving any existing file as it was. Any thread
    but the audio thread; it takes as long as the render. */
RenderOutcome renderSessionToWav (const model::Session& session, const juce::File& target, const juce::File& baseDirectory,
                                  std::function<void (double)> progress = {}, std::function<bool()> shouldCancel = {});

/** True if any instrument of the session is played by SuperCollider. Any thread. */
bool hasSuperColliderInstruments (const model::Session&);

} // namespace imbolc::app
