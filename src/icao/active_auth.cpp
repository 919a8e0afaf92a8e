// SPDX-License-Identifier: Apache-2.0
// Active Authentication (ICAO 9303-11 §6.1): ISO/IEC 9796-2 digital signature scheme 1 for RSA
// (partial message recovery; trailer BC = SHA-1 or xx CC with a hash identifier, ISO/IEC 10118),
// ECDSA for EC keys (9303-11 §6.1.2, signature algorithm from DG14's ActiveAuthenticationInfo).
#include "dnie/icao/active_auth.hpp"

#include "dnie/apdu/status.hpp"

#include "crypto/bigint.hpp"
#include "icao/internal.hpp"

namespace dnie::icao {

using detail::verify_failed;

namespace {

std::optional<crypto::HashAlg> hash_of_trailer(std::uint8_t id) {
  switch (id) {  // ISO/IEC 10118 hash function identifiers
    case 0x33:
      return crypto::HashAlg::Sha1;
    case 0x34:
      return crypto::HashAlg::Sha256;
    case 0x35:
      return crypto::HashAlg::Sha512;
    case 0x36:
      return crypto::HashAlg::Sha384;
    case 0x38:
      return crypto::HashAlg::Sha224;
    default:
      return std::nullopt;
  }
}

std::optional<crypto::HashAlg> hash_of_ecdsa(const std::string& oid) {
  if (oid == "1.2.840.10045.4.1" || oid == "0.4.0.127.0.7.1.1.4.1.1") return crypto::HashAlg::Sha1;
  if (oid == "1.2.840.10045.4.3.1" || oid == "0.4.0.127.0.7.1.1.4.1.2") return crypto::HashAlg::Sha224;
  if (oid == "1.2.840.10045.4.3.2" || oid == "0.4.0.127.0.7.1.1.4.1.3") return crypto::HashAlg::Sha256;
  if (oid == "1.2.840.10045.4.3.3" || oid == "0.4.0.127.0.7.1.1.4.1.4") return crypto::HashAlg::Sha384;
  if (oid == "1.2.840.10045.4.3.4" || oid == "0.4.0.127.0.7.1.1.4.1.5") return crypto::HashAlg::Sha512;
  return std::nullopt;
}

Status verify_9796_2(const crypto::RsaPublicKey& key, ByteView challenge, ByteView signature) {
  if (signature.size() != key.size()) return verify_failed("AA: signature length differs from the modulus");
  auto m = key.public_op(signature);
  if (!m) return verify_failed("AA: " + m.error().message);
  Bytes f = m->view().to_bytes();  // the chip's signed message: public
  // ISO/IEC 9796-2 §B: the representative may be N − f (its last nibble is then not C).
  if ((f.back() & 0x0F) != 0x0C) {
    auto alt = crypto::BigInt::from_bytes(key.modulus()).sub(crypto::BigInt::from_bytes(f));
    if (!alt) return verify_failed("AA: bad signature representative");
    auto b = alt->to_bytes(key.size());
    if (!b) return verify_failed("AA: bad signature representative");
    f = std::move(*b);
  }
  const std::size_t k = f.size();
  if (k < 24 || f[0] != 0x6A) return verify_failed("AA: bad ISO/IEC 9796-2 header (expected 6A)");
  std::size_t t = 0;
  crypto::HashAlg alg = crypto::HashAlg::Sha1;
  if (f[k - 1] == 0xBC) {
    t = 1;
  } else if (f[k - 1] == 0xCC) {
    auto a = hash_of_trailer(f[k - 2]);
    if (!a) return verify_failed("AA: unknown hash identifier in the trailer");
    alg = *a;
    t = 2;
  } else {
    return verify_failed("AA: bad ISO/IEC 9796-2 trailer");
  }
  const std::size_t hlen = crypto::hash_size(alg);
  if (k < 1 + hlen + t) return verify_failed("AA: signature too short for its hash");
  ByteView fv(f);
  ByteView m1 = fv.subview(1, k - 1 - hlen - t);
  ByteView d = fv.subview(k - t - hlen, hlen);
  crypto::Hasher h(alg);
  h.update(m1);
  h.update(challenge);
  if (h.finish() != d.to_bytes()) return verify_failed("AA: signature does not match the challenge");
  return ok_status();
}

}  // namespace

Status verify_active_authentication(const crypto::PublicKey& key, ByteView challenge, ByteView signature,
                                    std::optional<std::string> ecdsa_signature_oid) {
  if (const auto* rsa = key.rsa()) return verify_9796_2(*rsa, challenge, signature);
  const auto* ec = key.ec();
  if (!ec) return make_error(ErrorCode::Unsupported, "AA: key type not supported");
  std::vector<crypto::HashAlg> algs;
  if (ecdsa_signature_oid) {
    auto a = hash_of_ecdsa(*ecdsa_signature_oid);
    if (!a) return make_error(ErrorCode::Unsupported, "AA: signature algorithm " + *ecdsa_signature_oid);
    algs.push_back(*a);
  } else {
    algs = {crypto::HashAlg::Sha1, crypto::HashAlg::Sha224, crypto::HashAlg::Sha256, crypto::HashAlg::Sha384,
            crypto::HashAlg::Sha512};
  }
  for (auto a : algs)
    if (ec->group->ecdsa_verify(ec->point, crypto::hash(a, challenge), signature).ok()) return ok_status();
  return verify_failed("AA: ECDSA signature does not verify");
}

Status run_active_authentication(transport::Transport& t, const crypto::PublicKey& key,
                                 const ActiveAuthOptions& o) {
  crypto::Rng& rng = o.rng ? *o.rng : crypto::system_rng();
  DNIE_ASSIGN_OR_RETURN(Bytes challenge, rng.bytes(8));
  apdu::CommandApdu cmd(0x00, 0x88, 0x00, 0x00, challenge, apdu::kLeMax);
  DNIE_ASSIGN_OR_RETURN(apdu::ResponseApdu r, transport::transceive(t, cmd));
  DNIE_TRY(apdu::expect_ok(r, "INTERNAL AUTHENTICATE"));
  return verify_active_authentication(key, challenge, r.data(), o.ecdsa_signature_oid);
}

}  // namespace dnie::icao
