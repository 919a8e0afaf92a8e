// SPDX-License-Identifier: Apache-2.0
// Scalar multiplication on the ICAO standardized curves (ICAO 9303-11 §9.5.1, IDs 8–18) through
// OpenSSL's libcrypto: EC_POINT_mul with one point and a secret scalar runs OpenSSL's Montgomery
// ladder with randomised projective coordinates (constant time in the scalar). On brainpoolP256r1
// it is about seven times faster than mbedTLS 2.28 (docs/performance.md). Inputs arrive already
// validated by ec.cpp; this file only multiplies.
#include <map>
#include <memory>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "crypto/internal.hpp"

namespace dnie::crypto::detail {

namespace {

int nid_for(int param_id) {
  switch (param_id) {
    case 8:
      return NID_X9_62_prime192v1;
    case 9:
      return NID_brainpoolP192r1;
    case 10:
      return NID_secp224r1;
    case 11:
      return NID_brainpoolP224r1;
    case 12:
      return NID_X9_62_prime256v1;
    case 13:
      return NID_brainpoolP256r1;
    case 14:
      return NID_brainpoolP320r1;
    case 15:
      return NID_secp384r1;
    case 16:
      return NID_brainpoolP384r1;
    case 17:
      return NID_brainpoolP512r1;
    case 18:
      return NID_secp521r1;
    default:
      return NID_undef;
  }
}

struct GroupFree {
  void operator()(EC_GROUP* g) const noexcept { EC_GROUP_free(g); }
};
struct PointFree {
  void operator()(EC_POINT* p) const noexcept { EC_POINT_clear_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};
struct CtxFree {
  void operator()(BN_CTX* c) const noexcept { BN_CTX_free(c); }
};

// One group object per curve and thread (EC_GROUP is not documented as thread-safe to share).
// A curve this libcrypto lacks is remembered as missing (nullptr), and the failed lookup leaves
// nothing in the thread's OpenSSL error queue, which the host application may be reading.
const EC_GROUP* group_for(int param_id) {
  thread_local std::map<int, std::unique_ptr<EC_GROUP, GroupFree>> cache;
  auto it = cache.find(param_id);
  if (it == cache.end()) {
    const int nid = nid_for(param_id);
    ERR_set_mark();
    EC_GROUP* g = nid == NID_undef ? nullptr : EC_GROUP_new_by_curve_name(nid);
    ERR_pop_to_mark();
    it = cache.emplace(param_id, std::unique_ptr<EC_GROUP, GroupFree>(g)).first;
  }
  return it->second.get();
}

}  // namespace

bool openssl_has_curve(int param_id) noexcept {
  try {
    return group_for(param_id) != nullptr;
  } catch (...) {  // std::bad_alloc from the cache: use mbedTLS
    return false;
  }
}

Result<SecureBuffer> openssl_mul(int param_id, ByteView scalar, ByteView point) {
  // Our errors are returned as values: leave the thread's OpenSSL error queue as we found it.
  struct ErrMark {
    ErrMark() { ERR_set_mark(); }
    ~ErrMark() { ERR_pop_to_mark(); }
  } mark;
  const EC_GROUP* g = group_for(param_id);
  if (g == nullptr)
    return Error(ErrorCode::Unsupported, "OpenSSL has no curve for parameter ID " + std::to_string(param_id));
  std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_secure_new());
  std::unique_ptr<EC_POINT, PointFree> p(EC_POINT_new(g)), r(EC_POINT_new(g));
  std::unique_ptr<BIGNUM, BnFree> k(BN_secure_new());
  if (!ctx || !p || !r || !k) return Error(ErrorCode::CryptoError, "OpenSSL: out of memory");
  if (EC_POINT_oct2point(g, p.get(), point.data(), point.size(), ctx.get()) != 1)
    return Error(ErrorCode::MalformedData, "EC point: not on the curve");
  BN_set_flags(k.get(), BN_FLG_CONSTTIME);
  if (BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), k.get()) == nullptr)
    return Error(ErrorCode::CryptoError, "OpenSSL: BN_bin2bn failed");
  if (EC_POINT_mul(g, r.get(), nullptr, p.get(), k.get(), ctx.get()) != 1)
    return Error(ErrorCode::CryptoError, "OpenSSL: EC_POINT_mul failed");
  if (EC_POINT_is_at_infinity(g, r.get()) == 1)
    return Error(ErrorCode::InvalidArgument, "EC operation resulted in the point at infinity");
  const std::size_t len =
      EC_POINT_point2oct(g, r.get(), POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, ctx.get());
  SecureBuffer out(len);
  if (len == 0 ||
      EC_POINT_point2oct(g, r.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), ctx.get()) != len)
    return Error(ErrorCode::CryptoError, "OpenSSL: EC_POINT_point2oct failed");
  return out;
}

}  // namespace dnie::crypto::detail
