// SPDX-License-Identifier: Apache-2.0
// Command/response APDU encoding, ISO/IEC 7816-3 §12.1 (cases 1–4, short and extended).
#include "dnie/apdu/apdu.hpp"

#include <cstdio>

#include "dnie/bytes/secure.hpp"

namespace dnie::apdu {

CommandApdu& CommandApdu::set_data(ByteView d) {
  m_data.assign(d.begin(), d.end());
  return *this;
}

int CommandApdu::iso_case() const noexcept {
  if (m_data.empty()) return m_le ? 2 : 1;
  return m_le ? 4 : 3;
}

bool CommandApdu::needs_extended() const noexcept { return m_data.size() > 255 || (m_le && *m_le > 256); }

namespace {
Result<Bytes> encode_impl(const CommandApdu& c, bool extended) {
  if (c.data().size() > 65535) return make_error(ErrorCode::InvalidArgument, "APDU data over 65535 bytes");
  if (c.le() && *c.le() > 65536) return make_error(ErrorCode::InvalidArgument, "APDU Le over 65536");
  Bytes out{c.cla(), c.ins(), c.p1(), c.p2()};
  out.reserve(4 + 3 + c.data().size() + 3);
  const std::size_t nc = c.data().size();
  if (!extended) {
    if (nc) {
      out.push_back(static_cast<std::uint8_t>(nc));
      append(out, c.data());
    }
    if (c.le()) out.push_back(static_cast<std::uint8_t>(*c.le() >= 256 ? 0 : *c.le()));  // 00 = 256
    return out;
  }
  // Extended (7816-3 §12.1.3): Lc = 00 ‖ 2 bytes; Le = 2 bytes (after Lc) or 00 ‖ 2 bytes.
  if (nc) {
    out.push_back(0);
    out.push_back(static_cast<std::uint8_t>(nc >> 8));
    out.push_back(static_cast<std::uint8_t>(nc));
    append(out, c.data());
  }
  if (c.le()) {
    std::size_t le = *c.le() >= 65536 || *c.le() == 0 ? 0 : *c.le();
    if (!nc) out.push_back(0);
    out.push_back(static_cast<std::uint8_t>(le >> 8));
    out.push_back(static_cast<std::uint8_t>(le));
  }
  return out;
}
}  // namespace

Result<Bytes> CommandApdu::encode(bool allow_extended) const {
  if (needs_extended()) {
    if (!allow_extended) return make_error(ErrorCode::Unsupported, "command needs extended length");
    return encode_impl(*this, true);
  }
  return encode_impl(*this, false);
}

Result<Bytes> CommandApdu::encode_extended() const { return encode_impl(*this, true); }

Result<CommandApdu> CommandApdu::parse(ByteView b) {
  if (b.size() < 4) return make_error(ErrorCode::MalformedData, "APDU shorter than 4 bytes");
  CommandApdu c(b[0], b[1], b[2], b[3]);
  const std::size_t n = b.size() - 4;
  ByteView body = b.subview(4);
  if (n == 0) return c;  // case 1
  if (n == 1) {          // case 2 short
    c.m_le = body[0] == 0 ? 256 : body[0];
    return c;
  }
  if (body[0] != 0) {  // short Lc
    std::size_t lc = body[0];
    if (n == 1 + lc) {
      c.m_data = secret_copy(body.subview(1, lc));
      return c;
    }                   // case 3
    if (n == 2 + lc) {  // case 4
      c.m_data = secret_copy(body.subview(1, lc));
      c.m_le = body[1 + lc] == 0 ? 256 : body[1 + lc];
      return c;
    }
    return make_error(ErrorCode::MalformedData, "APDU length inconsistent with Lc");
  }
  // body[0] == 0 and n >= 2: extended
  c.m_parsed_extended = true;
  if (n == 3) {  // case 2 extended
    std::size_t le = static_cast<std::size_t>(body[1] << 8 | body[2]);
    c.m_le = le == 0 ? 65536 : le;
    return c;
  }
  if (n < 3) return make_error(ErrorCode::MalformedData, "APDU truncated extended length");
  std::size_t lc = static_cast<std::size_t>(body[1] << 8 | body[2]);
  if (lc == 0) return make_error(ErrorCode::MalformedData, "APDU extended Lc of zero");
  if (n == 3 + lc) {
    c.m_data = secret_copy(body.subview(3, lc));
    return c;
  }
  if (n == 5 + lc) {
    c.m_data = secret_copy(body.subview(3, lc));
    std::size_t le = static_cast<std::size_t>(body[3 + lc] << 8 | body[4 + lc]);
    c.m_le = le == 0 ? 65536 : le;
    return c;
  }
  return make_error(ErrorCode::MalformedData, "APDU length inconsistent with extended Lc");
}

std::string CommandApdu::describe() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02X %02X %02X %02X", m_cla, m_ins, m_p1, m_p2);
  std::string s(buf);
  if (!m_data.empty()) s += " Lc=" + std::to_string(m_data.size());
  if (m_le) s += " Le=" + std::to_string(*m_le);
  return s;
}

Result<ResponseApdu> ResponseApdu::parse(ByteView b) {
  if (b.size() < 2) return make_error(ErrorCode::MalformedData, "response shorter than 2 bytes");
  return ResponseApdu(b.first(b.size() - 2).to_bytes(),
                      static_cast<std::uint16_t>(b[b.size() - 2] << 8 | b[b.size() - 1]));
}

Bytes ResponseApdu::encode() const {
  Bytes out = m_data;
  out.push_back(sw1());
  out.push_back(sw2());
  return out;
}

}  // namespace dnie::apdu
