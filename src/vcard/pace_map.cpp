// SPDX-License-Identifier: Apache-2.0
// PACE Integrated Mapping (ICAO 9303-11 §4.4.3.3.2, Appendix B point encoding) and Chip
// Authentication Mapping data (§4.4.3.5.2, Appendix I), chip side. Non-secret-safe BigInt
// arithmetic is acceptable here: this is a simulator, not a hardened card.
#include "crypto/cipher.hpp"
#include "vcard/pace_chip.hpp"

namespace dnie::vcard {

using crypto::BigInt;

namespace {
// Constants of the pseudo-random function (9303-11 §4.4.3.3.2).
const char* const kC0_128 = "A668892A7C41E3CA739F40B057D85904";
const char* const kC1_128 = "A4E136AC725F738B01C1F60217C188AD";
const char* const kC0_256 = "D463D65234124EF7897054986DCA0A174E28DF758CBAA03F240616414D5A1676";
const char* const kC1_256 = "54BD7255F0AAF831BEC3423FCF39D69B6CBF066677D0FAAE5AADD99DF8E53517";

// Modular helpers on non-negative values (BigInt has no sign).
Result<BigInt> mmul(const BigInt& a, const BigInt& b, const BigInt& p) { return a.mul(b).mod(p); }
Result<BigInt> madd(const BigInt& a, const BigInt& b, const BigInt& p) { return a.add(b).mod(p); }
Result<BigInt> mneg(const BigInt& a, const BigInt& p) {
  DNIE_ASSIGN_OR_RETURN(BigInt r, a.mod(p));
  if (r.is_zero()) return r;
  return p.sub(r);
}
}  // namespace

Result<SecureBuffer> im_prf(SymCipher c, ByteView s, ByteView t, std::size_t p_bits) {
  // l = 128 for 3DES and AES-128, 256 for AES-192/256; k = key size (3DES counts as 128).
  const bool wide = c == SymCipher::Aes192 || c == SymCipher::Aes256;
  const std::size_t l_bytes = wide ? 32 : 16;
  const std::size_t k = key_length(c);
  if (t.size() != k) return make_error(ErrorCode::MalformedData, "IM nonce t has the wrong size");
  const Bytes c0 = hex_bytes(wide ? kC0_256 : kC0_128);
  const Bytes c1 = hex_bytes(wide ? kC1_256 : kC1_128);
  // n: smallest number with n·l ≥ log2 p + 64.
  const std::size_t n = (p_bits + 64 + l_bytes * 8 - 1) / (l_bytes * 8);
  DNIE_ASSIGN_OR_RETURN(SecureBuffer key, cbc_encrypt0(c, t, s));  // k0 = E(t, s)
  SecureBuffer out;
  for (std::size_t i = 0; i < n; ++i) {
    if (key.size() < k) return make_error(ErrorCode::MalformedData, "IM nonce s too short");
    key.truncate(k);  // truncation (only AES-192 needs it)
    DNIE_ASSIGN_OR_RETURN(SecureBuffer x, cbc_encrypt0(c, key.view(), c1));
    out.append(x.view());
    DNIE_ASSIGN_OR_RETURN(key, cbc_encrypt0(c, key.view(), c0));
  }
  return out;
}

Result<Bytes> im_point_encode(const crypto::CurveParams& cp, ByteView r) {
  // Appendix B: simplified SWU encoding for p ≡ 3 (mod 4).
  const BigInt p = BigInt::from_bytes(cp.p);
  const BigInt a = BigInt::from_bytes(cp.a);
  const BigInt b = BigInt::from_bytes(cp.b);
  if (!p.is_odd() || (cp.p.back() & 3) != 3)
    return make_error(ErrorCode::Unsupported, "IM point encoding needs p = 3 mod 4");
  DNIE_ASSIGN_OR_RETURN(BigInt t, BigInt::from_bytes(r).mod(p));
  DNIE_ASSIGN_OR_RETURN(BigInt t2, mmul(t, t, p));
  DNIE_ASSIGN_OR_RETURN(BigInt alpha, mneg(t2, p));  // α = -t² mod p
  DNIE_ASSIGN_OR_RETURN(BigInt alpha2, mmul(alpha, alpha, p));
  DNIE_ASSIGN_OR_RETURN(BigInt s1, madd(alpha, alpha2, p));  // α + α²
  DNIE_ASSIGN_OR_RETURN(BigInt s1inv, s1.inv_mod(p));
  DNIE_ASSIGN_OR_RETURN(BigInt one_plus, madd(BigInt(1), s1inv, p));  // 1 + (α + α²)^-1
  DNIE_ASSIGN_OR_RETURN(BigInt ainv, a.inv_mod(p));
  DNIE_ASSIGN_OR_RETURN(BigInt nb, mneg(b, p));
  DNIE_ASSIGN_OR_RETURN(BigInt x2a, mmul(nb, ainv, p));
  DNIE_ASSIGN_OR_RETURN(BigInt x2, mmul(x2a, one_plus, p));  // X2 = -b/a · (1 + ...)
  DNIE_ASSIGN_OR_RETURN(BigInt x3, mmul(alpha, x2, p));      // X3 = α · X2
  // h2 = X2³ + a·X2 + b
  DNIE_ASSIGN_OR_RETURN(BigInt x2sq, mmul(x2, x2, p));
  DNIE_ASSIGN_OR_RETURN(BigInt x2cu, mmul(x2sq, x2, p));
  DNIE_ASSIGN_OR_RETURN(BigInt ax2, mmul(a, x2, p));
  DNIE_ASSIGN_OR_RETURN(BigInt h2a, madd(x2cu, ax2, p));
  DNIE_ASSIGN_OR_RETURN(BigInt h2, madd(h2a, b, p));
  // U = t³ · h2
  DNIE_ASSIGN_OR_RETURN(BigInt t3, mmul(t2, t, p));
  DNIE_ASSIGN_OR_RETURN(BigInt u, mmul(t3, h2, p));
  // A = h2^(p - 1 - (p+1)/4)
  DNIE_ASSIGN_OR_RETURN(BigInt pm1, p.sub(BigInt(1)));
  const BigInt quarter = p.add(BigInt(1)).shift_right(2);
  DNIE_ASSIGN_OR_RETURN(BigInt e, pm1.sub(quarter));
  DNIE_ASSIGN_OR_RETURN(BigInt aa, h2.exp_mod(e, p));
  DNIE_ASSIGN_OR_RETURN(BigInt aa2, mmul(aa, aa, p));
  DNIE_ASSIGN_OR_RETURN(BigInt test, mmul(aa2, h2, p));
  BigInt x, y;
  if (test == BigInt(1)) {
    x = x2;
    DNIE_ASSIGN_OR_RETURN(y, mmul(aa, h2, p));
  } else {
    x = x3;
    DNIE_ASSIGN_OR_RETURN(y, mmul(aa, u, p));
  }
  const std::size_t w = cp.p.size();
  DNIE_ASSIGN_OR_RETURN(Bytes xb, x.to_bytes(w));
  DNIE_ASSIGN_OR_RETURN(Bytes yb, y.to_bytes(w));
  Bytes point{0x04};
  append(point, xb);
  append(point, yb);
  return point;
}

Result<Bytes> cam_data(SymCipher c, ByteView ks_enc, ByteView sk_ic, ByteView sk_map, ByteView n) {
  if (c == SymCipher::Des3) return make_error(ErrorCode::Unsupported, "PACE-CAM is AES only");
  const BigInt nb = BigInt::from_bytes(n);
  DNIE_ASSIGN_OR_RETURN(BigInt inv, BigInt::from_bytes(sk_ic).inv_mod(nb));
  DNIE_ASSIGN_OR_RETURN(BigInt ca, inv.mul(BigInt::from_bytes(sk_map)).mod(nb));
  DNIE_ASSIGN_OR_RETURN(SecureBuffer ca_b, ca.to_secret(n.size()));
  // IV = E(KSenc, -1): the all-ones block encrypted under KSenc.
  DNIE_ASSIGN_OR_RETURN(Bytes iv, crypto::aes_ecb_encrypt(ks_enc, Bytes(16, 0xFF)));
  return crypto::aes_cbc_encrypt(ks_enc, iv, crypto::pad_iso9797_m2_secret(ca_b.view(), 16).view());
}

}  // namespace dnie::vcard
