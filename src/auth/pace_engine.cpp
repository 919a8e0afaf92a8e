// SPDX-License-Identifier: Apache-2.0
// PACE terminal engine (ICAO 9303-11 §4.4, TR-03110-2 §3.2): an I/O-free state machine.
#include <string>

#include "dnie/apdu/status.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/log.hpp"
#include "dnie/bytes/tlv.hpp"

#include "auth/key_pair.hpp"
#include "auth/pace_internal.hpp"
#include "crypto/cipher.hpp"

namespace dnie::auth {

namespace {

Error protocol(std::string msg) { return make_error(ErrorCode::ProtocolError, std::move(msg)); }

/// A DH value received from the chip, left-padded to the size of p.
Result<Bytes> dh_full_width(ByteView v, std::size_t width) {
  if (v.empty() || v.size() > width) return protocol("PACE: DH public value has a bad length");
  Bytes out(width - v.size(), 0);
  append(out, v);
  return out;
}

bool is_one(ByteView v) {
  if (v.empty()) return false;
  for (std::size_t i = 0; i + 1 < v.size(); ++i)
    if (v[i] != 0) return false;
  return v[v.size() - 1] == 1;
}

}  // namespace

// ---- options ---------------------------------------------------------------------------------------

PaceOptions PaceOptions::clone() const {
  PaceOptions o;
  o.parameter_id_do = parameter_id_do;
  o.ga_le = ga_le;
  o.chat = chat;
  o.rng = rng;
  o.policy = policy;
  return o;
}

// ---- status words -------------------------------------------------------------------------------

Error pace_status_error(std::uint16_t sw, PasswordType password, bool mse, bool mutual_auth,
                        std::optional<int> known_tries) {
  const bool pin_like = password == PasswordType::Pin || password == PasswordType::Puk;
  const std::string name(password_type_name(password));
  auto pin_error = [&](int tries) -> Error {
    if (tries == 0)
      return make_error(ErrorCode::PinBlocked, "the " + name + " is blocked").with_sw(sw).with_tries(0);
    if (tries == 1 && password == PasswordType::Pin)
      return make_error(ErrorCode::PinSuspended, "the PIN is suspended: run PACE with the CAN first")
          .with_sw(sw)
          .with_tries(1);
    return make_error(ErrorCode::WrongPin, "wrong " + name).with_sw(sw).with_tries(tries);
  };
  if (apdu::is_counter(sw)) {
    const int x = apdu::counter_value(sw);
    if (pin_like) return pin_error(x);
    return make_error(ErrorCode::WrongCan, "the " + name + " was rejected").with_sw(sw).with_tries(x);
  }
  if (sw == apdu::sw::kVerifyFailed && mutual_auth) {
    // ICAO 9303-11 §4.4.4.2: 6300 at mutual authentication = wrong password.
    if (!pin_like) return make_error(ErrorCode::WrongCan, "the " + name + " was rejected").with_sw(sw);
    if (known_tries && *known_tries > 0) return pin_error(*known_tries - 1);
    return make_error(ErrorCode::WrongPin, "wrong " + name).with_sw(sw);
  }
  if (pin_like && sw == apdu::sw::kAuthMethodBlocked)
    return make_error(ErrorCode::PinBlocked, "the " + name + " is blocked").with_sw(sw).with_tries(0);
  if (pin_like && (sw == apdu::sw::kReferenceDataNotUsable || sw == 0x6283))
    return make_error(ErrorCode::PinBlocked, "the " + name + " is deactivated").with_sw(sw);
  if (mse && (sw == apdu::sw::kWrongData || sw == apdu::sw::kReferenceNotFound ||
              sw == apdu::sw::kFunctionNotSupported || sw == apdu::sw::kIncorrectP1P2 ||
              sw == apdu::sw::kInsNotSupported || sw == apdu::sw::kClaNotSupported))
    return make_error(ErrorCode::Unsupported, "the card does not support the requested PACE parameters")
        .with_sw(sw);
  if (!mse && !mutual_auth && sw == apdu::sw::kVerifyFailed)
    return make_error(ErrorCode::ProtocolError, "PACE step failed on the card").with_sw(sw);
  return apdu::sw_error(sw, mse ? "PACE MSE:Set AT" : "PACE GENERAL AUTHENTICATE");
}

// ---- CAM ----------------------------------------------------------------------------------------

Status verify_cam(const CamData& cam, ByteView pk_ic) {
  auto pk = cam.group.decode_point(pk_ic);
  if (!pk)
    return make_error(ErrorCode::VerificationFailed, "PACE-CAM: PK_IC is not a point of the PACE curve");
  auto map = cam.group.decode_point(cam.pk_map_ic);
  if (!map) return make_error(ErrorCode::VerificationFailed, "PACE-CAM: invalid PK_Map,IC");
  if (cam.ca_ic.empty())
    return make_error(ErrorCode::VerificationFailed, "PACE-CAM: no chip authentication data");
  auto prod = cam.group.mul(cam.ca_ic, *pk);  // KA(CA_IC, PK_IC) (ICAO 9303-11 §4.4.3.5.2)
  if (!prod || !ct_equal(prod->view(), *map))
    return make_error(ErrorCode::VerificationFailed, "PACE-CAM: the chip does not own the static key PK_IC");
  return ok_status();
}

Status verify_cam(const CamData& cam, const SecurityInfos& card_security,
                  std::optional<std::int64_t> key_id) {
  bool tried = false;
  for (const auto& k : card_security.chip_authentication_public_keys) {
    if (k.key_agreement != KeyAgreement::Ecdh || !k.params.ec) continue;
    if (key_id && k.key_id != key_id) continue;
    const auto& a = k.params.ec->params();
    const auto& b = cam.group.params();
    if (a.p != b.p || a.a != b.a || a.b != b.b || a.n != b.n) continue;
    tried = true;
    if (verify_cam(cam, k.public_key)) return ok_status();
  }
  if (!tried)
    return make_error(ErrorCode::NotFound, "PACE-CAM: no chip authentication public key for the PACE curve");
  return make_error(ErrorCode::VerificationFailed, "PACE-CAM: the chip does not own its static key");
}

Status complete_cam(PaceResult& result, const SecurityInfos& card_security,
                    std::optional<std::int64_t> key_id) {
  if (!result.cam)
    return make_error(ErrorCode::InvalidState, "PACE-CAM was not run: there is nothing to complete");
  result.chip_authenticated = false;
  DNIE_TRY(verify_cam(*result.cam, card_security, key_id));
  result.chip_authenticated = true;
  return ok_status();
}

// ---- outcome ------------------------------------------------------------------------------------

Result<sm::SmSession> PaceOutcome::make_session() {
  if (k_enc.empty() || k_mac.empty())
    return make_error(ErrorCode::InvalidState, "PACE session keys already used");
  const std::size_t ssc = result.suite == sm::Suite::Aes ? 16 : 8;  // SSC = 0 (ICAO 9303-11 §9.8.7.3)
  sm::Options opt;
  opt.append_le = true;
  return sm::SmSession::create(result.suite, std::move(k_enc), std::move(k_mac), SecureBuffer(ssc), opt);
}

// ---- engine -------------------------------------------------------------------------------------

struct PaceEngine::Impl {
  enum class State {
    Created,
    AwaitMse,
    AwaitNonce,
    AwaitMap,
    AwaitKeyAgreement,
    AwaitMutualAuth,
    Done,
    Failed
  };

  State state = State::Created;
  PaceChoice choice;
  PaceProtocol proto;
  Bytes oid_content;
  PasswordType password_type = PasswordType::Can;
  PaceOptions options;
  bool send_parameter_id = false;

  SecureBuffer k_pi;
  SecureBuffer s;       // decrypted nonce
  SecureBuffer t;       // IM nonce
  SecureBuffer map_sk;  // SK_Map,IFD
  Bytes map_pk;         // PK_Map,IFD
  Bytes chip_map_pk;    // PK_Map,IC
  std::optional<crypto::EcGroup> ec_mapped;
  std::optional<crypto::DhGroup> dh_mapped;
  SecureBuffer eph_sk;  // SK_IFD
  Bytes eph_pk;         // PK_IFD
  Bytes chip_eph_pk;    // PK_IC (ephemeral)
  SecureBuffer k_enc, k_mac;
  std::optional<int> tries_left;
  PaceResult result;
  bool outcome_taken = false;

  crypto::Rng& rng() { return detail::rng_or_system(options.rng); }
  bool ec() const { return proto.key_agreement == KeyAgreement::Ecdh; }
  const crypto::EcGroup& ec_group() const { return *choice.params.ec; }
  const crypto::DhGroup& dh_group() const { return *choice.params.dh; }

  void wipe() {
    k_pi.clear();
    s.clear();
    t.clear();
    map_sk.clear();
    eph_sk.clear();
    k_enc.clear();
    k_mac.clear();
    ec_mapped.reset();
    dh_mapped.reset();
  }
  Error fail(Error e) {
    wipe();
    state = State::Failed;
    return e;
  }

  apdu::CommandApdu ga(bool last, ByteView inner) const {
    apdu::CommandApdu c(last ? 0x00 : 0x10, 0x86, 0x00, 0x00, tlv::encode(0x7C, inner));
    if (options.ga_le) c.set_le(apdu::kLeMax);
    return c;
  }

  /// Children of the 7C dynamic authentication data (ICAO 9303-11 §4.4.4.2).
  static Result<std::vector<tlv::Tlv>> dyn_auth(const apdu::ResponseApdu& r, bool allow_empty) {
    if (r.data().empty()) {
      if (allow_empty) return std::vector<tlv::Tlv>{};
      return protocol("PACE: response without dynamic authentication data");
    }
    auto outer = tlv::parse_single(r.data());
    if (!outer || outer->tag != 0x7C) return protocol("PACE: malformed dynamic authentication data");
    auto inner = tlv::parse_all(outer->value);
    if (!inner) return protocol("PACE: malformed dynamic authentication data");
    return std::move(inner).value();
  }
  static const tlv::Tlv* find(const std::vector<tlv::Tlv>& v, std::uint32_t tag) {
    for (const auto& t : v)
      if (t.tag == tag) return &t;
    return nullptr;
  }

  Status make_mapping_key() {
    const auto& p = choice.params;
    DNIE_ASSIGN_OR_RETURN(auto kp,
                          detail::generate_key_pair(ec() ? &*p.ec : nullptr, ec() ? nullptr : &*p.dh, rng()));
    map_sk = std::move(kp.private_key);
    map_pk = std::move(kp.public_key);
    return ok_status();
  }

  Status make_ephemeral_key() {
    DNIE_ASSIGN_OR_RETURN(auto kp, detail::generate_key_pair(ec() ? &*ec_mapped : nullptr,
                                                             ec() ? nullptr : &*dh_mapped, rng()));
    eph_sk = std::move(kp.private_key);
    eph_pk = std::move(kp.public_key);
    return ok_status();
  }

  /// Generic Mapping (ICAO 9303-11 §4.4.3.3.1): Ĝ = s·G + H, H = SK_Map,IFD · PK_Map,IC;
  /// ĝ = g^s · h, h = PK_Map,IC^SK_Map,IFD.
  Status map_generic(ByteView chip_map) {
    if (ec()) {
      auto pt = ec_group().decode_point(chip_map);
      if (!pt) return protocol("PACE: the chip's mapping key is not a valid point");
      chip_map_pk = std::move(pt).value();
      DNIE_ASSIGN_OR_RETURN(SecureBuffer h, ec_group().mul(map_sk.view(), chip_map_pk));
      DNIE_ASSIGN_OR_RETURN(SecureBuffer sg, ec_group().mul(s.view(), ec_group().generator()));
      auto g = ec_group().add(sg.view(), h.view());
      if (!g) return protocol("PACE: degenerate mapped generator");
      DNIE_ASSIGN_OR_RETURN(auto mapped, ec_group().with_generator(*g));
      ec_mapped = std::move(mapped);
    } else {
      DNIE_ASSIGN_OR_RETURN(chip_map_pk, dh_full_width(chip_map, dh_group().size()));
      if (!dh_group().check_public(chip_map_pk)) return protocol("PACE: the chip's mapping key is invalid");
      DNIE_ASSIGN_OR_RETURN(SecureBuffer h, dh_group().exp(chip_map_pk, map_sk.view()));
      if (is_one(h.view())) return protocol("PACE: degenerate mapping secret");
      DNIE_ASSIGN_OR_RETURN(SecureBuffer gs, dh_group().exp(dh_group().g(), s.view()));
      auto g = dh_group().mul(gs.view(), h.view());
      if (!g) return std::move(g).error();
      if (is_one(*g)) return protocol("PACE: mapped generator is 1");
      DNIE_ASSIGN_OR_RETURN(auto mapped, dh_group().with_generator(*g));
      dh_mapped = std::move(mapped);
    }
    map_sk.clear();
    s.clear();
    return ok_status();
  }

  /// Integrated Mapping (ICAO 9303-11 §4.4.3.3.2).
  Status map_integrated() {
    if (ec()) {
      DNIE_ASSIGN_OR_RETURN(Bytes g, pace_internal::im_map_ec(ec_group(), proto.cipher, s.view(), t.view()));
      DNIE_ASSIGN_OR_RETURN(auto mapped, ec_group().with_generator(g));
      ec_mapped = std::move(mapped);
    } else {
      DNIE_ASSIGN_OR_RETURN(Bytes g, pace_internal::im_map_dh(dh_group(), proto.cipher, s.view(), t.view()));
      DNIE_ASSIGN_OR_RETURN(auto mapped, dh_group().with_generator(g));
      dh_mapped = std::move(mapped);
    }
    s.clear();
    t.clear();
    return ok_status();
  }

  // --- steps ---------------------------------------------------------------------------------

  Result<apdu::CommandApdu> on_mse(const apdu::ResponseApdu& r) {
    const std::uint16_t sw = r.sw();
    if (apdu::is_counter(sw)) {
      // TR-03110-3 §B.11.1 / ICAO: a retry counter is a warning; PACE goes on unless the PIN is
      // blocked (x = 0) or suspended (x = 1, resume with the CAN first).
      const int x = apdu::counter_value(sw);
      const bool pin_like = password_type == PasswordType::Pin || password_type == PasswordType::Puk;
      if (pin_like && (x == 0 || (x == 1 && password_type == PasswordType::Pin)))
        return pace_status_error(sw, password_type, true, false);
      if (pin_like) tries_left = x;
    } else if (sw != apdu::sw::kOk) {
      return pace_status_error(sw, password_type, true, false);
    }
    state = State::AwaitNonce;
    return ga(false, {});
  }

  Result<apdu::CommandApdu> on_nonce(const apdu::ResponseApdu& r) {
    DNIE_ASSIGN_OR_RETURN(auto dos, dyn_auth(r, false));
    const tlv::Tlv* z = find(dos, 0x80);
    if (!z) return protocol("PACE: no encrypted nonce (80)");
    DNIE_ASSIGN_OR_RETURN(s, pace_internal::decrypt_nonce(proto.cipher, k_pi.view(), z->value));
    k_pi.clear();
    Bytes inner;
    if (proto.mapping == PaceMapping::Integrated) {
      const std::size_t k = cipher_key_size(proto.cipher);
      DNIE_ASSIGN_OR_RETURN(t, rng().secret(k));
      inner = tlv::encode(0x81, t.view());
    } else {
      DNIE_TRY(make_mapping_key());
      inner = tlv::encode(0x81, map_pk);
    }
    state = State::AwaitMap;
    return ga(false, inner);
  }

  Result<apdu::CommandApdu> on_map(const apdu::ResponseApdu& r) {
    if (proto.mapping == PaceMapping::Integrated) {
      // ICAO 9303-11 §4.4.5.2.2: DO 82 is empty (some chips send nothing at all).
      DNIE_ASSIGN_OR_RETURN(auto dos, dyn_auth(r, true));
      if (const tlv::Tlv* m = find(dos, 0x82); m && !m->value.empty())
        return protocol("PACE-IM: unexpected mapping data from the chip");
      DNIE_TRY(map_integrated());
    } else {
      DNIE_ASSIGN_OR_RETURN(auto dos, dyn_auth(r, false));
      const tlv::Tlv* m = find(dos, 0x82);
      if (!m) return protocol("PACE: no mapping data (82)");
      DNIE_TRY(map_generic(m->value));
    }
    DNIE_TRY(make_ephemeral_key());
    state = State::AwaitKeyAgreement;
    return ga(false, tlv::encode(0x83, eph_pk));
  }

  Result<apdu::CommandApdu> on_key_agreement(const apdu::ResponseApdu& r) {
    DNIE_ASSIGN_OR_RETURN(auto dos, dyn_auth(r, false));
    const tlv::Tlv* pk = find(dos, 0x84);
    if (!pk) return protocol("PACE: no ephemeral public key (84)");
    SecureBuffer k;
    if (ec()) {
      auto pt = ec_mapped->decode_point(pk->value);
      if (!pt) return protocol("PACE: the chip's ephemeral key is not a valid point");
      chip_eph_pk = std::move(pt).value();
      if (chip_eph_pk == eph_pk)
        return protocol("PACE: the chip echoed the terminal's key");  // TR-03110-2 §3.2
      DNIE_ASSIGN_OR_RETURN(k, ec_mapped->ecdh(eph_sk.view(), chip_eph_pk));
    } else {
      DNIE_ASSIGN_OR_RETURN(chip_eph_pk, dh_full_width(pk->value, dh_mapped->size()));
      if (!dh_mapped->check_public(chip_eph_pk)) return protocol("PACE: the chip's ephemeral key is invalid");
      if (chip_eph_pk == eph_pk) return protocol("PACE: the chip echoed the terminal's key");
      DNIE_ASSIGN_OR_RETURN(k, dh_mapped->exp(chip_eph_pk, eph_sk.view()));
    }
    eph_sk.clear();
    // K keeps its full width (x-coordinate / size of p) (ICAO 9303-11 §4.4.3.4, §9.7.1).
    DNIE_ASSIGN_OR_RETURN(k_enc, pace_kdf(k.view(), 1, proto.cipher));
    DNIE_ASSIGN_OR_RETURN(k_mac, pace_kdf(k.view(), 2, proto.cipher));
    k.clear();
    // T_IFD over the chip's ephemeral key (ICAO 9303-11 §4.4.3.4).
    DNIE_ASSIGN_OR_RETURN(
        Bytes t_ifd,
        pace_internal::auth_token(proto.cipher, k_mac.view(),
                                  pace_internal::token_input(oid_content, proto.key_agreement, chip_eph_pk)));
    state = State::AwaitMutualAuth;
    return ga(true, tlv::encode(0x85, t_ifd));
  }

  Status on_mutual_auth(const apdu::ResponseApdu& r) {
    DNIE_ASSIGN_OR_RETURN(auto dos, dyn_auth(r, false));
    const tlv::Tlv* tok = find(dos, 0x86);
    if (!tok) return protocol("PACE: no authentication token (86)");
    DNIE_ASSIGN_OR_RETURN(
        Bytes expected,
        pace_internal::auth_token(proto.cipher, k_mac.view(),
                                  pace_internal::token_input(oid_content, proto.key_agreement, eph_pk)));
    if (!ct_equal(tok->value, expected)) return protocol("PACE: the chip's authentication token is invalid");
    std::optional<CamData> cam;
    if (proto.mapping == PaceMapping::ChipAuthentication) {
      // ICAO 9303-11 §4.4.3.5: A_IC = E(KS_enc, pad(CA_IC)), IV = E(KS_enc, -1).
      const tlv::Tlv* a = find(dos, 0x8A);
      if (!a) return protocol("PACE-CAM: no encrypted chip authentication data (8A)");
      DNIE_ASSIGN_OR_RETURN(Bytes iv, crypto::aes_ecb_encrypt(k_enc.view(), Bytes(16, 0xFF)));
      auto plain = crypto::aes_cbc_decrypt(k_enc.view(), iv, a->value);
      if (!plain) return protocol("PACE-CAM: bad encrypted chip authentication data");
      auto ca = crypto::unpad_iso9797_m2_secret(plain->view());
      if (!ca || ca->empty() || ca->size() > ec_group().order_size())
        return protocol("PACE-CAM: bad chip authentication data padding");
      cam = CamData{ca->view().to_bytes(), chip_map_pk, ec_group()};  // the caller's result: public
    }
    result.protocol = proto;
    result.protocol_oid = choice.info.protocol_oid;
    result.parameter_id = choice.info.parameter_id;
    result.password_type = password_type;
    result.suite = proto.cipher == SymCipher::Des3 ? sm::Suite::Des3 : sm::Suite::Aes;
    result.chip_ephemeral_public_key = chip_eph_pk;
    result.terminal_ephemeral_public_key = eph_pk;
    result.cam = std::move(cam);
    if (const tlv::Tlv* c = find(dos, 0x87)) result.car = c->value.to_bytes();
    if (const tlv::Tlv* c = find(dos, 0x88)) result.previous_car = c->value.to_bytes();
    result.tries_left = tries_left;
    state = State::Done;
    return ok_status();
  }
};

PaceEngine::PaceEngine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PaceEngine::PaceEngine(PaceEngine&&) noexcept = default;
PaceEngine& PaceEngine::operator=(PaceEngine&&) noexcept = default;
PaceEngine::~PaceEngine() = default;

// PaceEngine::create, with K_pi given (known-answer tests) or derived from the password.
Result<PaceEngine> PaceEngineAccess::create(const PaceChoice& choice, PacePassword password,
                                            PaceOptions options, const SecureBuffer* given_k_pi) {
  auto proto = PaceProtocol::from_oid(choice.info.protocol_oid);
  if (!proto)
    return make_error(ErrorCode::Unsupported, "not a supported PACE protocol: " + choice.info.protocol_oid);
  const bool ec = proto->key_agreement == KeyAgreement::Ecdh;
  if (ec && !choice.params.ec)
    return make_error(ErrorCode::Unsupported, proto->name() + " needs elliptic-curve parameters");
  if (!ec && !choice.params.dh)
    return make_error(ErrorCode::Unsupported, proto->name() + " needs DH parameters");
  // The parameter policy, before anything is derived from the password or sent (the caller may
  // have built `choice` by hand or from unauthenticated EF.CardAccess data).
  if (Status ok = options.policy.check(*proto, choice.params); !ok)
    return make_error(ErrorCode::Unsupported,
                      "PACE: the parameter policy refuses " + proto->name() + ": " + ok.error().message);
  if (proto->mapping == PaceMapping::Integrated) {
    if (ec && (choice.params.ec->params().p.empty() || (choice.params.ec->params().p.back() & 3) != 3))
      return make_error(ErrorCode::Unsupported, "PACE-IM point encoding needs a curve with p = 3 mod 4");
    if (!ec && choice.params.dh->q().empty())
      return make_error(ErrorCode::Unsupported, "PACE-IM with DH needs q");
  }
  auto impl = std::make_unique<PaceEngine::Impl>();
  impl->choice = choice;
  impl->proto = *proto;
  DNIE_ASSIGN_OR_RETURN(impl->oid_content, asn1::oid_from_string(choice.info.protocol_oid));
  impl->password_type = password.type();
  impl->options = std::move(options);
  if (given_k_pi) {
    if (given_k_pi->size() != cipher_key_size(proto->cipher))
      return make_error(ErrorCode::InvalidArgument, "K_pi has the wrong size");
    impl->k_pi = given_k_pi->clone();
  } else {
    DNIE_ASSIGN_OR_RETURN(impl->k_pi, derive_k_pi(password, proto->cipher));
  }
  using P = PaceOptions::ParameterIdDo;
  impl->send_parameter_id = choice.info.parameter_id.has_value() &&
                            (impl->options.parameter_id_do == P::Always ||
                             (impl->options.parameter_id_do == P::IfAmbiguous && choice.ambiguous));
  return PaceEngine(std::move(impl));
}

Result<PaceEngine> PaceEngineAccess::create_with_k_pi(const PaceChoice& choice, PasswordType type,
                                                      SecureBuffer k_pi, PaceOptions options) {
  return create(choice, PacePassword::raw(type, SecureBuffer()), std::move(options), &k_pi);
}

Result<PaceEngine> PaceEngine::create(const PaceChoice& choice, PacePassword password, PaceOptions options) {
  return PaceEngineAccess::create(choice, std::move(password), std::move(options), nullptr);
}

Result<apdu::CommandApdu> PaceEngine::start() {
  Impl& m = *m_impl;
  if (m.state != Impl::State::Created) return make_error(ErrorCode::InvalidState, "PACE already started");
  // MSE:Set AT (ICAO 9303-11 §4.4.4.1): 80 OID, 83 password reference, [84 ID], [7F4C CHAT].
  Bytes data = tlv::encode(0x80, m.oid_content);
  const std::uint8_t ref = static_cast<std::uint8_t>(m.password_type);
  tlv::append(data, 0x83, ByteView(&ref, 1));
  if (m.send_parameter_id) {
    Bytes id = be_bytes(static_cast<std::uint64_t>(*m.choice.info.parameter_id), 4);
    std::size_t i = 0;
    while (i + 1 < id.size() && id[i] == 0) ++i;
    tlv::append(data, 0x84, ByteView(id).subview(i));
  }
  append(data, m.options.chat);
  if (log_enabled(LogLevel::Info))
    log(LogLevel::Info, "auth",
        "PACE " + m.proto.name() + " on " + m.choice.params.describe() + " with " +
            std::string(password_type_name(m.password_type)));
  m.state = Impl::State::AwaitMse;
  return apdu::CommandApdu(0x00, 0x22, 0xC1, 0xA4, data);
}

Result<std::optional<apdu::CommandApdu>> PaceEngine::on_response(const apdu::ResponseApdu& response) {
  Impl& m = *m_impl;
  using S = Impl::State;
  if (m.state == S::Created || m.state == S::Done || m.state == S::Failed)
    return make_error(ErrorCode::InvalidState, "PACE: no command is pending");
  const std::uint16_t sw = response.sw();
  if (m.state != S::AwaitMse && sw != apdu::sw::kOk)
    return m.fail(pace_status_error(sw, m.password_type, false, m.state == S::AwaitMutualAuth, m.tries_left));
  Result<apdu::CommandApdu> next = make_error(ErrorCode::InternalError, "PACE state");
  switch (m.state) {
    case S::AwaitMse:
      next = m.on_mse(response);
      break;
    case S::AwaitNonce:
      next = m.on_nonce(response);
      break;
    case S::AwaitMap:
      next = m.on_map(response);
      break;
    case S::AwaitKeyAgreement:
      next = m.on_key_agreement(response);
      break;
    case S::AwaitMutualAuth: {
      Status st = m.on_mutual_auth(response);
      if (!st) return m.fail(std::move(st).error());
      return std::optional<apdu::CommandApdu>();
    }
    default:
      break;
  }
  if (!next) {
    Error e = std::move(next).error();
    if (e.code == ErrorCode::CryptoError || e.code == ErrorCode::InvalidArgument) {
      // A value from the chip the crypto layer refused is a protocol failure of the chip.
      if (m.state != S::AwaitMse) e.code = ErrorCode::ProtocolError;
    }
    return m.fail(std::move(e));
  }
  return std::optional<apdu::CommandApdu>(std::move(next).value());
}

bool PaceEngine::finished() const noexcept { return m_impl && m_impl->state == Impl::State::Done; }

void PaceEngine::abort() noexcept {
  if (!m_impl || m_impl->state == Impl::State::Done) return;
  m_impl->wipe();
  m_impl->state = Impl::State::Failed;
}

Result<PaceOutcome> PaceEngine::take_outcome() {
  Impl& m = *m_impl;
  if (m.state != Impl::State::Done || m.outcome_taken)
    return make_error(ErrorCode::InvalidState, "PACE has not succeeded");
  m.outcome_taken = true;
  PaceOutcome o;
  o.result = std::move(m.result);
  o.k_enc = std::move(m.k_enc);
  o.k_mac = std::move(m.k_mac);
  return o;
}

}  // namespace dnie::auth
