// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/bytes.hpp
// Byte containers and views used by every layer: Bytes (owning), ByteView (non-owning,
// a C++17 stand-in for std::span<const uint8_t>), hex conversion, and a bounds-checked reader.
// Thread safety: values; a ByteView must not outlive the storage it points into.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/bytes/result.hpp"

namespace dnie {

using Bytes = std::vector<std::uint8_t>;

/// Non-owning read-only view of contiguous bytes.
class ByteView {
 public:
  constexpr ByteView() noexcept = default;
  constexpr ByteView(const std::uint8_t* data, std::size_t size) noexcept : m_data(data), m_size(size) {}
  /// Any byte vector: Bytes, or SecretBytes (dnie/bytes/secure.hpp), whatever its allocator.
  template <typename Alloc>
  ByteView(const std::vector<std::uint8_t, Alloc>& b) noexcept  // NOLINT implicit
      : m_data(b.data()), m_size(b.size()) {}
  template <std::size_t N>
  constexpr ByteView(const std::array<std::uint8_t, N>& a) noexcept
      : m_data(a.data()), m_size(N) {}  // NOLINT
  /// View of the raw characters of a string (no terminator).
  static ByteView of(std::string_view s) noexcept {
    return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }

  constexpr const std::uint8_t* data() const noexcept { return m_data; }
  constexpr std::size_t size() const noexcept { return m_size; }
  constexpr bool empty() const noexcept { return m_size == 0; }
  constexpr const std::uint8_t* begin() const noexcept { return m_data; }
  constexpr const std::uint8_t* end() const noexcept { return m_data + m_size; }
  /// Unchecked element access (use BufferReader for untrusted input).
  constexpr std::uint8_t operator[](std::size_t i) const noexcept { return m_data[i]; }

  /// Clamped sub-view: never reads past the end.
  ByteView subview(std::size_t offset, std::size_t count = static_cast<std::size_t>(-1)) const noexcept;
  ByteView first(std::size_t n) const noexcept { return subview(0, n); }
  ByteView last(std::size_t n) const noexcept { return n >= m_size ? *this : subview(m_size - n); }
  Bytes to_bytes() const { return Bytes(begin(), end()); }
  bool starts_with(ByteView prefix) const noexcept;

 private:
  const std::uint8_t* m_data = nullptr;
  std::size_t m_size = 0;
};

bool operator==(ByteView a, ByteView b) noexcept;  ///< NOT constant time; see ct_equal().
inline bool operator!=(ByteView a, ByteView b) noexcept { return !(a == b); }

/// Uppercase hex without separators ("9000"); `sep` is put between bytes when non-zero.
std::string to_hex(ByteView b, char sep = 0);
/// Parses hex; ignores spaces, colons, tabs and newlines; rejects odd digit counts.
Result<Bytes> from_hex(std::string_view hex);
/// Parses a hex literal known to be valid (tests, constants); aborts on bad input.
Bytes hex_bytes(std::string_view hex);

/// The contents of a JSON string (RFC 8259 §7), without the quotes: `"` `\` and control
/// characters escaped; other bytes are copied (callers pass UTF-8).
std::string json_escape(std::string_view v);

/// Concatenation helpers.
Bytes concat(std::initializer_list<ByteView> parts);
inline void append(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }
inline void append(Bytes& out, std::initializer_list<std::uint8_t> b) { out.insert(out.end(), b); }

/// Big-endian integers, fixed width.
Bytes be_bytes(std::uint64_t value, std::size_t width);
std::uint64_t be_value(ByteView b) noexcept;  ///< Up to 8 bytes; longer inputs use the last 8.

/// Bounds-checked reader for untrusted data (a BufferSlicer): every take reports truncation.
class BufferReader {
 public:
  explicit BufferReader(ByteView in) noexcept : m_in(in) {}
  std::size_t remaining() const noexcept { return m_in.size() - m_pos; }
  bool empty() const noexcept { return remaining() == 0; }
  std::size_t position() const noexcept { return m_pos; }
  Result<std::uint8_t> u8();
  Result<std::uint16_t> u16_be();
  Result<std::uint32_t> u32_be();
  Result<std::uint32_t> u32_le();
  Result<ByteView> take(std::size_t n);
  ByteView rest() noexcept;

 private:
  ByteView m_in;
  std::size_t m_pos = 0;
};

}  // namespace dnie
