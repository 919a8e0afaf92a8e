// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/domain_validation.cpp
// Full validation of explicit domain parameters received from a peer (a chip's EF.CardAccess):
// finite-field groups (NIST SP 800-56A Rev. 3 §5.5.2, FIPS 186-4 App. A.1.1 / A.2.2) and prime
// curves (SEC 1 v2 §3.1.1.2.1). The arithmetic here is plain and variable-time: it only touches
// public values. The point arithmetic does not use mbedTLS's scalar multiplication, whose comb
// method assumes n·G = O (it rewrites even scalars as n - k) and so cannot test that property.
#include "dnie/crypto/dh.hpp"
#include "dnie/crypto/ec.hpp"

#include "internal.hpp"

namespace dnie::crypto {

using detail::backend_error;
using detail::invalid;
using detail::Mpi;
using detail::mpi_read;

namespace {

/// Miller-Rabin rounds: 50 gives an error probability below 2^-100 for any input (FIPS 186-4
/// App. C.3 asks for at most 2^-100 when the candidate may be adversarial).
constexpr int kPrimeRounds = 50;

#define DNIE_MPI(x)                                             \
  do {                                                          \
    if (int rc_ = (x); rc_ != 0) return backend_error(#x, rc_); \
  } while (0)

/// True if x is (probably) prime.
Result<bool> is_prime(const mbedtls_mpi* x) {
  if (mbedtls_mpi_cmp_int(x, 2) < 0) return false;
  int rc = mbedtls_mpi_is_prime_ext(x, kPrimeRounds, rng_callback, &system_rng());
  if (rc == 0) return true;
  if (rc == MBEDTLS_ERR_MPI_NOT_ACCEPTABLE) return false;
  return backend_error("mbedtls_mpi_is_prime_ext", rc);
}

std::string bits(std::size_t n) { return std::to_string(n) + " bits"; }

/// floor(sqrt(x)) by Newton's iteration (x ≥ 0).
Status isqrt(mbedtls_mpi* r, const mbedtls_mpi* x) {
  if (mbedtls_mpi_cmp_int(x, 1) <= 0) {
    DNIE_MPI(mbedtls_mpi_copy(r, x));
    return ok_status();
  }
  Mpi y, q;
  // Start above the root: 2^ceil(bits/2).
  DNIE_MPI(mbedtls_mpi_lset(r, 1));
  DNIE_MPI(mbedtls_mpi_shift_l(r, (mbedtls_mpi_bitlen(x) + 1) / 2));
  for (;;) {
    DNIE_MPI(mbedtls_mpi_div_mpi(q.get(), nullptr, x, r));  // y = (r + x / r) / 2
    DNIE_MPI(mbedtls_mpi_add_mpi(y.get(), r, q.get()));
    DNIE_MPI(mbedtls_mpi_shift_r(y.get(), 1));
    if (mbedtls_mpi_cmp_mpi(y.get(), r) >= 0) return ok_status();
    DNIE_MPI(mbedtls_mpi_copy(r, y.get()));
  }
}

/// Affine points on y² = x³ + ax + b over GF(p), with the point at infinity as a flag.
struct Affine {
  Mpi x, y;
  bool infinity = true;
};

class Curve {
 public:
  Curve(const mbedtls_mpi* p, const mbedtls_mpi* a) : m_p(p), m_a(a) {}

  Status copy(Affine& dst, const Affine& src) const {
    dst.infinity = src.infinity;
    DNIE_MPI(mbedtls_mpi_copy(dst.x.get(), src.x.get()));
    DNIE_MPI(mbedtls_mpi_copy(dst.y.get(), src.y.get()));
    return ok_status();
  }

  /// r = P + Q (r may alias neither input).
  Status add(Affine& r, const Affine& P, const Affine& Q) const {
    if (P.infinity) return copy(r, Q);
    if (Q.infinity) return copy(r, P);
    Mpi l, t, u;
    if (mbedtls_mpi_cmp_mpi(P.x.get(), Q.x.get()) == 0) {
      DNIE_MPI(mbedtls_mpi_add_mpi(t.get(), P.y.get(), Q.y.get()));
      DNIE_MPI(mbedtls_mpi_mod_mpi(t.get(), t.get(), m_p));
      if (mbedtls_mpi_cmp_int(t.get(), 0) == 0) {  // Q = -P (also doubling a point with y = 0)
        r.infinity = true;
        return ok_status();
      }
      // λ = (3x² + a) / 2y
      DNIE_MPI(mbedtls_mpi_mul_mpi(t.get(), P.x.get(), P.x.get()));
      DNIE_MPI(mbedtls_mpi_mul_int(t.get(), t.get(), 3));
      DNIE_MPI(mbedtls_mpi_add_mpi(t.get(), t.get(), m_a));
      DNIE_MPI(mbedtls_mpi_add_mpi(u.get(), P.y.get(), P.y.get()));
    } else {
      // λ = (y2 - y1) / (x2 - x1)
      DNIE_MPI(mbedtls_mpi_sub_mpi(t.get(), Q.y.get(), P.y.get()));
      DNIE_MPI(mbedtls_mpi_sub_mpi(u.get(), Q.x.get(), P.x.get()));
    }
    DNIE_MPI(mbedtls_mpi_mod_mpi(u.get(), u.get(), m_p));
    DNIE_MPI(mbedtls_mpi_mod_mpi(t.get(), t.get(), m_p));
    DNIE_MPI(mbedtls_mpi_inv_mod(u.get(), u.get(), m_p));
    DNIE_MPI(mbedtls_mpi_mul_mpi(l.get(), t.get(), u.get()));
    DNIE_MPI(mbedtls_mpi_mod_mpi(l.get(), l.get(), m_p));
    // x3 = λ² - x1 - x2, y3 = λ(x1 - x3) - y1
    DNIE_MPI(mbedtls_mpi_mul_mpi(t.get(), l.get(), l.get()));
    DNIE_MPI(mbedtls_mpi_sub_mpi(t.get(), t.get(), P.x.get()));
    DNIE_MPI(mbedtls_mpi_sub_mpi(t.get(), t.get(), Q.x.get()));
    DNIE_MPI(mbedtls_mpi_mod_mpi(r.x.get(), t.get(), m_p));
    DNIE_MPI(mbedtls_mpi_sub_mpi(t.get(), P.x.get(), r.x.get()));
    DNIE_MPI(mbedtls_mpi_mul_mpi(t.get(), t.get(), l.get()));
    DNIE_MPI(mbedtls_mpi_sub_mpi(t.get(), t.get(), P.y.get()));
    DNIE_MPI(mbedtls_mpi_mod_mpi(r.y.get(), t.get(), m_p));
    r.infinity = false;
    return ok_status();
  }

  /// r = k·P by left-to-right double-and-add (k ≥ 0, public).
  Status mul(Affine& r, const mbedtls_mpi* k, const Affine& P) const {
    Affine acc, tmp;
    for (std::size_t i = mbedtls_mpi_bitlen(k); i-- > 0;) {
      DNIE_TRY(add(tmp, acc, acc));
      if (mbedtls_mpi_get_bit(k, i)) {
        DNIE_TRY(add(acc, tmp, P));
      } else {
        DNIE_TRY(copy(acc, tmp));
      }
    }
    return copy(r, acc);
  }

 private:
  const mbedtls_mpi* m_p;
  const mbedtls_mpi* m_a;
};

}  // namespace

// ---- finite-field groups --------------------------------------------------------------------

Status DhGroup::validate(std::size_t min_p_bits, std::size_t min_q_bits) const {
  Mpi p, q, g, t, r;
  DNIE_TRY(mpi_read(p.get(), this->p()));
  DNIE_TRY(mpi_read(g.get(), this->g()));
  const std::size_t pbits = mbedtls_mpi_bitlen(p.get());
  if (pbits < min_p_bits) return invalid("DH: p has " + bits(pbits) + ", fewer than " + bits(min_p_bits));
  DNIE_ASSIGN_OR_RETURN(bool p_prime, is_prime(p.get()));
  if (!p_prime) return invalid("DH: p is not prime");
  // The subgroup order is needed to check public values (SP 800-56A Rev. 3 §5.6.2.3.1).
  if (this->q().empty()) return invalid("DH: the subgroup order q is not given");
  DNIE_TRY(mpi_read(q.get(), this->q()));
  const std::size_t qbits = mbedtls_mpi_bitlen(q.get());
  if (qbits < min_q_bits) return invalid("DH: q has " + bits(qbits) + ", fewer than " + bits(min_q_bits));
  DNIE_ASSIGN_OR_RETURN(bool q_prime, is_prime(q.get()));
  if (!q_prime) return invalid("DH: q is not prime");
  DNIE_MPI(mbedtls_mpi_sub_int(t.get(), p.get(), 1));
  DNIE_MPI(mbedtls_mpi_mod_mpi(r.get(), t.get(), q.get()));
  if (mbedtls_mpi_cmp_int(r.get(), 0) != 0) return invalid("DH: q does not divide p - 1");
  // FIPS 186-4 App. A.2.2: 2 ≤ g ≤ p - 2 and g^q = 1 (mod p).
  if (mbedtls_mpi_cmp_int(g.get(), 1) <= 0 || mbedtls_mpi_cmp_mpi(g.get(), t.get()) >= 0)
    return invalid("DH: g is not in [2, p - 2]");
  DNIE_MPI(mbedtls_mpi_exp_mod(r.get(), g.get(), q.get(), p.get(), nullptr));
  if (mbedtls_mpi_cmp_int(r.get(), 1) != 0) return invalid("DH: g does not generate the subgroup of order q");
  return ok_status();
}

// ---- prime curves ----------------------------------------------------------------------------

Status EcGroup::validate(std::size_t min_bits) const {
  const CurveParams& cp = params();
  Mpi p, a, b, n, t, u, h;
  Affine G;
  DNIE_TRY(mpi_read(p.get(), cp.p));
  DNIE_TRY(mpi_read(a.get(), cp.a));
  DNIE_TRY(mpi_read(b.get(), cp.b));
  DNIE_TRY(mpi_read(n.get(), cp.n));
  DNIE_TRY(mpi_read(G.x.get(), cp.gx));
  DNIE_TRY(mpi_read(G.y.get(), cp.gy));
  G.infinity = false;
  // SEC 1 v2 §3.1.1.2.1 step 1: p an odd prime of the required size.
  const std::size_t pbits = mbedtls_mpi_bitlen(p.get());
  if (pbits < min_bits) return invalid("EC: p has " + bits(pbits) + ", fewer than " + bits(min_bits));
  DNIE_ASSIGN_OR_RETURN(bool p_prime, is_prime(p.get()));
  if (!p_prime || mbedtls_mpi_cmp_int(p.get(), 3) <= 0) return invalid("EC: p is not an odd prime");
  // Step 2: a, b, xG, yG in [0, p - 1].
  for (const Mpi* v : {&a, &b, &G.x, &G.y})
    if (mbedtls_mpi_cmp_mpi(v->get(), p.get()) >= 0) return invalid("EC: a, b or G not reduced mod p");
  // Step 3: 4a³ + 27b² ≠ 0 (mod p) (the curve is not singular).
  DNIE_MPI(mbedtls_mpi_mul_mpi(t.get(), a.get(), a.get()));
  DNIE_MPI(mbedtls_mpi_mul_mpi(t.get(), t.get(), a.get()));
  DNIE_MPI(mbedtls_mpi_mul_int(t.get(), t.get(), 4));
  DNIE_MPI(mbedtls_mpi_mul_mpi(u.get(), b.get(), b.get()));
  DNIE_MPI(mbedtls_mpi_mul_int(u.get(), u.get(), 27));
  DNIE_MPI(mbedtls_mpi_add_mpi(t.get(), t.get(), u.get()));
  DNIE_MPI(mbedtls_mpi_mod_mpi(t.get(), t.get(), p.get()));
  if (mbedtls_mpi_cmp_int(t.get(), 0) == 0)
    return invalid("EC: the curve is singular (4a³ + 27b² = 0 mod p)");
  // Step 4: yG² = xG³ + a·xG + b (mod p).
  DNIE_MPI(mbedtls_mpi_mul_mpi(t.get(), G.x.get(), G.x.get()));
  DNIE_MPI(mbedtls_mpi_add_mpi(t.get(), t.get(), a.get()));
  DNIE_MPI(mbedtls_mpi_mul_mpi(t.get(), t.get(), G.x.get()));
  DNIE_MPI(mbedtls_mpi_add_mpi(t.get(), t.get(), b.get()));
  DNIE_MPI(mbedtls_mpi_mod_mpi(t.get(), t.get(), p.get()));
  DNIE_MPI(mbedtls_mpi_mul_mpi(u.get(), G.y.get(), G.y.get()));
  DNIE_MPI(mbedtls_mpi_mod_mpi(u.get(), u.get(), p.get()));
  if (mbedtls_mpi_cmp_mpi(t.get(), u.get()) != 0) return invalid("EC: the generator is not on the curve");
  // Step 5: n prime (and large enough), n ≠ p (anomalous curves, Smart's attack), n·G = O.
  const std::size_t nbits = mbedtls_mpi_bitlen(n.get());
  if (nbits < min_bits) return invalid("EC: n has " + bits(nbits) + ", fewer than " + bits(min_bits));
  DNIE_ASSIGN_OR_RETURN(bool n_prime, is_prime(n.get()));
  if (!n_prime) return invalid("EC: the order n is not prime");
  if (mbedtls_mpi_cmp_mpi(n.get(), p.get()) == 0) return invalid("EC: the curve is anomalous (n = p)");
  Curve curve(p.get(), a.get());
  Affine nG;
  DNIE_TRY(curve.mul(nG, n.get(), G));
  if (!nG.infinity) return invalid("EC: n·G is not the point at infinity (wrong order)");
  // Step 6: h = floor((√p + 1)² / n) = floor((p + 1 + floor(2√p)) / n) and h ≤ 2^(t/8) with
  // t = ⌊log2 p⌋ / 2 (Hasse: |#E - (p + 1)| ≤ 2√p, and n > 4√p makes h unique).
  DNIE_MPI(mbedtls_mpi_mul_int(u.get(), p.get(), 4));
  DNIE_TRY(isqrt(t.get(), u.get()));
  DNIE_MPI(mbedtls_mpi_add_mpi(t.get(), t.get(), p.get()));
  DNIE_MPI(mbedtls_mpi_add_int(t.get(), t.get(), 1));
  DNIE_MPI(mbedtls_mpi_div_mpi(h.get(), nullptr, t.get(), n.get()));
  if (mbedtls_mpi_cmp_int(h.get(), static_cast<mbedtls_mpi_sint>(cp.h)) != 0)
    return invalid("EC: the cofactor " + std::to_string(cp.h) + " does not match n (Hasse bound)");
  DNIE_MPI(mbedtls_mpi_lset(u.get(), 1));
  DNIE_MPI(mbedtls_mpi_shift_l(u.get(), pbits / 2 / 8));
  if (cp.h == 0 || mbedtls_mpi_cmp_mpi(h.get(), u.get()) > 0) return invalid("EC: the cofactor is too large");
  // Step 7 (MOV / Frey-Rück): p^B ≠ 1 (mod n) for 1 ≤ B < 100.
  DNIE_MPI(mbedtls_mpi_mod_mpi(u.get(), p.get(), n.get()));
  DNIE_MPI(mbedtls_mpi_copy(t.get(), u.get()));
  for (int B = 1; B < 100; ++B) {
    if (mbedtls_mpi_cmp_int(t.get(), 1) == 0)
      return invalid("EC: the curve has a small embedding degree (" + std::to_string(B) + ", MOV attack)");
    DNIE_MPI(mbedtls_mpi_mul_mpi(t.get(), t.get(), u.get()));
    DNIE_MPI(mbedtls_mpi_mod_mpi(t.get(), t.get(), n.get()));
  }
  return ok_status();
}

#undef DNIE_MPI

}  // namespace dnie::crypto
