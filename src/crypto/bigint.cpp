// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/bigint.cpp
// Non-negative big integers over mbedtls_mpi (limbs are zeroized by mbedtls_mpi_free).
// The infallible operations (add, mul, shifts) can only fail on allocation failure, in which
// case the result is left at zero.
#include "crypto/bigint.hpp"

#include "internal.hpp"

namespace dnie::crypto {

BigInt::BigInt() : m_impl(std::make_unique<Impl>()) {}

BigInt::BigInt(std::uint64_t v) : BigInt() {
  Bytes b = be_bytes(v, 8);
  (void)mbedtls_mpi_read_binary(&m_impl->v, b.data(), b.size());
}

BigInt BigInt::from_bytes(ByteView big_endian) {
  BigInt r;
  (void)mbedtls_mpi_read_binary(&r.m_impl->v, big_endian.data(), big_endian.size());
  return r;
}

BigInt::BigInt(const BigInt& o) : BigInt() { (void)mbedtls_mpi_copy(&m_impl->v, &o.m_impl->v); }
BigInt& BigInt::operator=(const BigInt& o) {
  if (this != &o) {
    if (!m_impl) m_impl = std::make_unique<Impl>();
    (void)mbedtls_mpi_copy(&m_impl->v, &o.m_impl->v);
  }
  return *this;
}
// A moved-from BigInt may only be assigned to or destroyed.
BigInt::BigInt(BigInt&& o) noexcept : m_impl(std::move(o.m_impl)) {}
BigInt& BigInt::operator=(BigInt&& o) noexcept {
  m_impl.swap(o.m_impl);
  return *this;
}
BigInt::~BigInt() = default;

Result<Bytes> BigInt::to_bytes(std::size_t width) const {
  if (width == 0 && is_zero()) return Bytes{};
  return detail::mpi_write(&m_impl->v, width);
}

Result<SecureBuffer> BigInt::to_secret(std::size_t width) const {
  return detail::mpi_write_secret(&m_impl->v, width);
}

std::size_t BigInt::bits() const noexcept { return m_impl ? mbedtls_mpi_bitlen(&m_impl->v) : 0; }
bool BigInt::is_zero() const noexcept { return !m_impl || mbedtls_mpi_cmp_int(&m_impl->v, 0) == 0; }
bool BigInt::is_odd() const noexcept { return m_impl && mbedtls_mpi_get_bit(&m_impl->v, 0) == 1; }
int BigInt::compare(const BigInt& o) const noexcept {
  if (!m_impl || !o.m_impl) return is_zero() ? (o.is_zero() ? 0 : -1) : 1;
  return mbedtls_mpi_cmp_mpi(&m_impl->v, &o.m_impl->v);
}

BigInt BigInt::add(const BigInt& o) const {
  BigInt r;
  (void)mbedtls_mpi_add_mpi(&r.m_impl->v, &m_impl->v, &o.m_impl->v);
  return r;
}

Result<BigInt> BigInt::sub(const BigInt& o) const {
  if (compare(o) < 0) return detail::invalid("BigInt::sub: negative result");
  BigInt r;
  int rc = mbedtls_mpi_sub_mpi(&r.m_impl->v, &m_impl->v, &o.m_impl->v);
  if (rc) return detail::backend_error("mbedtls_mpi_sub_mpi", rc);
  return r;
}

BigInt BigInt::mul(const BigInt& o) const {
  BigInt r;
  (void)mbedtls_mpi_mul_mpi(&r.m_impl->v, &m_impl->v, &o.m_impl->v);
  return r;
}

Result<BigInt> BigInt::mod(const BigInt& m) const {
  if (m.is_zero()) return detail::invalid("BigInt::mod: zero modulus");
  BigInt r;
  int rc = mbedtls_mpi_mod_mpi(&r.m_impl->v, &m_impl->v, &m.m_impl->v);
  if (rc) return detail::backend_error("mbedtls_mpi_mod_mpi", rc);
  return r;
}

Result<BigInt> BigInt::div(const BigInt& d) const {
  if (d.is_zero()) return detail::invalid("BigInt::div: division by zero");
  BigInt q;
  int rc = mbedtls_mpi_div_mpi(&q.m_impl->v, nullptr, &m_impl->v, &d.m_impl->v);
  if (rc) return detail::backend_error("mbedtls_mpi_div_mpi", rc);
  return q;
}

Result<BigInt> BigInt::exp_mod(const BigInt& e, const BigInt& m) const {
  if (!m.is_odd()) return detail::invalid("BigInt::exp_mod: modulus must be odd");
  BigInt r;
  int rc = mbedtls_mpi_exp_mod(&r.m_impl->v, &m_impl->v, &e.m_impl->v, &m.m_impl->v, nullptr);
  if (rc) return detail::backend_error("mbedtls_mpi_exp_mod", rc);
  return r;
}

Result<BigInt> BigInt::inv_mod(const BigInt& m) const {
  if (m.bits() < 2) return detail::invalid("BigInt::inv_mod: modulus must be > 1");
  BigInt r;
  int rc = mbedtls_mpi_inv_mod(&r.m_impl->v, &m_impl->v, &m.m_impl->v);
  if (rc == MBEDTLS_ERR_MPI_NOT_ACCEPTABLE) return detail::invalid("BigInt::inv_mod: not invertible");
  if (rc) return detail::backend_error("mbedtls_mpi_inv_mod", rc);
  return r;
}

BigInt BigInt::shift_right(std::size_t n) const {
  BigInt r(*this);
  (void)mbedtls_mpi_shift_r(&r.m_impl->v, n);
  return r;
}

BigInt BigInt::shift_left(std::size_t n) const {
  BigInt r(*this);
  (void)mbedtls_mpi_shift_l(&r.m_impl->v, n);
  return r;
}

}  // namespace dnie::crypto
