// SPDX-License-Identifier: Apache-2.0
// BER-TLV per ISO/IEC 7816-4 §5.2 and X.690 §8.1.2–8.1.3 (definite lengths only).
#include "dnie/bytes/tlv.hpp"

namespace dnie::tlv {

namespace {

Error malformed(const char* what) { return make_error(ErrorCode::MalformedData, what); }

// Reads tag and length; on success fills tag, header size and content length.
// With `need_value` false only the header has to be present (sizing a file from its prefix).
Status read_header(ByteView in, Mode mode, std::uint32_t& tag, std::size_t& hdr, std::size_t& len,
                   bool need_value = true) {
  std::size_t i = 0;
  if (in.empty()) return malformed("TLV: empty input");
  std::uint32_t t = in[i++];
  if ((t & 0x1F) == 0x1F) {
    // X.690 §8.1.2.4: subsequent tag bytes, b8 = more follow. We allow up to 4 tag bytes.
    for (;;) {
      if (i >= in.size()) return malformed("TLV: truncated tag");
      if (i >= 4) return malformed("TLV: tag longer than 4 bytes");
      std::uint8_t b = in[i++];
      if (i == 2 && b == 0x80 && mode == Mode::Der) return malformed("TLV: non-minimal tag");
      t = (t << 8) | b;
      if (!(b & 0x80)) break;
    }
  }
  if (i >= in.size()) return malformed("TLV: truncated length");
  std::uint8_t l0 = in[i++];
  std::size_t l = 0;
  if (l0 < 0x80) {
    l = l0;
  } else if (l0 == 0x80) {
    return malformed("TLV: indefinite length not allowed");
  } else {
    std::size_t n = l0 & 0x7F;
    if (n > 4) return malformed("TLV: length field longer than 4 bytes");
    if (in.size() - i < n) return malformed("TLV: truncated length");
    for (std::size_t k = 0; k < n; ++k) l = (l << 8) | in[i++];
    if (mode == Mode::Der) {
      if (l < 0x80 || (n > 1 && in[i - n] == 0)) return malformed("TLV: non-minimal length (DER)");
    }
  }
  if (need_value && in.size() - i < l) return malformed("TLV: value truncated");
  tag = t;
  hdr = i;
  len = l;
  return ok_status();
}

}  // namespace

bool Tlv::constructed() const noexcept {
  std::uint32_t first = tag;
  while (first > 0xFF) first >>= 8;
  return (first & 0x20) != 0;
}

int Tlv::tag_class() const noexcept {
  std::uint32_t first = tag;
  while (first > 0xFF) first >>= 8;
  return static_cast<int>(first >> 6);
}

std::size_t tag_size(std::uint32_t tag) noexcept {
  if (tag > 0xFFFFFF) return 4;
  if (tag > 0xFFFF) return 3;
  if (tag > 0xFF) return 2;
  return 1;
}

Result<Tlv> parse_first(ByteView in, Mode mode) {
  std::uint32_t tag = 0;
  std::size_t hdr = 0, len = 0;
  DNIE_TRY(read_header(in, mode, tag, hdr, len));
  Tlv t;
  t.tag = tag;
  t.value = in.subview(hdr, len);
  t.raw = in.subview(0, hdr + len);
  return t;
}

Result<Tlv> parse_single(ByteView in, Mode mode) {
  DNIE_ASSIGN_OR_RETURN(Tlv t, parse_first(in, mode));
  if (t.raw.size() != in.size()) return malformed("TLV: trailing bytes after element");
  return t;
}

Result<std::vector<Tlv>> parse_all(ByteView in, Mode mode) {
  std::vector<Tlv> out;
  Reader r(in, mode);
  while (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(Tlv t, r.next());
    out.push_back(t);
  }
  return out;
}

Result<HeaderInfo> parse_header(ByteView prefix) {
  std::uint32_t tag = 0;
  std::size_t hdr = 0, len = 0;
  DNIE_TRY(read_header(prefix, Mode::Ber, tag, hdr, len, /*need_value=*/false));
  return HeaderInfo{tag, hdr, hdr + len};
}

Result<Tlv> Reader::next() {
  DNIE_ASSIGN_OR_RETURN(Tlv t, parse_first(m_rest, m_mode));
  m_rest = m_rest.subview(t.raw.size());
  return t;
}

Result<Tlv> Reader::expect(std::uint32_t tag) {
  if (m_rest.empty()) return malformed("TLV: expected element missing");
  DNIE_ASSIGN_OR_RETURN(Tlv t, next());
  if (t.tag != tag) return malformed("TLV: unexpected tag");
  return t;
}

std::uint32_t Reader::peek_tag() const noexcept {
  auto r = parse_first(m_rest, m_mode);
  return r ? r->tag : 0;
}

Result<Tlv> find(ByteView content, std::uint32_t tag, Mode mode) {
  Reader r(content, mode);
  while (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(Tlv t, r.next());
    if (t.tag == tag) return t;
  }
  return make_error(ErrorCode::NotFound, "TLV: tag not present");
}

void append_tag(Bytes& out, std::uint32_t tag) {
  for (std::size_t n = tag_size(tag); n > 0; --n)
    out.push_back(static_cast<std::uint8_t>(tag >> (8 * (n - 1))));
}

void append_length(Bytes& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
  } else if (length <= 0xFF) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(length));
  } else if (length <= 0xFFFF) {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
  } else if (length <= 0xFFFFFF) {
    out.push_back(0x83);
    for (int s = 16; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(length >> s));
  } else {
    out.push_back(0x84);
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(length >> s));
  }
}

Bytes encode_length(std::size_t length) {
  Bytes b;
  append_length(b, length);
  return b;
}

void append(Bytes& out, std::uint32_t tag, ByteView value) {
  append_tag(out, tag);
  append_length(out, value.size());
  out.insert(out.end(), value.begin(), value.end());
}

Bytes encode(std::uint32_t tag, ByteView value) {
  Bytes out;
  out.reserve(value.size() + 8);
  append(out, tag, value);
  return out;
}

Bytes encode_constructed(std::uint32_t tag, std::initializer_list<ByteView> children) {
  return encode(tag, concat(children));
}

}  // namespace dnie::tlv
