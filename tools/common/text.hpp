// SPDX-License-Identifier: Apache-2.0
// Card text is data. Everything the tools print that comes from a card, a file or a user goes
// through these functions: invalid UTF-8 becomes U+FFFD (Unicode 15 §3.9, "U+FFFD Substitution of
// Maximal Subparts"), and on a terminal every control character is shown, never obeyed, so a name
// cannot hide the verdict with ESC [ 8 m, retitle the window or fake a line.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dnie::cli {

/// Valid UTF-8 with each ill-formed sequence (maximal subpart) replaced by U+FFFD. Overlong
/// forms, surrogates and code points above U+10FFFF are ill-formed (RFC 3629 §3).
std::string sanitize_utf8(std::string_view s);

/// For a terminal: sanitize_utf8(), then every C0 control (NUL..US, including newline and tab),
/// DEL and C1 control (U+0080..U+009F) as `\xNN` / `\u0085`, and the bidirectional overrides and
/// isolates (U+202A..U+202E, U+2066..U+2069) as `\u202E`. Letters (Ñ, accents) are kept.
std::string for_terminal(std::string_view s);

/// JSON text that never throws: invalid UTF-8 replaced by U+FFFD, and besides the C0 controls
/// JSON escapes anyway, DEL, C1 controls and bidi controls written as \u escapes, so that
/// `cat evidence.json` on a terminal is safe too. `indent` < 0: one line.
std::string json_dump(const nlohmann::json& j, int indent = 2);

}  // namespace dnie::cli
