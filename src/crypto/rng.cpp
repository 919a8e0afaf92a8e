// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/rng.cpp
// system_rng(): CTR_DRBG (NIST SP 800-90A §10.2) seeded from mbedtls_entropy (OS source),
// lazily instantiated, one mutex around every call. DeterministicRng: block i is
// SHA-256(seed ‖ i as 64-bit big endian), i = 0, 1, ... — fixed here, independent of mbedTLS.
#include "dnie/crypto/rng.hpp"

#include <algorithm>
#include <mutex>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "internal.hpp"

namespace dnie::crypto {

Result<Bytes> Rng::bytes(std::size_t n) {
  Bytes out(n);
  DNIE_TRY(fill(out.data(), n));
  return out;
}

Result<SecureBuffer> Rng::secret(std::size_t n) {
  SecureBuffer out(n);
  DNIE_TRY(fill(out.data(), n));
  return out;
}

namespace {

class SystemRng final : public Rng {
 public:
  SystemRng() {
    mbedtls_entropy_init(&m_entropy);
    mbedtls_ctr_drbg_init(&m_drbg);
  }
  // Never destroyed (see system_rng()), so no destructor races with late users at exit.

  Status fill(std::uint8_t* out, std::size_t n) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_seeded) {
      static const char kPersonalization[] = "dnie-sdk system_rng";
      int rc = mbedtls_ctr_drbg_seed(&m_drbg, mbedtls_entropy_func, &m_entropy,
                                     reinterpret_cast<const unsigned char*>(kPersonalization),
                                     sizeof(kPersonalization) - 1);
      if (rc) return detail::backend_error("mbedtls_ctr_drbg_seed", rc);
      // SP 800-90A §9.3: reseed automatically after the default interval.
      mbedtls_ctr_drbg_set_prediction_resistance(&m_drbg, MBEDTLS_CTR_DRBG_PR_OFF);
      m_seeded = true;
    }
    while (n > 0) {
      std::size_t chunk = std::min<std::size_t>(n, MBEDTLS_CTR_DRBG_MAX_REQUEST);
      int rc = mbedtls_ctr_drbg_random(&m_drbg, out, chunk);
      if (rc) return detail::backend_error("mbedtls_ctr_drbg_random", rc);
      out += chunk;
      n -= chunk;
    }
    return ok_status();
  }

 private:
  std::mutex m_mutex;
  bool m_seeded = false;
  mbedtls_entropy_context m_entropy;
  mbedtls_ctr_drbg_context m_drbg;
};

}  // namespace

Rng& system_rng() {
  // Deliberately leaked: threads may still draw random bytes during static destruction.
  static SystemRng* rng = new SystemRng();
  return *rng;
}

DeterministicRng::DeterministicRng(ByteView seed) : m_key(seed) {}

DeterministicRng::~DeterministicRng() = default;

Status DeterministicRng::fill(std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    if (m_used >= m_block.size()) {
      SecureBuffer input = SecureBuffer::concat({m_key.view(), be_bytes(m_counter++, 8)});
      m_block = hash_secret(HashAlg::Sha256, input.view());
      m_used = 0;
    }
    std::size_t take = std::min(n, m_block.size() - m_used);
    std::copy_n(m_block.data() + m_used, take, out);
    m_used += take;
    out += take;
    n -= take;
  }
  return ok_status();
}

int rng_callback(void* rng, unsigned char* out, std::size_t n) {
  if (rng == nullptr) return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
  return static_cast<Rng*>(rng)->fill(out, n) ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

}  // namespace dnie::crypto
