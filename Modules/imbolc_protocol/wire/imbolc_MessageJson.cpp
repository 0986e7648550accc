namespace imbolc::protocol
{

std::string messageToJson (const std::uint8_t* data, std::size_t size, std::string& error)
{
    error.clear();

    // Only messages that decode are printed: the text generator trusts what it reads.
    const auto decoded = decodeMessage (data, size);
    if (! decoded.ok())
    {
        error = decoded.error;
        return {};
    }

    // One parser per thread, kept: parsing the schema costs far more than printing a message (a seat
    // printing every frame), and GenerateText only reads the parser.
    thread_local std::unique_ptr<flatbuffers::Parser> parser;
    if (parser == nullptr)
        parser = makeJsonParser ("Message", wireIdentifier, error);
    if (parser == nullptr)
        return {};

    const AlignedWireBuffer buffer (data, size);
    std::string json;
    if (! flatbuffers::GenerateText (*parser, buffer.bytes, &json))
    {
        error = "The message cannot be shown as JSON: a text in it is not valid UTF-8.";
        return {};
    }
    return json;
}

Bytes messageFromJson (const std::string& json, std::string& error)
{
    error.clear();

    auto parser = makeJsonParser ("Message", wireIdentifier, error);
    if (parser == nullptr)
        return {};

    // ParseJson, not Parse: the text may hold only JSON, never schema statements (include, root_type).
    if (! parser->ParseJson (json.c_str()))
    {
        error = "The JSON is not a valid Imbolc session message: " + describeJsonError (parser->error_);
        return {};
    }

    const auto decoded = decodeMessage (parser->builder_.GetBufferPointer(), parser->builder_.GetSize());
    if (! decoded.ok())
    {
        error = decoded.error;
        return {};
    }

    // Encoded afresh, so the bytes are exactly what encodeMessage gives for this message.
    return encodeMessage (*decoded.message);
}

} // namespace imbolc::protocol
