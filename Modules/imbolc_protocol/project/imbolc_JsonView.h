#pragma once

namespace imbolc::protocol
{

/** JSON text of a project buffer, made by FlatBuffers' own text generator from the embedded schema.
    The buffer is verified first. Floats print with six decimals (FlatBuffers' format), so the text
    round-trips to itself exactly: dump -> fromJson -> dump gives the same bytes. Any thread.
    Returns an empty string and sets `error` on failure.
*/
std::string projectToJson (const std::uint8_t* data, std::size_t size, std::string& error);

/** Parses that JSON back into a project file: the JSON is parsed against the schema, decoded, checked
    with model::validate() (the checksum in the text is ignored: people edit JSON) and encoded afresh.
    Returns an empty vector and sets `error` on failure. Any thread.
*/
std::vector<std::uint8_t> projectFromJson (const std::string& json, std::string& error);

} // namespace imbolc::protocol
