namespace imbolc::protocol
{

namespace
{
    /** A FlatBuffers parser that knows the embedded schema. Options chosen so the text is complete
        (every field printed, defaults included, enums by name) and strict JSON that other tools read.
        A fresh parser per call: a Parser is not thread-safe and the schema is small.
    */
    std::unique_ptr<flatbuffers::Parser> makeJsonParser (std::string& error)
    {
        flatbuffers::IDLOptions options;
        options.strict_json = true;
        options.indent_step = 2;
        options.output_default_scalars_in_json = true;
        options.output_enum_identifiers = true;

        auto parser = std::make_unique<flatbuffers::Parser> (options);
        if (! parser->Parse (detail::schemaText))
        {
            // Only a broken build gets here: the schema text was compiled by flatc from the same file.
            error = "The embedded project schema does not parse (" + juce::String (parser->error_).trim().toStdString() + "); this build is broken.";
            return {};
        }
        return parser;
    }

    /** FlatBuffers reports "LINE: COLUMN: error: WHAT"; people read "line LINE, column COLUMN: WHAT". */
    std::string describeJsonError (const std::string& raw)
    {
        const auto text = juce::String (raw).trim();
        const auto line = text.upToFirstOccurrenceOf (": ", false, false);
        const auto rest = text.fromFirstOccurrenceOf (": ", false, false);
        const auto column = rest.upToFirstOccurrenceOf (": error: ", false, false);
        const auto what = rest.fromFirstOccurrenceOf (": error: ", false, false);
        if (line.containsOnly ("0123456789") && line.isNotEmpty() && column.containsOnly ("0123456789") && column.isNotEmpty() && what.isNotEmpty())
            return ("line " + line + ", column " + column + ": " + what).toStdString();
        return text.toStdString();
    }
} // namespace

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

    auto parser = makeJsonParser (error);
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

    auto parser = makeJsonParser (error);
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
