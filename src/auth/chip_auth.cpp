// SPDX-License-Identifier: Apache-2.0
// Chip Authentication v1, terminal side: ICAO 9303-11 §6.2 (protocol), §9.2.5 (DG14 infos),
// §9.7.1 (KDF), §9.8 (SM restart with SSC = 0); BSI TR-03110-3 §B.1.1 (MSE:Set KAT, 3DES) and
// §B.1.2 (MSE:Set AT + GENERAL AUTHENTICATE, AES).
#include "dnie/auth/chip_auth.hpp"

#include "dnie/apdu/status.hpp"
#include "dnie/auth/pace.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

#include "auth/engine_driver.hpp"
#include "auth/key_pair.hpp"

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

// ---- engine -------------------------------------------------------------------------------------

namespace {

/// CA v1 as an I/O-free engine (docs/architecture.md, "Protocol engines"): one handler per state.
///   Created      --start()-->  AES: MSE:Set AT  → AwaitSetAt;   3DES: MSE:Set KAT → AwaitSetKat
///   AwaitSetAt   --9000-->     GENERAL AUTHENTICATE {80 PK_PCD} → AwaitGeneralAuth
///   AwaitSetKat, AwaitGeneralAuth --9000--> new SM keys ready (the driver installs them), then
///                              SELECT confirm_fid → AwaitConfirm, or Done without confirm_fid
///   AwaitConfirm --a MAC-verified answer, any SW--> Done
/// Any other answer → Failed (keys wiped).
class ChipAuthEngine {
 public:
  enum class State { Created, AwaitSetAt, AwaitSetKat, AwaitGeneralAuth, AwaitConfirm, Done, Failed };

  ChipAuthEngine(ChipAuthPlan plan, const ChipAuthOptions& o, sm::Options sm_options)
      : m_plan(std::move(plan)), m_options(o), m_sm_options(sm_options) {}

  Result<apdu::CommandApdu> start() {
    if (m_state != State::Created)
      return make_error(ErrorCode::InvalidState, "chip authentication already started");
    // Ephemeral key pair on the chip key's domain parameters and K = (EC)DH(SK_PCD, PK_IC).
    const DomainParameters& dp = m_plan.public_key.params;
    if (!dp.supported()) return fail(unsupported("Chip Authentication domain parameters not supported"));
    DNIE_ASSIGN_OR_RETURN(detail::KeyPair kp,
                          detail::generate_key_pair(dp.ec ? &*dp.ec : nullptr, dp.dh ? &*dp.dh : nullptr,
                                                    detail::rng_or_system(m_options.rng)));
    m_pk_pcd = std::move(kp.public_key);
    auto shared = dp.ec ? dp.ec->ecdh(kp.private_key.view(), m_plan.public_key.public_key)
                        : dp.dh->shared_secret(kp.private_key.view(), m_plan.public_key.public_key);
    if (!shared) return fail(std::move(shared).error());
    auto keys = derive_chip_auth_keys(shared->view(), m_plan.cipher);
    if (!keys) return fail(std::move(keys).error());
    m_keys = std::move(keys).value();
    // DO 84 whenever DG14 names the key (required when there are several, 9303-11 §6.2.4.1).
    if (m_plan.cipher == SymCipher::Des3) {
      // TR-03110-3 §B.1.1: MSE:Set KAT 00 22 41 A6 { 91 PK_PCD, [84 keyId] }.
      Bytes data = tlv::encode(0x91, m_pk_pcd);
      if (m_plan.key_id) tlv::append(data, 0x84, key_id_bytes(*m_plan.key_id));
      m_state = State::AwaitSetKat;
      return apdu::CommandApdu(0x00, 0x22, 0x41, 0xA6, data);
    }
    // ICAO 9303-11 §6.2.4 / TR-03110-3 §B.1.2: MSE:Set AT { 80 OID, [84 keyId] }.
    auto oid = asn1::oid_from_string(m_plan.protocol_oid);
    if (!oid) return fail(std::move(oid).error());
    Bytes data = tlv::encode(0x80, *oid);
    if (m_plan.key_id) tlv::append(data, 0x84, key_id_bytes(*m_plan.key_id));
    m_state = State::AwaitSetAt;
    return apdu::CommandApdu(0x00, 0x22, 0x41, 0xA4, data);
  }

  Result<std::optional<apdu::CommandApdu>> on_response(const apdu::ResponseApdu& r) {
    switch (m_state) {
      case State::AwaitSetAt:
        return on_set_at(r);
      case State::AwaitSetKat:
        return on_key_agreement(r, "MSE:Set KAT (chip authentication)");
      case State::AwaitGeneralAuth:
        return on_key_agreement(r, "GENERAL AUTHENTICATE (chip authentication)");
      case State::AwaitConfirm:
        return on_confirm(r);
      default:
        return make_error(ErrorCode::InvalidState, "chip authentication: no command is pending");
    }
  }

  void abort() noexcept {
    if (m_state == State::Done) return;
    m_keys.k_enc.clear();
    m_keys.k_mac.clear();
    m_new_session.reset();
    m_state = State::Failed;
  }

  /// The channel under the new keys, once, as soon as the chip has accepted the key agreement.
  std::optional<sm::SmSession> take_new_session() {
    std::optional<sm::SmSession> s = std::move(m_new_session);
    m_new_session.reset();
    return s;
  }
  /// A failure at the confirming command: a MAC or format error under the new keys is the chip's.
  Error link_error(Error e) const {
    if (m_state == State::AwaitConfirm &&
        (e.code == ErrorCode::SecureMessagingError || e.code == ErrorCode::MalformedData))
      return chip_auth_failed(e);
    return e;
  }
  /// The confirming answer was not authenticated: the caller closes the channel.
  bool close_channel() const noexcept { return m_close_channel; }
  ChipAuthResult take_result() { return std::move(m_result); }

 private:
  Error fail(Error e) {
    abort();
    return e;
  }

  Result<std::optional<apdu::CommandApdu>> on_set_at(const apdu::ResponseApdu& r) {
    if (Status st = apdu::expect_ok(r, "MSE:Set AT (chip authentication)"); !st)
      return fail(std::move(st).error());
    // ICAO 9303-11 §6.2.4: GENERAL AUTHENTICATE { 7C { 80 PK_PCD } }.
    Bytes ga = tlv::encode(0x7C, tlv::encode(0x80, m_pk_pcd));
    m_state = State::AwaitGeneralAuth;
    return std::optional<apdu::CommandApdu>(m_options.ga_le
                                                ? apdu::CommandApdu(0x00, 0x86, 0x00, 0x00, ga, apdu::kLeMax)
                                                : apdu::CommandApdu(0x00, 0x86, 0x00, 0x00, ga));
  }

  // The chip accepted PK_PCD: restart secure messaging with the new keys and SSC = 0 (ICAO
  // 9303-11 §6.2.3 / §9.8).
  Result<std::optional<apdu::CommandApdu>> on_key_agreement(const apdu::ResponseApdu& r, const char* what) {
    if (Status st = apdu::expect_ok(r, what); !st) return fail(std::move(st).error());
    const sm::Suite suite = m_plan.cipher == SymCipher::Des3 ? sm::Suite::Des3 : sm::Suite::Aes;
    auto s = sm::SmSession::create(suite, std::move(m_keys.k_enc), std::move(m_keys.k_mac),
                                   SecureBuffer(suite == sm::Suite::Aes ? 16u : 8u), m_sm_options);
    if (!s) return fail(std::move(s).error());
    m_new_session = std::move(s).value();
    m_result.protocol_oid = m_plan.protocol_oid;
    m_result.key_id = m_plan.key_id;
    m_result.suite = suite;
    m_result.terminal_ephemeral_public_key = m_pk_pcd;
    if (!m_options.confirm_fid) {
      m_state = State::Done;
      return std::optional<apdu::CommandApdu>();
    }
    // ICAO 9303-11 §6.2.3: the chip is authenticated implicitly by its first answer under the
    // new keys.
    const std::uint8_t f[2] = {static_cast<std::uint8_t>(*m_options.confirm_fid >> 8),
                               static_cast<std::uint8_t>(*m_options.confirm_fid)};
    m_state = State::AwaitConfirm;
    return std::optional<apdu::CommandApdu>(apdu::CommandApdu(0x00, 0xA4, 0x02, 0x0C, ByteView(f, 2)));
  }

  // Only a MAC-verified answer counts (any status word inside it: the chip derived the keys); a
  // plain status word is no proof.
  Result<std::optional<apdu::CommandApdu>> on_confirm(const apdu::ResponseApdu& r) {
    if (Status st = apdu::require_authenticated(r, "first command under the new keys"); !st) {
      m_close_channel = true;
      return fail(chip_auth_failed(st.error()));
    }
    m_result.confirmed = true;
    m_state = State::Done;
    return std::optional<apdu::CommandApdu>();
  }

  State m_state = State::Created;
  ChipAuthPlan m_plan;
  ChipAuthOptions m_options;
  sm::Options m_sm_options;
  Bytes m_pk_pcd;
  ChipAuthKeys m_keys;
  std::optional<sm::SmSession> m_new_session;
  ChipAuthResult m_result;
  bool m_close_channel = false;
};

/// Installs the new keys before the command that follows the key agreement.
struct SwitchKeys {
  sm::SecureMessagingTransport& t;
  Status before_send(ChipAuthEngine& e) {
    if (auto s = e.take_new_session()) t.replace_session(std::move(*s));
    return ok_status();
  }
  Error link_error(ChipAuthEngine& e, Error err) { return e.link_error(std::move(err)); }
};

}  // namespace

Result<ChipAuthResult> run_chip_authentication(sm::SecureMessagingTransport& t, const SecurityInfos& dg14,
                                               const ChipAuthOptions& o) {
  if (!t.session().is_open())
    return make_error(ErrorCode::InvalidState, "chip authentication needs an open secure channel");
  DNIE_ASSIGN_OR_RETURN(ChipAuthPlan plan, plan_chip_authentication(dg14, o.key_id));
  ChipAuthEngine engine(std::move(plan), o, t.session().options());
  SwitchKeys hooks{t};
  auto res = detail::drive_engine(
      t, engine, 3, "chip authentication",
      [&]() -> Result<ChipAuthResult> {
        DNIE_TRY(hooks.before_send(engine));  // no confirming command: the keys switch now
        return engine.take_result();
      },
      hooks);
  if (!res && engine.close_channel()) t.session().close();
  return res;
}

}  // namespace dnie::auth
