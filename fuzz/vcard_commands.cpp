// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the virtual card's command processor (src/vcard). The input is a configuration
// byte followed by length-prefixed APDUs (<len:1> <bytes>); each APDU goes to a VirtualCard
// built from a small hand-made CardImage. The card must never crash, and must always answer
// at least a status word. Configuration bits: 0 contact, 1 extended length, 2 small
// max_response (64), 3 start with an AES PACE secure channel (fixed keys), 4 the same with 3DES,
// 5 terminated card, 6 link model on.
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/rng.hpp"

#include "driver.hpp"
#include "vcard/engine.hpp"

namespace {
using namespace dnie;
using namespace dnie::vcard;

VFile file(std::uint16_t fid, Bytes content, FileType t = FileType::Transparent, int rule = 0) {
  VFile f;
  f.fid = fid;
  f.type = t;
  f.content = std::move(content);
  f.read_rule = rule;
  return f;
}

VFile dir(std::uint16_t fid, std::vector<VFile> ch, std::string name = {}, Bytes aid = {}) {
  VFile f;
  f.fid = fid;
  f.type = FileType::Df;
  f.df_name = std::move(name);
  f.aid = std::move(aid);
  f.children = std::move(ch);
  return f;
}

CardImage image() {
  CardImage img;
  img.chip_serial = Bytes{1, 2, 3, 4, 5, 6, 7};
  img.can = "123456";
  img.pin = "12345678";
  img.ca_param_id = 13;
  img.ca_private_key = Bytes(32, 0x11);
  // EF.CardAccess: GM ECDH AES-128, IM ECDH, CAM, GM DH and GM ECDH 3DES.
  Bytes ca = hex_bytes(
      "3164"
      "3012060A04007F0007020204020202010202010D"
      "3012060A04007F0007020204040202010202010D"
      "3012060A04007F0007020204060202010202010D"
      "3012060A04007F00070202040102020102020100"
      "3012060A04007F0007020204020102010202010D");
  std::string mrz =
      "I<UTOT220001293<<<<<<<<<<<<<<<6408125F1010318UTO<<<<<<<<<<<0ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
  Bytes dg1 = tlv::encode(0x61, tlv::encode(0x5F1F, ByteView::of(mrz)));
  img.mf = dir(0x3F00,
               {file(0x0006, Bytes(9, 'A')), file(0x011C, ca), file(0x2F01, Bytes(8, 1)),
                file(0x601F, Bytes(700, 0x42)), file(0x0000, Bytes(10, 0), FileType::KeyEf),
                dir(0x5015, {file(0x6001, Bytes(300, 3))}),
                dir(0x3F01,
                    {file(0x0101, dg1), file(0x0103, Bytes(50, 4), FileType::Transparent, 2),
                     file(0x011E, Bytes(22, 5)), file(0x011D, Bytes(400, 6), FileType::Transparent, 1)},
                    "", Bytes{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01})},
               "Master.File");
  return img;
}
}  // namespace

DNIE_FUZZ_TARGET {
  if (input.empty()) return;
  const std::uint8_t cfg = input[0];
  CardOptions o;
  o.contactless = (cfg & 0x01) == 0;
  o.extended_length = (cfg & 0x02) != 0;
  o.max_response = (cfg & 0x04) ? 64 : 256;
  o.link.enabled = (cfg & 0x40) != 0;
  CardImage img = image();
  img.terminated = (cfg & 0x20) != 0;
  VirtualCard::Impl card(std::move(img), o);
  crypto::DeterministicRng rng(ByteView(input.data(), 1));
  card.rng = &rng;
  if (cfg & 0x18) {
    const bool aes = (cfg & 0x08) != 0;
    card.sm.start(aes ? SmSuite::Aes : SmSuite::Des3, SecureBuffer(Bytes(16, 0x0E)),
                  SecureBuffer(Bytes(16, 0x0A)), SecureBuffer(aes ? 16 : 8));
    card.session.pace_password = Password::Can;
  }
  BufferReader r(input.subview(1));
  for (int i = 0; i < 64 && !r.empty(); ++i) {
    auto len = r.u8();
    if (!len) break;
    auto cmd = r.take(*len);
    if (!cmd) break;
    Bytes resp = card.process(*cmd);
    DNIE_FUZZ_ASSERT(resp.size() >= 2);
    DNIE_FUZZ_ASSERT(resp.size() <= o.max_response + 2 || o.extended_length);
  }
  (void)card.power_on();
}
