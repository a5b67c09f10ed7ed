// The tools' JSON text helpers (tools/common/json_text.h).
#include "tools/common/json_text.h"

#include <cstdio>

namespace docdb::tools {
namespace {

// Calls `visit(c, in_string)` for each byte, tracking JSON strings and their escapes.
template <typename Visit>
void WalkJson(std::string_view text, Visit visit) {
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    const bool was_in_string = in_string;
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    }
    visit(c, was_in_string || in_string);
  }
}

}  // namespace

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string IndentJson(std::string_view minified) {
  std::string out;
  int depth = 0;
  const auto newline = [&] {
    out += '\n';
    out.append(static_cast<size_t>(2 * depth), ' ');
  };
  char previous = 0;
  WalkJson(minified, [&](char c, bool in_string) {
    if (in_string) {
      out += c;
    } else if (c == '{' || c == '[') {
      out += c;
      ++depth;
      newline();
    } else if (c == '}' || c == ']') {
      --depth;
      if (previous == '{' || previous == '[') {
        // An empty object or array stays on one line.
        out.resize(out.find_last_not_of(" \n") + 1);
      } else {
        newline();
      }
      out += c;
    } else if (c == ',') {
      out += c;
      newline();
    } else if (c == ':') {
      out += ": ";
    } else {
      out += c;
    }
    previous = in_string ? 0 : c;
  });
  return out;
}

int OpenBrackets(std::string_view text) {
  int open = 0;
  WalkJson(text, [&](char c, bool in_string) {
    if (in_string) return;
    if (c == '{' || c == '[') ++open;
    if (c == '}' || c == ']') --open;
  });
  return open;
}

}  // namespace docdb::tools
