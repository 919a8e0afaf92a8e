// SPDX-License-Identifier: Apache-2.0
#include "dnie/bytes/bytes.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dnie {

ByteView ByteView::subview(std::size_t offset, std::size_t count) const noexcept {
  if (offset >= m_size) return ByteView(m_data + m_size, 0);
  std::size_t n = m_size - offset;
  if (count < n) n = count;
  return ByteView(m_data + offset, n);
}

bool ByteView::starts_with(ByteView prefix) const noexcept {
  return prefix.size() <= m_size &&
         (prefix.empty() || std::memcmp(m_data, prefix.data(), prefix.size()) == 0);
}

bool operator==(ByteView a, ByteView b) noexcept {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

std::string json_escape(std::string_view v) {
  std::string o;
  o.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '"':
        o += "\\\"";
        break;
      case '\\':
        o += "\\\\";
        break;
      case '\n':
        o += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          o += b;
        } else {
          o += c;
        }
    }
  }
  return o;
}

std::string to_hex(ByteView b, char sep) {
  static const char* digits = "0123456789ABCDEF";
  std::string s;
  s.reserve(b.size() * (sep ? 3 : 2));
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (sep && i) s.push_back(sep);
    s.push_back(digits[b[i] >> 4]);
    s.push_back(digits[b[i] & 0x0F]);
  }
  return s;
}

static int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Bytes> from_hex(std::string_view hex) {
  Bytes out;
  out.reserve(hex.size() / 2);
  int hi = -1;
  for (char c : hex) {
    if (c == ' ' || c == ':' || c == '\t' || c == '\n' || c == '\r') continue;
    int d = hex_digit(c);
    if (d < 0) return make_error(ErrorCode::InvalidArgument, "invalid hex character");
    if (hi < 0) {
      hi = d;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | d));
      hi = -1;
    }
  }
  if (hi >= 0) return make_error(ErrorCode::InvalidArgument, "odd number of hex digits");
  return out;
}

Bytes hex_bytes(std::string_view hex) {
  auto r = from_hex(hex);
  if (!r) {
    std::fprintf(stderr, "dnie: bad hex literal\n");
    std::abort();
  }
  return std::move(r).value();
}

Bytes concat(std::initializer_list<ByteView> parts) {
  std::size_t n = 0;
  for (auto p : parts) n += p.size();
  Bytes out;
  out.reserve(n);
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes be_bytes(std::uint64_t value, std::size_t width) {
  Bytes out(width, 0);
  for (std::size_t i = 0; i < width && i < 8; ++i)
    out[width - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  return out;
}

std::uint64_t be_value(ByteView b) noexcept {
  std::uint64_t v = 0;
  for (auto x : b) v = (v << 8) | x;
  return v;
}

Result<std::uint8_t> BufferReader::u8() {
  if (remaining() < 1) return make_error(ErrorCode::MalformedData, "truncated data");
  return m_in[m_pos++];
}
Result<std::uint16_t> BufferReader::u16_be() {
  if (remaining() < 2) return make_error(ErrorCode::MalformedData, "truncated data");
  std::uint16_t v = static_cast<std::uint16_t>(m_in[m_pos] << 8 | m_in[m_pos + 1]);
  m_pos += 2;
  return v;
}
Result<std::uint32_t> BufferReader::u32_be() {
  if (remaining() < 4) return make_error(ErrorCode::MalformedData, "truncated data");
  std::uint32_t v = static_cast<std::uint32_t>(be_value(m_in.subview(m_pos, 4)));
  m_pos += 4;
  return v;
}
Result<std::uint32_t> BufferReader::u32_le() {
  if (remaining() < 4) return make_error(ErrorCode::MalformedData, "truncated data");
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | m_in[m_pos + static_cast<std::size_t>(i)];
  m_pos += 4;
  return v;
}
Result<ByteView> BufferReader::take(std::size_t n) {
  if (remaining() < n) return make_error(ErrorCode::MalformedData, "truncated data");
  ByteView v = m_in.subview(m_pos, n);
  m_pos += n;
  return v;
}
ByteView BufferReader::rest() noexcept {
  ByteView v = m_in.subview(m_pos);
  m_pos = m_in.size();
  return v;
}

}  // namespace dnie
