// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the tools' handling of card text (tools/common/text.hpp): the UTF-8 decoder behind
// sanitize_utf8(), for_terminal() and json_dump(). Invariants: the output is well-formed UTF-8, the
// terminal form holds no control character a terminal would obey, and the JSON text parses back
// to the sanitized string. Built into the fuzz target directly: the fuzz preset builds no tools.
#include <string>

#include <nlohmann/json.hpp>

#include "../tools/common/text.cpp"  // NOLINT(bugprone-suspicious-include)
#include "driver.hpp"

namespace {

// Independent of the code under test (RFC 3629 §4, without the ranges it forbids).
bool well_formed(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
      n = 1;
    else if (c >= 0xC2 && c <= 0xDF)
      n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
      n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
      n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto x = static_cast<unsigned char>(s[i + k]);
      if (x < (k == 1 ? lo : 0x80) || x > (k == 1 ? hi : 0xBF)) return false;
    }
    i += n;
  }
  return true;
}

bool obeyed_by_a_terminal(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

}  // namespace

DNIE_FUZZ_TARGET {
  const std::string in(reinterpret_cast<const char*>(input.data()), input.size());
  const std::string clean = dnie::cli::sanitize_utf8(in);
  DNIE_FUZZ_ASSERT(well_formed(clean));
  DNIE_FUZZ_ASSERT(dnie::cli::sanitize_utf8(clean) == clean);
  if (well_formed(in)) DNIE_FUZZ_ASSERT(clean == in);
  const std::string shown = dnie::cli::for_terminal(in);
  DNIE_FUZZ_ASSERT(well_formed(shown));
  DNIE_FUZZ_ASSERT(!obeyed_by_a_terminal(shown));
  const std::string text = dnie::cli::json_dump(nlohmann::json{{"name", in}}, -1);
  DNIE_FUZZ_ASSERT(!obeyed_by_a_terminal(text));
  const auto back = nlohmann::json::parse(text, nullptr, false);
  DNIE_FUZZ_ASSERT(!back.is_discarded());
  DNIE_FUZZ_ASSERT(back["name"].get<std::string>() == clean);
}
