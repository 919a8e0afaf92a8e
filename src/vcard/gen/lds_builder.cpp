// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/lds_builder.cpp
// LDS elementary files of the ICAO DF 3F01 (ICAO 9303-10 §4.6/§4.7) with the Spanish layouts
// of docs/dnie-card.md §6: EF.COM, DG1 (TD1 MRZ), DG2 (ISO/IEC 19794-5 face, JPEG 2000), DG3
// (placeholder, never readable), DG7 (signature image), DG11, DG13 (Spanish SEQUENCE of
// strings), DG14 (Chip Authentication, ICAO 9303-11 §6.2 / BSI TR-03110-3 §A.1) and
// EF.CardAccess (PACEInfo, 9303-11 §9.2.1).
#include "dnie/bytes/tlv.hpp"

#include "vcard/gen/gen_internal.hpp"

namespace dnie::vcard::gen {

namespace {
Bytes enc(std::uint32_t tag, std::string_view s) { return tlv::encode(tag, ByteView::of(s)); }
Bytes u16(std::uint16_t v) { return be_bytes(v, 2); }
Bytes u32(std::uint32_t v) { return be_bytes(v, 4); }
}  // namespace

Bytes build_com() {
  // 9303-10 §4.6.1: LDS version "0107", Unicode version "040000", tag list of present DGs
  // (as the brief/JMC list: DG1, DG2, DG7, DG11, DG13, DG14).
  const Bytes tags = {0x61, 0x75, 0x67, 0x6B, 0x6D, 0x6E};
  return tagged(0x60, {enc(0x5F01, "0107"), enc(0x5F36, "040000"), tlv::encode(0x5C, tags)});
}

Bytes build_dg1(const Identity& id) {
  // 9303-10 §4.7.1: 61 5D 5F1F 5A <90 MRZ characters of a TD1>.
  return tagged(0x61, {enc(0x5F1F, mrz_td1(id))});
}

Bytes build_dg2(const Identity& id, ByteView jp2, std::uint16_t width, std::uint16_t height) {
  // ISO/IEC 19794-5:2005 facial record: header 'FAC\0' '010\0' length(4) count(2), then the
  // Facial Information block (20 bytes), no feature points, Image Information (12 bytes), data.
  const std::uint32_t data_len = static_cast<std::uint32_t>(20 + 12 + jp2.size());
  const std::uint32_t record_len = 14 + data_len;
  Bytes fac = {'F', 'A', 'C', 0x00, '0', '1', '0', 0x00};
  append(fac, u32(record_len));
  append(fac, u16(1));  // number of facial images
  // Facial Information: block length, #feature points, gender, eye colour, hair colour,
  // feature mask (3), expression (2), pose angles (3), pose uncertainty (3).
  append(fac, u32(data_len));
  append(fac, u16(0));
  fac.push_back(id.sex == 'F' ? 0x02 : id.sex == 'M' ? 0x01 : 0x00);
  fac.push_back(0x00);  // eye colour unspecified
  fac.push_back(0x00);  // hair colour unspecified
  append(fac, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  // Image Information: face image type 01 (full frontal), data type 01 (JPEG 2000), width,
  // height, colour space 01 (24-bit RGB), source type 02 (digital camera), device type, quality.
  append(fac, {0x01, 0x01});
  append(fac, u16(width));
  append(fac, u16(height));
  append(fac, {0x01, 0x02, 0x00, 0x00, 0x00, 0x00});
  append(fac, jp2);
  // 9303-10 §4.7.2 / ISO/IEC 7816-11: biometric header template A1 (ICAO header version 0101,
  // biometric type 02 = face, format owner 0101 ISO/IEC JTC1 SC37, format type 0008).
  Bytes bht = tagged(0xA1, {tlv::encode(0x80, Bytes{0x01, 0x01}), tlv::encode(0x81, Bytes{0x02}),
                            tlv::encode(0x87, Bytes{0x01, 0x01}), tlv::encode(0x88, Bytes{0x00, 0x08})});
  Bytes bit = tagged(0x7F60, {bht, tlv::encode(0x5F2E, fac)});
  Bytes group = tagged(0x7F61, {tlv::encode(0x02, Bytes{0x01}), bit});
  return tagged(0x75, {group});
}

Bytes build_dg3() {
  // Fingerprints are EAC-protected on the DNIe and answer 69 82 (docs/dnie-card.md §6.2); the file
  // only needs to exist and be hashed in EF.SOD: an empty biometric group template.
  Bytes group = tagged(0x7F61, {tlv::encode(0x02, Bytes{0x00})});
  return tagged(0x63, {group});
}

Bytes build_dg7(ByteView jp2) {
  // 9303-10 §4.7.7: 67 { 02 01 <count>, 5F43 <image> }.
  return tagged(0x67, {tlv::encode(0x02, Bytes{0x01}), tlv::encode(0x5F43, jp2)});
}

Bytes build_dg11(const Identity& id) {
  // 9303-10 §4.7.11 with the fields the DNIe fills (docs/dnie-card.md §6.2).
  const Bytes list = {0x5F, 0x0E, 0x5F, 0x10, 0x5F, 0x2B, 0x5F, 0x11, 0x5F, 0x42};
  return tagged(
      0x6B, {tlv::encode(0x5C, list),
             enc(0x5F0E, id.first_surname + " " + id.second_surname + "<<" + id.name), enc(0x5F10, id.dni),
             enc(0x5F2B, fmt_yyyymmdd(id.birth)), enc(0x5F11, id.birth_town + "<" + id.birth_province),
             enc(0x5F42, id.street + "<" + id.town + "<" + id.province)});
}

Bytes build_dg13(const Identity& id) {
  // Spanish DG13 (docs/dnie-card.md §6.2): a SEQUENCE of 16 UTF8Strings in fixed order, each < 32
  // bytes so JMC's control-character split stays aligned.
  auto cut = [](std::string s) {
    if (s.size() > 31) {  // cut at a UTF-8 character boundary
      std::size_t n = 31;
      while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
      s.resize(n);
    }
    return asn1::utf8_string(s);
  };
  std::vector<Bytes> f = {cut(id.first_surname),
                          cut(id.second_surname),
                          cut(id.name),
                          cut(id.dni),
                          cut(fmt_dd_mm_yyyy(id.birth)),
                          cut(id.nationality),
                          cut(fmt_dd_mm_yyyy(id.expiry)),
                          cut(id.idesp),
                          cut(std::string(1, id.sex)),
                          cut(id.birth_town),
                          cut(id.birth_province),
                          cut(id.father + " / " + id.mother),
                          cut(id.street),
                          cut(id.town),
                          cut(id.province),
                          cut(id.country)};
  return tagged(0x6D, {seq(f)});
}

Bytes build_dg14(ByteView ca_public_point, std::uint8_t key_id) {
  // SecurityInfos (9303-11 §9.2): ChipAuthenticationInfo {id-CA-ECDH-AES-CBC-CMAC-128, 1, keyId}
  // and ChipAuthenticationPublicKeyInfo {id-PK-ECDH, SubjectPublicKeyInfo (ecPublicKey with the
  // brainpoolP256r1 named curve), keyId}.
  Bytes ca_info = seq({asn1::oid("0.4.0.127.0.7.2.2.3.2.2"), asn1::integer(std::int64_t{1}),
                       asn1::integer(std::int64_t{key_id})});
  Bytes spki = seq({seq({asn1::oid("1.2.840.10045.2.1"), asn1::oid("1.3.36.3.3.2.8.1.1.7")}),
                    asn1::bit_string(ca_public_point)});
  Bytes pk_info = seq({asn1::oid("0.4.0.127.0.7.2.2.1.2"), spki, asn1::integer(std::int64_t{key_id})});
  return tagged(0x6E, {set_of({ca_info, pk_info})});
}

Bytes card_access() {
  // PACEInfo {id-PACE-ECDH-GM-AES-CBC-CMAC-128, version 2, parameterId 13 (brainpoolP256r1)}.
  return hex_bytes("31143012060A04007F0007020204020202010202010D");
}

}  // namespace dnie::vcard::gen
