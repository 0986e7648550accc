// The chain view's panels (source, stage, amp envelope, LFO), its plugin windows and the scrolled content.
// Included before imbolc_ChainView.cpp in the module's one translation unit, which shares its helpers.

namespace imbolc::gui
{

namespace
{
    constexpr int chainFilterItemBase = 100;
    constexpr int chainEqItem = 200;
    constexpr int chainEffectItemBase = 300;
    constexpr int chainPluginItemBase = 1000;

    constexpr int chainPanelPad = 8;
    constexpr int chainTitleHeight = 24;
    constexpr int chainRowHeight = 28;
    constexpr int chainPanelGap = 22; // room for the signal-flow arrow between panels

    juce::String chainCapitalised (const juce::String& s)
    {
        return s.substring (0, 1).toUpperCase() + s.substring (1);
    }

    bool chainIsPluginStage (const model::Stage& s)
    {
        return s.kind == model::StageKind::effect && s.effect == model::EffectType::plugin;
    }

    juce::String chainPluginName (const model::PluginRef& ref)
    {
        if (! ref.name.empty())
            return ref.name;
        const auto id = juce::String (ref.identifier);
        return id.fromLastOccurrenceOf ("/", false, false).upToFirstOccurrenceOf ("|", false, false);
    }

    juce::String chainStageTitle (const model::Stage& s)
    {
        switch (s.kind)
        {
            case model::StageKind::filter:
                return chainCapitalised (model::toString (s.filter)) + " filter";
            case model::StageKind::eq:
                return "EQ";
            case model::StageKind::effect:
                return chainIsPluginStage (s) ? chainPluginName (s.plugin) : chainCapitalised (model::toString (s.effect));
        }
        return "Stage";
    }

    /** A parameter kept in a struct field (amp, LFO), as a Parameter for its knob: the session's value
        and range, the model's default. */
    model::Parameter chainFixedParam (const model::Session& session, model::InstrumentId id, model::ParamGroup group, std::uint16_t index, const char* name, float defaultValue)
    {
        const auto info = model::findParam (session, model::ParamAddress::instrument (id, group, index));
        if (! info)
            return { name, defaultValue, 0.0f, 1.0f, defaultValue };
        return { name, info->value, info->minValue, info->maxValue, defaultValue };
    }

    model::Parameter chainAmpParam (const model::Session& session, model::InstrumentId id, model::AmpParam p)
    {
        static constexpr const char* names[] = { "attack", "decay", "sustain", "release" };
        const model::Adsr defaults;
        const float values[] = { defaults.attack, defaults.decay, defaults.sustain, defaults.release };
        return chainFixedParam (session, id, model::ParamGroup::amp, (std::uint16_t) p, names[(int) p], values[(int) p]);
    }

    model::Parameter chainLfoParam (const model::Session& session, model::InstrumentId id, model::LfoParam p)
    {
        const model::Lfo defaults;
        return p == model::LfoParam::rate ? chainFixedParam (session, id, model::ParamGroup::lfo, 0, "rate", defaults.rate)
                                          : chainFixedParam (session, id, model::ParamGroup::lfo, 1, "depth", defaults.depth);
    }

    const char* chainSourceKindName (model::SourceKind k)
    {
        switch (k)
        {
            case model::SourceKind::builtIn:
                return "built-in";
            case model::SourceKind::plugin:
                return "plugin";
            case model::SourceKind::synthDef:
                return "SynthDef";
            case model::SourceKind::audioInput:
                return "audio input";
            case model::SourceKind::audioClips:
                return "audio track";
        }
        return "source";
    }

    /** Carries the values of same-named parameters over to a new built-in type's defaults, so switching
        saw to triangle keeps the tune and level a person set. */
    std::vector<model::Parameter> chainCarriedParams (model::BuiltInSource type, const std::vector<model::Parameter>& old)
    {
        auto params = model::makeParameters (type);
        for (auto& p : params)
            for (const auto& o : old)
                if (o.name == p.name)
                    p.value = juce::jlimit (p.minValue, p.maxValue, o.value);
        return params;
    }
} // namespace

//==============================================================================
/** A plugin's editor in a window of its own. The editor is deleted before the window, and the window
    before the plugin (the chain view closes it when the plugin goes). */
class ChainView::PluginWindow final : public juce::DocumentWindow
{
public:
    PluginWindow (juce::AudioPluginInstance& p, const juce::String& titleText, std::function<void()> onCloseRequested)
        : juce::DocumentWindow (titleText, LookAndFeel::Palette::background, juce::DocumentWindow::closeButton), processor (p), onClose (std::move (onCloseRequested))
    {
        juce::AudioProcessorEditor* editor = processor.hasEditor() ? processor.createEditorIfNeeded() : nullptr;
        if (editor == nullptr)
            editor = new juce::GenericAudioProcessorEditor (processor);
        setContentOwned (editor, true);
        setUsingNativeTitleBar (true);
        setResizable (editor->isResizable(), false);
        centreWithSize (juce::jmax (200, getWidth()), juce::jmax (80, getHeight()));
        setVisible (true);
    }

    ~PluginWindow() override
    {
        clearContentComponent();
    }

    void closeButtonPressed() override
    {
        if (onClose)
            onClose();
    }

    juce::AudioPluginInstance& processor;

private:
    std::function<void()> onClose;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (PluginWindow)
};

//==============================================================================
/** One box of the chain: a title, a few rows of controls, and a grid of knobs. */
class ChainView::Panel : public juce::Component
{
public:
    Panel (ChainView& v, const juce::String& id, int controlRows, int minimumWidth)
        : view (v), rows (controlRows), minWidth (minimumWidth)
    {
        setComponentID (id);
    }

    /** Shows the session's values (the structure is unchanged). */
    virtual void refresh() = 0;

    /** The panel's width at a height: as many knob columns as the knobs need when stacked to fit. */
    int widthFor (int height) const
    {
        const auto knobArea = height - headerHeight() - chainPanelPad;
        const auto knobRows = juce::jmax (1, knobArea / ParamKnob::preferredHeight);
        const auto n = (int) knobs.size();
        const auto fitting = (minWidth - 2 * chainPanelPad) / ParamKnob::preferredWidth;
        const auto columns = n == 0 ? 0 : juce::jmax ((n + knobRows - 1) / knobRows, juce::jmin (n, fitting));
        return juce::jmax (minWidth, columns * ParamKnob::preferredWidth + 2 * chainPanelPad);
    }

    int headerHeight() const { return chainTitleHeight + rows * chainRowHeight + 4; }

    void paint (juce::Graphics& g) override
    {
        const auto r = getLocalBounds().toFloat().reduced (0.5f);
        g.setColour (LookAndFeel::Palette::panelLight);
        g.fillRoundedRectangle (r, 6.0f);
        g.setColour (LookAndFeel::Palette::outline);
        g.drawRoundedRectangle (r, 6.0f, 1.0f);
        g.setColour (dimmed ? LookAndFeel::Palette::textDim : LookAndFeel::Palette::text);
        g.setFont (juce::Font (14.0f, juce::Font::bold));
        g.drawFittedText (heading, getLocalBounds().removeFromTop (chainTitleHeight).reduced (chainPanelPad, 0).withTrimmedRight (titleRightInset), juce::Justification::centredLeft, 1, 0.8f);
    }

    void resized() override
    {
        auto r = getLocalBounds().reduced (chainPanelPad, 0);
        auto titleRow = r.removeFromTop (chainTitleHeight);
        layoutTitleRow (titleRow);
        for (int i = 0; i < rows; ++i)
            layoutRow (i, r.removeFromTop (chainRowHeight).reduced (0, 2));
        r.removeFromTop (4);
        const auto columns = juce::jmax (1, r.getWidth() / ParamKnob::preferredWidth);
        const auto left = r.getX() + (r.getWidth() - juce::jmin ((int) knobs.size(), columns) * ParamKnob::preferredWidth) / 2;
        for (int i = 0; i < (int) knobs.size(); ++i)
            knobs[(size_t) i]->setBounds (left + (i % columns) * ParamKnob::preferredWidth, r.getY() + (i / columns) * ParamKnob::preferredHeight, ParamKnob::preferredWidth, ParamKnob::preferredHeight);
    }

    std::vector<std::unique_ptr<ParamKnob>> knobs;

protected:
    virtual void layoutTitleRow (juce::Rectangle<int>) {}
    virtual void layoutRow (int, juce::Rectangle<int>) {}

    ParamKnob& addKnob (const model::ParamAddress& a, const model::Parameter& p, bool plain = false)
    {
        knobs.push_back (std::make_unique<ParamKnob> (view.context, a, p, plain));
        addAndMakeVisible (*knobs.back());
        return *knobs.back();
    }

    void setHeading (const juce::String& h, bool shouldDim = false)
    {
        if (h == heading && shouldDim == dimmed)
            return;
        heading = h;
        dimmed = shouldDim;
        repaint (getLocalBounds().removeFromTop (chainTitleHeight));
    }

    static void styleSmallButton (juce::Button& b, const juce::String& id, const juce::String& tip)
    {
        b.setComponentID (id);
        b.setTooltip (tip);
    }

    /** The Edit button of a plugin: enabled when this process has the plugin loaded. */
    void updateEditButton (juce::TextButton& edit, model::StageId stage)
    {
        const bool loaded = view.context.session.findPlugin (view.subject.node, view.subject.id, stage) != nullptr;
        edit.setEnabled (loaded);
        edit.setTooltip (loaded ? "Open the plugin's editor"
                                : "The plugin is not loaded here (a joined seat plays it on the host, or it failed to load)");
    }

    ChainView& view;
    const int rows, minWidth;
    int titleRightInset = 0;
    juce::String heading;
    bool dimmed = false;
};

//==============================================================================
class ChainView::SourcePanel final : public Panel
{
public:
    SourcePanel (ChainView& v, const model::Instrument& inst)
        : Panel (v, "source", rowsFor (inst.source), 216), instrument (inst.id)
    {
        const auto& src = inst.source;
        setHeading ("Source: " + juce::String (chainSourceKindName (src.kind)));

        type.setComponentID ("sourceType");
        type.setTooltip ("The built-in sound source; picking one replaces the current source");
        for (int i = 0; i < model::numBuiltInSources; ++i)
            type.addItem (chainCapitalised (model::toString ((model::BuiltInSource) i)), i + 1);
        type.addSeparator();
        type.addItem ("Audio input", audioInputItem);
        type.onChange = [this]
        { typeChosen(); };
        addAndMakeVisible (type);

        if (src.kind == model::SourceKind::audioInput)
        {
            // The device input pair, whether the chain hears it, and the record arm (the transport's
            // record button records every armed input).
            inputPair.setComponentID ("inputPair");
            inputPair.setTooltip ("The device input pair this instrument plays (numbered as the device gives its active inputs)");
            for (int c = 0; c < maxInputPairChoices; ++c)
                inputPair.addItem ("In " + juce::String (c + 1) + "/" + juce::String (c + 2), c + 1);
            inputPair.onChange = [this]
            { inputChosen(); };
            addAndMakeVisible (inputPair);
            monitor.setComponentID ("monitoring");
            monitor.setTooltip ("Hear the input through the chain (off: silent; recording does not depend on it)");
            monitor.onClick = [this]
            { monitoringChosen(); };
            addAndMakeVisible (monitor);
            arm.setComponentID ("recordArm");
            arm.setTooltip ("Record this input while the transport records: each take becomes a new audio track");
            arm.onClick = [this]
            { armChosen(); };
            addAndMakeVisible (arm);
        }

        if (src.kind == model::SourceKind::builtIn && src.builtIn == model::BuiltInSource::sampler)
        {
            samplePath.setComponentID ("samplePath");
            samplePath.setFont (juce::Font (12.0f));
            samplePath.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
            samplePath.setMinimumHorizontalScale (0.6f);
            addAndMakeVisible (samplePath);
            styleSmallButton (loadSample, "loadSample", "Choose the sample file");
            loadSample.onClick = [this]
            { chooseSample(); };
            addAndMakeVisible (loadSample);
        }
        if (src.kind == model::SourceKind::plugin)
        {
            styleSmallButton (edit, "edit", {});
            edit.onClick = [this]
            { view.openPluginWindow ({}); };
            addAndMakeVisible (edit);
        }
        if (src.kind != model::SourceKind::builtIn && src.kind != model::SourceKind::audioInput)
        {
            detail.setFont (juce::Font (12.0f));
            detail.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
            detail.setMinimumHorizontalScale (0.6f);
            addAndMakeVisible (detail);
        }

        const bool plain = src.kind == model::SourceKind::plugin;
        for (std::uint16_t i = 0; i < src.params.size(); ++i)
            addKnob (model::ParamAddress::instrument (inst.id, model::ParamGroup::source, i), src.params[i], plain);
        refresh();
    }

    void refresh() override
    {
        const auto* inst = view.currentInstrument();
        if (inst == nullptr)
            return;
        const auto& src = inst->source;
        if (src.kind == model::SourceKind::builtIn)
            type.setSelectedId ((int) src.builtIn + 1, juce::dontSendNotification);
        else if (src.kind == model::SourceKind::audioInput)
            type.setSelectedId (audioInputItem, juce::dontSendNotification);
        else
            type.setText (src.kind == model::SourceKind::plugin ? chainPluginName (src.plugin) : juce::String (chainSourceKindName (src.kind)),
                          juce::dontSendNotification);

        if (samplePath.getParentComponent() == this)
        {
            const juce::String path (src.samplePath);
            samplePath.setText (path.isEmpty() ? "no sample" : path.fromLastOccurrenceOf ("/", false, false), juce::dontSendNotification);
            samplePath.setTooltip (path);
        }
        if (src.kind == model::SourceKind::plugin)
        {
            updateEditButton (edit, {});
            detail.setText (src.plugin.identifier, juce::dontSendNotification);
            detail.setTooltip (src.plugin.identifier);
        }
        else if (src.kind == model::SourceKind::synthDef)
            detail.setText (src.synthDef, juce::dontSendNotification);
        else if (src.kind == model::SourceKind::audioInput)
        {
            if (src.inputChannel < maxInputPairChoices)
                inputPair.setSelectedId (src.inputChannel + 1, juce::dontSendNotification);
            else
                inputPair.setText ("In " + juce::String (src.inputChannel + 1) + "/" + juce::String (src.inputChannel + 2), juce::dontSendNotification);
            monitor.setToggleState (src.monitoring, juce::dontSendNotification);
            arm.setToggleState (inst->recordArmed, juce::dontSendNotification);
        }
        else if (src.kind == model::SourceKind::audioClips)
        {
            const auto n = (int) src.clips.size();
            const auto text = juce::String (n) + (n == 1 ? " clip" : " clips") + (n > 0 ? ": " + juce::String (src.clips.front().path).fromLastOccurrenceOf ("/", false, false) : juce::String());
            detail.setText (text, juce::dontSendNotification);
            detail.setTooltip (n > 0 ? juce::String (src.clips.front().path) : juce::String());
        }

        for (std::size_t i = 0; i < knobs.size() && i < src.params.size(); ++i)
            knobs[i]->setParameter (src.params[i]);
    }

    juce::ComboBox type;
    juce::Label samplePath;
    juce::TextButton loadSample { "Load..." };
    juce::TextButton edit { "Edit" };
    juce::ComboBox inputPair;
    juce::ToggleButton monitor { "Monitor" }, arm { "Arm" };

private:
    static constexpr int audioInputItem = 1000;
    static constexpr int maxInputPairChoices = 16;

    static int rowsFor (const model::Source& s)
    {
        const bool sampler = s.kind == model::SourceKind::builtIn && s.builtIn == model::BuiltInSource::sampler;
        return 1 + ((sampler || s.kind != model::SourceKind::builtIn) ? 1 : 0);
    }

    void layoutRow (int row, juce::Rectangle<int> r) override
    {
        if (row == 0)
        {
            type.setBounds (r);
            return;
        }
        if (inputPair.getParentComponent() == this)
        {
            inputPair.setBounds (r.removeFromLeft (juce::jmax (60, r.getWidth() * 2 / 5)).withTrimmedRight (4));
            arm.setBounds (r.removeFromRight (r.getWidth() / 2));
            monitor.setBounds (r);
        }
        else if (loadSample.getParentComponent() == this)
        {
            loadSample.setBounds (r.removeFromRight (64));
            samplePath.setBounds (r.withTrimmedRight (4));
        }
        else
        {
            if (edit.getParentComponent() == this)
                edit.setBounds (r.removeFromRight (48));
            detail.setBounds (r.withTrimmedRight (4));
        }
    }

    void inputChosen()
    {
        const auto* inst = view.currentInstrument();
        const auto chosen = inputPair.getSelectedId() - 1;
        if (inst == nullptr || chosen < 0 || inst->source.inputChannel == chosen)
            return;
        auto src = inst->source;
        src.inputChannel = chosen;
        if (! view.context.perform (model::action::SetSource { instrument, std::move (src) }).ok())
            refresh();
    }

    void monitoringChosen()
    {
        const auto* inst = view.currentInstrument();
        if (inst == nullptr)
            return;
        auto src = inst->source;
        src.monitoring = monitor.getToggleState();
        if (src == inst->source || ! view.context.perform (model::action::SetSource { instrument, std::move (src) }).ok())
            refresh();
    }

    void armChosen()
    {
        if (! view.context.perform (model::action::SetRecordArm { instrument, arm.getToggleState() }).ok())
            refresh();
    }

    void typeChosen()
    {
        const auto* inst = view.currentInstrument();
        if (type.getSelectedId() == audioInputItem)
        {
            if (inst == nullptr || inst->source.kind == model::SourceKind::audioInput)
                return;
            model::Source src;
            src.kind = model::SourceKind::audioInput;
            if (! view.context.perform (model::action::SetSource { instrument, std::move (src) }).ok())
                refresh();
            return;
        }
        const auto chosen = type.getSelectedId() - 1;
        if (inst == nullptr || chosen < 0 || chosen >= model::numBuiltInSources)
            return;
        const auto t = (model::BuiltInSource) chosen;
        if (inst->source.kind == model::SourceKind::builtIn && inst->source.builtIn == t)
            return;
        auto src = inst->source;
        src.kind = model::SourceKind::builtIn;
        src.builtIn = t;
        src.plugin = {}; // a plugin's state means nothing to a built-in source
        src.params = chainCarriedParams (t, inst->source.params);
        if (! view.context.perform (model::action::SetSource { instrument, std::move (src) }).ok())
            refresh();
    }

    void chooseSample()
    {
        chooser = std::make_unique<juce::FileChooser> ("Choose a sample", juce::File(), "*.wav;*.aif;*.aiff;*.flac;*.ogg");
        chooser->launchAsync (juce::FileBrowserComponent::openMode | juce::FileBrowserComponent::canSelectFiles,
                              [safe = juce::Component::SafePointer<SourcePanel> (this)] (const juce::FileChooser& fc)
                              {
                                  if (safe == nullptr || fc.getResult() == juce::File())
                                      return;
                                  safe->setSamplePath (fc.getResult().getFullPathName());
                              });
    }

public:
    /** Sets the sampler's file (what the file chooser does). */
    void setSamplePath (const juce::String& path)
    {
        const auto* inst = view.currentInstrument();
        if (inst == nullptr)
            return;
        auto src = inst->source;
        src.samplePath = path.toStdString();
        view.context.perform (model::action::SetSource { instrument, std::move (src) });
    }

private:
    const model::InstrumentId instrument;
    juce::Label detail;
    std::unique_ptr<juce::FileChooser> chooser;
};

//==============================================================================
class ChainView::StagePanel final : public Panel
{
public:
    StagePanel (ChainView& v, const model::Stage& st, std::size_t position, std::size_t count)
        : Panel (v, "stage." + juce::String (st.id.value), 1, 176), stage (st.id)
    {
        titleRightInset = 26;
        setHeading (chainStageTitle (st));

        styleSmallButton (moveLeft, "moveLeft", "Move this stage earlier in the chain");
        moveLeft.setEnabled (position > 0);
        moveLeft.onClick = [this, position]
        { move ((int) position - 1); };
        addAndMakeVisible (moveLeft);

        styleSmallButton (moveRight, "moveRight", "Move this stage later in the chain");
        moveRight.setEnabled (position + 1 < count);
        moveRight.onClick = [this, position]
        { move ((int) position + 1); };
        addAndMakeVisible (moveRight);

        styleSmallButton (bypass, "bypass", "Bypass: the signal passes this stage untouched");
        bypass.setColour (juce::TextButton::buttonOnColourId, LookAndFeel::Palette::mute);
        bypass.onClick = [this]
        { toggleBypass(); };
        addAndMakeVisible (bypass);

        styleSmallButton (remove, "remove", "Remove this stage");
        remove.onClick = [this]
        { view.context.perform (model::action::RemoveStage { view.subject.node, view.subject.id, stage }); };
        addAndMakeVisible (remove);

        if (chainIsPluginStage (st))
        {
            styleSmallButton (edit, "edit", {});
            edit.onClick = [this]
            { view.openPluginWindow (stage); };
            addAndMakeVisible (edit);
        }

        for (std::uint16_t i = 0; i < st.params.size(); ++i)
            addKnob (model::ParamAddress::stage (view.subject.node, view.subject.id, st.id, i), st.params[i], chainIsPluginStage (st));
        refresh();
    }

    void refresh() override
    {
        const auto* chain = view.currentChain();
        const auto* st = chain != nullptr ? model::findStage (*chain, stage) : nullptr;
        if (st == nullptr)
            return;
        if (bypass.getToggleState() != st->bypassed)
        {
            bypass.setToggleState (st->bypassed, juce::dontSendNotification);
            setHeading (heading, st->bypassed);
            for (auto& k : knobs)
                k->setAlpha (st->bypassed ? 0.45f : 1.0f);
        }
        if (edit.getParentComponent() == this)
            updateEditButton (edit, stage);
        for (std::size_t i = 0; i < knobs.size() && i < st->params.size(); ++i)
            knobs[i]->setParameter (st->params[i]);
    }

    // Dragging a panel by its background reorders the chain: it follows the mouse, and where it is let
    // go (among the other stages' centres) is its new position.
    void mouseDown (const juce::MouseEvent&) override
    {
        dragStartX = getX();
    }

    void mouseDrag (const juce::MouseEvent& e) override
    {
        if (! isEnabled() || std::abs (e.getDistanceFromDragStartX()) < 6)
            return;
        dragging = true;
        setAlpha (0.8f);
        toFront (false);
        setTopLeftPosition (dragStartX + e.getDistanceFromDragStartX(), getY());
    }

    void mouseUp (const juce::MouseEvent&) override
    {
        if (! std::exchange (dragging, false))
            return;
        setAlpha (1.0f);
        const auto target = view.stagePositionAt (getBounds().getCentreX(), this);
        const auto* chain = view.currentChain();
        const auto* st = chain != nullptr ? model::findStage (*chain, stage) : nullptr;
        const auto current = st != nullptr ? (int) (st - chain->data()) : -1;
        if (target != current && current >= 0)
            move (target); // the rebuild puts every panel in place
        else
            view.layoutContent();
    }

    const model::StageId stage;
    juce::TextButton moveLeft { juce::String::fromUTF8 ("\xe2\x97\x80") }, moveRight { juce::String::fromUTF8 ("\xe2\x96\xb6") };
    juce::TextButton bypass { "Bypass" }, remove { juce::String::fromUTF8 ("\xe2\x9c\x95") }, edit { "Edit" };

private:
    void layoutTitleRow (juce::Rectangle<int> r) override
    {
        remove.setBounds (r.removeFromRight (24).withSizeKeepingCentre (24, 20));
    }

    void layoutRow (int, juce::Rectangle<int> r) override
    {
        moveLeft.setBounds (r.removeFromLeft (26));
        r.removeFromLeft (2);
        moveRight.setBounds (r.removeFromLeft (26));
        r.removeFromLeft (6);
        bypass.setBounds (r.removeFromLeft (60));
        if (edit.getParentComponent() == this)
            edit.setBounds (r.removeFromLeft (46).withTrimmedLeft (6));
    }

    int dragStartX = 0;
    bool dragging = false;

    void move (int position)
    {
        view.context.perform (model::action::MoveStage { view.subject.node, view.subject.id, stage, position });
    }

    void toggleBypass()
    {
        view.context.perform (model::action::SetStageBypass { view.subject.node, view.subject.id, stage, ! bypass.getToggleState() });
    }
};

//==============================================================================
class ChainView::AmpPanel final : public Panel
{
public:
    AmpPanel (ChainView& v, const model::Instrument& inst)
        : Panel (v, "amp", 1, 176), instrument (inst.id)
    {
        setHeading ("Amp envelope");
        const auto& session = view.context.getSession();
        for (auto p : { model::AmpParam::attack, model::AmpParam::decay, model::AmpParam::sustain, model::AmpParam::release })
            addKnob (model::ParamAddress::instrument (inst.id, model::ParamGroup::amp, (std::uint16_t) p), chainAmpParam (session, inst.id, p));

        voicesLabel.setText ("Voices", juce::dontSendNotification);
        voicesLabel.setFont (juce::Font (12.0f));
        voicesLabel.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
        addAndMakeVisible (voicesLabel);

        voiceCap.setComponentID ("voiceCap");
        voiceCap.setSliderStyle (juce::Slider::IncDecButtons);
        voiceCap.setTextBoxStyle (juce::Slider::TextBoxLeft, false, 44, 20);
        voiceCap.setRange (1.0, (double) model::Instrument::maxVoiceCap, 1.0);
        voiceCap.setIncDecButtonsMode (juce::Slider::incDecButtonsNotDraggable);
        voiceCap.setTooltip ("How many notes this instrument plays at once (1 to " + juce::String (model::Instrument::maxVoiceCap) + ")");
        voiceCap.onValueChange = [this]
        { voiceCapChanged(); };
        addAndMakeVisible (voiceCap);
        refresh();
    }

    void refresh() override
    {
        const auto* inst = view.currentInstrument();
        if (inst == nullptr)
            return;
        const auto& session = view.context.getSession();
        for (std::size_t i = 0; i < knobs.size(); ++i)
            knobs[i]->setParameter (chainAmpParam (session, instrument, (model::AmpParam) i));
        if ((int) voiceCap.getValue() != inst->voiceCap)
            voiceCap.setValue (inst->voiceCap, juce::dontSendNotification);
    }

    juce::Slider voiceCap;

private:
    void layoutRow (int, juce::Rectangle<int> r) override
    {
        voicesLabel.setBounds (r.removeFromLeft (50));
        voiceCap.setBounds (r.withWidth (juce::jmin (r.getWidth(), 110)));
    }

    void voiceCapChanged()
    {
        const auto* inst = view.currentInstrument();
        const auto cap = juce::roundToInt (voiceCap.getValue());
        if (inst == nullptr || cap == inst->voiceCap)
            return;
        if (! view.context.perform (model::action::SetVoiceCap { instrument, cap }).ok())
            refresh();
    }

    const model::InstrumentId instrument;
    juce::Label voicesLabel;
};

//==============================================================================
class ChainView::LfoPanel final : public Panel
{
public:
    LfoPanel (ChainView& v, const model::Instrument& inst)
        : Panel (v, "lfo", 2, 200), instrument (inst.id)
    {
        setHeading ("LFO");

        enabled.setComponentID ("lfoEnabled");
        enabled.setTooltip ("Modulate the target with the LFO");
        enabled.onClick = [this]
        { send (enabled.getToggleState(), currentShape(), currentTarget()); };
        addAndMakeVisible (enabled);

        shape.setComponentID ("lfoShape");
        for (auto s : { "Sine", "Square", "Saw", "Triangle" })
            shape.addItem (s, shape.getNumItems() + 1);
        shape.onChange = [this]
        { send (enabled.getToggleState(), currentShape(), currentTarget()); };
        addAndMakeVisible (shape);

        target.setComponentID ("lfoTarget");
        target.setTextWhenNothingSelected ("Choose a target");
        target.setTooltip ("The parameter the LFO moves");
        listTargets (inst);
        target.onChange = [this]
        { send (enabled.getToggleState(), currentShape(), currentTarget()); };
        addAndMakeVisible (target);

        const auto& session = view.context.getSession();
        for (auto p : { model::LfoParam::rate, model::LfoParam::depth })
            addKnob (model::ParamAddress::instrument (inst.id, model::ParamGroup::lfo, (std::uint16_t) p), chainLfoParam (session, inst.id, p));
        refresh();
    }

    void refresh() override
    {
        const auto* inst = view.currentInstrument();
        if (inst == nullptr)
            return;
        const auto& lfo = inst->lfo;
        enabled.setToggleState (lfo.enabled, juce::dontSendNotification);
        shape.setSelectedId ((int) lfo.shape + 1, juce::dontSendNotification);
        const auto it = std::find (targets.begin(), targets.end(), lfo.target);
        target.setSelectedId (it != targets.end() ? (int) (it - targets.begin()) + 1 : 0, juce::dontSendNotification);
        const auto& session = view.context.getSession();
        for (std::size_t i = 0; i < knobs.size(); ++i)
            knobs[i]->setParameter (chainLfoParam (session, instrument, (model::LfoParam) i));
    }

    /** The target list's addresses, in item order (item id = index + 1). */
    const std::vector<model::ParamAddress>& getTargets() const noexcept { return targets; }

    juce::ToggleButton enabled { "On" };
    juce::ComboBox shape, target;

private:
    void listTargets (const model::Instrument& inst)
    {
        // Whatever the dispatcher lets an LFO modulate: this instrument's parameters but its own and the
        // sends (which come and go with the routing, not with this chain).
        const auto add = [this] (const model::ParamAddress& a, const juce::String& label)
        {
            targets.push_back (a);
            target.addItem (label, (int) targets.size());
        };
        for (std::uint16_t i = 0; i < inst.source.params.size(); ++i)
            add (model::ParamAddress::instrument (inst.id, model::ParamGroup::source, i), "Source: " + paramtext::displayName (inst.source.params[i].name));
        for (const auto& st : inst.chain)
            for (std::uint16_t i = 0; i < st.params.size(); ++i)
                add (model::ParamAddress::stage (model::NodeKind::instrument, inst.id.value, st.id, i), chainStageTitle (st) + ": " + paramtext::displayName (st.params[i].name));
        static constexpr const char* ampNames[] = { "Attack", "Decay", "Sustain", "Release" };
        for (std::uint16_t i = 0; i < 4; ++i)
            add (model::ParamAddress::instrument (inst.id, model::ParamGroup::amp, i), juce::String ("Amp: ") + ampNames[i]);
        add (model::ParamAddress::instrument (inst.id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level), "Strip: Level");
        add (model::ParamAddress::instrument (inst.id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::pan), "Strip: Pan");
    }

    model::LfoShape currentShape() const
    {
        return (model::LfoShape) juce::jlimit (0, 3, shape.getSelectedId() - 1);
    }

    model::ParamAddress currentTarget() const
    {
        const auto i = target.getSelectedId() - 1;
        if (i >= 0 && i < (int) targets.size())
            return targets[(size_t) i];
        // Switching on without a target: the first filter's cutoff if there is one, else the first listed.
        for (const auto& a : targets)
            if (a.group == model::ParamGroup::stage && a.index == 0)
                if (const auto* inst = view.currentInstrument())
                    if (const auto* st = inst->findStage (model::StageId { a.itemId }); st != nullptr && st->kind == model::StageKind::filter)
                        return a;
        return targets.empty() ? model::ParamAddress {} : targets.front();
    }

    void send (bool on, model::LfoShape s, model::ParamAddress t)
    {
        if (! view.context.perform (model::action::SetLfo { instrument, on, s, t }).ok())
            refresh();
    }

    void layoutRow (int row, juce::Rectangle<int> r) override
    {
        if (row == 0)
        {
            enabled.setBounds (r.removeFromLeft (52));
            shape.setBounds (r.withTrimmedLeft (4));
        }
        else
        {
            target.setBounds (r);
        }
    }

    const model::InstrumentId instrument;
    std::vector<model::ParamAddress> targets;
};

//==============================================================================
/** What the viewport scrolls: the panels, with the signal-flow arrows between them. */
class ChainContent final : public juce::Component
{
public:
    void paint (juce::Graphics& g) override
    {
        g.setColour (LookAndFeel::Palette::textDim);
        for (const auto x : arrows)
        {
            juce::Path arrow;
            const auto y = (float) arrowY;
            arrow.addArrow ({ (float) x + 4.0f, y, (float) x + (float) chainPanelGap - 4.0f, y }, 2.0f, 8.0f, 7.0f);
            g.fillPath (arrow);
        }
    }

    std::vector<int> arrows;
    int arrowY = 40;
};

} // namespace imbolc::gui
