// StepSequencerView, continued: the pads' and the steps' right-click menus, and loading a sample
// onto a pad.

namespace imbolc::gui
{

juce::PopupMenu StepSequencerView::getPadMenu (int pad) const
{
    juce::PopupMenu menu;
    const auto sound = padValue (pad);
    const bool editable = getKit() != nullptr && canEdit();
    menu.addSectionHeader (sound.name.empty() ? "Pad " + juce::String (pad + 1) : juce::String (sound.name));
    menu.addItem (kickItem, "Kick", editable, sound.kind == model::DrumPadKind::kick);
    menu.addItem (snareItem, "Snare", editable, sound.kind == model::DrumPadKind::snare);
    menu.addItem (hatItem, "Hat", editable, sound.kind == model::DrumPadKind::hat);
    const auto file = juce::String (sound.samplePath).fromLastOccurrenceOf ("/", false, false);
    menu.addItem (loadSampleItem, sound.kind == model::DrumPadKind::sample && file.isNotEmpty() ? "Sample: " + file + "..." : juce::String ("Load Sample..."), editable, sound.kind == model::DrumPadKind::sample);
    juce::PopupMenu decay;
    for (int i = 0; i < (int) std::size (decayChoices); ++i)
        decay.addItem (decayItemBase + i, juce::String (juce::roundToInt (decayChoices[i] * 1000.0f)) + " ms", editable, std::abs (sound.decay - decayChoices[i]) < 0.001f);
    menu.addSubMenu ("Decay", decay, editable && sound.kind != model::DrumPadKind::sample);
    menu.addSeparator();
    menu.addItem (resetItem, "Reset Level and Tune", editable && (sound.level != 1.0f || sound.tune != 0.0f));
    return menu;
}

void StepSequencerView::padMenuItemChosen (int pad, int itemId)
{
    if (getKit() == nullptr || pad < 0 || pad >= model::DrumKit::numPads)
        return;
    auto sound = padValue (pad);
    switch (itemId)
    {
        case kickItem:
        case snareItem:
        case hatItem:
            sound.kind = itemId == kickItem ? model::DrumPadKind::kick : itemId == snareItem ? model::DrumPadKind::snare
                                                                                             : model::DrumPadKind::hat;
            sound.samplePath.clear();
            break;
        case loadSampleItem:
            chooseSample (pad);
            return;
        case resetItem:
            sound.level = 1.0f;
            sound.tune = 0.0f;
            break;
        default:
            if (itemId >= decayItemBase && itemId < decayItemBase + (int) std::size (decayChoices))
                sound.decay = decayChoices[itemId - decayItemBase];
            else
                return;
    }
    setPad (pad, std::move (sound));
}

juce::PopupMenu StepSequencerView::getStepMenu (int pad, int step) const
{
    juce::PopupMenu menu;
    const auto cell = cellValue (pad, step);
    const bool editable = getKit() != nullptr && canEdit();
    menu.addItem (toggleItem, cell.on ? "Turn Off" : "Turn On", editable);
    menu.addSectionHeader ("Velocity");
    for (int i = 0; i < (int) std::size (velocityChoices); ++i)
        menu.addItem (velocityItemBase + i, juce::String (velocityChoices[i]), editable, cell.velocity == velocityChoices[i]);
    menu.addSectionHeader ("Probability");
    for (int i = 0; i < (int) std::size (probabilityChoices); ++i)
        menu.addItem (probabilityItemBase + i, juce::String (juce::roundToInt (probabilityChoices[i] * 100.0f)) + "%", editable, std::abs (cell.probability - probabilityChoices[i]) < 0.001f);
    return menu;
}

void StepSequencerView::stepMenuItemChosen (int pad, int step, int itemId)
{
    const auto* kit = getKit();
    if (kit == nullptr || pad < 0 || pad >= model::DrumKit::numPads || step < 0 || step >= kit->steps)
        return;
    auto cell = cellValue (pad, step);
    if (itemId == toggleItem)
        cell.on = ! cell.on;
    else if (itemId >= velocityItemBase && itemId < velocityItemBase + (int) std::size (velocityChoices))
        cell = { true, (std::uint8_t) velocityChoices[itemId - velocityItemBase], cell.probability };
    else if (itemId >= probabilityItemBase && itemId < probabilityItemBase + (int) std::size (probabilityChoices))
        cell = { true, cell.velocity, probabilityChoices[itemId - probabilityItemBase] };
    else
        return;
    setCell (pad, step, cell);
}

void StepSequencerView::chooseSample (int pad)
{
    chooser = std::make_unique<juce::FileChooser> ("Choose a sample for the pad", juce::File(), "*.wav;*.aif;*.aiff;*.flac;*.ogg");
    chooser->launchAsync (juce::FileBrowserComponent::openMode | juce::FileBrowserComponent::canSelectFiles,
                          [safe = juce::Component::SafePointer<StepSequencerView> (this), pad, id = instrument] (const juce::FileChooser& fc)
                          {
                              // The view may show another instrument by now: the file is for the one it was chosen for.
                              if (safe != nullptr && fc.getResult() != juce::File() && safe->instrument == id)
                                  safe->loadSample (pad, fc.getResult());
                          });
}

void StepSequencerView::loadSample (int pad, const juce::File& file)
{
    if (getKit() == nullptr || pad < 0 || pad >= model::DrumKit::numPads)
        return;
    auto sound = padValue (pad);
    sound.kind = model::DrumPadKind::sample;
    sound.samplePath = file.getFullPathName().toStdString();
    sound.name = file.getFileNameWithoutExtension().substring (0, 64).toStdString();
    setPad (pad, std::move (sound));
}

} // namespace imbolc::gui
