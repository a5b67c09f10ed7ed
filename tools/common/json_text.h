// JSON text helpers of the tools (docs/shell.md, "Output"): quoting, re-indenting
// minified JSON without parsing it (numbers and member order stay exactly as stored),
// and telling whether an argument's brackets are still open. Thread-safety: pure
// functions.
#pragma once

#include <string>
#include <string_view>

namespace docdb::tools {

// `text` as a JSON string literal.
std::string JsonQuote(std::string_view text);
// Minified JSON laid out with two-space indents, one member or element per line.
std::string IndentJson(std::string_view minified);
// How many brackets ({ or [) are open at the end of `text`, outside strings; negative
// when more close than open.
int OpenBrackets(std::string_view text);

}  // namespace docdb::tools
