// SPDX-License-Identifier: Apache-2.0
// Chip Authentication v1, chip side (ICAO 9303-11 §6.2, BSI TR-03110-1 §3.4 / TR-03110-3 B.3):
//   3DES: MSE:Set KAT 00 22 41 A6 { 91 PK_PCD, [84 key id] } — keys switch after the response.
//   AES : MSE:Set AT 00 22 41 A4 { 80 id-CA-*, [84 key id] }, then GENERAL AUTHENTICATE
//         00 86 00 00 { 7C { 80 PK_PCD } } → 7C 00.
// K = KA(SK_CA, PK_PCD) (x-coordinate / DH value at full width); KSenc = KDF(K, 1),
// KSmac = KDF(K, 2) (§9.7.1). The response goes out under the old SM keys; then the new keys
// apply with SSC = 0. A cloned chip (image without the CA private key) uses a random key, so
// the terminal's next protected command fails as it would with a clone.
#include "dnie/bytes/tlv.hpp"

#include "vcard/engine.hpp"

namespace dnie::vcard {

namespace {
/// Finds DO `tag` in a data field; nullptr when absent or malformed.
std::optional<ByteView> find_do(const std::vector<tlv::Tlv>& dos, std::uint32_t tag) {
  for (const auto& d : dos)
    if (d.tag == tag) return d.value;
  return std::nullopt;
}
}  // namespace

namespace {
/// Keys from K (CA v1 has no nonce in the KDF).
Result<PendingSm> ca_keys(VirtualCard::Impl& card, const ProtocolAlg& alg, ByteView pk_pcd,
                          std::uint16_t* sw) {
  *sw = csw::kWrongData;
  auto dom = KaDomain::standard(card.image.ca_param_id);
  if (!dom || dom->is_ec() != alg.ec) return make_error(ErrorCode::Unsupported, "CA domain");
  if (!dom->check_public(pk_pcd)) return make_error(ErrorCode::MalformedData, "CA public key");
  SecureBuffer sk;
  if (card.image.ca_private_key.empty()) {
    DNIE_ASSIGN_OR_RETURN(sk, card.random_private(*dom));
  } else {
    sk = SecureBuffer(card.image.ca_private_key);
  }
  DNIE_ASSIGN_OR_RETURN(SecureBuffer k, dom->agree(sk.view(), pk_pcd));
  const std::size_t fbytes = dom->is_ec() ? dom->ec().field_size() : dom->dh().size();
  card.cost(dom->is_ec() ? cost::scalar_mult(fbytes) : cost::modexp(fbytes, sk.size()));
  PendingSm next;
  next.suite = alg.cipher == SymCipher::Des3 ? SmSuite::Des3 : SmSuite::Aes;
  next.k_enc = kdf(k.view(), 1, alg.cipher);
  next.k_mac = kdf(k.view(), 2, alg.cipher);
  next.ssc = SecureBuffer(alg.cipher == SymCipher::Des3 ? 8 : 16);
  next.established_by = card.session.pace_password;
  card.session.ca_done = true;
  *sw = csw::kOk;
  return next;
}

bool key_id_ok(const CardImage& img, std::optional<ByteView> kid) {
  if (!kid || img.ca_key_id == 0) return true;
  return kid->size() == 1 && (*kid)[0] == img.ca_key_id;
}
}  // namespace

Reply VirtualCard::Impl::ca_set_at(const Command& c) {
  session.ca = CaRun{};
  if (!pace_sm()) return sw_reply(csw::kSecurity);  // CA runs inside PACE secure messaging
  auto dos = tlv::parse_all(c.data);
  if (!dos) return sw_reply(csw::kWrongData);
  auto oid = find_do(*dos, 0x80);
  if (!oid) return sw_reply(csw::kWrongData);
  auto alg = ca_alg_from_oid(*oid);
  if (!alg) return sw_reply(csw::kWrongData);
  if (!key_id_ok(image, find_do(*dos, 0x84))) return sw_reply(csw::kRefNotFound);
  auto dom = KaDomain::standard(image.ca_param_id);
  if (!dom || dom->is_ec() != alg->ec) return sw_reply(csw::kWrongData);
  session.ca.state = CaChipState::AwaitGeneralAuth;
  session.ca.alg = *alg;
  return sw_reply(csw::kOk);
}

Reply VirtualCard::Impl::ca_general_authenticate(const Command& c) {
  const ProtocolAlg alg = session.ca.alg;
  session.ca = CaRun{};
  auto outer = tlv::parse_single(c.data);
  if (!outer || outer->tag != 0x7C) return sw_reply(csw::kWrongData);
  auto inner = tlv::parse_all(outer->value);
  if (!inner) return sw_reply(csw::kWrongData);
  auto pk = find_do(*inner, 0x80);
  if (!pk) return sw_reply(csw::kWrongData);
  std::uint16_t sw = csw::kWrongData;
  auto next = ca_keys(*this, alg, *pk, &sw);
  if (!next) return sw_reply(sw);
  session.next_sm = std::move(*next);
  return Reply{Bytes{0x7C, 0x00}, csw::kOk};
}

Reply VirtualCard::Impl::ca_set_kat(const Command& c) {
  session.ca = CaRun{};
  if (!pace_sm()) return sw_reply(csw::kSecurity);
  auto dos = tlv::parse_all(c.data);
  if (!dos) return sw_reply(csw::kWrongData);
  auto pk = find_do(*dos, 0x91);
  if (!pk) return sw_reply(csw::kWrongData);
  if (!key_id_ok(image, find_do(*dos, 0x84))) return sw_reply(csw::kRefNotFound);
  ProtocolAlg alg;  // MSE:Set KAT implies id-CA-{DH,ECDH}-3DES-CBC-CBC
  alg.cipher = SymCipher::Des3;
  alg.ec = !(image.ca_param_id >= 0 && image.ca_param_id <= 2);
  std::uint16_t sw = csw::kWrongData;
  auto next = ca_keys(*this, alg, *pk, &sw);
  if (!next) return sw_reply(sw);
  session.next_sm = std::move(*next);
  return sw_reply(csw::kOk);
}

}  // namespace dnie::vcard
