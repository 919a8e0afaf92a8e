// SPDX-License-Identifier: Apache-2.0
// Redacted APDU trace text: secrets never reach a trace sink (see trace.hpp for the rules).
#include "dnie/apdu/trace.hpp"

#include <cstdio>

namespace dnie::apdu {

bool command_is_sensitive(const CommandApdu& c) noexcept {
  if ((c.cla() & 0x0C) == 0x0C) return false;  // already SM-protected: ciphertext only
  switch (c.ins()) {
    case 0x20:  // VERIFY
    case 0x21:
    case 0x24:  // CHANGE REFERENCE DATA (also DNIe 90 24)
    case 0x2C:  // RESET RETRY COUNTER
    case 0x86:  // GENERAL AUTHENTICATE (PACE, CA)
    case 0x87:
    case 0x88:  // INTERNAL AUTHENTICATE (CWA-14890)
    case 0x82:  // EXTERNAL AUTHENTICATE (CWA-14890)
      return true;
    default:
      return false;
  }
}

static bool response_is_sensitive(const CommandApdu& c) noexcept {
  if ((c.cla() & 0x0C) == 0x0C) return false;
  return c.ins() == 0x86 || c.ins() == 0x87 || c.ins() == 0x88 || c.ins() == 0x84;
}

std::string redact_command(const CommandApdu& c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02X %02X %02X %02X", c.cla(), c.ins(), c.p1(), c.p2());
  std::string s(buf);
  if (!c.data().empty()) {
    s += " Lc=" + std::to_string(c.data().size()) + " ";
    s += command_is_sensitive(c) ? "<redacted " + std::to_string(c.data().size()) + " bytes>"
                                 : to_hex(c.data(), ' ');
  }
  if (c.le()) s += " Le=" + std::to_string(*c.le());
  return s;
}

std::string redact_response(const CommandApdu& c, const ResponseApdu& r) {
  std::string s;
  if (!r.data().empty()) {
    s = response_is_sensitive(c) ? "<redacted " + std::to_string(r.data().size()) + " bytes>"
                                 : to_hex(r.data(), ' ');
    s += " ";
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", r.sw());
  return s + buf;
}

}  // namespace dnie::apdu
