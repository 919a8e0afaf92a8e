// SPDX-License-Identifier: Apache-2.0
// The CRL of the TEST holder CA in every image (extras "dnie-ca.crl", RFC 5280 §5.1), checked with
// the crypto facade's CRL checker (OpenSSL inside): the "revoked" card's certificates are listed
// with their reasons, no other card's are; the CRL is deterministic, current until 2034, and a
// tampered copy proves nothing. The openssl command line checks it too (tests/unit/tools,
// cli virtual_crl).
#include <algorithm>

#include "dnie/crypto/revocation.hpp"
#include "dnie/crypto/x509.hpp"

#include "gen_test_util.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;

namespace {

crypto::Certificate cert(const CardImage& img, const std::string& name) {
  auto c = crypto::Certificate::parse(img.extras.at(name));
  REQUIRE(c.ok());
  return std::move(c).value();
}

crypto::RevocationResult check(const CardImage& img, const std::string& leaf, std::int64_t now,
                               const Bytes* crl = nullptr) {
  crypto::RevocationCheckOptions o;
  o.now = now;
  return crypto::check_crl(crl ? *crl : img.extras.at("dnie-ca.crl"), cert(img, leaf),
                           cert(img, "dnie-ca.der"), o);
}

const std::int64_t k2024 = 1704067200;  // 2024-01-01T00:00:00Z, the generator's reference time
const std::int64_t k2026 = 1767225600;  // 2026-01-01T00:00:00Z

}  // namespace

TEST_CASE("every image carries its holder CA's CRL; only the revoked card is listed") {
  for (const auto& p : profiles()) {
    CAPTURE(p);
    const CardImage& img = image(p);
    REQUIRE(img.extras.count("dnie-ca.crl") == 1);
    for (const char* leaf : {"auth-cert.der", "sign-cert.der"}) {
      CAPTURE(leaf);
      const auto r = check(img, leaf, k2026);
      INFO(r.detail);
      if (p == "revoked") {
        CHECK(r.status == crypto::RevocationStatus::Revoked);
        CHECK(r.revocation_time == k2024);
        CHECK(r.revocation_reason == (std::string(leaf) == "sign-cert.der" ? "keyCompromise" : "superseded"));
      } else {
        CHECK(r.status == crypto::RevocationStatus::Good);
      }
      CHECK(r.this_update == k2024);
      CHECK(r.next_update == 2019686400);  // 2034-01-01T00:00:00Z
    }
  }
  // Its own serials: the genuine card's certificates are not the revoked card's.
  CHECK(cert(image("revoked"), "sign-cert.der").serial() != cert(image("genuine"), "sign-cert.der").serial());
  // One CA, one CRL: every image under AC DNIE 001 TEST carries the same one.
  CHECK(image("revoked").extras.at("dnie-ca.crl") == image("genuine").extras.at("dnie-ca.crl"));
  // Stale after 2034-01-01 (never good then), revoked whatever its age.
  CHECK(check(image("genuine"), "sign-cert.der", 2019686400 + 86400).status !=
        crypto::RevocationStatus::Good);
}

TEST_CASE("the CRL is deterministic and a tampered copy proves nothing") {
  GeneratorOptions o;
  o.seed = kSeed;
  o.profile = "revoked";
  auto a = generate_card(o);
  REQUIRE(a.ok());
  CHECK(a->extras.at("dnie-ca.crl") == image("revoked").extras.at("dnie-ca.crl"));
  // An attacker drops the revoked card from the list: flipping any byte of the signed part (here
  // the last serial byte of an entry) breaks the signature, and the CRL is unavailable, not good.
  Bytes crl = a->extras.at("dnie-ca.crl");
  const Bytes serial = cert(*a, "sign-cert.der").serial();
  auto it = std::search(crl.begin(), crl.end(), serial.begin(), serial.end());
  REQUIRE(it != crl.end());
  *(it + static_cast<std::ptrdiff_t>(serial.size()) - 1) ^= 0x01;
  const auto r = check(*a, "sign-cert.der", k2026, &crl);
  CHECK(r.status == crypto::RevocationStatus::Unavailable);
  // The genuine card's CRL is not the r2 CA's: another issuer, unavailable for its certificates.
  const Bytes r2 = image("r2").extras.at("dnie-ca.crl");
  CHECK(check(image("genuine"), "sign-cert.der", k2026, &r2).status == crypto::RevocationStatus::Unavailable);
}
