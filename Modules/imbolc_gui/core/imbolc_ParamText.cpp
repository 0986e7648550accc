namespace imbolc::gui::paramtext
{

juce::String unitFor (const std::string&)
{
    return {};
}

juce::String format (const model::Parameter& p)
{
    return juce::String (p.value, 2);
}

std::optional<float> parse (const juce::String& text, const model::Parameter&)
{
    const auto t = text.trim();
    if (t.isEmpty() || ! t.containsAnyOf ("0123456789"))
        return std::nullopt;
    return t.getFloatValue();
}

} // namespace imbolc::gui::paramtext
