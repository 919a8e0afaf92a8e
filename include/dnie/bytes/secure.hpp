// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/secure.hpp
// Secrets: SecureBuffer owns key material, CAN, PIN, MRZ keys, SSCs. It is move-only, is wiped
// on destruction and on move-from, compares in constant time, and has no formatter or stream
// operator, so it cannot reach a log by accident. Copies need an explicit clone().
// Thread safety: like std::vector (no internal locking).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dnie/bytes/bytes.hpp"

namespace dnie {

/// Overwrites memory in a way the compiler may not elide.
void secure_wipe(void* p, std::size_t n) noexcept;
inline void secure_wipe(Bytes& b) noexcept { secure_wipe(b.data(), b.size()); }

/// Constant-time equality (timing depends only on the lengths).
bool ct_equal(ByteView a, ByteView b) noexcept;

class SecureBuffer {
 public:
  SecureBuffer() noexcept = default;
  explicit SecureBuffer(std::size_t n);  ///< n zero bytes.
  explicit SecureBuffer(ByteView v);     ///< Copies v (the caller wipes its own copy).
  /// Takes ownership of `b` and wipes the vector it came from.
  static SecureBuffer adopt(Bytes&& b);
  static SecureBuffer from_string(std::string_view s) { return SecureBuffer(ByteView::of(s)); }

  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;
  SecureBuffer(SecureBuffer&& o) noexcept;
  SecureBuffer& operator=(SecureBuffer&& o) noexcept;
  ~SecureBuffer();

  /// A deliberate copy (greppable).
  SecureBuffer clone() const { return SecureBuffer(view()); }

  std::uint8_t* data() noexcept { return m_data; }
  const std::uint8_t* data() const noexcept { return m_data; }
  std::size_t size() const noexcept { return m_size; }
  bool empty() const noexcept { return m_size == 0; }
  ByteView view() const noexcept { return ByteView(m_data, m_size); }
  std::uint8_t& operator[](std::size_t i) noexcept { return m_data[i]; }
  std::uint8_t operator[](std::size_t i) const noexcept { return m_data[i]; }

  /// Appends bytes (reallocates and wipes the old storage).
  void append(ByteView v);
  /// Shrinks to the first n bytes, wiping the tail.
  void truncate(std::size_t n) noexcept;
  /// Wipes and releases the content.
  void clear() noexcept;

  /// Constant-time comparison.
  bool equals(ByteView other) const noexcept { return ct_equal(view(), other); }

 private:
  std::uint8_t* m_data = nullptr;
  std::size_t m_size = 0;
};

}  // namespace dnie
