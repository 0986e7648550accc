// Audio clips in the arrangement, driven through the window peer: an audio track's clips drawn at their
// start and length with the file's name and its waveform (read in the background), a missing file drawn
// as a marked empty clip; a clip moved, trimmed at either edge, its gain set and deleted, each gesture one
// EditAudioClip undo step. Checked in the recorded actions, in the session and in the pixels.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
constexpr model::Tick beat = model::ticksPerBeat;
constexpr double rate = 48000.0;

/** A fresh folder, deleted with everything in it when the test ends. */
struct Folder
{
    Folder()
        : dir (juce::File::getSpecialLocation (juce::File::tempDirectory).getNonexistentChildFile ("imbolc-audioclip-gui", "", false))
    {
        dir.createDirectory();
    }
    ~Folder() { dir.deleteRecursively(); }
    juce::File dir;
};

/** Two seconds of mono audio at 48 kHz: a loud 100 Hz sine for the first second, silence after. */
void writeTake (const juce::File& file)
{
    file.getParentDirectory().createDirectory();
    juce::WavAudioFormat format;
    std::unique_ptr<juce::AudioFormatWriter> writer (format.createWriterFor (new juce::FileOutputStream (file), rate, 1, 16, {}, 0));
    REQUIRE (writer != nullptr);
    juce::AudioBuffer<float> audio (1, (int) (2 * rate));
    audio.clear();
    for (int i = 0; i < (int) rate; ++i)
        audio.setSample (0, i, 0.9f * std::sin (juce::MathConstants<float>::twoPi * 100.0f * (float) i / (float) rate));
    REQUIRE (writer->writeFromAudioSampleBuffer (audio, 0, audio.getNumSamples()));
}

template <typename ActionType>
std::vector<ActionType> actionsOf (const std::vector<model::Action>& actions)
{
    std::vector<ActionType> out;
    for (const auto& a : actions)
        if (const auto* x = std::get_if<ActionType> (&a))
            out.push_back (*x);
    return out;
}

/** The small reference session at 120 bpm with an audio track of two clips: a real take (relative to
    the project folder, as a saved recording names it) and one whose file is missing. */
model::Session withAudioTrack()
{
    auto s = model::makeReferenceSession (model::ReferenceSize::small);
    s.settings.bpm = 120.0;
    model::Source audio;
    audio.kind = model::SourceKind::audioClips;
    audio.clips = { model::AudioClip { "Song Audio/Take 1.wav", beat, 0, (std::int64_t) (2 * rate), 1.0f },
                    model::AudioClip { "Song Audio/Gone.wav", 6 * beat, 0, (std::int64_t) rate, 1.0f } };
    model::UndoHistory history;
    model::Dispatcher dispatcher (s, history);
    REQUIRE (dispatcher.apply (model::action::AddInstrument { "Vocal take", audio }).ok());
    REQUIRE (model::validate (s).empty());
    return s;
}

struct Rig
{
    Rig()
    {
        writeTake (folder.dir.getChildFile ("Song Audio/Take 1.wav"));
        f.context.projectFolder = [this]
        { return folder.dir; };
        view = std::make_unique<gui::ArrangementView> (f.context);
        view->setLookAndFeel (&lookAndFeel);
        ui = std::make_unique<test::UiDriver> (*view, 1280, 900);
        // 100 pixels a beat from the song's start: the take (4 beats) is 400 pixels wide.
        gui::TimeAxis axis;
        axis.pixelsPerTick = 100.0 / beat;
        view->setAxis (axis);
        for (int waited = 0; ! view->getAudioClipFiles().isFullyLoaded() && waited < 5000; waited += 20)
            test::pumpMessages (20);
        REQUIRE (view->getAudioClipFiles().isFullyLoaded());
        test::pumpMessages (20);
    }
    ~Rig() { view->setLookAndFeel (nullptr); }

    const model::Session& session() const { return f.host.getSession(); }
    model::InstrumentId track() const { return session().instruments[session().instruments.size() - 1].id; }
    const std::vector<model::AudioClip>& clips() const { return session().instruments.find (track())->source.clips; }
    juce::Component& tracks() { return view->getTrackArea(); }
    std::size_t undoDepth() { return f.host.getHistory().undoDepth(); }
    juce::Rectangle<int> bounds (std::size_t index) { return view->getAudioClipBounds (track(), index); }

    Folder folder;
    test::GuiFixture f { withAudioTrack() };
    gui::LookAndFeel lookAndFeel;
    std::unique_ptr<gui::ArrangementView> view;
    std::unique_ptr<test::UiDriver> ui;
};

bool isWaveform (juce::Colour c) { return c.getRed() > 200 && c.getGreen() > 200 && c.getBlue() > 200; }
bool isStripe (juce::Colour c) { return c.getRed() > c.getBlue() + 25 && c.getRed() > c.getGreen() + 20; }

/** How many pixels of column x, from y0 to y1, match. */
template <typename Predicate>
int countInColumn (const juce::Image& image, int x, int y0, int y1, Predicate matches)
{
    int n = 0;
    for (int y = y0; y < y1; ++y)
        n += matches (image.getPixelAt (x, y)) ? 1 : 0;
    return n;
}
} // namespace

TEST_CASE ("Audio clips: drawn at their start and length with the file's name and waveform, a missing file is marked", "[gui][arrangement][audioclips]")
{
    Rig r;
    const auto axis = r.view->getAxis();
    const auto row = r.view->getTrackBounds (r.track());
    REQUIRE_FALSE (row.isEmpty());

    // The take: one beat in, four beats long (two seconds at 120 bpm), on its track's row.
    const auto take = r.bounds (0);
    CHECK (row.contains (take.getCentre()));
    CHECK (std::abs (take.getX() - (int) axis.xForTick (beat)) <= 1);
    CHECK (std::abs (take.getRight() - (int) axis.xForTick (5 * beat)) <= 1);
    const auto gone = r.bounds (1);
    CHECK (std::abs (gone.getX() - (int) axis.xForTick (6 * beat)) <= 1);
    CHECK (std::abs (gone.getWidth() - (int) (axis.pixelsPerTick * 2 * beat)) <= 1);

    const auto* takeFile = r.view->getAudioClipFiles().find (r.folder.dir.getChildFile ("Song Audio/Take 1.wav"));
    REQUIRE (takeFile != nullptr);
    CHECK_FALSE (takeFile->missing);
    CHECK (takeFile->length == (std::int64_t) (2 * rate));
    const auto* goneFile = r.view->getAudioClipFiles().find (r.folder.dir.getChildFile ("Song Audio/Gone.wav"));
    REQUIRE (goneFile != nullptr);
    CHECK (goneFile->missing);

    test::saveScreenshot (*r.view, "arrangement-audio-clips");
    const auto image = test::snapshot (r.tracks());
    // Below the name bar: the loud first second shows a tall waveform, the silent second almost none.
    const int y0 = take.getY() + 18, y1 = take.getBottom() - 3;
    int loud = 0, quiet = 0;
    for (int dx = -10; dx < 10; ++dx)
    {
        loud = std::max (loud, countInColumn (image, take.getX() + take.getWidth() / 4 + dx, y0, y1, isWaveform));
        quiet = std::max (quiet, countInColumn (image, take.getX() + take.getWidth() * 3 / 4 + dx, y0, y1, isWaveform));
    }
    CHECK (loud > (y1 - y0) * 2 / 3); // 0.9 of full scale
    CHECK (quiet <= 2); // the centre line
    // The missing file: no waveform, the warning stripes instead.
    int stripes = 0, waveform = 0;
    for (int x = gone.getX() + 4; x < gone.getRight() - 4; ++x)
    {
        stripes += countInColumn (image, x, gone.getY() + 18, gone.getBottom() - 3, isStripe);
        waveform += countInColumn (image, x, gone.getY() + 18, gone.getBottom() - 3, isWaveform);
    }
    CHECK (stripes > 100);
    CHECK (waveform == 0);
    // The headers count the track's audio clips; nothing was edited.
    CHECK (r.f.takeActionNames().empty());
}

TEST_CASE ("Audio clips: a drag moves a clip along its track, snapped, as one undo step", "[gui][arrangement][audioclips]")
{
    Rig r;
    const auto before = r.clips();
    const auto depth = r.undoDepth();
    const auto b = r.bounds (0);
    // Two and a bit beats to the right: the snap (a beat) lands it three beats in.
    r.ui->drag (r.tracks(), b.getCentre(), b.getCentre().translated (212, 0));
    const auto edits = actionsOf<model::action::EditAudioClip> (r.f.context.takeRecordedActions());
    REQUIRE_FALSE (edits.empty());
    CHECK (edits.front().clip == before[0]);
    CHECK (r.clips()[0].start == 3 * beat);
    CHECK (r.clips()[0].offset == 0);
    CHECK (r.clips()[0].length == before[0].length);
    CHECK (r.clips()[1] == before[1]);
    CHECK (r.undoDepth() == depth + 1);
    REQUIRE (r.view->getSelectedAudioClip().has_value());
    CHECK (r.view->getSelectedAudioClip()->clip == r.clips()[0]);
    CHECK (std::abs (r.bounds (0).getX() - (int) r.view->getAxis().xForTick (3 * beat)) <= 1);

    // Past the missing clip: the clips stay sorted by start, and one undo puts everything back.
    const auto again = r.bounds (0);
    r.ui->drag (r.tracks(), again.getCentre(), again.getCentre().translated (500, 0));
    CHECK (r.clips()[0] == before[1]);
    CHECK (r.clips()[1].start == 8 * beat);
    REQUIRE (r.f.host.apply (model::action::Undo {}).ok());
    REQUIRE (r.f.host.apply (model::action::Undo {}).ok());
    CHECK (r.clips() == before);
}

TEST_CASE ("Audio clips: dragging an edge trims the start (with the offset) or the end, within the file", "[gui][arrangement][audioclips]")
{
    Rig r;
    const auto before = r.clips()[0];
    const auto samplesPerBeat = (std::int64_t) (rate / 2.0); // 120 bpm
    auto b = r.bounds (0);
    const auto depth = r.undoDepth();

    // The left edge one beat to the right: the clip starts a beat later, half a second into the file.
    r.ui->drag (r.tracks(), { b.getX() + 2, b.getCentreY() }, { b.getX() + 2 + 100, b.getCentreY() });
    auto c = r.clips()[0];
    CHECK (c.start == before.start + beat);
    CHECK (c.offset == samplesPerBeat);
    CHECK (c.length == before.length - samplesPerBeat);
    CHECK (r.undoDepth() == depth + 1);
    CHECK (std::abs (r.bounds (0).getRight() - b.getRight()) <= 1); // the end stays where it was

    // The right edge one beat to the left.
    b = r.bounds (0);
    r.ui->drag (r.tracks(), { b.getRight() - 2, b.getCentreY() }, { b.getRight() - 2 - 100, b.getCentreY() });
    c = r.clips()[0];
    CHECK (c.start == before.start + beat);
    CHECK (c.offset == samplesPerBeat);
    CHECK (c.length == before.length - 2 * samplesPerBeat);
    CHECK (r.undoDepth() == depth + 2);

    // Far past the file's end: the clip ends with the file.
    b = r.bounds (0);
    r.ui->drag (r.tracks(), { b.getRight() - 2, b.getCentreY() }, { b.getRight() + 300, b.getCentreY() });
    CHECK (r.clips()[0].length == (std::int64_t) (2 * rate) - samplesPerBeat);
    // And the left edge far before the file's start: the clip starts with the file.
    b = r.bounds (0);
    r.ui->drag (r.tracks(), { b.getX() + 2, b.getCentreY() }, { b.getX() - 300, b.getCentreY() });
    c = r.clips()[0];
    CHECK (c.offset == 0);
    CHECK (c.start == before.start);
    CHECK (c.length == (std::int64_t) (2 * rate));
    for (const auto& e : actionsOf<model::action::EditAudioClip> (r.f.context.takeRecordedActions()))
        CHECK_FALSE (e.remove);
}

TEST_CASE ("Audio clips: the gain from the clip's menu, and Delete deletes the selected clip", "[gui][arrangement][audioclips]")
{
    Rig r;
    const auto before = r.clips();
    const auto depth = r.undoDepth();

    // A right-click selects the clip; its menu offers the gains and Delete.
    r.ui->rightClick (r.tracks(), r.bounds (0).getCentre());
    REQUIRE (r.view->getSelectedAudioClip().has_value());
    CHECK (r.view->getSelectedAudioClip()->clip == before[0]);
    juce::PopupMenu::dismissAllActiveMenus();
    test::pumpMessages (20);
    const auto menu = r.view->getAudioClipMenu (*r.view->getSelectedAudioClip());
    int minusSix = 0;
    for (juce::PopupMenu::MenuItemIterator it (menu, true); it.next();)
        if (it.getItem().text == "-6 dB")
            minusSix = it.getItem().itemID;
    REQUIRE (minusSix != 0);
    r.view->audioClipMenuItemChosen (*r.view->getSelectedAudioClip(), minusSix);
    CHECK (r.clips()[0].gain == Approx (juce::Decibels::decibelsToGain (-6.0f)));
    CHECK (r.undoDepth() == depth + 1);
    CHECK (r.view->getSelectedAudioClip()->clip == r.clips()[0]); // still selected, with its new gain

    // A click selects the missing clip; Delete deletes it, one undo step.
    r.ui->click (r.tracks(), r.bounds (1).getCentre());
    REQUIRE (r.view->getSelectedAudioClip().has_value());
    CHECK (r.view->getSelectedAudioClip()->clip == before[1]);
    r.f.context.takeRecordedActions();
    for (int waited = 0; ! r.ui->peer().isFocused() && waited < 2000; waited += 20)
        test::pumpMessages (20);
    r.ui->pressKey (juce::KeyPress (juce::KeyPress::deleteKey));
    const auto deletes = actionsOf<model::action::EditAudioClip> (r.f.context.takeRecordedActions());
    REQUIRE (deletes.size() == 1);
    CHECK (deletes[0].remove);
    REQUIRE (r.clips().size() == 1);
    CHECK_FALSE (r.view->getSelectedAudioClip().has_value());
    CHECK (r.undoDepth() == depth + 2);
    CHECK (r.bounds (1).isEmpty());

    // The menu's Delete, then undo of both deletions.
    r.view->audioClipMenuItemChosen ({ r.track(), r.clips()[0] }, gui::ArrangementView::deleteAudioClipItem);
    CHECK (r.clips().empty());
    REQUIRE (r.f.host.apply (model::action::Undo {}).ok());
    REQUIRE (r.f.host.apply (model::action::Undo {}).ok());
    REQUIRE (r.clips().size() == 2);
    CHECK (r.clips()[1] == before[1]);
}
