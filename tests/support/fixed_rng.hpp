// SPDX-License-Identifier: Apache-2.0
// File: tests/support/fixed_rng.hpp
// A fixed-output RNG for known-answer tests (the pattern of Botan's src/tests/test_rng.h): the
// engines draw their ephemeral keys and nonces from the crypto::Rng* their options take, so a test
// that hands them this RNG makes them use the published terminal secrets, without any test field in
// the SDK's installed headers. Test and fuzz code only; never linked into the SDK.
//
// Each fill(n) takes the next chunk, as a big-endian number of exactly n bytes: leading zero bytes
// are dropped or added (EcGroup::generate draws order-size bytes, DhGroup::generate the size of q,
// nonces their own size), so a published key is given as printed. A chunk that does not fit in n
// bytes, or a draw after the last chunk, is a CryptoError: the test then fails instead of running
// with other randomness. Not thread-safe.
#pragma once

#include <cstring>
#include <deque>
#include <initializer_list>
#include <string>

#include "dnie/crypto/rng.hpp"

namespace dnie::test {

class FixedOutputRng final : public crypto::Rng {
 public:
  FixedOutputRng() = default;
  FixedOutputRng(std::initializer_list<Bytes> chunks) : m_chunks(chunks) {}
  void add(ByteView chunk) { m_chunks.push_back(chunk.to_bytes()); }

  Status fill(std::uint8_t* out, std::size_t n) override {
    if (m_chunks.empty())
      return Error(ErrorCode::CryptoError,
                   "FixedOutputRng: drawn " + std::to_string(n) + " bytes after the last fixed chunk");
    Bytes c = std::move(m_chunks.front());
    m_chunks.pop_front();
    std::size_t skip = 0;
    while (skip < c.size() && c.size() - skip > n && c[skip] == 0) ++skip;
    if (c.size() - skip > n)
      return Error(ErrorCode::CryptoError, "FixedOutputRng: a " + std::to_string(c.size()) +
                                               "-byte chunk does not fit a " + std::to_string(n) +
                                               "-byte draw");
    const std::size_t pad = n - (c.size() - skip);
    std::memset(out, 0, pad);
    if (c.size() > skip) std::memcpy(out + pad, c.data() + skip, c.size() - skip);
    ++m_drawn;
    return ok_status();
  }

  /// Chunks not drawn yet (0 when the engine used every published secret).
  std::size_t remaining() const noexcept { return m_chunks.size(); }
  std::size_t drawn() const noexcept { return m_drawn; }

 private:
  std::deque<Bytes> m_chunks;
  std::size_t m_drawn = 0;
};

}  // namespace dnie::test
