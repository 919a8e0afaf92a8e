// SPDX-License-Identifier: Apache-2.0
#include "text.hpp"

#include <cstdio>

namespace dnie::cli {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

struct Decoded {
  char32_t cp = 0;
  std::size_t len = 1;  ///< bytes consumed (the maximal subpart when !valid)
  bool valid = false;
};

// One code point at s[i] (Unicode 15 Table 3-7, well-formed UTF-8 byte sequences).
Decoded decode(std::string_view s, std::size_t i) {
  const auto b = [&s](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  Decoded d;
  if (c < 0x80) {
    d.cp = c;
    d.valid = true;
    return d;
  }
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
    d.cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    d.cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    d.cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return d;  // 80..C1, F5..FF: never in UTF-8
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) {
      d.len = k;
      return d;
    }
    const unsigned char x = b(i + k);
    const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
    if (x < min || x > max) {
      d.len = k;
      return d;
    }
    d.cp = (d.cp << 6) | (x & 0x3F);
  }
  d.len = need + 1;
  d.valid = true;
  return d;
}

bool is_bidi_control(char32_t cp) { return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069); }

}  // namespace

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const Decoded d = decode(s, i);
    if (d.valid)
      out.append(s.substr(i, d.len));
    else
      out += kReplacement;
    i += d.len;
  }
  return out;
}

std::string for_terminal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char buf[16];
  for (std::size_t i = 0; i < s.size();) {
    const Decoded d = decode(s, i);
    if (!d.valid) {
      out += kReplacement;
    } else if (d.cp < 0x20 || d.cp == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(d.cp));
      out += buf;
    } else if ((d.cp >= 0x80 && d.cp <= 0x9F) || is_bidi_control(d.cp)) {
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(d.cp));
      out += buf;
    } else {
      out.append(s.substr(i, d.len));
    }
    i += d.len;
  }
  return out;
}

namespace {
// Every key and string through sanitize_utf8(), so that the replacement is the same as on the
// terminal whatever nlohmann's own replacement policy is.
nlohmann::json sanitized(const nlohmann::json& j) {
  if (j.is_string()) return sanitize_utf8(j.get_ref<const std::string&>());
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(sanitized(e));
    return out;
  }
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[sanitize_utf8(it.key())] = sanitized(it.value());
    return out;
  }
  return j;
}
}  // namespace

std::string json_dump(const nlohmann::json& j, int indent) {
  const std::string raw = sanitized(j).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  // The dump is valid UTF-8 now; outside strings it is ASCII, so these code points can only be
  // inside strings, where a \u escape means the same character.
  std::string out;
  out.reserve(raw.size());
  char buf[16];
  for (std::size_t i = 0; i < raw.size();) {
    const Decoded d = decode(raw, i);
    if (d.valid && (d.cp == 0x7F || (d.cp >= 0x80 && d.cp <= 0x9F) || is_bidi_control(d.cp))) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(d.cp));
      out += buf;
    } else {
      out.append(raw, i, d.len);
    }
    i += d.len;
  }
  return out;
}

}  // namespace dnie::cli
