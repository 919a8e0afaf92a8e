// SPDX-License-Identifier: Apache-2.0
// PACE, chip side (ICAO 9303-11 §4.4.4 command sequence; BSI TR-03110-2 §3.2, TR-03110-3 B.1,
// B.11). MSE:Set AT selects protocol, parameters and password; four GENERAL AUTHENTICATE steps
// follow: encrypted nonce, mapping, key agreement, mutual authentication (tokens). Passwords:
// MRZ (K = SHA-1(MRZ_information)) and CAN are not counted; the PIN has a retry counter, is
// suspended at one try left (resumed by a CAN PACE in the same session) and blocked at zero.
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/hash.hpp"

#include "vcard/engine.hpp"

namespace dnie::vcard {

namespace {
constexpr std::uint16_t kDg1 = 0x0101;

Bytes dynamic_auth_data(std::initializer_list<std::pair<std::uint32_t, ByteView>> dos) {
  Bytes inner;
  for (const auto& d : dos) tlv::append(inner, d.first, d.second);
  return tlv::encode(0x7C, inner);
}

/// Nonce length: 16 bytes for 3DES and AES-128 (a real 3DES chip sends two blocks, see the
/// NZ trace), 32 bytes (l = 256) for AES-192/256 so Integrated Mapping's E(t, s) yields a key.
std::size_t nonce_length(SymCipher c) { return (c == SymCipher::Aes192 || c == SymCipher::Aes256) ? 32 : 16; }
}  // namespace

Reply VirtualCard::Impl::pace_set_at(const Command& c) {
  session.pace = PaceRun{};
  session.ca = CaRun{};
  auto dos = tlv::parse_all(c.data);
  if (!dos) return sw_reply(csw::kWrongData);
  ByteView oid, ref, pid;
  bool has_oid = false, has_ref = false, has_pid = false;
  for (const auto& d : *dos) {
    if (d.tag == 0x80) {
      oid = d.value;
      has_oid = true;
    }
    if (d.tag == 0x83) {
      ref = d.value;
      has_ref = true;
    }
    if (d.tag == 0x84) {
      pid = d.value;
      has_pid = true;
    }
    // 7F4C (CHAT) and 67 (auxiliary data) are accepted and ignored: no terminal authentication.
  }
  if (!has_oid || !has_ref || ref.size() != 1) return sw_reply(csw::kWrongData);
  auto alg = pace_alg_from_oid(oid);
  if (!alg) return sw_reply(csw::kWrongData);
  int param = -1;
  if (has_pid) {
    if (pid.empty() || pid.size() > 2) return sw_reply(csw::kWrongData);
    param = static_cast<int>(be_value(pid));
  }
  // The protocol and parameters must be offered by EF.CardAccess (9303-11 §4.4.4.1).
  const PaceInfo* info = nullptr;
  for (const auto& p : pace_infos) {
    if (ByteView(p.oid) != oid) continue;
    if (has_pid && p.param_id != param) continue;
    info = &p;
    break;
  }
  if (info == nullptr) return sw_reply(csw::kWrongData);
  if (param < 0) param = info->param_id;
  if (param < 0) return sw_reply(csw::kWrongData);  // PACEDomainParameterInfo: not supported
  auto domain = KaDomain::standard(param);
  if (!domain || domain->is_ec() != alg->ec) return sw_reply(csw::kWrongData);
  if (alg->mapping == PaceMapping::Integrated && domain->is_ec() && (domain->ec().params().p.back() & 3) != 3)
    return sw_reply(csw::kWrongData);  // Appendix B point encoding needs p = 3 mod 4

  SecureBuffer secret;
  Password pwd = static_cast<Password>(ref[0]);
  switch (ref[0]) {
    case 0x01: {  // MRZ: K = SHA-1(MRZ_information) from DG1 (9303-11 §9.7.2)
      const VFile* df = nullptr;
      for (const auto& f : image.mf.children)
        if (f.fid == 0x3F01) df = &f;
      const VFile* dg1 = nullptr;
      if (df)
        for (const auto& f : df->children)
          if (f.fid == kDg1) dg1 = &f;
      if (!dg1) return sw_reply(csw::kRefNotFound);
      auto info_s = mrz_information(dg1->content);
      if (!info_s) return sw_reply(csw::kRefNotFound);
      secret = crypto::hash_secret(crypto::HashAlg::Sha1, ByteView::of(*info_s));
      break;
    }
    case 0x02:  // CAN
      if (image.can.empty()) return sw_reply(csw::kRefNotFound);
      secret = SecureBuffer::from_string(image.can);
      break;
    case 0x03: {  // PIN: blocked at 0, suspended at 1 unless resumed by CAN (TR-03110-2 §3.5)
      if (image.pin.empty()) return sw_reply(csw::kRefNotFound);
      const int tries = image.pin_tries_left;
      if (tries <= 0) return sw_reply(csw::counter(0));
      if (tries == 1 && !session.can_resumed) return sw_reply(csw::counter(1));
      secret = SecureBuffer::from_string(image.pin);
      break;
    }
    default:  // 04 PUK: the DNIe has none (docs/dnie-card.md §4.4)
      return sw_reply(csw::kRefNotFound);
  }
  PaceRun& run = session.pace;
  run.k_pi = kdf(secret.view(), 3, alg->cipher);  // K_pi = KDF_pi(password), §9.7.3
  run.oid = oid.to_bytes();
  run.alg = *alg;
  run.param_id = param;
  run.password = pwd;
  run.domain.emplace(std::move(*domain));
  run.state = PaceChipState::AwaitNonceRequest;
  return sw_reply(csw::kOk);
}

/// One GENERAL AUTHENTICATE step: its parsed 7C data objects and the run it belongs to.
struct VirtualCard::Impl::GaData {
  std::vector<tlv::Tlv> dos;
  PaceRun& run;
  const KaDomain& dom;
  SymCipher cipher;
  const tlv::Tlv* get(std::uint32_t tag) const {
    for (const auto& d : dos)
      if (d.tag == tag) return &d;
    return nullptr;
  }
};

Reply VirtualCard::Impl::pace_abort(std::uint16_t sw) {
  session.pace = PaceRun{};
  return sw_reply(sw);
}

void VirtualCard::Impl::pace_ka_cost(int n) {
  const KaDomain& dom = *session.pace.domain;
  const std::size_t fbytes = dom.is_ec() ? dom.ec().field_size() : dom.dh().size();
  cost(n * (dom.is_ec() ? cost::scalar_mult(fbytes) : cost::modexp(fbytes, dom.order().size())));
}

std::optional<VirtualCard::Impl::ChipKeyPair> VirtualCard::Impl::pace_key_pair(const KaDomain& dom,
                                                                               ByteView peer,
                                                                               std::uint16_t* sw) {
  *sw = csw::kWrongData;
  if (!dom.check_public(peer)) return std::nullopt;
  auto sk = random_private(dom);
  if (!sk) {
    *sw = csw::kNoDiagnosis;
    return std::nullopt;
  }
  auto pk = dom.public_key(sk->view());
  if (!pk || ByteView(*pk) == peer) return std::nullopt;  // PK_PCD ≠ PK_IC (TR-03110-2 §3.2)
  return ChipKeyPair{std::move(sk).value(), std::move(pk).value()};
}

// One handler per state of the chip's PACE (docs/architecture.md, "Protocol engines"), each with
// the data object its GENERAL AUTHENTICATE must carry.
Reply VirtualCard::Impl::pace_step(const Command& c) {
  auto outer = tlv::parse_single(c.data);
  if (!outer || outer->tag != 0x7C) return pace_abort(csw::kWrongData);
  auto inner = tlv::parse_all(outer->value);
  if (!inner) return pace_abort(csw::kWrongData);
  PaceRun& run = session.pace;
  const GaData ga{std::move(*inner), run, *run.domain, run.alg.cipher};
  struct Step {
    PaceChipState state;
    std::uint32_t tag;  // 0: none
    Reply (Impl::*handler)(const GaData&, ByteView);
  };
  static const Step kSteps[] = {
      {PaceChipState::AwaitNonceRequest, 0, &Impl::pace_ga_nonce},
      {PaceChipState::AwaitMapping, 0x81, &Impl::pace_ga_map},
      {PaceChipState::AwaitKeyAgreement, 0x83, &Impl::pace_ga_key_agreement},
      {PaceChipState::AwaitMutualAuth, 0x85, &Impl::pace_ga_mutual_auth},
  };
  for (const Step& step : kSteps) {
    if (step.state != run.state) continue;
    ByteView value;
    if (step.tag != 0) {
      const tlv::Tlv* d = ga.get(step.tag);
      if (!d) return pace_abort(csw::kWrongData);
      value = d->value;
    }
    return (this->*step.handler)(ga, value);
  }
  return pace_abort(csw::kConditions);  // Idle
}

// GA1: encrypted nonce z = E(K_pi, s)
Reply VirtualCard::Impl::pace_ga_nonce(const GaData& ga, ByteView) {
  if (!ga.dos.empty()) return pace_abort(csw::kWrongData);
  Bytes s = random(nonce_length(ga.cipher));
  if (s.empty() || s.size() % block_length(ga.cipher) != 0) return pace_abort(csw::kNoDiagnosis);
  auto z = cbc_encrypt0(ga.cipher, ga.run.k_pi.view(), s);
  ga.run.s = SecureBuffer::adopt(std::move(s));
  if (!z) return pace_abort(csw::kNoDiagnosis);
  ga.run.state = PaceChipState::AwaitMapping;
  return Reply{dynamic_auth_data({{0x80, z->view()}}), csw::kOk};
}

// GA2: mapping
Reply VirtualCard::Impl::pace_ga_map(const GaData& ga, ByteView d81) {
  if (ga.run.alg.mapping == PaceMapping::Integrated) {
    auto mapped = ga.dom.map_integrated(ga.cipher, ga.run.s.view(), d81);  // t from the terminal
    if (!mapped) return pace_abort(csw::kWrongData);
    pace_ka_cost(1);
    ga.run.domain.emplace(std::move(*mapped));
    ga.run.state = PaceChipState::AwaitKeyAgreement;
    return Reply{dynamic_auth_data({}), csw::kOk};  // 7C 00
  }
  std::uint16_t sw = 0;
  auto kp = pace_key_pair(ga.dom, d81, &sw);  // SK_Map,IC, PK_Map,IC
  if (!kp) return pace_abort(sw);
  auto mapped = ga.dom.map_generic(ga.run.s.view(), kp->sk.view(), d81);
  if (!mapped) return pace_abort(csw::kWrongData);
  pace_ka_cost(3);
  ga.run.sk_map = std::move(kp->sk);
  ga.run.domain.emplace(std::move(*mapped));
  ga.run.state = PaceChipState::AwaitKeyAgreement;
  return Reply{dynamic_auth_data({{0x82, kp->pk}}), csw::kOk};
}

// GA3: key agreement on the mapped generator
Reply VirtualCard::Impl::pace_ga_key_agreement(const GaData& ga, ByteView d83) {
  std::uint16_t sw = 0;
  auto kp = pace_key_pair(ga.dom, d83, &sw);  // SK_IC, PK_IC on the mapped generator
  if (!kp) return pace_abort(sw);
  auto k = ga.dom.agree(kp->sk.view(), d83);
  if (!k) return pace_abort(csw::kWrongData);
  pace_ka_cost(2);
  ga.run.ks_enc = kdf(k->view(), 1, ga.cipher);
  ga.run.ks_mac = kdf(k->view(), 2, ga.cipher);
  ga.run.sk_eph = std::move(kp->sk);
  ga.run.pk_ic = kp->pk;
  ga.run.pk_pcd = d83.to_bytes();
  ga.run.state = PaceChipState::AwaitMutualAuth;
  return Reply{dynamic_auth_data({{0x84, kp->pk}}), csw::kOk};
}

// GA4: mutual authentication, T_PCD over PK_IC, T_IC over PK_PCD (§4.4.3.4)
Reply VirtualCard::Impl::pace_ga_mutual_auth(const GaData& ga, ByteView d85) {
  auto expect =
      token_mac(ga.cipher, ga.run.ks_mac.view(), token_input(ga.run.oid, ga.dom.is_ec(), ga.run.pk_ic));
  if (!expect) return pace_abort(csw::kNoDiagnosis);
  if (!ct_equal(*expect, d85)) {
    const Password pwd = ga.run.password;
    session.pace = PaceRun{};
    if (pwd != Password::Pin) return sw_reply(csw::kAuthFailed);  // CAN / MRZ: 63 00, not counted
    image.pin_tries_left = image.pin_tries_left > 0 ? image.pin_tries_left - 1 : 0;
    save_state();
    return sw_reply(csw::counter(image.pin_tries_left));
  }
  auto t_ic =
      token_mac(ga.cipher, ga.run.ks_mac.view(), token_input(ga.run.oid, ga.dom.is_ec(), ga.run.pk_pcd));
  if (!t_ic) return pace_abort(csw::kNoDiagnosis);
  Bytes out_inner = tlv::encode(0x86, *t_ic);
  if (ga.run.alg.mapping == PaceMapping::ChipAuth) {
    // A_IC with the static CA key; a cloned chip (no private key) uses a random one, so the
    // terminal's check PK_Map,IC = CA_IC · PK_IC fails.
    SecureBuffer sk_ic(image.ca_private_key);
    if (sk_ic.empty() || image.ca_param_id != ga.run.param_id) {
      auto r = random_private(ga.dom);
      if (!r) return pace_abort(csw::kNoDiagnosis);
      sk_ic = std::move(r).value();
    }
    auto a_ic = cam_data(ga.cipher, ga.run.ks_enc.view(), sk_ic.view(), ga.run.sk_map.view(), ga.dom.order());
    if (!a_ic) return pace_abort(csw::kNoDiagnosis);
    tlv::append(out_inner, 0x8A, *a_ic);
  }
  // Password effects (TR-03110-2 §3.5): PIN success resets its counter, CAN resumes.
  if (ga.run.password == Password::Pin && image.pin_tries_left != image.pin_max_tries) {
    image.pin_tries_left = image.pin_max_tries;
    save_state();
  }
  if (ga.run.password == Password::Can) session.can_resumed = true;
  // Secure messaging starts after this response, SSC = 0 (9303-11 §4.4.4.2 / §9.8).
  PendingSm next;
  next.suite = ga.cipher == SymCipher::Des3 ? SmSuite::Des3 : SmSuite::Aes;
  next.k_enc = std::move(ga.run.ks_enc);
  next.k_mac = std::move(ga.run.ks_mac);
  next.ssc = SecureBuffer(ga.cipher == SymCipher::Des3 ? 8 : 16);
  next.established_by = ga.run.password;
  session.next_sm = std::move(next);
  session.pace = PaceRun{};
  return Reply{tlv::encode(0x7C, out_inner), csw::kOk};
}

}  // namespace dnie::vcard
