namespace imbolc::gui
{

namespace automation
{
    namespace
    {
        const model::Stage* stageOf (const model::Session& session, const model::ParamAddress& a)
        {
            switch (a.node)
            {
                case model::NodeKind::instrument:
                    if (const auto* inst = session.instruments.find (model::InstrumentId { a.nodeId }))
                        return inst->findStage (model::StageId { a.itemId });
                    return nullptr;
                case model::NodeKind::bus:
                    if (const auto* bus = session.mixer.buses.find (model::BusId { a.nodeId }))
                        return model::findStage (bus->chain, model::StageId { a.itemId });
                    return nullptr;
                case model::NodeKind::master:
                    return model::findStage (session.mixer.master.chain, model::StageId { a.itemId });
            }
            return nullptr;
        }

        /** The model's name of a parameter kept in a struct field (the names paramtext reads units from). */
        const char* fixedName (const model::ParamAddress& a)
        {
            static constexpr const char* amp[] = { "attack", "decay", "sustain", "release" };
            static constexpr const char* lfo[] = { "lfo rate", "lfo depth" };
            static constexpr const char* strip[] = { "level", "pan" };
            switch (a.group)
            {
                case model::ParamGroup::amp:
                    return a.index < 4 ? amp[a.index] : nullptr;
                case model::ParamGroup::lfo:
                    return a.index < 2 ? lfo[a.index] : nullptr;
                case model::ParamGroup::strip:
                    return a.index < 2 ? strip[a.index] : nullptr;
                case model::ParamGroup::send:
                    return "send level";
                case model::ParamGroup::source:
                case model::ParamGroup::stage:
                    break;
            }
            return nullptr;
        }

        float fixedDefault (const model::ParamAddress& a, float otherwise)
        {
            const model::Adsr amp;
            const model::Lfo lfo;
            switch (a.group)
            {
                case model::ParamGroup::amp:
                {
                    const float values[] = { amp.attack, amp.decay, amp.sustain, amp.release };
                    return a.index < 4 ? values[a.index] : otherwise;
                }
                case model::ParamGroup::lfo:
                    return a.index == 0 ? lfo.rate : lfo.depth;
                case model::ParamGroup::strip:
                    return a.index == 0 ? 1.0f : 0.0f; // unity gain, centre
                case model::ParamGroup::send:
                case model::ParamGroup::source:
                case model::ParamGroup::stage:
                    break;
            }
            return otherwise;
        }
    } // namespace

    model::LaneId findLane (const model::Session& session, const model::AutomationTarget& target)
    {
        for (const auto& lane : session.automation)
            if (lane.target == target)
                return lane.id;
        return {};
    }

    std::optional<model::Parameter> findParameter (const model::Session& session, const model::ParamAddress& a)
    {
        const auto info = model::findParam (session, a);
        if (! info)
            return std::nullopt;
        const std::vector<model::Parameter>* list = nullptr;
        if (a.group == model::ParamGroup::source)
            if (const auto* inst = session.instruments.find (model::InstrumentId { a.nodeId }))
                list = &inst->source.params;
        if (a.group == model::ParamGroup::stage)
            if (const auto* stage = stageOf (session, a))
                list = &stage->params;
        if (list != nullptr && a.index < list->size())
            return (*list)[a.index];
        const auto* name = fixedName (a);
        return model::Parameter { name != nullptr ? name : "", info->value, info->minValue, info->maxValue, fixedDefault (a, info->value) };
    }

    bool isPlainParameter (const model::Session& session, const model::ParamAddress& a)
    {
        if (a.group == model::ParamGroup::source)
            if (const auto* inst = session.instruments.find (model::InstrumentId { a.nodeId }))
                return inst->source.kind == model::SourceKind::plugin;
        if (a.group == model::ParamGroup::stage)
            if (const auto* stage = stageOf (session, a))
                return stage->kind == model::StageKind::effect && stage->effect == model::EffectType::plugin;
        return false;
    }

    juce::String ownerName (const model::Session& session, const model::ParamAddress& a)
    {
        switch (a.node)
        {
            case model::NodeKind::instrument:
                if (const auto* inst = session.instruments.find (model::InstrumentId { a.nodeId }))
                    return juce::String (inst->name);
                break;
            case model::NodeKind::bus:
                if (const auto* bus = session.mixer.buses.find (model::BusId { a.nodeId }))
                    return juce::String (bus->name);
                break;
            case model::NodeKind::master:
                return "Master";
        }
        return {};
    }

    juce::String parameterName (const model::Session& session, const model::ParamAddress& a)
    {
        if (a.group == model::ParamGroup::send)
        {
            if (const auto* bus = session.mixer.buses.find (model::BusId { a.itemId }))
                return "Send to " + juce::String (bus->name);
            return "Send";
        }
        const auto p = findParameter (session, a);
        return p ? paramtext::displayName (p->name) : juce::String();
    }

    juce::String targetName (const model::Session& session, const model::AutomationTarget& target)
    {
        switch (target.kind)
        {
            case model::AutomationTargetKind::bpm:
                return "Tempo";
            case model::AutomationTargetKind::swing:
                return "Swing";
            case model::AutomationTargetKind::parameter:
                break;
        }
        const auto name = parameterName (session, target.param);
        if (name.isEmpty())
            return juce::String (model::describe (session, target.param));
        return ownerName (session, target.param) + ": " + name;
    }

    juce::String formatValue (const model::Session& session, const model::AutomationTarget& target, float value)
    {
        switch (target.kind)
        {
            case model::AutomationTargetKind::bpm:
                return juce::String (value, 1) + " BPM";
            case model::AutomationTargetKind::swing:
                return juce::String (juce::roundToInt (value * 100.0f)) + " %";
            case model::AutomationTargetKind::parameter:
                break;
        }
        auto p = findParameter (session, target.param);
        if (! p)
            return juce::String (value, 3);
        p->value = value;
        return isPlainParameter (session, target.param) ? paramtext::formatPlain (*p) : paramtext::format (*p);
    }

    std::optional<juce::Range<float>> valueRange (const model::Session& session, const model::AutomationTarget& target)
    {
        switch (target.kind)
        {
            case model::AutomationTargetKind::bpm:
                return juce::Range<float> (20.0f, 999.0f); // checks::bpm
            case model::AutomationTargetKind::swing:
                return juce::Range<float> (0.0f, 1.0f);
            case model::AutomationTargetKind::parameter:
                break;
        }
        if (const auto info = model::findParam (session, target.param))
            return juce::Range<float> (info->minValue, juce::jmax (info->minValue, info->maxValue));
        return std::nullopt;
    }

    juce::String macroItemText (const model::Session& session, int slot)
    {
        const auto label = "Macro " + juce::String (slot + 1);
        if (! juce::isPositiveAndBelow (slot, model::numMacros))
            return label;
        const auto& m = session.macros[(std::size_t) slot];
        if (! m.assigned)
            return label;
        return label + ": " + targetName (session, parameter (m.param));
    }

    juce::PopupMenu makeMenu (const model::Session& session, const model::AutomationTarget& target, const juce::String& name)
    {
        juce::PopupMenu menu;
        if (findLane (session, target).isValid())
            menu.addItem (showLaneItem, "Show Its Lane");
        else
            menu.addItem (automateItem, "Automate " + name);

        // Macros drive parameters (a host automates them through the plugin's 16 fixed parameters).
        if (target.kind == model::AutomationTargetKind::parameter && model::findParam (session, target.param))
        {
            const auto mapped = model::findMacro (session, target.param);
            juce::PopupMenu macros;
            for (int k = 0; k < model::numMacros; ++k)
                macros.addItem (firstMacroItem + k, macroItemText (session, k), true, k == mapped);
            menu.addSeparator();
            menu.addSubMenu ("Map to Macro", macros);
            if (mapped >= 0)
                menu.addItem (unmapMacroItem, "Unmap from Macro " + juce::String (mapped + 1));

            menu.addSeparator();
            menu.addItem (midiLearnItem, "MIDI Learn");
            if (const auto k = model::findMidiMapping (session, target.param); k >= 0)
                menu.addItem (forgetMidiItem, "Forget MIDI Mapping (" + midiSourceText (session.settings.midiMappings[(std::size_t) k]) + ")");
        }
        return menu;
    }

    juce::String midiSourceText (const model::MidiMapping& m)
    {
        const auto channel = m.channel == 0 ? juce::String ("any channel") : "channel " + juce::String (m.channel);
        if (m.source == model::MidiSource::pitchBend)
            return "Pitch bend, " + channel;
        return "CC " + juce::String (m.controller) + ", " + channel;
    }

    model::LaneId menuItemChosen (GuiContext& context, const model::AutomationTarget& target, int itemId)
    {
        model::LaneId lane;
        if (itemId == automateItem)
        {
            // Another seat may have added it since the menu opened: then it is shown rather than refused.
            lane = findLane (context.getSession(), target);
            if (! lane.isValid())
                if (const auto result = context.perform (model::action::AddLane { target }); result.ok() && result.createdId != 0)
                    lane = model::LaneId { result.createdId };
        }
        else if (itemId == showLaneItem)
        {
            lane = findLane (context.getSession(), target);
        }
        else if (target.kind == model::AutomationTargetKind::parameter && itemId >= firstMacroItem && itemId < firstMacroItem + model::numMacros)
        {
            const auto& session = context.getSession();
            const auto slot = itemId - firstMacroItem;
            const auto mapped = model::findMacro (session, target.param);
            if (mapped == slot)
                return {}; // already there
            // Moved from another slot: it keeps its span. New: it spans the parameter's whole range.
            model::Macro macro { true, target.param, 0.0f, 1.0f };
            if (mapped >= 0)
                macro = session.macros[(std::size_t) mapped];
            else if (const auto info = model::findParam (session, target.param))
                macro.from = info->minValue, macro.to = info->maxValue;
            context.perform (model::action::SetMacro { slot, macro });
        }
        else if (itemId == midiLearnItem && target.kind == model::AutomationTargetKind::parameter)
        {
            // The mapping is made where the MIDI arrives (the hosting seat), by the next controller.
            if (context.session.learnMidi (target.param))
                context.showMessage ("Move a controller to map " + targetName (context.getSession(), target) + ".");
            else
                context.showMessage ("MIDI learn listens to the MIDI of the seat that hosts the session.");
        }
        else if (itemId == forgetMidiItem && target.kind == model::AutomationTargetKind::parameter)
        {
            if (model::findMidiMapping (context.getSession(), target.param) >= 0)
                context.perform (model::action::RemoveMidiMapping { target.param });
        }
        else if (itemId == unmapMacroItem && target.kind == model::AutomationTargetKind::parameter)
        {
            if (const auto mapped = model::findMacro (context.getSession(), target.param); mapped >= 0)
                context.perform (model::action::SetMacro { mapped, model::Macro {} });
        }
        if (lane.isValid())
            context.selection.selectLane (lane);
        return lane;
    }

    void showMenu (GuiContext& context, const model::AutomationTarget& target, const juce::String& name, juce::Component& owner)
    {
        makeMenu (context.getSession(), target, name)
            .showMenuAsync (juce::PopupMenu::Options().withTargetComponent (&owner),
                            [&context, target, safe = juce::Component::SafePointer<juce::Component> (&owner)] (int chosen)
                            {
                                if (safe != nullptr)
                                    menuItemChosen (context, target, chosen);
                            });
    }
} // namespace automation

//==============================================================================
void MenuSlider::mouseDown (const juce::MouseEvent& e)
{
    menuClick = e.mods.isPopupMenu() && onPopupMenu != nullptr;
    if (menuClick)
        onPopupMenu();
    else
        juce::Slider::mouseDown (e);
}

void MenuSlider::mouseDrag (const juce::MouseEvent& e)
{
    if (! menuClick)
        juce::Slider::mouseDrag (e);
}

void MenuSlider::mouseUp (const juce::MouseEvent& e)
{
    // The slider never saw this click's mouse down, so it must not see its mouse up either.
    if (! std::exchange (menuClick, false))
        juce::Slider::mouseUp (e);
}

void MenuSlider::mouseDoubleClick (const juce::MouseEvent& e)
{
    if (! e.mods.isPopupMenu())
        juce::Slider::mouseDoubleClick (e);
}

} // namespace imbolc::gui
