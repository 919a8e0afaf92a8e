// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/tlv.hpp
// BER-TLV (ISO/IEC 7816-4 §5.2, ITU-T X.690 §8.1) parsing and building.
// Tags of up to 4 bytes are kept as an integer of their raw bytes (0x7F49, 0x5F1F, 0x9F8101).
// Lengths: definite only, up to 4 length bytes (0x84). The parser is strict: indefinite
// lengths, length fields over 4 bytes, truncation and (for parse_single/parse_all) trailing
// bytes are MalformedData errors. In DER mode non-minimal lengths are rejected too.
// Views returned by the parser point into the input buffer.
#pragma once

#include <cstdint>
#include <vector>

#include "dnie/bytes/bytes.hpp"

namespace dnie::tlv {

enum class Mode { Ber, Der };

struct Tlv {
  std::uint32_t tag = 0;
  ByteView value;  ///< Content octets.
  ByteView raw;    ///< The whole element: tag, length and value.
  std::size_t header_size() const noexcept { return raw.size() - value.size(); }
  /// Constructed bit (b6 of the first tag byte).
  bool constructed() const noexcept;
  /// Tag class: 0 universal, 1 application, 2 context, 3 private.
  int tag_class() const noexcept;
};

/// Number of bytes a tag occupies when encoded.
std::size_t tag_size(std::uint32_t tag) noexcept;

/// Parses the element at the start of `in`; `in` may hold more bytes after it.
Result<Tlv> parse_first(ByteView in, Mode mode = Mode::Ber);
/// Parses exactly one element; trailing bytes are an error.
Result<Tlv> parse_single(ByteView in, Mode mode = Mode::Ber);
/// Parses a sequence of elements that must fill `in` exactly.
Result<std::vector<Tlv>> parse_all(ByteView in, Mode mode = Mode::Ber);

/// Reads only a header (tag and length) from a prefix of a file: returns
/// {header size, total size} so a reader can size the rest of a file from its first bytes.
struct HeaderInfo {
  std::uint32_t tag;
  std::size_t header_size;
  std::size_t total_size;
};
Result<HeaderInfo> parse_header(ByteView prefix);

/// Sequential reader over the children of a constructed value.
class Reader {
 public:
  explicit Reader(ByteView content, Mode mode = Mode::Ber) noexcept : m_rest(content), m_mode(mode) {}
  bool empty() const noexcept { return m_rest.empty(); }
  /// Next element; error on malformed input.
  Result<Tlv> next();
  /// Next element which must carry `tag`.
  Result<Tlv> expect(std::uint32_t tag);
  /// Peeks the next tag without consuming it (0 when empty or malformed).
  std::uint32_t peek_tag() const noexcept;
  ByteView rest() const noexcept { return m_rest; }

 private:
  ByteView m_rest;
  Mode m_mode;
};

/// First child with `tag` among the elements of `content` (a constructed value), if any.
/// Returns NotFound when absent, MalformedData when the content does not parse.
Result<Tlv> find(ByteView content, std::uint32_t tag, Mode mode = Mode::Ber);

// ---- building -------------------------------------------------------------------------------
void append_tag(Bytes& out, std::uint32_t tag);
void append_length(Bytes& out, std::size_t length);  ///< Minimal definite length (DER).
Bytes encode_length(std::size_t length);
/// tag ‖ length ‖ value.
Bytes encode(std::uint32_t tag, ByteView value);
void append(Bytes& out, std::uint32_t tag, ByteView value);
/// tag ‖ length ‖ concat(children).
Bytes encode_constructed(std::uint32_t tag, std::initializer_list<ByteView> children);

}  // namespace dnie::tlv
