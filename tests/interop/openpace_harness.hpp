// SPDX-License-Identifier: Apache-2.0
// File: tests/interop/openpace_harness.hpp
// OpenPACE (frankmorgner/openpace, libeac) playing either side of PACE, for cross tests:
//  * OpenPaceChip: a minimal card that answers MSE:Set AT / GENERAL AUTHENTICATE with OpenPACE's
//    PICC functions and then one SM-protected READ BINARY, so the SDK's terminal talks to it;
//  * openpace_terminal(): OpenPACE's PCD functions driving any card (the virtual DNIe) through a
//    byte-level APDU function, finishing with one SM-protected command checked with OpenPACE.
#pragma once

#include <functional>
#include <string>

#include "dnie/bytes/bytes.hpp"

namespace dnie::interop {

void openpace_init();

/// Dotted OID → OpenPACE NID (0 if unknown).
int pace_nid(const std::string& dotted_oid);

class OpenPaceChip {
 public:
  /// password_type: 2 CAN, 3 PIN (OpenPACE s_type numbering = PACE password references).
  OpenPaceChip(std::string password, int password_type);
  ~OpenPaceChip();
  OpenPaceChip(const OpenPaceChip&) = delete;
  OpenPaceChip& operator=(const OpenPaceChip&) = delete;
  /// One command APDU → response (data ‖ SW).
  Bytes handle(ByteView apdu);
  bool pace_done() const { return m_sm; }
  /// True when this DH session hit OpenPACE's minimal-length encoding (a value starting with 00):
  /// OpenPACE then deviates from ICAO 9303-11's full-width rule, so the session cannot agree.
  bool dh_leading_zero() const { return m_dh_leading_zero; }
  /// Plain data the chip returns to a protected READ BINARY.
  static Bytes payload() { return Bytes{'D', 'N', 'I', 'E', '-', 'I', 'N', 'T', 'E', 'R', 'O', 'P'}; }
  std::string last_error;

 private:
  Bytes sm_read_binary(ByteView apdu);
  void* m_ctx = nullptr;  // EAC_CTX*
  void* m_sec = nullptr;  // PACE_SEC*
  std::string m_password;
  int m_type;
  Bytes m_terminal_eph;
  bool m_sm = false;
  bool m_dh_leading_zero = false;
};

/// Returned by openpace_terminal() for the DH sessions described at OpenPaceChip::dh_leading_zero.
inline constexpr const char* kDhLeadingZero = "OpenPACE minimal DH encoding (value with a leading 00)";

/// Runs PACE as the terminal with OpenPACE against `card` (one APDU in, one response out),
/// using EF.CardAccess `card_access`, protocol OID and parameter ID, and password. Then sends
/// one protected READ BINARY of EF.CardAccess (select 011C first) and checks the response MAC
/// and plaintext. Returns "" on success, else a description of the failure.
std::string openpace_terminal(const std::function<Bytes(ByteView)>& card, ByteView card_access,
                              const std::string& oid, int param_id, const std::string& password,
                              int password_type);

}  // namespace dnie::interop
