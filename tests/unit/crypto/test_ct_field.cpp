// SPDX-License-Identifier: Apache-2.0
// CtField (constant-time arithmetic mod p) against the reference BigInt arithmetic on random
// values, for the field sizes PACE-IM meets: brainpoolP256r1, P-521-sized, a 2048-bit DH prime.
#include <doctest/doctest.h>

#include "dnie/crypto/dh.hpp"
#include "dnie/crypto/ec.hpp"
#include "dnie/crypto/rng.hpp"

#include "crypto/bigint.hpp"
#include "crypto/ct_field.hpp"

using namespace dnie;
using crypto::BigInt;
using crypto::CtField;

namespace {

Bytes out(const CtField& f, const CtField::Elem& e) { return f.to_bytes(e).view().to_bytes(); }

void check_field(const Bytes& p_bytes, crypto::Rng& rng, int rounds) {
  auto fr = CtField::create(p_bytes);
  REQUIRE(fr);
  const CtField& f = *fr;
  const BigInt p = BigInt::from_bytes(p_bytes);
  const std::size_t w = f.width();
  for (int i = 0; i < rounds; ++i) {
    const Bytes ra = rng.bytes(w + 8).value(), rb = rng.bytes(w).value();  // wider than p: reduction
    const BigInt a = BigInt::from_bytes(ra).mod(p).value(), b = BigInt::from_bytes(rb).mod(p).value();
    const CtField::Elem ea = f.from_bytes(ra), eb = f.from_bytes(rb);
    CHECK(out(f, ea) == a.to_bytes(w).value());
    CHECK(out(f, f.add(ea, eb)) == a.add(b).mod(p).value().to_bytes(w).value());
    CHECK(out(f, f.sub(ea, eb)) == a.add(p).sub(b).value().mod(p).value().to_bytes(w).value());
    CHECK(out(f, f.mul(ea, eb)) == a.mul(b).mod(p).value().to_bytes(w).value());
    const Bytes e = rng.bytes(3).value();
    CHECK(out(f, f.pow(ea, e)) == a.exp_mod(BigInt::from_bytes(e), p).value().to_bytes(w).value());
    if (!a.is_zero()) {
      CHECK(out(f, f.inv(ea)) == a.inv_mod(p).value().to_bytes(w).value());
      CHECK(f.equal(f.mul(ea, f.inv(ea)), f.one()));
    }
    CHECK(f.equal(f.select(true, ea, eb), ea));
    CHECK(f.equal(f.select(false, ea, eb), eb));
  }
  CHECK(f.is_zero(f.zero()));
  CHECK(f.is_zero(f.from_bytes(p_bytes)));  // p ≡ 0
  CHECK_FALSE(f.is_zero(f.one()));
  CHECK(f.is_zero(f.add(f.one(), f.neg(f.one()))));
}

}  // namespace

TEST_CASE("CtField agrees with BigInt modulo curve and DH primes") {
  crypto::DeterministicRng rng(ByteView::of("ct_field"));
  check_field(crypto::EcGroup::by_name("brainpoolP256r1").value().params().p, rng, 40);
  check_field(crypto::EcGroup::by_name("secp521r1").value().params().p, rng, 10);
  check_field(crypto::EcGroup::by_name("brainpoolP192r1").value().params().p, rng, 20);
  check_field(crypto::DhGroup::standard(2).value().p(), rng, 3);
}

TEST_CASE("CtField refuses even or tiny moduli") {
  CHECK_FALSE(CtField::create(Bytes{0x10}));
  CHECK_FALSE(CtField::create(Bytes{}));
  CHECK_FALSE(CtField::create(Bytes{0x01}));
  CHECK(CtField::create(Bytes{0x00, 0x07}));
}
