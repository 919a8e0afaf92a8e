// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/pkcs15_builder.cpp
// PKCS#15 (ISO/IEC 7816-15) files of DF 5015 laid out exactly like the specimen card
// (tests/data/pki/CDF_ESPECIMEN.ber, PRKDF_ESPECIMEN.ber; docs/dnie-card.md §2.3): CDF and PrKDF are
// 2100-byte files holding the DER objects followed by 00 padding. Also the ODF, TokenInfo and
// the DNIe compressed-certificate EF format.
#include <zlib.h>

#include "dnie/bytes/tlv.hpp"

#include "vcard/gen/gen_internal.hpp"

namespace dnie::vcard::gen {

namespace {

/// PKCS#15 Path { path OCTET STRING, index INTEGER 0, length [0] INTEGER } as on the specimen.
Bytes path_object(std::uint16_t df, std::uint16_t fid, std::size_t length) {
  Bytes path = be_bytes(df, 2);
  append(path, be_bytes(fid, 2));
  Bytes len = asn1::integer(static_cast<std::int64_t>(length));
  return seq({asn1::octet_string(path), asn1::integer(std::int64_t{0}),
              asn1::context(0, ByteView(len).subview(2), false)});
}

Result<Bytes> pad_to_file(std::vector<Bytes> objects) {
  Bytes out;
  for (const auto& o : objects) append(out, o);
  if (out.size() > kPkcs15FileSize)
    return make_error(ErrorCode::InvalidArgument, "PKCS#15 objects exceed 2100 bytes");
  out.resize(kPkcs15FileSize, 0x00);
  return out;
}

}  // namespace

Result<Bytes> build_cdf(const std::vector<CdfEntry>& entries) {
  // CertificateType x509Certificate: SEQUENCE { CommonObjectAttributes { label, flags
  // (modifiable: 06 40) }, CommonCertificateAttributes { iD }, [1] X509CertificateAttributes
  // { value Path, subject, [0] issuer, serialNumber } }.
  std::vector<Bytes> objs;
  for (const auto& e : entries) {
    Bytes common = seq({asn1::utf8_string(e.label), asn1::bit_string(Bytes{0x40}, 6)});
    Bytes cert_attrs = seq({asn1::octet_string(ByteView::of(e.id))});
    Bytes x509 = seq({path_object(0x6061, e.fid, e.length), e.subject, asn1::context(0, e.issuer),
                      tlv::encode(asn1::kInteger, e.serial)});
    objs.push_back(seq({common, cert_attrs, asn1::context(1, x509)}));
  }
  return pad_to_file(std::move(objs));
}

Result<Bytes> build_prkdf(const std::vector<PrkdfEntry>& entries) {
  // PrivateKeyType privateRSAKey: SEQUENCE { CommonObjectAttributes { label, flags (private,
  // modifiable: 06 C0) }, CommonKeyAttributes { iD, usage, native TRUE, accessFlags (sensitive,
  // alwaysSensitive, neverExtractable, local: 03 B8), keyReference }, [1] { PrivateRSAKeyAttributes
  // { value Path, modulusLength } } }.
  std::vector<Bytes> objs;
  for (const auto& e : entries) {
    Bytes common = seq({asn1::utf8_string(e.label), asn1::bit_string(Bytes{0xC0}, 6)});
    // usage: sign, signRecover (+ nonRepudiation): 03 03 06 30 00 / 03 03 06 30 40.
    Bytes usage = tlv::encode(asn1::kBitString,
                              Bytes{0x06, 0x30, static_cast<std::uint8_t>(e.non_repudiation ? 0x40 : 0x00)});
    Bytes key_attrs = seq({asn1::octet_string(ByteView::of(e.id)), usage, asn1::boolean(true),
                           asn1::bit_string(Bytes{0xB8}, 3), asn1::integer(std::int64_t{e.key_ref})});
    Bytes rsa = seq({path_object(0x3F11, e.fid, e.path_length), asn1::integer(std::int64_t{2048})});
    objs.push_back(seq({common, key_attrs, asn1::context(1, rsa)}));
  }
  return pad_to_file(std::move(objs));
}

Bytes build_odf() {
  // ODF (ISO/IEC 7816-15 §8.4; PKCS#15 §6.6): privateKeys [0] → 3F00 5015 6001, certificates
  // [4] → 3F00 5015 6004 (the paths jmulticard reads), authObjects [8] → 3F00 5015 6000 (the
  // AODF path of the DGP's own driver; docs/dnie-card.md §2.3).
  auto entry = [](std::uint8_t tag, std::uint16_t fid) {
    Bytes path = {0x3F, 0x00, 0x50, 0x15};
    append(path, be_bytes(fid, 2));
    return asn1::context(tag, seq({asn1::octet_string(path)}));
  };
  Bytes out = entry(0, 0x6001);
  append(out, entry(4, 0x6004));
  append(out, entry(8, 0x6000));
  return out;
}

Bytes build_aodf() {
  // One PIN object (ISO/IEC 7816-15 §8.7, PinAttributes) with the values of the only public
  // DNIe PKCS#15 dump (docs/dnie-card.md §2.3): label "PIN1", flags private + modifiable,
  // authId 01, pinFlags case-sensitive + initialized + integrityProtected (03 03 06 88 40),
  // ascii-numeric, minLength 4, storedLength 8, maxLength 16, pinReference 1, padChar 00.
  // The private keys of the PrKDF carry no authId; clients pair them with this PIN.
  Bytes common = seq({asn1::utf8_string("PIN1"), asn1::bit_string(Bytes{0xC0}, 6)});
  Bytes auth = seq({asn1::octet_string(Bytes{0x01})});
  Bytes pin_type = tlv::encode(0x0A, Bytes{0x01});  // ENUMERATED ascii-numeric
  Bytes reference = asn1::context(0, Bytes{0x01}, false);
  Bytes attrs = seq({asn1::bit_string(Bytes{0x88, 0x40}, 6), pin_type, asn1::integer(std::int64_t{4}),
                     asn1::integer(std::int64_t{8}), asn1::integer(std::int64_t{16}), reference,
                     asn1::octet_string(Bytes{0x00})});
  return seq({common, auth, asn1::context(1, attrs)});
}

Bytes build_token_info(ByteView serial) {
  // TokenInfo { version v1(0), serialNumber, manufacturerID "DGP-FNMT", label [0], tokenflags }.
  // OpenSC's DNIe emulation requires manufacturerID "DGP-FNMT"; the serial number holds the
  // chip serial's 7 bytes, as the public dump shows (docs/dnie-card.md §2.3).
  return seq({asn1::integer(std::int64_t{0}), asn1::octet_string(serial), asn1::utf8_string("DGP-FNMT"),
              asn1::context(0, ByteView::of("DNI electrónico"), false),
              tlv::encode(asn1::kBitString, Bytes{0x00})});  // tokenflags: none
}

Result<Bytes> compress_cert(ByteView der) {
  uLongf cap = compressBound(static_cast<uLong>(der.size()));
  Bytes z(cap);
  if (compress2(z.data(), &cap, der.data(), static_cast<uLong>(der.size()), 9) != Z_OK)
    return make_error(ErrorCode::InternalError, "zlib compress failed");
  z.resize(cap);
  auto le32 = [](Bytes& out, std::size_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF));
  };
  Bytes out;
  le32(out, der.size());
  le32(out, z.size());
  append(out, z);
  return out;
}

}  // namespace dnie::vcard::gen
