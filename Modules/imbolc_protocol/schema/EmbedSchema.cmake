# Writes the schema text into a header, so the JSON view (FlatBuffers' own text generator and parser)
# always uses exactly the schema the binary was built with.
file(READ "${SCHEMA}" text)
file(WRITE "${OUT}.tmp" "// Generated from imbolc.fbs; do not edit.\n#pragma once\nnamespace imbolc::protocol::detail\n{\n    inline constexpr const char* schemaText = R\"IMBOLCFBS(${text})IMBOLCFBS\";\n}\n")
file(RENAME "${OUT}.tmp" "${OUT}")
