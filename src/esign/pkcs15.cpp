// SPDX-License-Identifier: Apache-2.0
// PKCS#15 (ISO/IEC 7816-15 §8) parsers for the DNIe eSign files and the compressed certificate
// files (docs/dnie-card.md §2.3). Card files are padded with 00 after the DER objects: parsing stops
// there.
#include "dnie/esign/pkcs15.hpp"

#include <algorithm>

#include <zlib.h>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

namespace dnie::esign {

namespace {

Error bad(std::string what) { return make_error(ErrorCode::MalformedData, std::move(what)); }

/// Top-level objects of a directory file, up to the 00 padding (or the end).
Result<std::vector<tlv::Tlv>> objects(ByteView file, const char* what) {
  std::vector<tlv::Tlv> out;
  ByteView rest = file;
  while (!rest.empty() && rest[0] != 0x00 && rest[0] != 0xFF) {
    auto t = tlv::parse_first(rest);
    if (!t) return bad(std::string(what) + ": " + t.error().message);
    out.push_back(*t);
    rest = rest.subview(t->raw.size());
    if (out.size() > 256) return bad(std::string(what) + ": too many objects");
  }
  return out;
}

Result<Path> parse_path(const tlv::Tlv& seq) {
  if (seq.tag != asn1::kSequence) return bad("PKCS#15 Path: SEQUENCE expected");
  tlv::Reader r(seq.value);
  DNIE_ASSIGN_OR_RETURN(auto p, r.expect(asn1::kOctetString));
  Path out;
  out.path = p.value.to_bytes();
  if (out.path.empty() || out.path.size() % 2 != 0 || out.path.size() > 16)
    return bad("PKCS#15 Path: bad file path");
  while (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto t, r.next());
    if (t.tag == asn1::kInteger) {
      DNIE_ASSIGN_OR_RETURN(out.index, asn1::integer_value(t.value));
    } else if (t.tag == 0x80) {
      DNIE_ASSIGN_OR_RETURN(out.length, asn1::integer_value(t.value));
    }
  }
  return out;
}

/// CommonObjectAttributes: label (UTF8String), flags (BIT STRING) ...
Result<std::string> common_label(const tlv::Tlv& t) {
  if (t.tag != asn1::kSequence) return bad("PKCS#15: CommonObjectAttributes expected");
  tlv::Reader r(t.value);
  if (r.peek_tag() == asn1::kUtf8String) {
    DNIE_ASSIGN_OR_RETURN(auto l, r.next());
    return asn1::string_value(l);
  }
  return std::string();
}

Result<std::string> name_text(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(auto n, crypto::parse_name(der));
  return n.to_string();
}

}  // namespace

std::vector<std::uint16_t> Path::fids() const {
  std::vector<std::uint16_t> out;
  for (std::size_t i = 0; i + 1 < path.size(); i += 2)
    out.push_back(static_cast<std::uint16_t>((path[i] << 8) | path[i + 1]));
  return out;
}

std::string Path::to_string() const {
  std::string s;
  for (std::size_t i = 0; i + 1 < path.size(); i += 2) {
    if (!s.empty()) s += '/';
    s += to_hex(ByteView(path).subview(i, 2));
  }
  return s;
}

unsigned bit_string_flags(ByteView content) noexcept {
  unsigned flags = 0;
  for (std::size_t i = 1; i < content.size() && i < 5; ++i)
    for (unsigned b = 0; b < 8; ++b)
      if (content[i] & (0x80u >> b)) flags |= 1u << ((i - 1) * 8 + b);
  return flags;
}

Result<Odf> parse_odf(ByteView file) {
  DNIE_ASSIGN_OR_RETURN(auto objs, objects(file, "EF.ODF"));
  Odf odf;
  for (const auto& o : objs) {
    if (o.tag_class() != 2 || !o.constructed()) return bad("EF.ODF: context-tagged choice expected");
    DNIE_ASSIGN_OR_RETURN(auto inner, tlv::parse_single(o.value));
    DNIE_ASSIGN_OR_RETURN(Path p, parse_path(inner));
    switch (o.tag & 0x1F) {
      case 0:
        odf.private_keys = p;
        break;
      case 1:
        odf.public_keys = p;
        break;
      case 4:
        odf.certificates = p;
        break;
      case 5:
        odf.trusted_certificates = p;
        break;
      case 7:
        odf.data_objects = p;
        break;
      case 8:
        odf.auth_objects = p;
        break;
      default:
        break;  // other directories are not used by the DNIe
    }
  }
  return odf;
}

Result<TokenInfo> parse_token_info(ByteView file) {
  DNIE_ASSIGN_OR_RETURN(auto objs, objects(file, "EF.TokenInfo"));
  if (objs.size() != 1 || objs[0].tag != asn1::kSequence) return bad("EF.TokenInfo: one SEQUENCE expected");
  tlv::Reader r(objs[0].value);
  TokenInfo ti;
  DNIE_ASSIGN_OR_RETURN(auto v, r.expect(asn1::kInteger));
  DNIE_ASSIGN_OR_RETURN(ti.version, asn1::integer_value(v.value));
  DNIE_ASSIGN_OR_RETURN(auto sn, r.expect(asn1::kOctetString));
  ti.serial_number = sn.value.to_bytes();
  while (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto t, r.next());
    if (t.tag == asn1::kUtf8String && ti.manufacturer_id.empty()) {
      DNIE_ASSIGN_OR_RETURN(ti.manufacturer_id, asn1::string_value(t));
    } else if (t.tag == 0x80) {
      ti.label.assign(t.value.begin(), t.value.end());
    } else if (t.tag == asn1::kBitString) {
      ti.token_flags = t.value.to_bytes();
      break;
    }
  }
  return ti;
}

Result<TokenInfo> parse_dnie_token_info(ByteView file) {
  DNIE_ASSIGN_OR_RETURN(TokenInfo ti, parse_token_info(file));
  if (ti.manufacturer_id != "DGP-FNMT")
    return make_error(ErrorCode::Unsupported,
                      "EF.TokenInfo: manufacturer \"" + ti.manufacturer_id + "\" is not DGP-FNMT");
  return ti;
}

Result<std::vector<CertificateObject>> parse_cdf(ByteView file) {
  DNIE_ASSIGN_OR_RETURN(auto objs, objects(file, "EF.CDF"));
  std::vector<CertificateObject> out;
  for (const auto& o : objs) {
    if (o.tag != asn1::kSequence) continue;  // only x509Certificate (untagged) is used
    tlv::Reader r(o.value);
    CertificateObject c;
    DNIE_ASSIGN_OR_RETURN(auto coa, r.next());
    DNIE_ASSIGN_OR_RETURN(c.label, common_label(coa));
    DNIE_ASSIGN_OR_RETURN(auto cca, r.expect(asn1::kSequence));
    tlv::Reader cr(cca.value);
    DNIE_ASSIGN_OR_RETURN(auto id, cr.expect(asn1::kOctetString));
    c.id = id.value.to_bytes();
    if (cr.peek_tag() == asn1::kBoolean) {
      DNIE_ASSIGN_OR_RETURN(auto a, cr.next());
      c.authority = a.value.size() == 1 && a.value[0] != 0;
    }
    if (r.peek_tag() == 0xA0) (void)r.next();  // [0] ClassAttributes
    DNIE_ASSIGN_OR_RETURN(auto typed, r.expect(0xA1));
    DNIE_ASSIGN_OR_RETURN(auto attrs, tlv::parse_first(typed.value));
    if (attrs.tag != asn1::kSequence) return bad("EF.CDF: X509CertificateAttributes expected");
    tlv::Reader ar(attrs.value);
    DNIE_ASSIGN_OR_RETURN(auto value, ar.next());
    if (value.tag != asn1::kSequence) return bad("EF.CDF: only Path values are supported");
    DNIE_ASSIGN_OR_RETURN(c.path, parse_path(value));
    while (!ar.empty()) {
      DNIE_ASSIGN_OR_RETURN(auto t, ar.next());
      if (t.tag == asn1::kSequence) {
        DNIE_ASSIGN_OR_RETURN(c.subject, name_text(t.raw));
      } else if (t.tag == 0xA0) {
        DNIE_ASSIGN_OR_RETURN(c.issuer, name_text(t.value));
      } else if (t.tag == asn1::kInteger) {
        c.serial = t.value.to_bytes();
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<PrivateKeyObject>> parse_prkdf(ByteView file) {
  DNIE_ASSIGN_OR_RETURN(auto objs, objects(file, "EF.PrKDF"));
  std::vector<PrivateKeyObject> out;
  for (const auto& o : objs) {
    if (o.tag != asn1::kSequence) continue;  // only privateRSAKey (untagged) is used
    tlv::Reader r(o.value);
    PrivateKeyObject k;
    DNIE_ASSIGN_OR_RETURN(auto coa, r.next());
    DNIE_ASSIGN_OR_RETURN(k.label, common_label(coa));
    DNIE_ASSIGN_OR_RETURN(auto cka, r.expect(asn1::kSequence));
    tlv::Reader kr(cka.value);
    DNIE_ASSIGN_OR_RETURN(auto id, kr.expect(asn1::kOctetString));
    k.id = id.value.to_bytes();
    DNIE_ASSIGN_OR_RETURN(auto usage, kr.expect(asn1::kBitString));
    k.usage = bit_string_flags(usage.value);
    while (!kr.empty()) {
      DNIE_ASSIGN_OR_RETURN(auto t, kr.next());
      if (t.tag == asn1::kBoolean)
        k.native = t.value.size() == 1 && t.value[0] != 0;
      else if (t.tag == asn1::kBitString)
        k.access_flags = bit_string_flags(t.value);
      else if (t.tag == asn1::kInteger) {
        DNIE_ASSIGN_OR_RETURN(k.key_reference, asn1::integer_value(t.value));
      }
    }
    if (r.peek_tag() == 0xA0) (void)r.next();  // [0] CommonPrivateKeyAttributes
    DNIE_ASSIGN_OR_RETURN(auto typed, r.expect(0xA1));
    DNIE_ASSIGN_OR_RETURN(auto attrs, tlv::parse_first(typed.value));
    if (attrs.tag != asn1::kSequence) return bad("EF.PrKDF: PrivateRSAKeyAttributes expected");
    tlv::Reader ar(attrs.value);
    DNIE_ASSIGN_OR_RETURN(auto value, ar.next());
    if (value.tag != asn1::kSequence) return bad("EF.PrKDF: only Path values are supported");
    DNIE_ASSIGN_OR_RETURN(k.path, parse_path(value));
    if (ar.peek_tag() == asn1::kInteger) {
      DNIE_ASSIGN_OR_RETURN(auto ml, ar.next());
      DNIE_ASSIGN_OR_RETURN(k.modulus_bits, asn1::integer_value(ml.value));
    }
    out.push_back(std::move(k));
  }
  return out;
}

Result<Bytes> decompress_certificate(ByteView file, std::size_t max_size) {
  // Decided by the 8-byte header (LE32 uncompressed length ‖ LE32 compressed length), as OpenSC's
  // dnie_read_header checks it against the file size — never by the first byte, which is the
  // low byte of the uncompressed length and is 0x30 for one certificate length in 256.
  if (file.size() > 8) {
    BufferReader r(file);
    DNIE_ASSIGN_OR_RETURN(std::uint32_t plain_len, r.u32_le());
    DNIE_ASSIGN_OR_RETURN(std::uint32_t comp_len, r.u32_le());
    const bool header_fits = comp_len != 0 && comp_len <= r.remaining() &&
                             std::all_of(file.begin() + 8 + comp_len, file.end(), [](std::uint8_t b) {
                               return b == 0x00 || b == 0xFF;  // padding after the stream
                             });
    if (header_fits) {
      if (plain_len == 0 || plain_len > max_size)
        return bad("compressed certificate: bad uncompressed length");
      DNIE_ASSIGN_OR_RETURN(ByteView z, r.take(comp_len));
      Bytes out(plain_len);
      uLongf out_len = plain_len;
      const int rc = uncompress(out.data(), &out_len, z.data(), static_cast<uLong>(z.size()));
      if (rc == Z_OK && out_len == plain_len) return out;
      if (file[0] != 0x30) return bad("compressed certificate: zlib data invalid or length mismatch");
      // A plain DER certificate whose first bytes happen to look like a header: fall through.
    }
  }
  if (!file.empty() && file[0] == 0x30) {
    DNIE_ASSIGN_OR_RETURN(auto t, tlv::parse_first(file));
    return t.raw.to_bytes();
  }
  return bad("certificate file is neither compressed (8-byte header) nor DER");
}

Result<Bytes> compress_certificate(ByteView der) {
  uLongf bound = compressBound(static_cast<uLong>(der.size()));
  Bytes z(bound);
  if (compress2(z.data(), &bound, der.data(), static_cast<uLong>(der.size()), 9) != Z_OK)
    return make_error(ErrorCode::InternalError, "zlib compress failed");
  z.resize(bound);
  Bytes out;
  for (std::uint32_t v : {static_cast<std::uint32_t>(der.size()), static_cast<std::uint32_t>(z.size())})
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  append(out, z);
  return out;
}

CertificateInfo describe_certificate(const crypto::Certificate& cert) {
  CertificateInfo i;
  const auto& s = cert.subject();
  i.common_name = s.get("CN");
  i.surname = s.get("SN");
  i.given_name = s.get("GN");
  i.dni_number = s.get("serialNumber");
  i.issuer = cert.issuer().to_string();
  i.not_before = cert.not_before();
  i.not_after = cert.not_after();
  i.key_usage = cert.key_usage();
  i.non_repudiation = i.key_usage && (*i.key_usage & crypto::kNonRepudiation);
  i.fingerprint_sha256 = cert.fingerprint_sha256();
  return i;
}

}  // namespace dnie::esign
