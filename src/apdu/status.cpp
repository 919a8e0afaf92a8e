// SPDX-License-Identifier: Apache-2.0
// Status words: ISO/IEC 7816-4 §5.6 (Table 5–6), CWA 14890-1 SM errors, DNIe usage.
#include "dnie/apdu/status.hpp"

#include <cstdio>

namespace dnie::apdu {

std::string_view sw_meaning(std::uint16_t s) noexcept {
  if (is_more_data(s)) return "More data available (GET RESPONSE)";
  if (is_wrong_le(s)) return "Wrong Le; SW2 gives the exact length";
  if (is_counter(s)) return "Verification failed; SW2 low nibble = tries left";
  switch (s) {
    case 0x9000:
      return "Success";
    case 0x6282:
      return "End of file reached before Le bytes";
    case 0x6283:
      return "Selected file deactivated";
    case 0x6300:
      return "Authentication failed";
    case 0x6581:
      return "Memory failure";
    case 0x6700:
      return "Wrong length";
    case 0x6688:
      return "Secure messaging: cryptographic checksum wrong";
    case 0x6881:
      return "Logical channel not supported";
    case 0x6882:
      return "Secure messaging not supported";
    case 0x6982:
      return "Security status not satisfied";
    case 0x6983:
      return "Authentication method blocked";
    case 0x6984:
      return "Reference data not usable";
    case 0x6985:
      return "Conditions of use not satisfied";
    case 0x6986:
      return "Command not allowed (no current EF)";
    case 0x6987:
      return "Expected secure messaging data objects missing";
    case 0x6988:
      return "Incorrect secure messaging data objects";
    case 0x6A80:
      return "Incorrect parameters in the data field";
    case 0x6A81:
      return "Function not supported";
    case 0x6A82:
      return "File or application not found";
    case 0x6A83:
      return "Record not found";
    case 0x6A84:
      return "Not enough memory space in the file";
    case 0x6A86:
      return "Incorrect parameters P1-P2";
    case 0x6A87:
      return "Nc inconsistent with P1-P2";
    case 0x6A88:
      return "Referenced data not found";
    case 0x6B00:
      return "Wrong parameters P1-P2 (offset beyond end of file)";
    case 0x6D00:
      return "Instruction code not supported";
    case 0x6E00:
      return "Class not supported";
    case 0x6F00:
      return "No precise diagnosis";
    default:
      return "Unknown status word";
  }
}

Error sw_error(std::uint16_t s, std::string_view what) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04X", s);
  std::string msg = std::string(what) + ": " + std::string(sw_meaning(s)) + " (" + buf + ")";
  ErrorCode code = ErrorCode::CardError;
  switch (s) {
    case 0x6A82:
    case 0x6A83:
    case 0x6A88:
      code = ErrorCode::NotFound;
      break;
    case 0x6982:
    case 0x6985:
    case 0x6986:
      code = ErrorCode::AccessDenied;
      break;
    case 0x6983:
      code = ErrorCode::PinBlocked;
      break;
    case 0x6987:
    case 0x6988:
    case 0x6688:
      code = ErrorCode::SecureMessagingError;
      break;
    case 0x6A81:
    case 0x6D00:
    case 0x6E00:
      code = ErrorCode::Unsupported;
      break;
    default:
      break;
  }
  Error e(code, std::move(msg));
  e.with_sw(s);
  if (is_counter(s)) e.with_tries(counter_value(s));
  return e;
}

Status expect_ok(const ResponseApdu& r, std::string_view what) {
  if (r.ok()) return ok_status();
  return sw_error(r.sw(), what);
}

Status require_authenticated(const ResponseApdu& r, std::string_view what) {
  if (r.authenticated()) return ok_status();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04X", r.sw());
  Error e(ErrorCode::SecureMessagingError,
          std::string(what) + ": the answer (" + buf + ") is not protected by secure messaging");
  e.with_sw(r.sw());
  return e;
}

}  // namespace dnie::apdu
