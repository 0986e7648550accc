namespace imbolc::protocol
{

std::string projectToJson (const std::uint8_t* data, std::size_t size, std::string& error)
{
    error.clear();

    // Only buffers that decode are dumped: the text generator trusts what it reads, and a damaged file
    // is better reported by the decoder's sentence than printed half-wrong.
    const auto decoded = decodeProject (data, size);
    if (! decoded.ok())
    {
        error = decoded.error;
        return {};
    }

    auto parser = makeJsonParser ("Project", projectFileIdentifier, error);
    if (parser == nullptr)
        return {};

    std::string json;
    if (! flatbuffers::GenerateText (*parser, data, &json))
    {
        // The text generator refuses only strings that are not UTF-8, which JSON cannot hold.
        error = "The project cannot be shown as JSON: a name or other text in it is not valid UTF-8.";
        return {};
    }
    return json;
}

std::vector<std::uint8_t> projectFromJson (const std::string& json, std::string& error)
{
    error.clear();

    auto parser = makeJsonParser ("Project", projectFileIdentifier, error);
    if (parser == nullptr)
        return {};

    if (! parser->Parse (json.c_str()))
    {
        error = "The JSON is not a valid Imbolc project: " + describeJsonError (parser->error_);
        return {};
    }

    const auto decoded = decodeProject (parser->builder_.GetBufferPointer(), parser->builder_.GetSize(), ChecksumPolicy::ignore);
    if (! decoded.ok())
    {
        error = decoded.error;
        return {};
    }

    // Encoded afresh, so the result is exactly what saving this session would write, checksum included.
    return encodeProject (*decoded.session);
}

} // namespace imbolc::protocol
