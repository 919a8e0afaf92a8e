// SPDX-License-Identifier: Apache-2.0
#include "dnie/bytes/secure.hpp"

#include <cstring>
#include <new>

namespace dnie {

namespace {
// A volatile function pointer keeps the compiler from proving the memset dead.
void* (*volatile g_memset)(void*, int, std::size_t) = std::memset;
}  // namespace

void secure_wipe(void* p, std::size_t n) noexcept {
  if (p && n) g_memset(p, 0, n);
}

bool ct_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<std::uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

SecureBuffer::SecureBuffer(std::size_t n) : m_data(n ? new std::uint8_t[n]() : nullptr), m_size(n) {}

SecureBuffer::SecureBuffer(ByteView v) : SecureBuffer(v.size()) {
  if (!v.empty()) std::memcpy(m_data, v.data(), v.size());
}

SecureBuffer SecureBuffer::adopt(Bytes&& b) {
  SecureBuffer s{ByteView(b)};
  secure_wipe(b);
  b.clear();
  b.shrink_to_fit();
  return s;
}

SecureBuffer::SecureBuffer(SecureBuffer&& o) noexcept : m_data(o.m_data), m_size(o.m_size) {
  o.m_data = nullptr;
  o.m_size = 0;
}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& o) noexcept {
  if (this != &o) {
    clear();
    m_data = o.m_data;
    m_size = o.m_size;
    o.m_data = nullptr;
    o.m_size = 0;
  }
  return *this;
}

SecureBuffer::~SecureBuffer() { clear(); }

void SecureBuffer::append(ByteView v) {
  if (v.empty()) return;
  auto* p = new std::uint8_t[m_size + v.size()];
  if (m_size) std::memcpy(p, m_data, m_size);
  std::memcpy(p + m_size, v.data(), v.size());
  std::size_t n = m_size + v.size();
  clear();
  m_data = p;
  m_size = n;
}

void SecureBuffer::truncate(std::size_t n) noexcept {
  if (n >= m_size) return;
  secure_wipe(m_data + n, m_size - n);
  m_size = n;
}

void SecureBuffer::clear() noexcept {
  if (m_data) {
    secure_wipe(m_data, m_size);
    delete[] m_data;
  }
  m_data = nullptr;
  m_size = 0;
}

}  // namespace dnie
