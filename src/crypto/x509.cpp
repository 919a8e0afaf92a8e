// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/x509.cpp
// X.509 certificates (RFC 5280 §4.1) and SubjectPublicKeyInfo (RFC 5480, RFC 3279, RFC 4055)
// parsed with the SDK's own TLV reader (BER-tolerant, so real-world quirks survive), and
// signature verification through the façade (RSA PKCS#1 v1.5 / PSS, ECDSA).
#include "dnie/crypto/x509.hpp"

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

#include "internal.hpp"

namespace dnie::crypto {

using detail::malformed;
using detail::unsupported;

namespace {

const char kRsaEncryption[] = "1.2.840.113549.1.1.1";
const char kRsassaPss[] = "1.2.840.113549.1.1.10";
const char kMgf1[] = "1.2.840.113549.1.1.8";
const char kEcPublicKey[] = "1.2.840.10045.2.1";
const char kPrimeField[] = "1.2.840.10045.1.1";

Result<std::string> read_oid(tlv::Reader& rd) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, rd.expect(asn1::kOid));
  return asn1::oid_to_string(t.value);
}

/// AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (RFC 5280 §4.1.1.2).
Result<AlgorithmIdentifier> parse_algid(const tlv::Tlv& t) {
  if (t.tag != asn1::kSequence) return malformed("AlgorithmIdentifier: not a SEQUENCE");
  tlv::Reader rd(t.value);
  AlgorithmIdentifier a;
  DNIE_ASSIGN_OR_RETURN(a.oid, read_oid(rd));
  if (!rd.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv p, rd.next());
    a.params = p.raw.to_bytes();
  }
  if (!rd.empty()) return malformed("AlgorithmIdentifier: trailing data");
  return a;
}

std::optional<HashAlg> hash_of_sig(std::string_view oid) {
  // RFC 8017 §A.2.4 / RFC 4055 §5, RFC 5758 §3.2, BSI TR-03111 §5.2.1 (ecdsa-plain-*).
  struct M {
    const char* oid;
    HashAlg alg;
  };
  static const M kMap[] = {
      {"1.2.840.113549.1.1.5", HashAlg::Sha1},      {"1.2.840.113549.1.1.14", HashAlg::Sha224},
      {"1.2.840.113549.1.1.11", HashAlg::Sha256},   {"1.2.840.113549.1.1.12", HashAlg::Sha384},
      {"1.2.840.113549.1.1.13", HashAlg::Sha512},   {"1.2.840.10045.4.1", HashAlg::Sha1},
      {"1.2.840.10045.4.3.1", HashAlg::Sha224},     {"1.2.840.10045.4.3.2", HashAlg::Sha256},
      {"1.2.840.10045.4.3.3", HashAlg::Sha384},     {"1.2.840.10045.4.3.4", HashAlg::Sha512},
      {"0.4.0.127.0.7.1.1.4.1.1", HashAlg::Sha1},   {"0.4.0.127.0.7.1.1.4.1.2", HashAlg::Sha224},
      {"0.4.0.127.0.7.1.1.4.1.3", HashAlg::Sha256}, {"0.4.0.127.0.7.1.1.4.1.4", HashAlg::Sha384},
      {"0.4.0.127.0.7.1.1.4.1.5", HashAlg::Sha512},
  };
  for (const auto& m : kMap)
    if (oid == m.oid) return m.alg;
  return std::nullopt;
}

bool is_rsa_sig(std::string_view oid) { return oid.rfind("1.2.840.113549.1.1.", 0) == 0; }

/// Hash of an AlgorithmIdentifier DER (PSS parameters): SHA-1 when absent.
Result<HashAlg> hash_of_algid(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, tlv::parse_single(der));
  DNIE_ASSIGN_OR_RETURN(AlgorithmIdentifier a, parse_algid(t));
  return hash_from_oid(a.oid);
}

struct PssParams {
  HashAlg hash = HashAlg::Sha1;
  HashAlg mgf1 = HashAlg::Sha1;
  int salt = 20;
};

// RFC 4055 §3.1 RSASSA-PSS-params (all fields DEFAULT: SHA-1, MGF1-SHA-1, 20, 1).
Result<PssParams> parse_pss_params(ByteView der) {
  PssParams p;
  if (der.empty()) return p;
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv seq, tlv::parse_single(der));
  if (seq.tag == asn1::kNull) return p;
  if (seq.tag != asn1::kSequence) return malformed("RSASSA-PSS-params: not a SEQUENCE");
  tlv::Reader rd(seq.value);
  while (!rd.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv f, rd.next());
    switch (f.tag) {
      case 0xA0: {
        DNIE_ASSIGN_OR_RETURN(p.hash, hash_of_algid(f.value));
        break;
      }
      case 0xA1: {
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv mt, tlv::parse_single(f.value));
        DNIE_ASSIGN_OR_RETURN(AlgorithmIdentifier mgf, parse_algid(mt));
        if (mgf.oid != kMgf1) return unsupported("RSASSA-PSS: mask generation " + mgf.oid);
        if (mgf.params.empty()) return malformed("RSASSA-PSS: MGF1 without hash");
        DNIE_ASSIGN_OR_RETURN(p.mgf1, hash_of_algid(mgf.params));
        break;
      }
      case 0xA2: {
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv i, tlv::parse_single(f.value));
        if (i.tag != asn1::kInteger) return malformed("RSASSA-PSS: saltLength not an INTEGER");
        DNIE_ASSIGN_OR_RETURN(std::int64_t s, asn1::integer_value(i.value));
        if (s < 0 || s > 4096) return malformed("RSASSA-PSS: bad saltLength");
        p.salt = static_cast<int>(s);
        break;
      }
      case 0xA3: {
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv i, tlv::parse_single(f.value));
        DNIE_ASSIGN_OR_RETURN(std::int64_t tf, asn1::integer_value(i.value));
        if (tf != 1) return unsupported("RSASSA-PSS: trailerField must be 1");
        break;
      }
      default:
        return malformed("RSASSA-PSS-params: unexpected field");
    }
  }
  return p;
}

// SEC 1 §C.2 / RFC 3279 §2.3.5 ECParameters (specifiedCurve), prime fields only.
Result<EcGroup> parse_ec_params(const tlv::Tlv& t) {
  tlv::Reader rd(t.value);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv ver, rd.expect(asn1::kInteger));
  (void)ver;
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv field, rd.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv curve, rd.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv base, rd.expect(asn1::kOctetString));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv order, rd.expect(asn1::kInteger));
  CurveParams cp;
  if (!rd.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv cof, rd.expect(asn1::kInteger));
    DNIE_ASSIGN_OR_RETURN(std::int64_t h, asn1::integer_value(cof.value));
    if (h < 1 || h > 0xFFFF) return malformed("ECParameters: bad cofactor");
    cp.h = static_cast<std::uint32_t>(h);
  }
  tlv::Reader fr(field.value);
  DNIE_ASSIGN_OR_RETURN(std::string ftype, read_oid(fr));
  if (ftype != kPrimeField) return unsupported("ECParameters: only prime fields are supported");
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv p, fr.expect(asn1::kInteger));
  DNIE_ASSIGN_OR_RETURN(cp.p, asn1::integer_unsigned(p.value));
  tlv::Reader cr(curve.value);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv a, cr.expect(asn1::kOctetString));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv b, cr.expect(asn1::kOctetString));
  cp.a = a.value.to_bytes();
  cp.b = b.value.to_bytes();
  DNIE_ASSIGN_OR_RETURN(cp.n, asn1::integer_unsigned(order.value));
  auto g = detail::ec_decode_point_with(cp, base.value);
  if (!g) return malformed("ECParameters: bad base point (" + g.error().message + ")");
  const std::size_t fs = (g->size() - 1) / 2;
  cp.gx.assign(g->begin() + 1, g->begin() + 1 + static_cast<std::ptrdiff_t>(fs));
  cp.gy.assign(g->begin() + 1 + static_cast<std::ptrdiff_t>(fs), g->end());
  auto grp = EcGroup::from_params(cp);
  if (!grp && grp.error().code == ErrorCode::InvalidArgument)
    return malformed("ECParameters: " + grp.error().message);
  return grp;
}

Result<std::string> attribute_text(const tlv::Tlv& v) {
  if (v.tag == 0x1C) {  // UniversalString (UCS-4)
    if (v.value.size() % 4) return malformed("UniversalString: bad length");
    std::string out;
    for (std::size_t i = 0; i < v.value.size(); i += 4) {
      auto cp = static_cast<std::uint32_t>(be_value(v.value.subview(i, 4)));
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return malformed("UniversalString: not a Unicode scalar value");
      if (cp < 0x80)
        out += static_cast<char>(cp);
      else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | cp >> 6);
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | cp >> 12);
        out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (cp >> 18 & 0x07));
        out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
        out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
    return out;
  }
  auto s = asn1::string_value(v);
  if (s) return s;
  return "#" + to_hex(v.raw);  // RFC 4514 §2.4 hex form for non-string values
}

const struct {
  const char* name;
  const char* oid;
} kShortNames[] = {
    {"CN", "2.5.4.3"},
    {"SN", "2.5.4.4"},
    {"serialNumber", "2.5.4.5"},
    {"C", "2.5.4.6"},
    {"L", "2.5.4.7"},
    {"ST", "2.5.4.8"},
    {"O", "2.5.4.10"},
    {"OU", "2.5.4.11"},
    {"T", "2.5.4.12"},
    {"GN", "2.5.4.42"},
    {"emailAddress", "1.2.840.113549.1.9.1"},
    {"DC", "0.9.2342.19200300.100.1.25"},
};

// ---- Extension values (RFC 5280 §4.2.1); a value that does not decode fails the certificate.

// §4.2.1.3 KeyUsage ::= BIT STRING (bit 0 = MSB of the first content byte).
Result<unsigned> decode_key_usage(ByteView v) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, tlv::parse_single(v));
  if (t.tag != asn1::kBitString || t.value.empty() || t.value[0] > 7 ||
      (t.value.size() == 1 && t.value[0] != 0))
    return malformed("not a BIT STRING");
  unsigned bits = 0;
  ByteView b = t.value.subview(1);
  for (unsigned i = 0; i < 16 && i / 8 < b.size(); ++i)
    if (b[i / 8] & (0x80u >> (i % 8))) bits |= 1u << i;
  return bits;
}

// §4.2.1.9 BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER
// (0..MAX) OPTIONAL }. BER booleans (any non-zero octet is TRUE) are accepted: real CSCAs use them.
Status decode_basic_constraints(ByteView v, bool& ca, std::optional<std::int64_t>& path_len) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, tlv::parse_single(v));
  if (t.tag != asn1::kSequence) return malformed("not a SEQUENCE");
  tlv::Reader rd(t.value);
  if (!rd.empty() && rd.peek_tag() == asn1::kBoolean) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv b, rd.next());
    if (b.value.size() != 1) return malformed("bad cA BOOLEAN");
    ca = b.value[0] != 0;
  }
  if (!rd.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv n, rd.expect(asn1::kInteger));
    DNIE_ASSIGN_OR_RETURN(std::int64_t len, asn1::integer_value(n.value));
    if (len < 0) return malformed("negative pathLenConstraint");
    path_len = len;
  }
  if (!rd.empty()) return malformed("trailing data");
  return ok_status();
}

// §4.2.1.12 ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId.
Result<std::vector<std::string>> decode_eku(ByteView v) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, tlv::parse_single(v));
  if (t.tag != asn1::kSequence || t.value.empty()) return malformed("not a non-empty SEQUENCE");
  std::vector<std::string> out;
  tlv::Reader rd(t.value);
  while (!rd.empty()) {
    DNIE_ASSIGN_OR_RETURN(std::string o, read_oid(rd));
    out.push_back(std::move(o));
  }
  return out;
}

// §4.2.1.2 SubjectKeyIdentifier ::= OCTET STRING.
Result<Bytes> decode_ski(ByteView v) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, tlv::parse_single(v));
  if (t.tag != asn1::kOctetString) return malformed("not an OCTET STRING");
  return t.value.to_bytes();
}

// §4.2.1.1 AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0], authorityCertIssuer [1],
// authorityCertSerialNumber [2] } (all optional, in that order).
Result<std::optional<Bytes>> decode_aki(ByteView v) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, tlv::parse_single(v));
  if (t.tag != asn1::kSequence) return malformed("not a SEQUENCE");
  std::optional<Bytes> kid;
  int last = -1;
  tlv::Reader rd(t.value);
  while (!rd.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv f, rd.next());
    const int n = f.tag == 0x80 ? 0 : (f.tag == 0xA1 ? 1 : (f.tag == 0x82 ? 2 : -1));
    if (n <= last) return malformed("unexpected field");
    last = n;
    if (n == 0) kid = f.value.to_bytes();
  }
  return kid;
}

// ICAO 9303-12 §7.1.1.3 DocumentTypeList ::= SEQUENCE { version INTEGER, docTypeList SET OF
// PrintableString } (id-icao-mrtd-security-extensions-documentTypeList).
Result<std::vector<std::string>> decode_document_types(ByteView v) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, tlv::parse_single(v));
  if (t.tag != asn1::kSequence) return malformed("not a SEQUENCE");
  tlv::Reader rd(t.value);
  DNIE_TRY(rd.expect(asn1::kInteger));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv set, rd.expect(asn1::kSet));
  if (!rd.empty()) return malformed("trailing data");
  std::vector<std::string> out;
  tlv::Reader sr(set.value);
  while (!sr.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv e, sr.next());
    DNIE_ASSIGN_OR_RETURN(std::string d, asn1::string_value(e));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

// ---- Name ---------------------------------------------------------------------------------

// RFC 5280 §4.1.2.4 Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue).
Result<Name> parse_name(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv seq, tlv::parse_single(der));
  if (seq.tag != asn1::kSequence) return malformed("Name: not a SEQUENCE");
  Name n;
  n.der = der.to_bytes();
  tlv::Reader rd(seq.value);
  while (!rd.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv rdn, rd.expect(asn1::kSet));
    tlv::Reader ar(rdn.value);
    while (!ar.empty()) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv atv, ar.expect(asn1::kSequence));
      tlv::Reader vr(atv.value);
      NameAttribute attr;
      DNIE_ASSIGN_OR_RETURN(attr.oid, read_oid(vr));
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv v, vr.next());
      if (!vr.empty()) return malformed("Name: trailing data in AttributeTypeAndValue");
      DNIE_ASSIGN_OR_RETURN(attr.value, attribute_text(v));
      n.attributes.push_back(std::move(attr));
    }
  }
  return n;
}

std::string Name::get(std::string_view type) const {
  std::string_view oid = type;
  for (const auto& s : kShortNames)
    if (type == s.name) oid = s.oid;
  for (const auto& a : attributes)
    if (a.oid == oid) return a.value;
  return {};
}

std::string Name::to_string() const {
  std::string out;
  for (const auto& a : attributes) {
    if (!out.empty()) out += ", ";
    std::string label = a.oid;
    for (const auto& s : kShortNames)
      if (a.oid == s.oid) label = s.name;
    out += label + "=" + a.value;
  }
  return out;
}

// ---- PublicKey ----------------------------------------------------------------------------

// RFC 5280 §4.1.2.7 SubjectPublicKeyInfo; RFC 3279 §2.3.1 (RSA), RFC 5480 §2 (EC), RFC 4055 §1.2.
Result<PublicKey> PublicKey::from_spki(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv spki, tlv::parse_single(der));
  if (spki.tag != asn1::kSequence) return malformed("SubjectPublicKeyInfo: not a SEQUENCE");
  tlv::Reader rd(spki.value);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv algt, rd.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv bits, rd.expect(asn1::kBitString));
  if (!rd.empty()) return malformed("SubjectPublicKeyInfo: trailing data");
  DNIE_ASSIGN_OR_RETURN(AlgorithmIdentifier alg, parse_algid(algt));
  if (bits.value.empty() || bits.value[0] != 0) return malformed("SubjectPublicKeyInfo: bad BIT STRING");
  ByteView key = bits.value.subview(1);
  if (alg.oid == kRsaEncryption || alg.oid == kRsassaPss) {
    auto k = RsaPublicKey::from_der(key);
    if (!k) return malformed("RSA public key: " + k.error().message);
    return PublicKey(std::move(*k));
  }
  if (alg.oid != kEcPublicKey) return unsupported("public key algorithm " + alg.oid);
  if (alg.params.empty()) return malformed("EC key without parameters");
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv params, tlv::parse_single(alg.params));
  std::shared_ptr<const EcGroup> group;
  if (params.tag == asn1::kOid) {
    DNIE_ASSIGN_OR_RETURN(std::string curve, asn1::oid_to_string(params.value));
    DNIE_ASSIGN_OR_RETURN(EcGroup g, EcGroup::by_oid(curve));
    group = std::make_shared<const EcGroup>(std::move(g));
  } else if (params.tag == asn1::kSequence) {
    DNIE_ASSIGN_OR_RETURN(EcGroup g, parse_ec_params(params));
    group = std::make_shared<const EcGroup>(std::move(g));
  } else {
    return unsupported("EC key: implicitlyCA parameters");
  }
  auto point = group->decode_point(key);
  if (!point) return malformed("EC public key: " + point.error().message);
  return PublicKey(EcPublicKey{std::move(group), std::move(*point)});
}

std::string PublicKey::description() const {
  if (const auto* r = rsa()) return "RSA-" + std::to_string(r->bits());
  const auto* e = ec();
  return "EC " + e->group->name();
}

Status PublicKey::verify(const AlgorithmIdentifier& sig_alg, ByteView data, ByteView signature,
                         std::optional<HashAlg> digest_alg_hint) const {
  const std::string& oid = sig_alg.oid;
  if (oid == kRsassaPss) {
    if (!is_rsa()) return detail::verify_failed("RSASSA-PSS signature but the key is not RSA");
    auto pp = parse_pss_params(sig_alg.params);
    if (!pp) return std::move(pp).error();
    return rsa()->verify_pss(pp->hash, hash(pp->hash, data), signature, pp->salt, pp->mgf1, false);
  }
  std::optional<HashAlg> alg = hash_of_sig(oid);
  bool rsa_sig = false;
  if (oid == kRsaEncryption || oid == kEcPublicKey) {  // CMS: signatureAlgorithm names the key type
    if (!digest_alg_hint) return detail::invalid("signature algorithm " + oid + " needs a digest algorithm");
    alg = digest_alg_hint;
    rsa_sig = oid == kRsaEncryption;
  } else if (alg) {
    rsa_sig = is_rsa_sig(oid);
  } else {
    return unsupported("signature algorithm " + oid);
  }
  Bytes digest = hash(*alg, data);
  if (rsa_sig) {
    if (!is_rsa()) return detail::verify_failed("RSA signature but the key is not RSA");
    return rsa()->verify_pkcs1_v15(*alg, digest, signature);
  }
  if (!is_ec()) return detail::verify_failed("ECDSA signature but the key is not EC");
  return ec()->group->ecdsa_verify(ec()->point, digest, signature);
}

// ---- Certificate --------------------------------------------------------------------------

// RFC 5280 §4.1 Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }.
Result<Certificate> Certificate::parse(ByteView der) {
  Certificate c;
  c.m_der = der.to_bytes();
  ByteView all(c.m_der);
  auto off = [&](ByteView v) { return static_cast<std::size_t>(v.data() - all.data()); };

  DNIE_ASSIGN_OR_RETURN(tlv::Tlv cert, tlv::parse_single(all));
  if (cert.tag != asn1::kSequence) return malformed("Certificate: not a SEQUENCE");
  tlv::Reader cr(cert.value);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv tbs, cr.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv sigalg, cr.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv sigval, cr.expect(asn1::kBitString));
  if (!cr.empty()) return malformed("Certificate: trailing data");
  c.m_tbs_off = off(tbs.raw);
  c.m_tbs_len = tbs.raw.size();
  DNIE_ASSIGN_OR_RETURN(c.m_sig_alg, parse_algid(sigalg));
  if (sigval.value.empty() || sigval.value[0] != 0) return malformed("Certificate: bad signature BIT STRING");
  c.m_signature = sigval.value.subview(1).to_bytes();

  // RFC 5280 §4.1.2 TBSCertificate.
  tlv::Reader tr(tbs.value);
  if (tr.peek_tag() == 0xA0) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv v, tr.next());
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv vi, tlv::parse_single(v.value));
    if (vi.tag != asn1::kInteger) return malformed("Certificate: bad version");
    DNIE_ASSIGN_OR_RETURN(std::int64_t ver, asn1::integer_value(vi.value));
    if (ver < 0 || ver > 2) return malformed("Certificate: unknown version");
    c.m_version = static_cast<int>(ver) + 1;
  }
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv serial, tr.expect(asn1::kInteger));
  if (serial.value.empty()) return malformed("Certificate: empty serial number");
  c.m_serial = serial.value.to_bytes();  // may be negative (seen in the wild)
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv inner_alg, tr.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(AlgorithmIdentifier inner, parse_algid(inner_alg));
  // RFC 5280 §4.1.1.2: signatureAlgorithm MUST be the same as tbsCertificate.signature (the
  // signed copy); a mismatch would let the unsigned outer field pick the verification algorithm.
  if (inner.oid != c.m_sig_alg.oid || inner.params != c.m_sig_alg.params)
    return malformed("Certificate: signatureAlgorithm " + c.m_sig_alg.oid +
                     " differs from the signed tbsCertificate.signature " + inner.oid +
                     " (RFC 5280 §4.1.1.2)");
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv issuer, tr.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(c.m_issuer, parse_name(issuer.raw));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv validity, tr.expect(asn1::kSequence));
  {
    tlv::Reader vr(validity.value);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv nb, vr.next());
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv na, vr.next());
    DNIE_ASSIGN_OR_RETURN(c.m_not_before, asn1::parse_time(nb.tag, nb.value));
    DNIE_ASSIGN_OR_RETURN(c.m_not_after, asn1::parse_time(na.tag, na.value));
    if (!vr.empty()) return malformed("Certificate: trailing data in Validity");
  }
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv subject, tr.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(c.m_subject, parse_name(subject.raw));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv spki, tr.expect(asn1::kSequence));
  c.m_spki_off = off(spki.raw);
  c.m_spki_len = spki.raw.size();
  DNIE_ASSIGN_OR_RETURN(PublicKey key, PublicKey::from_spki(spki.raw));
  c.m_key = std::make_shared<const PublicKey>(std::move(key));
  // issuerUniqueID [1], subjectUniqueID [2] (v2, v3), extensions [3] (v3 only), in this order.
  int last_field = 0;
  while (!tr.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv f, tr.next());
    const int field = (f.tag == 0x81 || f.tag == 0xA1)   ? 1
                      : (f.tag == 0x82 || f.tag == 0xA2) ? 2
                      : f.tag == 0xA3                    ? 3
                                                         : 0;
    if (field == 0 || field <= last_field)
      return malformed("Certificate: unexpected field in TBSCertificate");
    last_field = field;
    if (c.m_version < (field == 3 ? 3 : 2))
      return malformed("Certificate: unique identifiers or extensions in a v" + std::to_string(c.m_version) +
                       " certificate (RFC 5280 §4.1.2.8-9)");
    if (field != 3) continue;
    // RFC 5280 §4.1.2.9 Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension.
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv exts, tlv::parse_single(f.value));
    if (exts.tag != asn1::kSequence) return malformed("Certificate: bad extensions");
    tlv::Reader er(exts.value);
    while (!er.empty()) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv ext, er.expect(asn1::kSequence));
      tlv::Reader xr(ext.value);
      Extension e;
      DNIE_ASSIGN_OR_RETURN(e.oid, read_oid(xr));
      if (xr.peek_tag() == asn1::kBoolean) {
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv crit, xr.next());
        if (crit.value.size() != 1) return malformed("Extension " + e.oid + ": bad critical BOOLEAN");
        e.critical = crit.value[0] != 0;
      }
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv val, xr.expect(asn1::kOctetString));
      if (!xr.empty()) return malformed("Extension: trailing data");
      // §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
      if (c.extension(e.oid))
        return malformed("Certificate: extension " + e.oid + " appears twice (RFC 5280 §4.2)");
      e.value = val.value.to_bytes();
      c.m_extensions.push_back(std::move(e));
    }
  }
  // Decode the extensions the SDK uses once, here: one that does not decode fails the certificate
  // (read as "absent" it would silently drop a restriction such as keyUsage).
  auto take = [](auto r, auto& out) -> Status {
    if (!r) return std::move(r).error();
    out = std::move(*r);
    return ok_status();
  };
  for (const auto& e : c.m_extensions) {
    Status st = ok_status();
    if (e.oid == "2.5.29.15")
      st = take(decode_key_usage(e.value), c.m_key_usage);
    else if (e.oid == "2.5.29.19")
      st = decode_basic_constraints(e.value, c.m_ca, c.m_path_len);
    else if (e.oid == "2.5.29.37")
      st = take(decode_eku(e.value), c.m_eku);
    else if (e.oid == "2.5.29.14")
      st = take(decode_ski(e.value), c.m_ski);
    else if (e.oid == "2.5.29.35")
      st = take(decode_aki(e.value), c.m_aki);
    else if (e.oid == "2.23.136.1.1.6.2")
      st = take(decode_document_types(e.value), c.m_doc_types);
    if (!st) return malformed("Certificate: extension " + e.oid + " does not decode: " + st.error().message);
  }
  return c;
}

Result<Certificate> Certificate::parse_any(ByteView data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    DNIE_ASSIGN_OR_RETURN(Bytes der, pem_decode(text, "CERTIFICATE"));
    return parse(der);
  }
  return parse(data);
}

Result<std::vector<Certificate>> Certificate::parse_pem_bundle(std::string_view pem) {
  std::vector<Certificate> out;
  const std::string_view begin = "-----BEGIN CERTIFICATE-----";
  std::size_t pos = 0;
  while ((pos = pem.find(begin, pos)) != std::string_view::npos) {
    DNIE_ASSIGN_OR_RETURN(Bytes der, pem_decode(pem.substr(pos), "CERTIFICATE"));
    DNIE_ASSIGN_OR_RETURN(Certificate c, parse(der));
    out.push_back(std::move(c));
    pos += begin.size();
  }
  return out;
}

const Extension* Certificate::extension(std::string_view oid) const noexcept {
  for (const auto& e : m_extensions)
    if (e.oid == oid) return &e;
  return nullptr;
}

bool is_recognised_extension(std::string_view oid) noexcept {
  static const char* const kKnown[] = {
      "2.5.29.15",         // keyUsage (RFC 5280 §4.2.1.3)
      "2.5.29.19",         // basicConstraints (§4.2.1.9)
      "2.5.29.37",         // extKeyUsage (§4.2.1.12)
      "2.23.136.1.1.6.2",  // ICAO 9303-12 §7.1.1.3 documentTypeList
      "2.5.29.14",         // subjectKeyIdentifier (§4.2.1.2)
      "2.5.29.35",         // authorityKeyIdentifier (§4.2.1.1)
      "2.5.29.17",         // subjectAltName (§4.2.1.6): names are matched on the subject DN only
      "2.5.29.18",         // issuerAltName (§4.2.1.7)
      "2.23.136.1.1.6.1",  // ICAO 9303-12 §7.1.1.3 nameChange (informational)
  };
  for (const char* k : kKnown)
    if (oid == k) return true;
  return false;
}

std::vector<std::string> Certificate::unrecognised_critical_extensions() const {
  std::vector<std::string> out;
  for (const auto& e : m_extensions)
    if (e.critical && !is_recognised_extension(e.oid)) out.push_back(e.oid);
  return out;
}

Status Certificate::check_critical_extensions() const {
  auto bad = unrecognised_critical_extensions();
  if (bad.empty()) return ok_status();
  return detail::verify_failed("unrecognised critical extension " + bad.front() + " in " +
                               m_subject.to_string() + " (RFC 5280 §4.2)");
}

Status Certificate::verify_signed_by(const PublicKey& issuer_key) const {
  return issuer_key.verify(m_sig_alg, tbs(), m_signature);
}

std::string Certificate::fingerprint_sha256() const { return to_hex(hash(HashAlg::Sha256, m_der)); }

std::string Certificate::to_pem() const { return pem_encode("CERTIFICATE", m_der); }

}  // namespace dnie::crypto
