// SPDX-License-Identifier: Apache-2.0
// PACE building blocks: nonce encryption, Integrated Mapping (ICAO 9303-11 §4.4.3.3.2 and
// Appendix B), authentication tokens (ICAO 9303-11 §4.4.3.4).
#include "dnie/bytes/tlv.hpp"

#include "auth/pace_internal.hpp"
#include "crypto/bigint.hpp"
#include "crypto/cipher.hpp"
#include "crypto/ct_field.hpp"

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
  return c == SymCipher::Des3 ? crypto::des3_cbc_encrypt_secret(key, iv, data)
                              : crypto::aes_cbc_encrypt_secret(key, iv, data);
}

Result<SecureBuffer> decrypt_nonce(SymCipher c, ByteView k_pi, ByteView z) {
  const std::size_t bs = cipher_block_size(c);
  if (z.empty() || z.size() % bs != 0 || z.size() > 64)
    return protocol("PACE: encrypted nonce has a bad length");
  const Bytes iv(bs, 0);
  return c == SymCipher::Des3 ? crypto::des3_cbc_decrypt(k_pi, iv, z) : crypto::aes_cbc_decrypt(k_pi, iv, z);
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

namespace {

/// A public exponent as big-endian bytes.
Result<Bytes> exponent(const BigInt& e) { return e.to_bytes(); }

}  // namespace

// ICAO 9303-11 §4.4.3.3.2 / BSI TR-03110-3 §A.2.2.3 point encoding f_G for p ≡ 3 (mod 4), on
// CtField: the input is the password-derived secret R(s,t), so no step may depend on its value.
Result<Bytes> im_point_encoding(const crypto::EcGroup& group, ByteView u) {
  const auto& cp = group.params();
  const BigInt p = BigInt::from_bytes(cp.p);
  if (p.is_zero() || (cp.p.back() & 3) != 3)
    return make_error(ErrorCode::Unsupported, "PACE-IM point encoding needs p = 3 mod 4");
  DNIE_ASSIGN_OR_RETURN(crypto::CtField f, crypto::CtField::create(cp.p));
  // Public exponents: p − 2 (inversion) and p − 1 − (p + 1)/4 (the square-root test).
  const BigInt one(1);
  DNIE_BN(BigInt pm1, p.sub(one));
  DNIE_BN(BigInt e_sqrt, pm1.sub(p.add(one).shift_right(2)));
  DNIE_ASSIGN_OR_RETURN(Bytes e_root, exponent(e_sqrt));
  using E = crypto::CtField::Elem;
  const E a = f.from_bytes(cp.a), b = f.from_bytes(cp.b), fone = f.one();
  const E t = f.from_bytes(u);  // t = u mod p
  // A zero t or denominator happens with probability about 2^-(bits of p); refusing it reveals
  // nothing usable.
  if (f.is_zero(t)) return protocol("PACE-IM: degenerate pseudo-random value");
  // 1. α = −t²
  const E t2 = f.mul(t, t);
  const E alpha = f.neg(t2);
  // 2. X2 = −b (1 + α + α²) / (a (α + α²))
  const E s1 = f.add(alpha, f.mul(alpha, alpha));
  const E den = f.mul(a, s1);
  if (f.is_zero(den)) return protocol("PACE-IM: degenerate point encoding input");
  const E x2 = f.mul(f.mul(f.neg(b), f.add(fone, s1)), f.inv(den));
  // 3. X3 = α X2
  const E x3 = f.mul(alpha, x2);
  // 4. h2 = X2³ + a X2 + b
  const E h2 = f.add(f.add(f.mul(f.mul(x2, x2), x2), f.mul(a, x2)), b);
  // 5. U = t³ h2
  const E uu = f.mul(f.mul(t2, t), h2);
  // 6. A = h2^(p − 1 − (p + 1)/4)
  const E big_a = f.pow(h2, e_root);
  // 7. A² h2 = 1 ? (X2, A h2) : (X3, A U), chosen by masking
  const bool square = f.equal(f.mul(f.mul(big_a, big_a), h2), fone);
  const E x = f.select(square, x2, x3);
  const E y = f.select(square, f.mul(big_a, h2), f.mul(big_a, uu));
  const SecureBuffer xb = f.to_bytes(x), yb = f.to_bytes(y);
  auto pt = group.make_point(xb.view(), yb.view());
  if (!pt) return protocol("PACE-IM: mapped point is not on the curve");
  if (cp.h == 1) return std::move(pt).value();
  DNIE_ASSIGN_OR_RETURN(Bytes hb, BigInt(cp.h).to_bytes());
  DNIE_ASSIGN_OR_RETURN(SecureBuffer g, group.mul(hb, *pt));
  return g.view().to_bytes();  // the mapped generator becomes group parameters
}

Result<Bytes> im_map_ec(const crypto::EcGroup& group, SymCipher c, ByteView s, ByteView t) {
  DNIE_ASSIGN_OR_RETURN(SecureBuffer r, im_prf(c, s, t, bit_length(group.params().p)));
  return im_point_encoding(group, r.view());  // reduction mod p happens inside
}

// TR-03110-3 §A.2.2.2 / ICAO 9303-11 §4.4.3.3.2: ĝ = R(s,t)^((p−1)/q) mod p, on CtField.
Result<Bytes> im_map_dh(const crypto::DhGroup& group, SymCipher c, ByteView s, ByteView t) {
  if (group.q().empty()) return make_error(ErrorCode::Unsupported, "PACE-IM with DH needs the group order q");
  DNIE_ASSIGN_OR_RETURN(SecureBuffer r, im_prf(c, s, t, bit_length(group.p())));
  const BigInt p = BigInt::from_bytes(group.p());
  const BigInt q = BigInt::from_bytes(group.q());
  DNIE_BN(BigInt pm1, p.sub(BigInt(1)));
  DNIE_BN(BigInt cof, pm1.div(q));
  DNIE_ASSIGN_OR_RETURN(Bytes e_cof, exponent(cof));
  DNIE_ASSIGN_OR_RETURN(crypto::CtField f, crypto::CtField::create(group.p()));
  const crypto::CtField::Elem g = f.pow(f.from_bytes(r.view()), e_cof);
  if (f.is_zero(g) || f.equal(g, f.one())) return protocol("PACE-IM: mapped generator is 1");
  const SecureBuffer gb = f.to_bytes(g);
  Bytes out(group.size() - gb.size(), 0);  // f.width() drops leading zero bytes of p
  append(out, gb.view());
  return out;  // the mapped generator becomes group parameters
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
