// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/pem.cpp
// Base64 (RFC 4648 §4) and PEM armour (RFC 7468) for certificates and keys.
#include <string>

#include "dnie/crypto/x509.hpp"

#include "internal.hpp"

namespace dnie::crypto {

namespace {
const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64_encode(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    unsigned v = static_cast<unsigned>(data[i] << 16 | data[i + 1] << 8 | data[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  std::size_t rest = data.size() - i;
  if (rest) {
    unsigned v = static_cast<unsigned>(data[i] << 16 | (rest == 2 ? data[i + 1] << 8 : 0));
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += rest == 2 ? kAlphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

// RFC 4648 §4; whitespace is skipped (RFC 7468 §2), padding is optional but must be final.
Result<Bytes> base64_decode(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  unsigned acc = 0;
  int nbits = 0, pad = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = b64_value(c);
    if (v < 0) return detail::malformed("base64: invalid character");
    if (pad) return detail::malformed("base64: data after padding");
    acc = (acc << 6) | static_cast<unsigned>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> nbits & 0xFF));
    }
  }
  if (pad > 2 || nbits >= 6) return detail::malformed("base64: bad length");
  return out;
}

std::string pem_encode(std::string_view label, ByteView der) {
  std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += "-----END " + std::string(label) + "-----\n";
  return out;
}

Result<Bytes> pem_decode(std::string_view text, std::string_view label) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  std::size_t b = text.find(begin);
  if (b == std::string_view::npos) return Error(ErrorCode::NotFound, "no PEM block " + std::string(label));
  b += begin.size();
  std::size_t e = text.find(end, b);
  if (e == std::string_view::npos) return detail::malformed("PEM: missing END line");
  return base64_decode(text.substr(b, e - b));
}

}  // namespace dnie::crypto
