// SPDX-License-Identifier: Apache-2.0
// RSA: deterministic key generation, raw operations, PKCS#1 v1.5 and PSS (signing by mbedTLS,
// verification by our own EMSA code), DER import/export and DigestInfo.
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/rsa.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::crypto;
using dnie::test::hx;

namespace {
const RsaPrivateKey& test_key() {
  static RsaPrivateKey key = [] {
    DeterministicRng rng(ByteView::of("rsa-test-key"));
    return RsaPrivateKey::generate(1024, rng).value();
  }();
  return key;
}
}  // namespace

TEST_CASE("rsa: DigestInfo prefixes (RFC 8017 §9.2 note 1)") {
  auto di = digest_info(HashAlg::Sha256, Bytes(32, 0xAB));
  REQUIRE(di);
  CHECK(to_hex(ByteView(*di).first(19)) == "3031300D060960864801650304020105000420");
  CHECK(to_hex(ByteView(*digest_info(HashAlg::Sha1, Bytes(20))).first(15)) ==
        "3021300906052B0E03021A05000414");
  CHECK(to_hex(ByteView(*digest_info(HashAlg::Sha224, Bytes(28))).first(19)) ==
        "302D300D06096086480165030402040500041C");
  CHECK(to_hex(ByteView(*digest_info(HashAlg::Sha384, Bytes(48))).first(19)) ==
        "3041300D060960864801650304020205000430");
  CHECK(to_hex(ByteView(*digest_info(HashAlg::Sha512, Bytes(64))).first(19)) ==
        "3051300D060960864801650304020305000440");
  for (HashAlg a : {HashAlg::Sha1, HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512}) {
    Bytes d = hash(a, ByteView::of("x"));
    auto p = parse_digest_info(*digest_info(a, d));
    REQUIRE(p);
    CHECK(p->alg == a);
    CHECK(p->digest == d);
  }
  CHECK(digest_info(HashAlg::Sha256, Bytes(20)).error().code == ErrorCode::InvalidArgument);
  CHECK(parse_digest_info(hex_bytes("3031300D060960864801650304020105000420")).error().code ==
        ErrorCode::MalformedData);
  CHECK_FALSE(parse_digest_info(hex_bytes("0000")));
  // Unknown hash OID (MD5).
  CHECK(parse_digest_info(concat({hex_bytes("3020300C06082A864886F70D020505000410"), Bytes(16)}))
            .error()
            .code == ErrorCode::Unsupported);
}

TEST_CASE("rsa: deterministic key generation") {
  DeterministicRng r1(ByteView::of("seed-A")), r2(ByteView::of("seed-A")), r3(ByteView::of("seed-B"));
  auto k1 = RsaPrivateKey::generate(1024, r1);
  auto k2 = RsaPrivateKey::generate(1024, r2);
  auto k3 = RsaPrivateKey::generate(1024, r3);
  REQUIRE(k1);
  REQUIRE(k2);
  REQUIRE(k3);
  CHECK(k1->size() == 128);
  CHECK(k1->public_key().bits() == 1024);
  CHECK(k1->to_der().equals(k2->to_der().view()));
  CHECK(k1->public_key().modulus() != k3->public_key().modulus());
  CHECK(k1->public_key().exponent() == hex_bytes("010001"));
  CHECK(RsaPrivateKey::generate(1023, r1).error().code == ErrorCode::InvalidArgument);
  CHECK(RsaPrivateKey::generate(1024, r1, 4).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("rsa: raw operations are inverse") {
  const auto& key = test_key();
  auto pub = key.public_key();
  Bytes m = hex_bytes("00112233445566778899");
  auto s = key.private_op(m);
  REQUIRE(s);
  CHECK(s->size() == 128);
  auto back = pub.public_op(s->view());
  REQUIRE(back);
  CHECK(back->size() == 128);
  CHECK(back->view().last(m.size()) == ByteView(m));
  CHECK(pub.public_op(Bytes(128, 0xFF)).error().code == ErrorCode::InvalidArgument);  // >= n
  CHECK(pub.public_op(Bytes(129, 0x01)).error().code == ErrorCode::InvalidArgument);
  CHECK(key.private_op(pub.modulus()).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("rsa: PKCS#1 v1.5 sign/verify") {
  const auto& key = test_key();
  auto pub = key.public_key();
  for (HashAlg a : {HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha512}) {
    Bytes d = hash(a, ByteView::of("document"));
    auto sig = key.sign_pkcs1_v15(a, d);
    REQUIRE(sig);
    CHECK(pub.verify_pkcs1_v15(a, d, *sig));
    // The card-style raw variant produces the same (deterministic) signature.
    CHECK(*key.sign_pkcs1_v15_raw(*digest_info(a, d)) == *sig);
    Bytes bad = *sig;
    bad[10] ^= 1;
    CHECK(pub.verify_pkcs1_v15(a, d, bad).error().code == ErrorCode::VerificationFailed);
    Bytes d2 = d;
    d2[0] ^= 1;
    CHECK(pub.verify_pkcs1_v15(a, d2, *sig).error().code == ErrorCode::VerificationFailed);
  }
  CHECK(pub.verify_pkcs1_v15(HashAlg::Sha256, Bytes(32), Bytes(129)).error().code ==
        ErrorCode::VerificationFailed);
  CHECK(key.sign_pkcs1_v15_raw(Bytes(118)).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("rsa: PSS sign (mbedTLS) / verify (ours)") {
  const auto& key = test_key();
  auto pub = key.public_key();
  for (HashAlg a : {HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha384}) {
    Bytes d = hash(a, ByteView::of("pss"));
    auto sig = key.sign_pss(a, d, system_rng());
    REQUIRE(sig);
    CHECK(pub.verify_pss(a, d, *sig));
    CHECK(pub.verify_pss(a, d, *sig, static_cast<int>(hash_size(a))));
    CHECK(pub.verify_pss(a, d, *sig, 0, HashAlg::Sha1, true).error().code == ErrorCode::VerificationFailed);
    CHECK(pub.verify_pss(a, d, *sig, -1, a == HashAlg::Sha1 ? HashAlg::Sha256 : HashAlg::Sha1, false)
              .error()
              .code == ErrorCode::VerificationFailed);
    CHECK(pub.verify_pss(a, d, *sig, -1, a, false));
    Bytes bad = *sig;
    bad[0] ^= 0x10;
    CHECK(pub.verify_pss(a, d, bad).error().code == ErrorCode::VerificationFailed);
    // A PKCS#1 v1.5 signature is not a PSS signature.
    CHECK_FALSE(pub.verify_pss(a, d, *key.sign_pkcs1_v15(a, d)));
  }
}

TEST_CASE("rsa: DER import/export") {
  const auto& key = test_key();
  auto pub = key.public_key();
  auto der = key.to_der();
  auto again = RsaPrivateKey::from_der(der.view());
  REQUIRE(again);
  CHECK(again->to_der().equals(der.view()));
  auto p1 = RsaPublicKey::from_der(pub.to_pkcs1());
  auto p2 = RsaPublicKey::from_der(pub.to_spki());
  REQUIRE(p1);
  REQUIRE(p2);
  CHECK(p1->modulus() == pub.modulus());
  CHECK(p2->modulus() == pub.modulus());
  CHECK(p2->to_spki() == pub.to_spki());
  RsaPublicKey copy = *p2;
  CHECK(copy.size() == 128);
  // From n, e, d only (primes recovered).
  Bytes n = pub.modulus();
  Bytes sig = key.private_op(Bytes{42})->view().to_bytes();
  CHECK_FALSE(RsaPrivateKey::from_der(ByteView(der.view()).first(40)));
  CHECK_FALSE(RsaPublicKey::from_der(hex_bytes("300602010102010300")));
  CHECK(RsaPublicKey::from_components(Bytes{}, Bytes{3}).error().code == ErrorCode::InvalidArgument);
  CHECK(pub.verify_pkcs1_v15(HashAlg::Sha256, Bytes(31), sig).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("rsa: key from (n, e, d) without primes") {
  // RSAPrivateKey fields: version, n, e, d, ...
  const auto& key = test_key();
  auto der = key.to_der();
  auto seq = tlv::parse_single(der.view()).value();
  tlv::Reader rd(seq.value);
  (void)rd.next();
  Bytes n = asn1::integer_unsigned(rd.next()->value).value();
  Bytes e = asn1::integer_unsigned(rd.next()->value).value();
  const SecureBuffer d = SecureBuffer::adopt(asn1::integer_unsigned(rd.next()->value).value());
  auto k = RsaPrivateKey::from_components(n, e, d.view());
  REQUIRE(k);
  Bytes dg = hash(HashAlg::Sha256, ByteView::of("nd"));
  CHECK(key.public_key().verify_pkcs1_v15(HashAlg::Sha256, dg, *k->sign_pkcs1_v15(HashAlg::Sha256, dg)));
}
