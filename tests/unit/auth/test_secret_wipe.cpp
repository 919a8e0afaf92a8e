// SPDX-License-Identifier: Apache-2.0
// Secrets are wiped by construction: this binary replaces the global operator new/delete and
// scans every block handed back for a secret pattern before it is freed. A plain vector that
// grows leaves its old copy behind (the detector works); SecretBytes and SecureBuffer never do;
// and the CWA-14890 steps that used to grow a buffer holding KICC / KIFD leave no copy either.
#include <array>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <new>

#include <doctest/doctest.h>

#include "dnie/auth/cwa14890.hpp"
#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/crypto/rsa.hpp"

#include "crypto/bigint.hpp"

namespace {

struct Watch {
  const unsigned char* pattern = nullptr;
  std::size_t len = 0;
  std::size_t freed = 0;  // blocks freed while armed
  std::size_t hits = 0;   // of which still held the pattern
};
Watch g_watch;

void inspect(void* p) noexcept {
  if (p == nullptr || g_watch.pattern == nullptr) return;
  const std::size_t n = malloc_usable_size(p);
  ++g_watch.freed;
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i + g_watch.len <= n; ++i) {
    if (std::memcmp(b + i, g_watch.pattern, g_watch.len) == 0) {
      ++g_watch.hits;
      return;
    }
  }
}

/// Scans every block freed during its lifetime for `secret` (at least 8 bytes: no chance hits).
class Armed {
 public:
  explicit Armed(dnie::ByteView secret) { g_watch = Watch{secret.data(), secret.size(), 0, 0}; }
  ~Armed() { g_watch.pattern = nullptr; }
  Armed(const Armed&) = delete;
  Armed& operator=(const Armed&) = delete;
  std::size_t hits() const { return g_watch.hits; }
  std::size_t freed() const { return g_watch.freed; }
};

}  // namespace

void* operator new(std::size_t n) {
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void operator delete(void* p) noexcept {
  inspect(p);
  std::free(p);
}
void operator delete[](void* p) noexcept { ::operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete(p); }

using namespace dnie;

namespace {
const std::array<std::uint8_t, 16> kSecret = {0x5E, 0xC2, 0xE7, 0x11, 0xA9, 0x3D, 0x42, 0x77,
                                              0x0F, 0xE1, 0xB8, 0x2C, 0x96, 0x4A, 0xD3, 0x65};
}

TEST_CASE("the detector sees the copy a plain vector leaves when it grows") {
  Bytes v(kSecret.begin(), kSecret.end());
  v.shrink_to_fit();
  Armed armed(kSecret);
  for (int i = 0; i < 64; ++i) v.push_back(0);  // reallocates: the old block still holds it
  CHECK(armed.hits() >= 1);
  secure_wipe(v.data(), v.size());  // the test's own plain vector
}

TEST_CASE("SecretBytes wipes every block it frees: growth, shrink, destruction") {
  Armed armed(kSecret);
  {
    SecretBytes s(kSecret.begin(), kSecret.end());
    for (int i = 0; i < 1000; ++i) s.push_back(static_cast<std::uint8_t>(i));  // many reallocations
    s.resize(kSecret.size());
    s.shrink_to_fit();
    SecretBytes copy = s;
    copy.insert(copy.end(), kSecret.begin(), kSecret.end());
  }
  CHECK(armed.freed() >= 5);
  CHECK(armed.hits() == 0);
}

TEST_CASE("SecureBuffer wipes on append, truncate, move-assignment and clear") {
  Armed armed(kSecret);
  {
    SecureBuffer a{ByteView(kSecret)};
    for (int i = 0; i < 100; ++i) a.append(ByteView(kSecret));
    a.truncate(8);
    SecureBuffer b = SecureBuffer::concat({ByteView(kSecret), ByteView(kSecret)});
    b = std::move(a);
    SecureBuffer c = b.clone();
    c.clear();
    SecureBuffer d = SecureBuffer::adopt(Bytes(kSecret.begin(), kSecret.end()));
  }
  CHECK(armed.freed() >= 5);
  CHECK(armed.hits() == 0);
}

namespace {

struct CwaKeys {
  crypto::RsaPrivateKey ifd, icc;
};

CwaKeys make_keys() {
  crypto::DeterministicRng rng(ByteView::of("test_secret_wipe CWA keys"));
  auto ifd = crypto::RsaPrivateKey::generate(1024, rng);
  auto icc = crypto::RsaPrivateKey::generate(1024, rng);
  REQUIRE(ifd);
  REQUIRE(icc);
  return CwaKeys{std::move(ifd).value(), std::move(icc).value()};
}

}  // namespace

TEST_CASE("INTERNAL AUTHENTICATE leaves no copy of KICC in freed memory") {
  const CwaKeys k = make_keys();
  const Bytes kicc = hex_bytes("C0FFEE00112233445566778899AABBCCDDEEFF0123456789ABCDEF0011223344");
  const Bytes prnd1(74, 0x3C), rnd_ifd = hex_bytes("0102030405060708"), chr = hex_bytes("0000000000000001");
  // The card's answer (CWA 14890-1 §8.4.2), built before the watch starts.
  const SecureBuffer h =
      crypto::hash_secret(crypto::HashAlg::Sha1, SecureBuffer::concat({prnd1, kicc, rnd_ifd, chr}).view());
  const std::uint8_t head = 0x6A, tail = 0xBC;
  const SecureBuffer frame =
      SecureBuffer::concat({ByteView(&head, 1), prnd1, kicc, h.view(), ByteView(&tail, 1)});
  auto sig = k.icc.private_op(frame.view());
  REQUIRE(sig);
  const crypto::BigInt s = crypto::BigInt::from_bytes(sig->view());
  auto other = crypto::BigInt::from_bytes(k.icc.public_key().modulus()).sub(s);
  REQUIRE(other);
  auto sigmin = (*other < s ? *other : s).to_secret(128);
  REQUIRE(sigmin);
  auto response = k.ifd.public_key().public_op(sigmin->view());
  REQUIRE(response);
  const Bytes answer = response->view().to_bytes();

  Armed armed(kicc);
  {
    auto got = auth::cwa_verify_internal_auth(k.ifd, k.icc.public_key(), answer, rnd_ifd, chr);
    REQUIRE(got);
    CHECK(got->equals(kicc));
  }
  CHECK(armed.freed() >= 3);
  CHECK(armed.hits() == 0);
}

TEST_CASE("EXTERNAL AUTHENTICATE leaves no copy of KIFD in freed memory") {
  const CwaKeys k = make_keys();
  const Bytes kifd = hex_bytes("F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF00A1A2A3A4A5A6A7A8A9AAABACADAEAFB0");
  const Bytes prnd2(74, 0x5A), rnd_icc = hex_bytes("1122334455667788"), sn = hex_bytes("0000000012345678");
  Armed armed(kifd);
  {
    auto data = auth::cwa_build_external_auth(k.ifd, k.icc.public_key(), prnd2, kifd, rnd_icc, sn);
    REQUIRE(data);
    CHECK(data->size() == 128);
  }
  CHECK(armed.freed() >= 3);
  CHECK(armed.hits() == 0);
}
