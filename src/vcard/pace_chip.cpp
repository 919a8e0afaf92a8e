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
    default:  // 04 PUK: the DNIe has none (dnie3-facts §4.4)
      return sw_reply(csw::kRefNotFound);
  }
  PaceRun& run = session.pace;
  run.k_pi = kdf(secret.view(), 3, alg->cipher);  // K_pi = KDF_pi(password), §9.7.3
  run.oid = oid.to_bytes();
  run.alg = *alg;
  run.param_id = param;
  run.password = pwd;
  run.domain.emplace(std::move(*domain));
  run.step = 1;
  return sw_reply(csw::kOk);
}

Reply VirtualCard::Impl::pace_step(const Command& c) {
  PaceRun& run = session.pace;
  auto abort = [&](std::uint16_t sw) {
    session.pace = PaceRun{};
    return sw_reply(sw);
  };
  auto outer = tlv::parse_single(c.data);
  if (!outer || outer->tag != 0x7C) return abort(csw::kWrongData);
  auto inner = tlv::parse_all(outer->value);
  if (!inner) return abort(csw::kWrongData);
  auto get = [&](std::uint32_t tag) -> const tlv::Tlv* {
    for (const auto& d : *inner)
      if (d.tag == tag) return &d;
    return nullptr;
  };
  const KaDomain& dom = *run.domain;
  const SymCipher cipher = run.alg.cipher;
  const std::size_t fbytes = dom.is_ec() ? dom.ec().field_size() : dom.dh().size();
  auto ka_cost = [&](int n) {
    cost(n * (dom.is_ec() ? cost::scalar_mult(fbytes) : cost::modexp(fbytes, dom.order().size())));
  };

  switch (run.step) {
    case 1: {  // GA1: encrypted nonce z = E(K_pi, s)
      if (!inner->empty()) return abort(csw::kWrongData);
      Bytes s = random(nonce_length(cipher));
      if (s.empty() || s.size() % block_length(cipher) != 0) return abort(csw::kNoDiagnosis);
      auto z = cbc_encrypt0(cipher, run.k_pi.view(), s);
      run.s = SecureBuffer::adopt(std::move(s));
      if (!z) return abort(csw::kNoDiagnosis);
      run.step = 2;
      return Reply{dynamic_auth_data({{0x80, z->view()}}), csw::kOk};
    }
    case 2: {  // GA2: mapping
      const tlv::Tlv* d81 = get(0x81);
      if (!d81) return abort(csw::kWrongData);
      if (run.alg.mapping == PaceMapping::Integrated) {
        auto mapped = dom.map_integrated(cipher, run.s.view(), d81->value);  // t from the terminal
        if (!mapped) return abort(csw::kWrongData);
        ka_cost(1);
        run.domain.emplace(std::move(*mapped));
        run.step = 3;
        return Reply{dynamic_auth_data({}), csw::kOk};  // 7C 00
      }
      if (!dom.check_public(d81->value)) return abort(csw::kWrongData);
      auto sk = random_private(dom);
      if (!sk) return abort(csw::kNoDiagnosis);
      auto pk = dom.public_key(sk->view());
      if (!pk || ByteView(*pk) == d81->value) return abort(csw::kWrongData);
      auto mapped = dom.map_generic(run.s.view(), sk->view(), d81->value);
      if (!mapped) return abort(csw::kWrongData);
      ka_cost(3);
      run.sk_map = std::move(*sk);
      run.domain.emplace(std::move(*mapped));
      run.step = 3;
      return Reply{dynamic_auth_data({{0x82, *pk}}), csw::kOk};
    }
    case 3: {  // GA3: key agreement on the mapped generator
      const tlv::Tlv* d83 = get(0x83);
      if (!d83 || !dom.check_public(d83->value)) return abort(csw::kWrongData);
      auto sk = random_private(dom);
      if (!sk) return abort(csw::kNoDiagnosis);
      auto pk = dom.public_key(sk->view());
      if (!pk || ByteView(*pk) == d83->value) return abort(csw::kWrongData);  // PK_PCD ≠ PK_IC
      auto k = dom.agree(sk->view(), d83->value);
      if (!k) return abort(csw::kWrongData);
      ka_cost(2);
      run.ks_enc = kdf(k->view(), 1, cipher);
      run.ks_mac = kdf(k->view(), 2, cipher);
      run.sk_eph = std::move(*sk);
      run.pk_ic = *pk;
      run.pk_pcd = d83->value.to_bytes();
      run.step = 4;
      return Reply{dynamic_auth_data({{0x84, *pk}}), csw::kOk};
    }
    case 4: {  // GA4: mutual authentication, T_PCD over PK_IC, T_IC over PK_PCD (§4.4.3.4)
      const tlv::Tlv* d85 = get(0x85);
      if (!d85) return abort(csw::kWrongData);
      auto expect = token_mac(cipher, run.ks_mac.view(), token_input(run.oid, dom.is_ec(), run.pk_ic));
      if (!expect) return abort(csw::kNoDiagnosis);
      if (!ct_equal(*expect, d85->value)) {
        const Password pwd = run.password;
        session.pace = PaceRun{};
        if (pwd != Password::Pin) return sw_reply(csw::kAuthFailed);  // CAN / MRZ: 63 00, not counted
        image.pin_tries_left = image.pin_tries_left > 0 ? image.pin_tries_left - 1 : 0;
        save_state();
        return sw_reply(csw::counter(image.pin_tries_left));
      }
      auto t_ic = token_mac(cipher, run.ks_mac.view(), token_input(run.oid, dom.is_ec(), run.pk_pcd));
      if (!t_ic) return abort(csw::kNoDiagnosis);
      Bytes out_inner = tlv::encode(0x86, *t_ic);
      if (run.alg.mapping == PaceMapping::ChipAuth) {
        // A_IC with the static CA key; a cloned chip (no private key) uses a random one, so the
        // terminal's check PK_Map,IC = CA_IC · PK_IC fails.
        SecureBuffer sk_ic(image.ca_private_key);
        if (sk_ic.empty() || image.ca_param_id != run.param_id) {
          auto r = random_private(dom);
          if (!r) return abort(csw::kNoDiagnosis);
          sk_ic = std::move(r).value();
        }
        auto a_ic = cam_data(cipher, run.ks_enc.view(), sk_ic.view(), run.sk_map.view(), dom.order());
        if (!a_ic) return abort(csw::kNoDiagnosis);
        tlv::append(out_inner, 0x8A, *a_ic);
      }
      // Password effects (TR-03110-2 §3.5): PIN success resets its counter, CAN resumes.
      if (run.password == Password::Pin && image.pin_tries_left != image.pin_max_tries) {
        image.pin_tries_left = image.pin_max_tries;
        save_state();
      }
      if (run.password == Password::Can) session.can_resumed = true;
      // Secure messaging starts after this response, SSC = 0 (9303-11 §4.4.4.2 / §9.8).
      PendingSm next;
      next.suite = cipher == SymCipher::Des3 ? SmSuite::Des3 : SmSuite::Aes;
      next.k_enc = std::move(run.ks_enc);
      next.k_mac = std::move(run.ks_mac);
      next.ssc = SecureBuffer(cipher == SymCipher::Des3 ? 8 : 16);
      next.established_by = run.password;
      session.next_sm = std::move(next);
      session.pace = PaceRun{};
      return Reply{tlv::encode(0x7C, out_inner), csw::kOk};
    }
    default:
      return abort(csw::kConditions);
  }
}

}  // namespace dnie::vcard
