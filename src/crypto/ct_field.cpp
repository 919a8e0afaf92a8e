// SPDX-License-Identifier: Apache-2.0
// Constant-time arithmetic modulo p: Montgomery multiplication (CIOS, Koç, Acar and Kaliski,
// "Analyzing and comparing Montgomery multiplication algorithms", 1996) with a masked final
// subtraction; bit-serial reduction of the input; fixed square-and-multiply-always powers.
#include "crypto/ct_field.hpp"

namespace dnie::crypto {

namespace {

using u64 = std::uint64_t;
__extension__ using u128 = unsigned __int128;  // GCC and Clang on 64-bit targets

/// All ones when `bit` is 1, else 0.
u64 mask_of(u64 bit) noexcept { return static_cast<u64>(0) - (bit & 1u); }

/// r = yes ? a : b, limb by limb.
template <typename V>
void select_into(V& r, u64 yes, const V& a, const V& b) noexcept {
  const u64 m = mask_of(yes);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = (a[i] & m) | (b[i] & ~m);
}

/// r = a − b over n limbs; returns the borrow (0 or 1).
template <typename V, typename A, typename B>
u64 sub_limbs(V& r, const A& a, const B& b, std::size_t n) noexcept {
  u64 borrow = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const u128 d = static_cast<u128>(a[i]) - b[i] - borrow;
    r[i] = static_cast<u64>(d);
    borrow = static_cast<u64>(d >> 64) & 1u;
  }
  return borrow;
}

}  // namespace

Result<CtField> CtField::create(ByteView p) {
  std::size_t skip = 0;
  while (skip < p.size() && p[skip] == 0) ++skip;
  ByteView ps = p.subview(skip);
  if (ps.empty() || ps.size() > 1024 || (ps[ps.size() - 1] & 1) == 0 || (ps.size() == 1 && ps[0] < 3))
    return Error(ErrorCode::InvalidArgument, "constant-time field: p must be odd, 3 ≤ p < 2^8192");
  CtField f;
  f.m_width = ps.size();
  const std::size_t n = (ps.size() + 7) / 8;
  f.m_p.assign(n, 0);
  for (std::size_t i = 0; i < ps.size(); ++i)
    f.m_p[i / 8] |= static_cast<u64>(ps[ps.size() - 1 - i]) << (8 * (i % 8));
  u64 inv = 1;  // Newton iteration: p·inv ≡ 1 mod 2^64 after six steps
  for (int i = 0; i < 6; ++i) inv *= 2 - f.m_p[0] * inv;
  f.m_pinv = static_cast<u64>(0) - inv;
  // R² mod p: double 1 modulo p 2·64·n times (p is public).
  Limbs x(n, 0), t(n, 0);
  x[0] = 1;
  for (std::size_t i = 0; i < 128 * n; ++i) {
    u64 carry = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const u64 next = x[j] >> 63;
      x[j] = (x[j] << 1) | carry;
      carry = next;
    }
    const u64 borrow = sub_limbs(t, x, f.m_p, n);
    select_into(x, carry | (borrow ^ 1u), t, x);
  }
  f.m_r2 = std::move(x);
  // p − 2, big-endian (public).
  f.m_p_minus_2 = ps.to_bytes();
  unsigned need = 2;
  for (std::size_t i = f.m_p_minus_2.size(); i-- > 0 && need;) {
    const unsigned v = f.m_p_minus_2[i];
    f.m_p_minus_2[i] = static_cast<std::uint8_t>(v - need);
    need = v < need ? 1 : 0;
  }
  return f;
}

// CIOS: t = a·b·R^−1 mod p, then one masked subtraction of p.
CtField::Limbs CtField::mont_mul(const Limbs& a, const Limbs& b) const {
  const std::size_t n = m_p.size();
  Limbs t(n + 2, 0);
  for (std::size_t i = 0; i < n; ++i) {
    u64 c = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const u128 s = static_cast<u128>(a[j]) * b[i] + t[j] + c;
      t[j] = static_cast<u64>(s);
      c = static_cast<u64>(s >> 64);
    }
    u128 s = static_cast<u128>(t[n]) + c;
    t[n] = static_cast<u64>(s);
    t[n + 1] = static_cast<u64>(s >> 64);
    const u64 m = t[0] * m_pinv;
    s = static_cast<u128>(m) * m_p[0] + t[0];
    c = static_cast<u64>(s >> 64);
    for (std::size_t j = 1; j < n; ++j) {
      s = static_cast<u128>(m) * m_p[j] + t[j] + c;
      t[j - 1] = static_cast<u64>(s);
      c = static_cast<u64>(s >> 64);
    }
    s = static_cast<u128>(t[n]) + c;
    t[n - 1] = static_cast<u64>(s);
    t[n] = t[n + 1] + static_cast<u64>(s >> 64);
  }
  Limbs r(n, 0), u(n, 0);
  for (std::size_t i = 0; i < n; ++i) r[i] = t[i];
  const u64 borrow = sub_limbs(u, r, m_p, n);
  // t < 2p: subtract p when t[n] is set or when r ≥ p.
  select_into(r, (t[n] & 1u) | (borrow ^ 1u), u, r);
  return r;
}

CtField::Elem CtField::from_bytes(ByteView be) const {
  const std::size_t n = m_p.size();
  Limbs x(n + 1, 0), t(n + 1, 0);
  std::vector<u64> p1(m_p);
  p1.push_back(0);
  // x = 2x + bit, then x −= p when x ≥ p: x stays below p (2x + 1 < 2p).
  for (std::size_t i = 0; i < be.size(); ++i) {
    for (int k = 7; k >= 0; --k) {
      u64 carry = (be[i] >> k) & 1u;
      for (std::size_t j = 0; j <= n; ++j) {
        const u64 next = x[j] >> 63;
        x[j] = (x[j] << 1) | carry;
        carry = next;
      }
      const u64 borrow = sub_limbs(t, x, p1, n + 1);
      select_into(x, borrow ^ 1u, t, x);
    }
  }
  x.resize(n);
  return Elem{mont_mul(x, m_r2)};
}

SecureBuffer CtField::to_bytes(const Elem& a) const {
  const std::size_t n = m_p.size();
  Limbs one(n, 0);
  one[0] = 1;
  const Limbs x = mont_mul(a.v, one);  // leave Montgomery form
  SecureBuffer out(m_width);
  for (std::size_t i = 0; i < m_width; ++i)
    out[m_width - 1 - i] = static_cast<std::uint8_t>(x[i / 8] >> (8 * (i % 8)));
  return out;
}

CtField::Elem CtField::zero() const { return Elem{Limbs(m_p.size(), 0)}; }

CtField::Elem CtField::one() const {
  Limbs x(m_p.size(), 0);
  x[0] = 1;
  return Elem{mont_mul(x, m_r2)};
}

CtField::Elem CtField::add(const Elem& a, const Elem& b) const {
  const std::size_t n = m_p.size();
  Limbs r(n, 0), u(n, 0);
  u64 carry = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const u128 s = static_cast<u128>(a.v[i]) + b.v[i] + carry;
    r[i] = static_cast<u64>(s);
    carry = static_cast<u64>(s >> 64);
  }
  const u64 borrow = sub_limbs(u, r, m_p, n);
  select_into(r, carry | (borrow ^ 1u), u, r);
  return Elem{std::move(r)};
}

CtField::Elem CtField::sub(const Elem& a, const Elem& b) const {
  const std::size_t n = m_p.size();
  Limbs r(n, 0), u(n, 0);
  const u64 borrow = sub_limbs(r, a.v, b.v, n);
  u64 carry = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const u128 s = static_cast<u128>(r[i]) + m_p[i] + carry;
    u[i] = static_cast<u64>(s);
    carry = static_cast<u64>(s >> 64);
  }
  select_into(r, borrow, u, r);
  return Elem{std::move(r)};
}

CtField::Elem CtField::mul(const Elem& a, const Elem& b) const { return Elem{mont_mul(a.v, b.v)}; }

CtField::Elem CtField::pow(const Elem& a, ByteView e) const {
  Elem r = one();
  for (std::size_t i = 0; i < e.size(); ++i) {
    for (int k = 7; k >= 0; --k) {
      r.v = mont_mul(r.v, r.v);
      Limbs m = mont_mul(r.v, a.v);
      select_into(r.v, (e[i] >> k) & 1u, m, r.v);
    }
  }
  return r;
}

CtField::Elem CtField::inv(const Elem& a) const { return pow(a, m_p_minus_2); }

bool CtField::is_zero(const Elem& a) const noexcept {
  u64 acc = 0;
  for (u64 x : a.v) acc |= x;
  return ((acc | (static_cast<u64>(0) - acc)) >> 63) == 0;
}

bool CtField::equal(const Elem& a, const Elem& b) const noexcept {
  u64 acc = 0;
  for (std::size_t i = 0; i < a.v.size(); ++i) acc |= a.v[i] ^ b.v[i];
  return ((acc | (static_cast<u64>(0) - acc)) >> 63) == 0;
}

CtField::Elem CtField::select(bool yes, const Elem& a, const Elem& b) const {
  Limbs r(m_p.size(), 0);
  select_into(r, static_cast<u64>(yes), a.v, b.v);
  return Elem{std::move(r)};
}

}  // namespace dnie::crypto
