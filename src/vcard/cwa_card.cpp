// SPDX-License-Identifier: Apache-2.0
// CWA-14890 device authentication, card (ICC) side, as the DNIe 3.0 runs it (CWA 14890-1 §8.3
// certificate verification, §8.4 mutual authentication with key transport, §8.6 session keys;
// docs/dnie-card.md §2.4, §4.2, §4.3):
//   MSE:SET 81 B6 {83 02 02 0F | 83 08 CHR}  selects the key that opens the next CV certificate;
//   PSO:VERIFY CERTIFICATE 00 2A 00 AE       opens a CV certificate (ISO/IEC 9796-2 scheme 1);
//   MSE:SET C1 A4 {83 0C 0..0‖CHR_IFD, 84 02 02 1F}; INTERNAL AUTHENTICATE; GET CHALLENGE;
//   EXTERNAL AUTHENTICATE → answered under the current SM, then the 3DES keys K = Kicc ⊕ Kifd.
// Written from the card's view with the crypto façade only (no terminal code).
#include <algorithm>

#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"

#include "crypto/bigint.hpp"
#include "vcard/engine.hpp"

namespace dnie::vcard {

namespace {

constexpr std::size_t kRsa = 128;  // RSA-1024 blocks (ICC, IFD, CV keys)

/// IFD CHRs of the PIN channel (r1, r2; the test key sets use the same, docs/dnie-card.md §4.6).
bool is_pin_chr(ByteView chr) {
  return chr == ByteView(hex_bytes("4000000000000001")) || chr == ByteView(hex_bytes("D002E00000000004"));
}

Result<crypto::RsaPublicKey> public_key(const CvKey& k) {
  return crypto::RsaPublicKey::from_components(k.modulus, k.exponent);
}

/// N − x, big-endian, `width` bytes.
Result<SecureBuffer> complement(ByteView n, ByteView x) {
  DNIE_ASSIGN_OR_RETURN(auto d, crypto::BigInt::from_bytes(n).sub(crypto::BigInt::from_bytes(x)));
  return d.to_secret(n.size());
}

/// min(S, N − S) (CWA 14890-1 §8.4.2 SIGMIN).
Result<SecureBuffer> sig_min(ByteView n, ByteView s) {
  DNIE_ASSIGN_OR_RETURN(SecureBuffer other, complement(n, s));
  if (crypto::BigInt::from_bytes(other.view()) < crypto::BigInt::from_bytes(s)) return other;
  return SecureBuffer(s);
}

/// Applies `key` to `sig`; accepts the frame 6A … BC directly or after N − J (ISO/IEC 9796-2
/// with the "min" convention of CWA 14890-1 §8.4).
bool framed(const SecureBuffer& f) { return f.size() == kRsa && f[0] == 0x6A && f[kRsa - 1] == 0xBC; }

Result<SecureBuffer> open_frame(const crypto::RsaPublicKey& key, ByteView sig) {
  DNIE_ASSIGN_OR_RETURN(SecureBuffer j, key.public_op(sig));
  if (framed(j)) return j;
  DNIE_ASSIGN_OR_RETURN(SecureBuffer alt, complement(key.modulus(), j.view()));
  if (framed(alt)) return alt;
  return make_error(ErrorCode::VerificationFailed, "no 6A..BC frame");
}

}  // namespace

// ---- keys ------------------------------------------------------------------------------------

std::optional<CvKey> VirtualCard::Impl::cvc_root() const {
  if (image.cvc_root_modulus.empty() || image.cvc_root_exponent.empty()) return std::nullopt;
  return CvKey{image.cvc_root_modulus, image.cvc_root_exponent, 0};
}

Bytes VirtualCard::Impl::cvc_root_chr() const {
  // CAR of C_CV_CA (docs/dnie-card.md §4.3): "esRDI" ‖ 60 00 06 (r1) / 62 00 18 (r2).
  return hex_bytes(image.generation == Generation::R2 ? "6573524449620018" : "6573524449600006");
}

// ---- MSE:SET 81 B6: key for certificate verification ----------------------------------------

Reply VirtualCard::Impl::cwa_set_verify_key(const Command& c) {
  // On NFC the CWA handshake needs the PACE channel first (docs/dnie-card.md §4.1).
  if (options.contactless && !sm.active()) return sw_reply(csw::kSecurity);
  // A blocked PIN makes the card refuse the channel set-up (docs/dnie-card.md §4.4, clienteafirma #391).
  if (image.pin_tries_left <= 0) return sw_reply(csw::kSecurity);
  auto dos = tlv::parse_all(c.data);
  if (!dos || dos->size() != 1 || (*dos)[0].tag != 0x83) return sw_reply(csw::kWrongData);
  const ByteView ref = (*dos)[0].value;
  session.cwa.selected.reset();
  if (ref.size() == 2) {  // 83 02 02 0F: the CV root
    if (ref != ByteView(hex_bytes("020F"))) return sw_reply(csw::kRefNotFound);
    auto root = cvc_root();
    if (!root) return sw_reply(csw::kRefNotFound);
    session.cwa.selected = std::move(root);
    session.cwa.selected_chr = cvc_root_chr();
    return sw_reply(csw::kOk);
  }
  if (ref.size() != 8) return sw_reply(csw::kRefNotFound);  // 83 08 CHR: an opened key
  for (const auto& [chr, key] : session.cwa.keys) {
    if (ByteView(chr) != ref) continue;
    if (key.level != 1) return sw_reply(csw::kRefNotFound);  // only CA keys open certificates
    session.cwa.selected = key;
    session.cwa.selected_chr = chr;
    return sw_reply(csw::kOk);
  }
  return sw_reply(csw::kRefNotFound);
}

// ---- PSO (2A): VERIFY CERTIFICATE 00 AE, COMPUTE DIGITAL SIGNATURE 9E 9A ----------------------

Reply VirtualCard::Impl::cmd_pso(const Command& c) {
  const std::uint16_t p1p2 = static_cast<std::uint16_t>((c.p1 << 8) | c.p2);
  if (p1p2 == 0x00AE) return cwa_verify_certificate(c);
  if (p1p2 == 0x9E9A) return sign_compute(c);
  return sw_reply(csw::kIncorrectP1P2);
}

Reply VirtualCard::Impl::cwa_verify_certificate(const Command& c) {
  if (!session.cwa.selected) return sw_reply(csw::kConditions);
  const CvKey signer = *session.cwa.selected;
  // 7F21 { 5F37 signature, 5F38 remainder M2, 42 CAR } (CWA 14890-1 §A.3, docs/dnie-card.md §4.3).
  auto outer = tlv::parse_single(c.data);
  if (!outer || outer->tag != 0x7F21) return sw_reply(csw::kWrongData);
  auto sig = tlv::find(outer->value, 0x5F37);
  auto rem = tlv::find(outer->value, 0x5F38);
  auto car = tlv::find(outer->value, 0x42);
  if (!sig || !rem || !car || sig->value.size() != kRsa || car->value.size() != 8)
    return sw_reply(csw::kWrongData);
  // Wrong chain (another generation's CA, unknown CAR) → 6A 80.
  if (ByteView(car->value) != ByteView(session.cwa.selected_chr)) return sw_reply(csw::kWrongData);
  auto key = public_key(signer);
  if (!key) return sw_reply(csw::kWrongData);
  cost(cost::modexp(kRsa, signer.exponent.size()));
  // ISO/IEC 9796-2 scheme 1, SHA-1, partial recovery: J = 6A ‖ M1 ‖ SHA-1(M1 ‖ M2) ‖ BC.
  auto frame = open_frame(*key, sig->value);
  if (!frame) return sw_reply(csw::kWrongData);
  const ByteView f = frame->view();
  Bytes m = f.subview(1, kRsa - 22).to_bytes();
  append(m, rem->value);
  if (!ct_equal(crypto::hash(crypto::HashAlg::Sha1, m), f.subview(kRsa - 21, 20)))
    return sw_reply(csw::kWrongData);
  // Body: CPI ‖ CAR 8 ‖ CHR 12 ‖ CHA 7 ‖ [scheme OID] ‖ n 128 ‖ e 4 — CPI 41 without an OID in the
  // test key sets; CPI 03 (C_CV_CA, 7-byte OID) or 04 (C_CV_IFD, 6-byte OID) in the production
  // certificates (docs/keysets.md).
  const std::size_t base = 1 + 8 + 12 + 7 + kRsa + 4;
  if (m.size() < base) return sw_reply(csw::kWrongData);
  const std::size_t oid = m.size() - base;
  const bool layout_ok =
      (m[0] == 0x41 && oid == 0) || (m[0] == 0x03 && oid == 7) || (m[0] == 0x04 && oid == 6);
  if (!layout_ok) return sw_reply(csw::kWrongData);
  const ByteView mv(m);
  if (mv.subview(1, 8) != ByteView(car->value)) return sw_reply(csw::kWrongData);
  Bytes chr = mv.subview(9 + 4, 8).to_bytes();
  CvKey opened{mv.subview(28 + oid, kRsa).to_bytes(), mv.subview(28 + oid + kRsa, 4).to_bytes(),
               signer.level + 1};
  while (opened.exponent.size() > 1 && opened.exponent.front() == 0)
    opened.exponent.erase(opened.exponent.begin());
  if (opened.level > 2 || !public_key(opened)) return sw_reply(csw::kWrongData);
  auto& keys = session.cwa.keys;
  keys.erase(std::remove_if(keys.begin(), keys.end(), [&](const auto& e) { return e.first == chr; }),
             keys.end());
  keys.emplace_back(std::move(chr), std::move(opened));
  return sw_reply(csw::kOk);
}

// ---- MSE:SET AT C1 A4: the IFD key and the ICC private key 02 1F ----------------------------

Reply VirtualCard::Impl::cwa_set_at(const Command& c) {
  if (options.contactless && !sm.active()) return sw_reply(csw::kSecurity);
  auto dos = tlv::parse_all(c.data);
  if (!dos) return sw_reply(csw::kWrongData);
  const tlv::Tlv* d83 = nullptr;
  const tlv::Tlv* d84 = nullptr;
  for (const auto& d : *dos) {
    if (d.tag == 0x83)
      d83 = &d;
    else if (d.tag == 0x84)
      d84 = &d;
    else
      return sw_reply(csw::kWrongData);
  }
  if (!d83 || !d84 || d83->value.size() != 12 || ByteView(d84->value) != ByteView(hex_bytes("021F")))
    return sw_reply(csw::kRefNotFound);
  if (ByteView(d83->value).first(4) != ByteView(Bytes(4, 0))) return sw_reply(csw::kRefNotFound);
  const Bytes chr = ByteView(d83->value).subview(4).to_bytes();
  const CwaChannel target = is_pin_chr(chr) ? CwaChannel::Pin : CwaChannel::User;
  // OpenSC PR #3614: a PIN-channel handshake inside a live user channel corrupts real cards.
  // Modelled as a hard failure: the card drops SM and answers 69 88 (docs/dnie-card.md §4.2).
  if (target == CwaChannel::Pin && session.channel == CwaChannel::User) {
    end_sm();
    return sw_reply(csw::kSmIncorrect);
  }
  std::optional<CvKey> ifd;
  for (const auto& [k_chr, key] : session.cwa.keys)
    if (k_chr == chr && key.level == 2) ifd = key;
  if (!ifd) return sw_reply(csw::kRefNotFound);  // C_CV_IFD not verified
  session.cwa.ifd_chr = chr;
  session.cwa.ifd_key = std::move(ifd);
  session.cwa.target = target;
  session.cwa.rnd_ifd.clear();
  session.cwa.kicc.clear();
  return sw_reply(csw::kOk);
}

// ---- INTERNAL AUTHENTICATE 00 88 (CWA 14890-1 §8.4.2) ----------------------------------------

Reply VirtualCard::Impl::cmd_internal_authenticate(const Command& c) {
  if (c.p1 != 0 || c.p2 != 0) return sw_reply(csw::kIncorrectP1P2);
  CwaRun& run = session.cwa;
  if (!run.ifd_key) return sw_reply(csw::kConditions);
  if (c.data.size() != 16) return sw_reply(csw::kWrongLength);
  if (c.ne && !c.ne_max && *c.ne != kRsa) return sw_reply(csw::kWrongLength);
  const ByteView d(c.data);
  if (d.subview(8) != ByteView(run.ifd_chr)) return sw_reply(csw::kWrongData);
  auto icc = crypto::RsaPrivateKey::from_der(image.icc_private_key);
  auto ifd = public_key(*run.ifd_key);
  if (!icc || !ifd) return sw_reply(csw::kNoDiagnosis);
  // 6A ‖ PRND1 ‖ Kicc ‖ SHA-1(PRND1 ‖ Kicc ‖ RND.IFD ‖ CHR_IFD) ‖ BC, signed, SIGMIN, then
  // encrypted with the IFD public key.
  Bytes prnd1 = random(74);
  SecureBuffer kicc = SecureBuffer::adopt(random(32));
  if (prnd1.size() != 74 || kicc.size() != 32) return sw_reply(csw::kNoDiagnosis);
  const SecureBuffer h_in = SecureBuffer::concat({prnd1, kicc.view(), d});
  const std::uint8_t head = 0x6A, tail = 0xBC;
  const SecureBuffer frame = SecureBuffer::concat(
      {ByteView(&head, 1), prnd1, kicc.view(), crypto::hash_secret(crypto::HashAlg::Sha1, h_in.view()).view(),
       ByteView(&tail, 1)});
  auto sig = icc->private_op(frame.view());
  if (!sig) return sw_reply(csw::kNoDiagnosis);
  auto smin = sig_min(icc->public_key().modulus(), sig->view());
  if (!smin) return sw_reply(csw::kNoDiagnosis);
  auto out = ifd->public_op(smin->view());
  if (!out) return sw_reply(csw::kNoDiagnosis);
  cost(cost::rsa_private(kRsa) + cost::modexp(kRsa, run.ifd_key->exponent.size()));
  run.rnd_ifd = d.first(8).to_bytes();
  run.kicc = std::move(kicc);
  return Reply{out->view(), csw::kOk};
}

// ---- EXTERNAL AUTHENTICATE 00 82 (CWA 14890-1 §8.4.3, §8.6) ----------------------------------

Reply VirtualCard::Impl::cmd_external_authenticate(const Command& c) {
  if (c.p1 != 0 || c.p2 != 0) return sw_reply(csw::kIncorrectP1P2);
  CwaRun& run = session.cwa;
  if (!run.ifd_key || run.kicc.empty() || session.challenge.size() != 8) return sw_reply(csw::kConditions);
  if (c.data.size() != kRsa) return sw_reply(csw::kWrongLength);
  const Bytes rnd_icc = session.challenge;
  session.challenge.clear();  // one challenge, one attempt
  auto fail = [&]() {
    run.kicc.clear();
    run.rnd_ifd.clear();
    return sw_reply(csw::kAuthFailed);
  };
  auto icc = crypto::RsaPrivateKey::from_der(image.icc_private_key);
  auto ifd = public_key(*run.ifd_key);
  if (!icc || !ifd) return sw_reply(csw::kNoDiagnosis);
  cost(cost::rsa_private(kRsa) + cost::modexp(kRsa, run.ifd_key->exponent.size()));
  auto sigmin = icc->private_op(c.data);
  if (!sigmin) return fail();
  auto frame = open_frame(*ifd, sigmin->view());  // SIG or N_IFD − SIG
  if (!frame) return fail();
  // 6A ‖ PRND2:74 ‖ Kifd:32 ‖ SHA-1(PRND2 ‖ Kifd ‖ RND.ICC ‖ SN.ICC) ‖ BC; SN.ICC = 00 ‖ serial.
  const ByteView f = frame->view();
  Bytes sn{0x00};
  append(sn, image.chip_serial);
  sn.resize(8, 0);
  const SecureBuffer h_in = SecureBuffer::concat({f.subview(1, 106), rnd_icc, sn});
  if (!ct_equal(crypto::hash_secret(crypto::HashAlg::Sha1, h_in.view()).view(), f.subview(107, 20)))
    return fail();
  // K = Kicc ⊕ Kifd; Kenc/Kmac = SHA-1(K ‖ 0000000{1,2})[0..16); SSC = RND.ICC[4..8] ‖ RND.IFD[4..8].
  SecureBuffer k(run.kicc.view());
  for (std::size_t i = 0; i < 32; ++i) k[i] = static_cast<std::uint8_t>(k[i] ^ f[75 + i]);
  auto derive = [&](std::uint8_t counter) {
    const std::uint8_t c4[4] = {0, 0, 0, counter};
    SecureBuffer h =
        crypto::hash_secret(crypto::HashAlg::Sha1, SecureBuffer::concat({k.view(), ByteView(c4, 4)}).view());
    h.truncate(16);
    return h;
  };
  PendingSm next;
  next.suite = SmSuite::Des3;
  next.k_enc = derive(1);
  next.k_mac = derive(2);
  next.ssc = SecureBuffer::concat({ByteView(rnd_icc).subview(4, 4), ByteView(run.rnd_ifd).subview(4, 4)});
  next.established_by = session.pace_password;  // file access rights of the PACE channel stay
  next.channel = run.target;
  // This answer still goes out under the current SM; process() then installs the new keys.
  session.next_sm = std::move(next);
  session.dst_key = 0;
  run.kicc.clear();
  run.rnd_ifd.clear();
  run.ifd_key.reset();
  return sw_reply(csw::kOk);
}

}  // namespace dnie::vcard
