// SPDX-License-Identifier: Apache-2.0
// Chip Authentication v1, terminal side: ICAO 9303-11 §6.2 (protocol), §9.2.5 (DG14 infos),
// §9.7.1 (KDF), §9.8 (SM restart with SSC = 0); BSI TR-03110-3 §B.1.1 (MSE:Set KAT, 3DES) and
// §B.1.2 (MSE:Set AT + GENERAL AUTHENTICATE, AES).
#include "dnie/auth/chip_auth.hpp"

#include "dnie/apdu/status.hpp"
#include "dnie/auth/pace.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

namespace dnie::auth {

namespace {

Error unsupported(std::string m) { return make_error(ErrorCode::Unsupported, std::move(m)); }

bool key_matches(std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
  return !a || !b || *a == *b;
}

int cipher_rank(SymCipher c) {
  switch (c) {
    case SymCipher::Aes128:
      return 0;
    case SymCipher::Aes256:
      return 1;
    case SymCipher::Aes192:
      return 2;
    case SymCipher::Des3:
      return 3;
  }
  return 4;
}

Bytes key_id_bytes(std::int64_t id) {
  Bytes b = be_bytes(static_cast<std::uint64_t>(id), 8);
  std::size_t i = 0;
  while (i + 1 < b.size() && b[i] == 0) ++i;
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(i), b.end());
}

Error chip_auth_failed(const Error& cause) {
  Error e(ErrorCode::VerificationFailed, "chip authentication failed: " + cause.message);
  e.with_sw(cause.sw);
  return e;
}

}  // namespace

Result<ChipAuthPlan> plan_chip_authentication(const SecurityInfos& dg14, std::optional<std::int64_t> key_id) {
  std::vector<const ChipAuthenticationPublicKeyInfo*> keys;
  for (const auto& k : dg14.chip_authentication_public_keys)
    if (key_matches(key_id, k.key_id) && (!key_id || k.key_id)) keys.push_back(&k);
  if (keys.empty()) return unsupported("DG14 holds no matching Chip Authentication public key");
  const bool ambiguous = dg14.chip_authentication_public_keys.size() > 1;

  std::optional<ChipAuthPlan> best;
  for (const auto* k : keys) {
    if (!k->params.supported()) continue;
    for (const auto& info : dg14.chip_authentication) {
      if (info.version != 1 || info.key_agreement != k->key_agreement || !key_matches(info.key_id, k->key_id))
        continue;
      if (best && cipher_rank(best->cipher) <= cipher_rank(info.cipher)) continue;
      ChipAuthPlan p;
      p.protocol_oid = info.protocol_oid;
      p.key_agreement = info.key_agreement;
      p.cipher = info.cipher;
      p.version = info.version;
      p.key_id = k->key_id ? k->key_id : info.key_id;
      p.public_key = *k;
      p.key_id_required = ambiguous;
      best = std::move(p);
    }
  }
  if (best) return std::move(*best);
  // No ChipAuthenticationInfo: 3DES with the key's agreement (ICAO 9303-11 §9.2.5, old DG14s).
  bool any_v1_info = false;
  for (const auto& info : dg14.chip_authentication) any_v1_info = any_v1_info || info.version == 1;
  if (any_v1_info || !dg14.chip_authentication.empty())
    return unsupported("no Chip Authentication v1 protocol matches the DG14 key");
  for (const auto* k : keys) {
    if (!k->params.supported()) continue;
    ChipAuthPlan p;
    p.key_agreement = k->key_agreement;
    p.protocol_oid =
        k->key_agreement == KeyAgreement::Ecdh ? "0.4.0.127.0.7.2.2.3.2.1" : "0.4.0.127.0.7.2.2.3.1.1";
    p.cipher = SymCipher::Des3;
    p.key_id = k->key_id;
    p.public_key = *k;
    p.key_id_required = ambiguous;
    return p;
  }
  return unsupported("Chip Authentication key uses unsupported domain parameters");
}

Result<ChipAuthKeys> derive_chip_auth_keys(ByteView shared_secret, SymCipher cipher) {
  ChipAuthKeys k;
  DNIE_ASSIGN_OR_RETURN(k.k_enc, pace_kdf(shared_secret, 1, cipher));
  DNIE_ASSIGN_OR_RETURN(k.k_mac, pace_kdf(shared_secret, 2, cipher));
  return k;
}

Result<ChipAuthResult> run_chip_authentication(sm::SecureMessagingTransport& t, const SecurityInfos& dg14,
                                               const ChipAuthOptions& o) {
  if (!t.session().is_open())
    return make_error(ErrorCode::InvalidState, "chip authentication needs an open secure channel");
  DNIE_ASSIGN_OR_RETURN(ChipAuthPlan plan, plan_chip_authentication(dg14, o.key_id));
  crypto::Rng& rng = o.rng ? *o.rng : crypto::system_rng();

  // Ephemeral key pair on the chip key's domain parameters and K = (EC)DH(SK_PCD, PK_IC).
  SecureBuffer sk;
  Bytes pk_pcd;
  SecureBuffer shared;
  const DomainParameters& dp = plan.public_key.params;
  if (dp.ec) {
    DNIE_ASSIGN_OR_RETURN(crypto::EcKeyPair kp, dp.ec->generate(rng));
    sk = std::move(kp.private_key);
    pk_pcd = std::move(kp.public_key);
    DNIE_ASSIGN_OR_RETURN(shared, dp.ec->ecdh(sk.view(), plan.public_key.public_key));
  } else if (dp.dh) {
    DNIE_ASSIGN_OR_RETURN(crypto::DhKeyPair kp, dp.dh->generate(rng));
    sk = std::move(kp.private_key);
    pk_pcd = std::move(kp.public_key);
    DNIE_ASSIGN_OR_RETURN(shared, dp.dh->shared_secret(sk.view(), plan.public_key.public_key));
  } else {
    return unsupported("Chip Authentication domain parameters not supported");
  }
  sk.clear();
  DNIE_ASSIGN_OR_RETURN(ChipAuthKeys keys, derive_chip_auth_keys(shared.view(), plan.cipher));
  shared.clear();

  // DO 84 whenever DG14 names the key (required when there are several, 9303-11 §6.2.4.1).
  const bool send_key_id = plan.key_id.has_value();
  if (plan.cipher == SymCipher::Des3) {
    // TR-03110-3 §B.1.1: MSE:Set KAT 00 22 41 A6 { 91 PK_PCD, [84 keyId] }.
    Bytes data = tlv::encode(0x91, pk_pcd);
    if (send_key_id) tlv::append(data, 0x84, key_id_bytes(*plan.key_id));
    DNIE_ASSIGN_OR_RETURN(apdu::ResponseApdu r,
                          transport::transceive(t, apdu::CommandApdu(0x00, 0x22, 0x41, 0xA6, data)));
    DNIE_TRY(apdu::expect_ok(r, "MSE:Set KAT (chip authentication)"));
  } else {
    // ICAO 9303-11 §6.2.4 / TR-03110-3 §B.1.2: MSE:Set AT { 80 OID, [84 keyId] }, then GENERAL
    // AUTHENTICATE { 7C { 80 PK_PCD } }.
    DNIE_ASSIGN_OR_RETURN(Bytes oid, asn1::oid_from_string(plan.protocol_oid));
    Bytes data = tlv::encode(0x80, oid);
    if (send_key_id) tlv::append(data, 0x84, key_id_bytes(*plan.key_id));
    DNIE_ASSIGN_OR_RETURN(apdu::ResponseApdu r,
                          transport::transceive(t, apdu::CommandApdu(0x00, 0x22, 0x41, 0xA4, data)));
    DNIE_TRY(apdu::expect_ok(r, "MSE:Set AT (chip authentication)"));
    Bytes ga = tlv::encode(0x7C, tlv::encode(0x80, pk_pcd));
    apdu::CommandApdu cmd = o.ga_le ? apdu::CommandApdu(0x00, 0x86, 0x00, 0x00, ga, apdu::kLeMax)
                                    : apdu::CommandApdu(0x00, 0x86, 0x00, 0x00, ga);
    DNIE_ASSIGN_OR_RETURN(apdu::ResponseApdu g, transport::transceive(t, cmd));
    DNIE_TRY(apdu::expect_ok(g, "GENERAL AUTHENTICATE (chip authentication)"));
  }

  // Restart secure messaging with the new keys and SSC = 0 (ICAO 9303-11 §6.2.3 / §9.8).
  const sm::Suite suite = plan.cipher == SymCipher::Des3 ? sm::Suite::Des3 : sm::Suite::Aes;
  const sm::Options opts = t.session().options();
  DNIE_ASSIGN_OR_RETURN(sm::SmSession s,
                        sm::SmSession::create(suite, std::move(keys.k_enc), std::move(keys.k_mac),
                                              SecureBuffer(suite == sm::Suite::Aes ? 16u : 8u), opts));
  t.replace_session(std::move(s));

  ChipAuthResult res;
  res.protocol_oid = plan.protocol_oid;
  res.key_id = plan.key_id;
  res.suite = suite;
  res.terminal_ephemeral_public_key = pk_pcd;
  if (o.confirm_fid) {
    // ICAO 9303-11 §6.2.3: the chip is authenticated implicitly by its first answer under the
    // new keys. Only a MAC-verified answer counts (any status word inside it: the chip derived
    // the keys); a plain status word, a MAC failure or a lost link is no proof.
    const std::uint8_t f[2] = {static_cast<std::uint8_t>(*o.confirm_fid >> 8),
                               static_cast<std::uint8_t>(*o.confirm_fid)};
    auto r = transport::transceive(t, apdu::CommandApdu(0x00, 0xA4, 0x02, 0x0C, ByteView(f, 2)));
    if (!r) {
      if (r.error().code == ErrorCode::SecureMessagingError || r.error().code == ErrorCode::MalformedData)
        return chip_auth_failed(r.error());
      return std::move(r).error();
    }
    if (auto st = apdu::require_authenticated(*r, "first command under the new keys"); !st) {
      t.session().close();
      return chip_auth_failed(st.error());
    }
    res.confirmed = true;
  }
  return res;
}

}  // namespace dnie::auth
