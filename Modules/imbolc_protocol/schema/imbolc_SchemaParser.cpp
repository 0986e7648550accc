namespace imbolc::protocol
{

namespace
{
    /** The one place a FlatBuffers parser is built from the embedded schema, for the project file's
        JSON view (root Project, identifier IMBC) and the wire's (root Message, identifier IMBW).
        Options chosen so the text is complete (every field printed, defaults included, enums by name)
        and strict JSON that other tools read. A fresh parser per call: a Parser is not thread-safe
        and the schema is small. Empty, with `error` set, only in a broken build.
    */
    std::unique_ptr<flatbuffers::Parser> makeJsonParser (const char* rootType, const char* fileIdentifier, std::string& error)
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
        if (! parser->SetRootType (rootType))
        {
            error = std::string ("The embedded schema has no ") + rootType + " table; this build is broken.";
            return {};
        }
        parser->file_identifier_ = fileIdentifier;
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

} // namespace imbolc::protocol
