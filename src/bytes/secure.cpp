// SPDX-License-Identifier: Apache-2.0
#include "dnie/bytes/secure.hpp"

#include <cstring>
#if defined(__GLIBC__) || defined(__OpenBSD__) || defined(__FreeBSD__)
#include <strings.h>
#define DNIE_HAVE_EXPLICIT_BZERO 1
#endif

namespace dnie {

namespace {
#ifndef DNIE_HAVE_EXPLICIT_BZERO
// A volatile function pointer keeps the compiler from proving the memset dead.
void* (*volatile g_memset)(void*, int, std::size_t) = std::memset;
#endif
}  // namespace

void secure_wipe(void* p, std::size_t n) noexcept {
  if (!p || !n) return;
#ifdef DNIE_HAVE_EXPLICIT_BZERO
  explicit_bzero(p, n);  // glibc: a compiler barrier the optimiser cannot remove
#else
  g_memset(p, 0, n);
#endif
}

bool ct_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<std::uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

SecureBuffer SecureBuffer::adopt(Bytes&& b) {
  SecureBuffer s{ByteView(b)};
  b.resize(b.capacity());           // zero-fills the spare capacity: every byte is now in range
  secure_wipe(b.data(), b.size());  // a plain vector: no owning type wipes it for us
  Bytes().swap(b);
  return s;
}

SecureBuffer SecureBuffer::concat(std::initializer_list<ByteView> parts) {
  std::size_t n = 0;
  for (ByteView p : parts) n += p.size();
  SecureBuffer out;
  out.m_bytes.reserve(n);
  for (ByteView p : parts) out.append(p);
  return out;
}

void SecureBuffer::truncate(std::size_t n) {
  if (n >= size()) return;
  SecretBytes shorter(m_bytes.begin(), m_bytes.begin() + static_cast<std::ptrdiff_t>(n));
  m_bytes.swap(shorter);  // `shorter` now holds the old storage and wipes all of it
}

}  // namespace dnie
