// SPDX-License-Identifier: Apache-2.0
// Helpers for the PACE tests: scripts from vector files, hooks, GA command builders.
#pragma once

#include "dnie/auth/pace.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/transport/scripted.hpp"

#include "test_support.hpp"

namespace dnie::test {

inline SecureBuffer sb(const nlohmann::json& j) { return SecureBuffer(hx(j)); }

/// Scripted transport with every command/response of a vector's "apdus" list.
inline void script_apdus(transport::ScriptedTransport& t, const nlohmann::json& v) {
  for (const auto& a : v["apdus"]) t.expect(hx(a["command"]), hx(a["response"]));
}

/// GENERAL AUTHENTICATE command with one inner data object (Le = 00).
inline Bytes ga_command(bool last, std::uint32_t tag, ByteView value) {
  Bytes inner = value.empty() && tag == 0 ? Bytes{} : tlv::encode(tag, value);
  Bytes data = tlv::encode(0x7C, inner);
  Bytes cmd = {static_cast<std::uint8_t>(last ? 0x00 : 0x10), 0x86, 0x00, 0x00};
  if (data.size() <= 255) {
    cmd.push_back(static_cast<std::uint8_t>(data.size()));
    append(cmd, data);
    cmd.push_back(0x00);
  } else {
    append(cmd, {0x00, static_cast<std::uint8_t>(data.size() >> 8), static_cast<std::uint8_t>(data.size())});
    append(cmd, data);
    append(cmd, {0x00, 0x00});
  }
  return cmd;
}

/// 7C {tag value} ‖ 9000
inline Bytes ga_response(std::initializer_list<std::pair<std::uint32_t, Bytes>> dos,
                         std::uint16_t sw = 0x9000) {
  Bytes inner;
  for (const auto& d : dos) tlv::append(inner, d.first, d.second);
  Bytes r = tlv::encode(0x7C, inner);
  append(r, {static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)});
  return r;
}

}  // namespace dnie::test
