// SPDX-License-Identifier: Apache-2.0
// PACE building blocks: nonce encryption, Integrated Mapping (ICAO 9303-11 §4.4.3.3.2 and
// Appendix B), authentication tokens (ICAO 9303-11 §4.4.3.4).
#include "dnie/bytes/tlv.hpp"

#include "auth/pace_internal.hpp"
#include "crypto/bigint.hpp"
#include "crypto/cipher.hpp"

namespace dnie::auth::pace_internal {

namespace {

using crypto::BigInt;

Error protocol(std::string msg) { return make_error(ErrorCode::ProtocolError, std::move(msg)); }

// ICAO 9303-11 §4.4.3.3.2 constants c0, c1 (l = 128 for 3DES/AES-128, l = 256 for AES-192/256).
const char* const kC0_128 = "A668892A7C41E3CA739F40B057D85904";
const char* const kC1_128 = "A4E136AC725F738B01C1F60217C188AD";
const char* const kC0_256 = "D463D65234124EF7897054986DCA0A174E28DF758CBAA03F240616414D5A1676";
const char* const kC1_256 = "54BD7255F0AAF831BEC3423FCF39D69B6CBF066677D0FAAE5AADD99DF8E53517";

/// Unwraps a BigInt result; a failure here is an arithmetic impossibility (or bad parameters).
#define DNIE_BN(lhs, expr) DNIE_ASSIGN_OR_RETURN(lhs, expr)

Result<BigInt> mod_mul(const BigInt& a, const BigInt& b, const BigInt& p) { return a.mul(b).mod(p); }

}  // namespace

std::size_t bit_length(ByteView be) noexcept {
  std::size_t i = 0;
  while (i < be.size() && be[i] == 0) ++i;
  if (i == be.size()) return 0;
  std::size_t bits = (be.size() - i) * 8;
  for (std::uint8_t top = be[i]; (top & 0x80) == 0; top = static_cast<std::uint8_t>(top << 1)) --bits;
  return bits;
}

Result<SecureBuffer> encrypt_cbc_zero_iv(SymCipher c, ByteView key, ByteView data) {
  const Bytes iv(cipher_block_size(c), 0);
  Result<Bytes> r =
      c == SymCipher::Des3 ? crypto::des3_cbc_encrypt(key, iv, data) : crypto::aes_cbc_encrypt(key, iv, data);
  if (!r) return std::move(r).error();
  return SecureBuffer::adopt(std::move(r).value());
}

Result<SecureBuffer> decrypt_nonce(SymCipher c, ByteView k_pi, ByteView z) {
  const std::size_t bs = cipher_block_size(c);
  if (z.empty() || z.size() % bs != 0 || z.size() > 64)
    return protocol("PACE: encrypted nonce has a bad length");
  const Bytes iv(bs, 0);
  Result<Bytes> r =
      c == SymCipher::Des3 ? crypto::des3_cbc_decrypt(k_pi, iv, z) : crypto::aes_cbc_decrypt(k_pi, iv, z);
  if (!r) return std::move(r).error();
  return SecureBuffer::adopt(std::move(r).value());
}

Result<SecureBuffer> im_prf(SymCipher c, ByteView s, ByteView t, std::size_t p_bits) {
  const std::size_t k = cipher_key_size(c);  // 3DES counts as 128 bits here
  const std::size_t l = s.size();
  if (t.size() != k) return make_error(ErrorCode::InvalidArgument, "PACE-IM: nonce t must have the key size");
  const bool l128 = (c == SymCipher::Des3 || c == SymCipher::Aes128);
  if (l != (l128 ? 16u : 32u)) return protocol("PACE-IM: chip nonce s has a bad length");
  const Bytes c0 = hex_bytes(l128 ? kC0_128 : kC0_256);
  const Bytes c1 = hex_bytes(l128 ? kC1_128 : kC1_256);
  const std::size_t n = (p_bits + 64 + 8 * l - 1) / (8 * l);

  DNIE_ASSIGN_OR_RETURN(SecureBuffer ki, encrypt_cbc_zero_iv(c, t, s));  // k0 = E(t, s)
  SecureBuffer out;
  for (std::size_t i = 0; i < n; ++i) {
    ki.truncate(k);  // AES-192: octets 1..24
    DNIE_ASSIGN_OR_RETURN(SecureBuffer next, encrypt_cbc_zero_iv(c, ki.view(), c0));
    DNIE_ASSIGN_OR_RETURN(SecureBuffer xi, encrypt_cbc_zero_iv(c, ki.view(), c1));
    out.append(xi.view());
    ki = std::move(next);
  }
  return out;
}

Result<Bytes> im_point_encoding(const crypto::EcGroup& group, ByteView u) {
  const auto& cp = group.params();
  const BigInt p = BigInt::from_bytes(cp.p);
  if (p.is_zero() || (cp.p.back() & 3) != 3)
    return make_error(ErrorCode::Unsupported, "PACE-IM point encoding needs p = 3 mod 4");
  const BigInt a = BigInt::from_bytes(cp.a);
  const BigInt b = BigInt::from_bytes(cp.b);
  const BigInt one(1);
  DNIE_BN(BigInt t, BigInt::from_bytes(u).mod(p));
  if (t.is_zero()) return protocol("PACE-IM: degenerate pseudo-random value");

  // 1. α = -t² mod p
  DNIE_BN(BigInt t2, mod_mul(t, t, p));
  DNIE_BN(BigInt neg_t2, p.sub(t2));
  DNIE_BN(BigInt alpha, neg_t2.mod(p));
  // 2. X2 = -b (1 + α + α²) / (a (α + α²)) mod p
  DNIE_BN(BigInt alpha2, mod_mul(alpha, alpha, p));
  DNIE_BN(BigInt s1, alpha.add(alpha2).mod(p));
  DNIE_BN(BigInt den, mod_mul(a, s1, p));
  if (den.is_zero()) return protocol("PACE-IM: degenerate point encoding input");
  DNIE_BN(BigInt den_inv, den.inv_mod(p));
  DNIE_BN(BigInt b_mod, b.mod(p));
  DNIE_BN(BigInt neg_b_raw, p.sub(b_mod));
  DNIE_BN(BigInt neg_b, neg_b_raw.mod(p));
  DNIE_BN(BigInt num, mod_mul(neg_b, one.add(s1), p));
  DNIE_BN(BigInt x2, mod_mul(num, den_inv, p));
  // 3. X3 = α X2
  DNIE_BN(BigInt x3, mod_mul(alpha, x2, p));
  // 4. h2 = X2³ + a X2 + b
  DNIE_BN(BigInt x2sq, mod_mul(x2, x2, p));
  DNIE_BN(BigInt x2cu, mod_mul(x2sq, x2, p));
  DNIE_BN(BigInt ax2, mod_mul(a, x2, p));
  DNIE_BN(BigInt h2, x2cu.add(ax2).add(b).mod(p));
  // 5. U = t³ h2
  DNIE_BN(BigInt t3, mod_mul(t2, t, p));
  DNIE_BN(BigInt uu, mod_mul(t3, h2, p));
  // 6. A = h2^(p - 1 - (p+1)/4)
  const BigInt quarter = p.add(one).shift_right(2);
  DNIE_BN(BigInt pm1, p.sub(one));
  DNIE_BN(BigInt e, pm1.sub(quarter));
  DNIE_BN(BigInt A, h2.exp_mod(e, p));
  // 7. A² h2 = 1 ? (X2, A h2) : (X3, A U)
  DNIE_BN(BigInt a2, mod_mul(A, A, p));
  DNIE_BN(BigInt test, mod_mul(a2, h2, p));
  BigInt x, y;
  if (test == one) {
    x = x2;
    DNIE_BN(y, mod_mul(A, h2, p));
  } else {
    x = x3;
    DNIE_BN(y, mod_mul(A, uu, p));
  }
  const std::size_t w = group.field_size();
  DNIE_ASSIGN_OR_RETURN(Bytes xb, x.to_bytes(w));
  DNIE_ASSIGN_OR_RETURN(Bytes yb, y.to_bytes(w));
  auto pt = group.make_point(xb, yb);
  if (!pt) return protocol("PACE-IM: mapped point is not on the curve");
  if (cp.h == 1) return std::move(pt).value();
  DNIE_ASSIGN_OR_RETURN(Bytes hb, BigInt(cp.h).to_bytes());
  return group.mul(hb, *pt);
}

Result<Bytes> im_map_ec(const crypto::EcGroup& group, SymCipher c, ByteView s, ByteView t) {
  DNIE_ASSIGN_OR_RETURN(SecureBuffer r, im_prf(c, s, t, bit_length(group.params().p)));
  return im_point_encoding(group, r.view());  // reduction mod p happens inside
}

Result<Bytes> im_map_dh(const crypto::DhGroup& group, SymCipher c, ByteView s, ByteView t) {
  if (group.q().empty()) return make_error(ErrorCode::Unsupported, "PACE-IM with DH needs the group order q");
  DNIE_ASSIGN_OR_RETURN(SecureBuffer r, im_prf(c, s, t, bit_length(group.p())));
  const BigInt p = BigInt::from_bytes(group.p());
  const BigInt q = BigInt::from_bytes(group.q());
  DNIE_BN(BigInt rp, BigInt::from_bytes(r.view()).mod(p));
  DNIE_BN(BigInt pm1, p.sub(BigInt(1)));
  DNIE_BN(BigInt cof, pm1.div(q));
  DNIE_BN(BigInt g, rp.exp_mod(cof, p));
  if (g.is_zero() || g == BigInt(1)) return protocol("PACE-IM: mapped generator is 1");
  return g.to_bytes(group.size());
}

Bytes token_input(ByteView oid_content, KeyAgreement ka, ByteView public_key) {
  Bytes inner = tlv::encode(0x06, oid_content);
  tlv::append(inner, ka == KeyAgreement::Ecdh ? 0x86 : 0x84, public_key);
  return tlv::encode(0x7F49, inner);
}

Result<Bytes> auth_token(SymCipher c, ByteView k_mac, ByteView input) {
  Result<Bytes> mac = c == SymCipher::Des3 ? crypto::retail_mac(k_mac, crypto::pad_iso9797_m2(input, 8))
                                           : crypto::aes_cmac(k_mac, input);
  if (!mac) return std::move(mac).error();
  Bytes t = std::move(mac).value();
  if (t.size() < 8) return make_error(ErrorCode::CryptoError, "MAC too short");
  t.resize(8);
  return t;
}

}  // namespace dnie::auth::pace_internal
