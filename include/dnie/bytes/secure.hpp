// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/secure.hpp
// Secrets: SecretBytes is a byte vector whose allocator wipes every block it gives back (on
// destruction, on growth and on shrink_to_fit), so no copy of a secret survives a reallocation
// (Botan's secure_vector, base/secmem.h, does the same). SecureBuffer wraps it for key material,
// CAN, PIN, MRZ keys, SSCs: it is move-only, leaves an empty buffer when moved from, compares in
// constant time, and has no formatter or stream operator, so it cannot reach a log by accident.
// Copies need an explicit clone(). docs/secrets.md lists every secret and where it lives.
// Thread safety: like std::vector (no internal locking).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dnie/bytes/bytes.hpp"

namespace dnie {

/// Overwrites memory in a way the compiler may not elide (explicit_bzero where the C library has
/// it). Needed only for storage no owning type can hold (stack arrays, foreign buffers).
void secure_wipe(void* p, std::size_t n) noexcept;

/// Constant-time equality (timing depends only on the lengths).
bool ct_equal(ByteView a, ByteView b) noexcept;

/// std::allocator that wipes each block before releasing it. Stateless: all instances are equal,
/// so containers move storage between each other without copying.
template <typename T>
struct ZeroizingAllocator {
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using is_always_equal = std::true_type;

  ZeroizingAllocator() noexcept = default;
  template <typename U>
  ZeroizingAllocator(const ZeroizingAllocator<U>&) noexcept {}  // NOLINT implicit

  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <typename U>
  bool operator==(const ZeroizingAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const ZeroizingAllocator<U>&) const noexcept {
    return false;
  }
};

/// The storage of every secret: wiped whenever the vector frees or moves its storage.
using SecretBytes = std::vector<std::uint8_t, ZeroizingAllocator<std::uint8_t>>;

inline ByteView view_of(const SecretBytes& s) noexcept { return ByteView(s.data(), s.size()); }
inline SecretBytes secret_copy(ByteView v) { return SecretBytes(v.begin(), v.end()); }
inline void append(SecretBytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

/// A move-only owner of a SecretBytes.
class SecureBuffer {
 public:
  SecureBuffer() noexcept = default;
  explicit SecureBuffer(std::size_t n) : m_bytes(n, 0) {}             ///< n zero bytes.
  explicit SecureBuffer(ByteView v) : m_bytes(v.begin(), v.end()) {}  ///< Copies v.
  explicit SecureBuffer(SecretBytes&& b) noexcept : m_bytes(std::move(b)) {}
  /// Takes the content of a plain vector and wipes it (for values from code outside the SDK).
  static SecureBuffer adopt(Bytes&& b);
  static SecureBuffer from_string(std::string_view s) { return SecureBuffer(ByteView::of(s)); }
  /// The concatenation of `parts`, built in wiped storage.
  static SecureBuffer concat(std::initializer_list<ByteView> parts);

  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;
  SecureBuffer(SecureBuffer&& o) noexcept : m_bytes(std::move(o.m_bytes)) { o.m_bytes.clear(); }
  SecureBuffer& operator=(SecureBuffer&& o) noexcept {
    if (this != &o) {
      m_bytes = std::move(o.m_bytes);  // the old storage goes back through the wiping allocator
      o.m_bytes.clear();
    }
    return *this;
  }
  ~SecureBuffer() = default;  // SecretBytes wipes

  /// A deliberate copy (greppable).
  SecureBuffer clone() const { return SecureBuffer(view()); }

  std::uint8_t* data() noexcept { return m_bytes.data(); }
  const std::uint8_t* data() const noexcept { return m_bytes.data(); }
  std::size_t size() const noexcept { return m_bytes.size(); }
  bool empty() const noexcept { return m_bytes.empty(); }
  ByteView view() const noexcept { return view_of(m_bytes); }
  std::uint8_t& operator[](std::size_t i) noexcept { return m_bytes[i]; }
  std::uint8_t operator[](std::size_t i) const noexcept { return m_bytes[i]; }
  /// The storage itself (for building a secret in place).
  SecretBytes& bytes() noexcept { return m_bytes; }
  const SecretBytes& bytes() const noexcept { return m_bytes; }

  /// Appends bytes (a reallocation wipes the old storage).
  void append(ByteView v) { dnie::append(m_bytes, v); }
  /// Shrinks to the first n bytes; the old storage, tail included, is wiped.
  void truncate(std::size_t n);
  /// Wipes and releases the content.
  void clear() noexcept { SecretBytes().swap(m_bytes); }

  /// Constant-time comparison.
  bool equals(ByteView other) const noexcept { return ct_equal(view(), other); }

 private:
  SecretBytes m_bytes;
};

}  // namespace dnie
