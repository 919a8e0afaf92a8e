// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the card-engine tests (engine_*.cpp): a small hand-made CardImage with the
// DNIe file map, APDU helpers, and a minimal terminal-side AES secure-messaging codec written
// here (test code only) to talk to the card after PACE / CA.
#pragma once

#include <string>
#include <vector>

#include "dnie/bytes/tlv.hpp"
#include "dnie/vcard/virtual_card.hpp"

#include "crypto/cipher.hpp"
#include "test_support.hpp"
#include "vcard/engine.hpp"

namespace dnie::vcard::test {

inline Bytes hx(const char* s) { return hex_bytes(s); }
inline Bytes hx(const std::string& s) { return hex_bytes(s); }
inline Bytes hx(const nlohmann::json& j) { return hex_bytes(j.get<std::string>()); }

inline VFile ef(std::uint16_t fid, Bytes content, int rule = 0, FileType type = FileType::Transparent) {
  VFile f;
  f.fid = fid;
  f.type = type;
  f.content = std::move(content);
  f.read_rule = rule;
  f.acl = Bytes{0x00, 0xFF, 0xFF, 0xFF, 0xFF};
  return f;
}

inline VFile df(std::uint16_t fid, std::vector<VFile> children, std::string name = {}, Bytes aid = {}) {
  VFile f;
  f.fid = fid;
  f.type = FileType::Df;
  f.df_name = std::move(name);
  f.aid = std::move(aid);
  f.children = std::move(children);
  f.acl = Bytes{0x00, 0x00, 0xFF, 0xFF, 0xFF};
  return f;
}

inline Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7 + (i >> 8));
  return b;
}

/// DG1 with the TD1 MRZ whose MRZ_information is "T22000129364081251010318" (ICAO App. G).
inline Bytes dg1_td1() {
  std::string l1 = "I<UTOT220001293";
  l1.resize(30, '<');
  std::string l2 = "6408125F1010318UTO";
  l2.resize(29, '<');
  l2 += "0";
  std::string l3 = "ERIKSSON<<ANNA<MARIA";
  l3.resize(30, '<');
  const std::string mrz = l1 + l2 + l3;
  return tlv::encode(0x61, tlv::encode(0x5F1F, ByteView::of(mrz)));
}

/// EF.CardAccess offering id-PACE-ECDH-GM-AES-CBC-CMAC-128 with brainpoolP256r1 (§3.1).
inline Bytes card_access_gm13() { return hx("31143012060A04007F0007020204020202010202010D"); }

inline const char* kEfCom = "60145F0104303130365F36063034303030305C026175";

inline CardImage test_image(Bytes card_access = card_access_gm13()) {
  CardImage img;
  img.seed = 42;
  img.chip_serial = hx("01020304050607");
  img.can = "123456";
  img.pin = "123456";
  img.pin_max_tries = 3;
  img.pin_tries_left = 3;
  img.ca_param_id = 13;
  img.mf = df(0x3F00,
              {
                  ef(0x0006, Bytes{'B', 'M', 'P', '1', '0', '0', '1', '2', '3'}),
                  ef(0x2F03, Bytes{'D', 'N', 'I', 'e', ' ', '0', '4', '.', '2', '1'}),
                  ef(0x2F01, pattern(20, 1)),
                  ef(0x011C, std::move(card_access)),
                  ef(0x601F, pattern(600, 2)),
                  ef(0x0000, pattern(10, 3), 0, FileType::KeyEf),
                  df(0x5015, {ef(0x5031, pattern(30, 4)), ef(0x6001, pattern(2100, 5))}),
                  df(0x6061, {ef(0x7001, pattern(1300, 6), 0, FileType::CompressedCert)}),
                  df(0x3F11, {ef(0x0101, pattern(16, 7), 0, FileType::KeyEf)}),
                  df(0x3F01,
                     {ef(0x0101, dg1_td1()), ef(0x0103, pattern(300, 8), 2), ef(0x011E, hx(kEfCom)),
                      ef(0x011D, pattern(1500, 9))},
                     "", hx("A0000002471001")),
              },
              "Master.File");
  return img;
}

/// Sends a hex APDU and returns the response as uppercase hex.
inline std::string tx(VirtualCard::Impl& card, const std::string& hex_cmd) {
  return to_hex(card.process(hex_bytes(hex_cmd)));
}
inline std::string tx(VirtualCard& card, const std::string& hex_cmd) {
  return to_hex(card.process(hex_bytes(hex_cmd)));
}

/// Terminal-side AES SM (test code, ICAO 9303-11 §9.8): protects commands, checks responses.
struct TermSm {
  Bytes kenc, kmac, ssc = Bytes(16, 0);
  void inc() {
    for (std::size_t i = ssc.size(); i-- > 0;)
      if (++ssc[i] != 0) break;
  }
  Bytes mac(ByteView m) {
    Bytes t = crypto::aes_cmac(kmac, crypto::pad_iso9797_m2(m, 16)).value();
    t.resize(8);
    return t;
  }
  Bytes protect(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data,
                std::optional<std::uint8_t> le) {
    inc();
    Bytes dos;
    if (!data.empty()) {
      Bytes iv = crypto::aes_ecb_encrypt(kenc, ssc).value();
      Bytes v{0x01};
      append(v, crypto::aes_cbc_encrypt(kenc, iv, crypto::pad_iso9797_m2(data, 16)).value());
      tlv::append(dos, 0x87, v);
    }
    if (le) append(dos, {0x97, 0x01, *le});
    const std::uint8_t hcla = static_cast<std::uint8_t>(cla | 0x0C);
    Bytes m = ssc;
    append(m, crypto::pad_iso9797_m2(Bytes{hcla, ins, p1, p2}, 16));
    append(m, dos);
    append(dos, {0x8E, 0x08});
    append(dos, mac(m));
    Bytes apdu{hcla, ins, p1, p2, static_cast<std::uint8_t>(dos.size())};
    append(apdu, dos);
    apdu.push_back(0x00);
    return apdu;
  }
  /// Verifies a protected response (data ‖ SW) and returns plain data ‖ SW ("" on MAC failure).
  std::string open(ByteView resp) {
    inc();
    if (resp.size() < 2) return "short";
    auto dos = tlv::parse_all(resp.first(resp.size() - 2));
    if (!dos) return "malformed";
    Bytes m = ssc, plain, sw;
    Bytes cc;
    for (const auto& d : *dos) {
      if (d.tag == 0x8E)
        cc = d.value.to_bytes();
      else
        append(m, d.raw);
      if (d.tag == 0x99) sw = d.value.to_bytes();
      if (d.tag == 0x87) {
        Bytes iv = crypto::aes_ecb_encrypt(kenc, ssc).value();
        plain =
            crypto::unpad_iso9797_m2(crypto::aes_cbc_decrypt(kenc, iv, d.value.subview(1))->view()).value();
      }
    }
    if (cc != mac(m)) return "badmac";
    append(plain, sw);
    return to_hex(plain);
  }
};

}  // namespace dnie::vcard::test
