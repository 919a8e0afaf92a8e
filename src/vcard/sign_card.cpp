// SPDX-License-Identifier: Apache-2.0
// PIN and signature commands of the virtual DNIe 3.0, card side (docs/dnie-card.md §4.4, §4.5, §8):
//   00 20 00 00 [Lc PIN]      retries query (no data → 63 Cx) / VERIFY, PIN channel only;
//   90 24 00 00 Lc 01‖l‖old‖l‖new  CHANGE PIN (after SELECT 0000 and VERIFY, PIN channel);
//   00 22 41 B6 84 02 01 0x   MSE:SET DST (01 authentication key, 02 signing key);
//   00 2A 9E 9A <DigestInfo>  PSO:COMPUTE DIGITAL SIGNATURE, PKCS#1 v1.5 type 1 (RFC 8017 §9.2).
// Access rule ([I], docs/dnie-card.md §8): VERIFY only under the PIN channel's keys; MSE:SET DST and
// PSO:CDS only under the user channel with a VERIFY not yet consumed. The verified flag survives
// the PIN → user key switch, dies with the SM session, and one signature consumes it ("the PIN
// must be presented before every private-key operation"; OpenSC PR #3614: otherwise 69 82).
// The PIN counter is the one PACE-PIN uses.
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/rsa.hpp"

#include "vcard/engine.hpp"

namespace dnie::vcard {

namespace {

// A new PIN: 8 to 16 printable characters [I] (the real card's exact rule is not published;
// docs/dnie-card.md §4.4).
bool pin_syntax_ok(ByteView pin) {
  if (pin.size() < 8 || pin.size() > 16) return false;
  for (auto ch : pin)
    if (ch < 0x20 || ch == 0x7F) return false;
  return true;
}

constexpr std::uint16_t kPinFile = 0x0000;

}  // namespace

namespace {
/// Compares a presented PIN with the card's and updates the shared counter (63 Cx / 90 00).
std::uint16_t check_pin(CardImage& image, ByteView presented, bool* ok) {
  const ByteView pin = ByteView::of(image.pin);
  *ok = presented.size() == pin.size() && ct_equal(presented, pin);
  if (*ok) {
    image.pin_tries_left = image.pin_max_tries;
    return csw::kOk;
  }
  image.pin_tries_left = image.pin_tries_left > 0 ? image.pin_tries_left - 1 : 0;
  return csw::counter(image.pin_tries_left);
}
}  // namespace

Reply VirtualCard::Impl::cmd_verify(const Command& c) {
  if (c.p1 != 0x00 || c.p2 != 0x00) return sw_reply(csw::kIncorrectP1P2);
  if (session.channel != CwaChannel::Pin) return sw_reply(csw::kSecurity);
  if (image.pin_tries_left <= 0) return sw_reply(csw::kBlocked);
  if (c.data.empty()) return sw_reply(csw::counter(image.pin_tries_left));  // retries query
  bool ok = false;
  const int before = image.pin_tries_left;
  const std::uint16_t sw = check_pin(image, c.data, &ok);
  if (image.pin_tries_left != before) save_state();
  if (ok) session.pin_verified = true;
  return sw_reply(sw);
}

Reply VirtualCard::Impl::cmd_change_pin(const Command& c) {
  if (c.p1 != 0x00 || c.p2 != 0x00) return sw_reply(csw::kIncorrectP1P2);
  // Which channel the real card wants is not published (docs/dnie-card.md): the PIN channel by
  // default, the user channel (where jmulticard ends up) with CardOptions::change_pin_channel.
  const CwaChannel wanted = options.change_pin_in_user_channel ? CwaChannel::User : CwaChannel::Pin;
  if (session.channel != wanted || !session.pin_verified) return sw_reply(csw::kSecurity);
  if (image.pin_tries_left <= 0) return sw_reply(csw::kBlocked);
  if (session.current_ef == nullptr || session.current_ef->fid != kPinFile ||
      session.current_ef->type != FileType::KeyEf)
    return sw_reply(csw::kNoCurrentEf);
  // 01 ‖ len(old) ‖ old ‖ len(new) ‖ new (JMC Dnie.changePIN).
  const ByteView d(c.data);
  if (d.size() < 3 || d[0] != 0x01 || std::size_t{d[1]} + 3 > d.size()) return sw_reply(csw::kWrongData);
  const ByteView old_pin = d.subview(2, d[1]);
  const std::size_t at = 2 + std::size_t{d[1]};
  if (std::size_t{d[at]} + at + 1 != d.size()) return sw_reply(csw::kWrongData);
  const ByteView new_pin = d.subview(at + 1);
  if (!pin_syntax_ok(new_pin)) return sw_reply(csw::kWrongData);
  bool ok = false;
  const int before = image.pin_tries_left;
  const std::uint16_t sw = check_pin(image, old_pin, &ok);
  if (ok) image.pin.assign(new_pin.begin(), new_pin.end());
  if (image.pin_tries_left != before) save_state();
  return sw_reply(sw);
}

Reply VirtualCard::Impl::sign_set_dst(const Command& c) {
  if (session.channel != CwaChannel::User || !session.pin_verified) return sw_reply(csw::kSecurity);
  auto dos = tlv::parse_all(c.data);
  if (!dos || dos->size() != 1 || (*dos)[0].tag != 0x84) return sw_reply(csw::kWrongData);
  const ByteView ref = (*dos)[0].value;
  if (ref.size() != 2 || ref[0] != 0x01 || (ref[1] != 0x01 && ref[1] != 0x02))
    return sw_reply(csw::kRefNotFound);
  const Bytes& key = ref[1] == 0x01 ? image.auth_private_key : image.sign_private_key;
  if (key.empty()) return sw_reply(csw::kRefNotFound);
  session.dst_key = ref[1];
  return sw_reply(csw::kOk);
}

Reply VirtualCard::Impl::sign_compute(const Command& c) {
  if (session.channel != CwaChannel::User || !session.pin_verified) return sw_reply(csw::kSecurity);
  if (session.dst_key == 0) return sw_reply(csw::kConditions);
  auto key = crypto::RsaPrivateKey::from_der(session.dst_key == 0x01 ? image.auth_private_key
                                                                     : image.sign_private_key);
  if (!key) return sw_reply(csw::kNoDiagnosis);
  if (c.data.empty() || c.data.size() + 11 > key->size()) return sw_reply(csw::kWrongLength);
  // EM = 00 01 FF..FF 00 ‖ DigestInfo, then the RSA private operation (RFC 8017 §8.2.1).
  auto sig = key->sign_pkcs1_v15_raw(c.data);
  if (!sig) return sw_reply(csw::kNoDiagnosis);
  cost(cost::rsa_private(key->size()));
  session.pin_verified = false;  // one private-key operation per VERIFY
  session.dst_key = 0;
  return Reply{std::move(*sig), csw::kOk};
}

}  // namespace dnie::vcard
