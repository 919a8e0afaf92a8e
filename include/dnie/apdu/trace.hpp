// SPDX-License-Identifier: Apache-2.0
// File: dnie/apdu/trace.hpp
// APDU tracing with secrets redacted. A trace sink receives each command and response at a
// named level ("plain" inside secure messaging, "wire" on the link). The data field of commands
// that carry secrets is replaced by "<redacted N bytes>": VERIFY (20), CHANGE REFERENCE DATA
// (24, and DNIe's 90 24), RESET RETRY COUNTER (2C), GENERAL AUTHENTICATE (86/87) and the
// CWA-14890 INTERNAL/EXTERNAL AUTHENTICATE (88/82); so are responses to GENERAL AUTHENTICATE,
// INTERNAL AUTHENTICATE and GET CHALLENGE.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "dnie/apdu/apdu.hpp"

namespace dnie::apdu {

struct TraceEvent {
  enum class Direction { Command, Response } direction;
  std::string_view level;  ///< "plain" or "wire"
  std::string text;        ///< redacted hex and a short description
  double elapsed_ms = 0;   ///< for responses: time since the command
};

using TraceSink = std::function<void(const TraceEvent&)>;

/// Redacted text of a command ("00 20 00 00 Lc=08 <redacted 8 bytes>").
std::string redact_command(const CommandApdu& c);
/// Redacted text of a response to `c` ("<redacted 128 bytes> 9000").
std::string redact_response(const CommandApdu& c, const ResponseApdu& r);
/// True when the command's data is secret-bearing (see file comment).
bool command_is_sensitive(const CommandApdu& c) noexcept;

}  // namespace dnie::apdu
