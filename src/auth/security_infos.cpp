// SPDX-License-Identifier: Apache-2.0
// SecurityInfos parsing (ICAO 9303-11 §9.2, TR-03110-3 §A.1) and the PACE protocol choice.
#include "dnie/auth/security_infos.hpp"

#include <climits>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

namespace dnie::auth {

namespace {

Error malformed(std::string msg) { return make_error(ErrorCode::MalformedData, std::move(msg)); }

/// Suffix arcs after `prefix.`; nullopt if `dotted` is not below `prefix`.
std::optional<std::string_view> below(std::string_view dotted, std::string_view prefix) {
  if (dotted.size() <= prefix.size() + 1 || dotted.compare(0, prefix.size(), prefix) != 0 ||
      dotted[prefix.size()] != '.')
    return std::nullopt;
  return dotted.substr(prefix.size() + 1);
}

/// "2.2" -> {2, 2}; "2" -> {2}; anything else (non-digits, more arcs) -> empty.
std::vector<int> small_arcs(std::string_view s) {
  std::vector<int> out;
  int cur = -1;
  for (char c : s) {
    if (c == '.') {
      if (cur < 0) return {};
      out.push_back(cur);
      cur = -1;
    } else if (c >= '0' && c <= '9') {
      cur = (cur < 0 ? 0 : cur * 10) + (c - '0');
      if (cur > 1000) return {};
    } else {
      return {};
    }
  }
  if (cur < 0) return {};
  out.push_back(cur);
  return out;
}

std::optional<PaceMapping> mapping_from_arc(int x, KeyAgreement* ka) {
  switch (x) {
    case 1:
      *ka = KeyAgreement::Dh;
      return PaceMapping::Generic;
    case 2:
      *ka = KeyAgreement::Ecdh;
      return PaceMapping::Generic;
    case 3:
      *ka = KeyAgreement::Dh;
      return PaceMapping::Integrated;
    case 4:
      *ka = KeyAgreement::Ecdh;
      return PaceMapping::Integrated;
    case 6:
      *ka = KeyAgreement::Ecdh;
      return PaceMapping::ChipAuthentication;
    default:
      return std::nullopt;
  }
}

std::optional<SymCipher> cipher_from_arc(int y) {
  switch (y) {
    case 1:
      return SymCipher::Des3;
    case 2:
      return SymCipher::Aes128;
    case 3:
      return SymCipher::Aes192;
    case 4:
      return SymCipher::Aes256;
    default:
      return std::nullopt;
  }
}

Result<int> small_int(const tlv::Tlv& t, std::string_view what) {
  if (t.tag != asn1::kInteger) return malformed(std::string(what) + ": INTEGER expected");
  auto v = asn1::integer_value(t.value);
  if (!v) return malformed(std::string(what) + ": bad INTEGER");
  if (*v < 0 || *v > INT_MAX) return malformed(std::string(what) + ": out of range");
  return static_cast<int>(*v);
}

Result<std::int64_t> key_id_value(const tlv::Tlv& t) {
  if (t.tag != asn1::kInteger) return malformed("keyId: INTEGER expected");
  auto v = asn1::integer_value(t.value);
  if (!v) return malformed("keyId: bad INTEGER");
  return *v;
}

Result<Bytes> unsigned_integer(const tlv::Tlv& t, std::string_view what) {
  if (t.tag != asn1::kInteger) return malformed(std::string(what) + ": INTEGER expected");
  auto v = asn1::integer_unsigned(t.value);
  if (!v) return malformed(std::string(what) + ": bad INTEGER");
  return std::move(v).value();
}

Result<Bytes> octets(const tlv::Tlv& t, std::string_view what) {
  if (t.tag != asn1::kOctetString) return malformed(std::string(what) + ": OCTET STRING expected");
  return t.value.to_bytes();
}

/// Keeps parsing going for well-formed but unsupported parameters; other failures of the crypto
/// layer on parameters from a file are bad data.
template <typename G>
Status adopt_group(Result<G> r, std::optional<G>& slot, std::string_view what) {
  if (r) {
    slot = std::move(r).value();
    return ok_status();
  }
  if (r.error().code == ErrorCode::Unsupported) return ok_status();
  return malformed(std::string(what) + ": invalid domain parameters (" + r.error().message + ")");
}

/// SpecifiedECDomain (SEC 1 §C.2 / TR-03111 §5.1.1).
Status parse_specified_ec(ByteView content, DomainParameters& out) {
  tlv::Reader r(content);
  DNIE_ASSIGN_OR_RETURN(auto version, r.next());
  DNIE_TRY(small_int(version, "ECParameters version"));
  DNIE_ASSIGN_OR_RETURN(auto field, r.expect(asn1::kSequence));
  tlv::Reader fr(field.value);
  DNIE_ASSIGN_OR_RETURN(auto ftype, fr.expect(asn1::kOid));
  DNIE_ASSIGN_OR_RETURN(auto ftype_s, asn1::oid_to_string(ftype.value));
  DNIE_ASSIGN_OR_RETURN(auto prime, fr.next());
  if (!fr.empty()) return malformed("FieldID: trailing data");
  DNIE_ASSIGN_OR_RETURN(auto curve, r.expect(asn1::kSequence));
  tlv::Reader cr(curve.value);
  DNIE_ASSIGN_OR_RETURN(auto a, cr.next());
  DNIE_ASSIGN_OR_RETURN(auto b, cr.next());
  if (!cr.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto seed, cr.expect(asn1::kBitString));
    (void)seed;
    if (!cr.empty()) return malformed("Curve: trailing data");
  }
  DNIE_ASSIGN_OR_RETURN(auto base, r.next());
  DNIE_ASSIGN_OR_RETURN(auto order, r.next());
  std::optional<tlv::Tlv> cofactor;
  if (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto c, r.next());
    cofactor = c;
  }
  if (!r.empty()) return malformed("ECParameters: trailing data");

  crypto::CurveParams cp;
  DNIE_ASSIGN_OR_RETURN(cp.p, unsigned_integer(prime, "prime"));
  DNIE_ASSIGN_OR_RETURN(cp.a, octets(a, "curve a"));
  DNIE_ASSIGN_OR_RETURN(cp.b, octets(b, "curve b"));
  DNIE_ASSIGN_OR_RETURN(Bytes g, octets(base, "base point"));
  DNIE_ASSIGN_OR_RETURN(cp.n, unsigned_integer(order, "order"));
  if (cofactor) {
    DNIE_ASSIGN_OR_RETURN(int h, small_int(*cofactor, "cofactor"));
    cp.h = static_cast<std::uint32_t>(h);
  }
  if (ftype_s != oids::kPrimeField) return ok_status();  // characteristic-two: unsupported
  const std::size_t w = (cp.p.size());
  if (w == 0 || g.size() != 1 + 2 * w || g[0] != 0x04) {
    if (!g.empty() && (g[0] == 0x02 || g[0] == 0x03) && g.size() == 1 + w)
      return ok_status();  // compressed G
    return malformed("base point: bad encoding");
  }
  cp.gx.assign(g.begin() + 1, g.begin() + 1 + static_cast<std::ptrdiff_t>(w));
  cp.gy.assign(g.begin() + 1 + static_cast<std::ptrdiff_t>(w), g.end());
  return adopt_group(crypto::EcGroup::from_params(cp), out.ec, "explicit EC parameters");
}

Result<tlv::Tlv> single_child_after(tlv::Reader& r) {
  if (r.empty()) return malformed("missing element");
  return r.next();
}

}  // namespace

// ---- cipher / protocol tables -------------------------------------------------------------------

std::size_t cipher_key_size(SymCipher c) noexcept {
  switch (c) {
    case SymCipher::Des3:
      return 16;
    case SymCipher::Aes128:
      return 16;
    case SymCipher::Aes192:
      return 24;
    case SymCipher::Aes256:
      return 32;
  }
  return 16;
}

std::size_t cipher_block_size(SymCipher c) noexcept { return c == SymCipher::Des3 ? 8 : 16; }

crypto::HashAlg cipher_kdf_hash(SymCipher c) noexcept {
  return (c == SymCipher::Aes192 || c == SymCipher::Aes256) ? crypto::HashAlg::Sha256 : crypto::HashAlg::Sha1;
}

std::optional<PaceProtocol> PaceProtocol::from_oid(std::string_view dotted) {
  auto rest = below(dotted, oids::kIdPace);
  if (!rest) return std::nullopt;
  auto arcs = small_arcs(*rest);
  if (arcs.size() != 2) return std::nullopt;
  PaceProtocol p;
  auto m = mapping_from_arc(arcs[0], &p.key_agreement);
  auto c = cipher_from_arc(arcs[1]);
  if (!m || !c) return std::nullopt;
  if (*m == PaceMapping::ChipAuthentication && *c == SymCipher::Des3) return std::nullopt;  // not defined
  p.mapping = *m;
  p.cipher = *c;
  return p;
}

std::string PaceProtocol::oid() const {
  int x = 0;
  switch (mapping) {
    case PaceMapping::Generic:
      x = key_agreement == KeyAgreement::Dh ? 1 : 2;
      break;
    case PaceMapping::Integrated:
      x = key_agreement == KeyAgreement::Dh ? 3 : 4;
      break;
    case PaceMapping::ChipAuthentication:
      x = 6;
      break;
  }
  int y = 1;
  switch (cipher) {
    case SymCipher::Des3:
      y = 1;
      break;
    case SymCipher::Aes128:
      y = 2;
      break;
    case SymCipher::Aes192:
      y = 3;
      break;
    case SymCipher::Aes256:
      y = 4;
      break;
  }
  return std::string(oids::kIdPace) + "." + std::to_string(x) + "." + std::to_string(y);
}

Bytes PaceProtocol::oid_content() const {
  auto r = asn1::oid_from_string(oid());
  return r ? std::move(r).value() : Bytes{};
}

std::string PaceProtocol::name() const {
  std::string n = "id-PACE-";
  n += key_agreement == KeyAgreement::Dh ? "DH-" : "ECDH-";
  switch (mapping) {
    case PaceMapping::Generic:
      n += "GM-";
      break;
    case PaceMapping::Integrated:
      n += "IM-";
      break;
    case PaceMapping::ChipAuthentication:
      n += "CAM-";
      break;
  }
  switch (cipher) {
    case SymCipher::Des3:
      n += "3DES-CBC-CBC";
      break;
    case SymCipher::Aes128:
      n += "AES-CBC-CMAC-128";
      break;
    case SymCipher::Aes192:
      n += "AES-CBC-CMAC-192";
      break;
    case SymCipher::Aes256:
      n += "AES-CBC-CMAC-256";
      break;
  }
  return n;
}

// ---- domain parameters ---------------------------------------------------------------------------

Result<DomainParameters> DomainParameters::standardized(int id) {
  DomainParameters d;
  d.standard_id = id;
  if (id >= 0 && id <= 2) {
    DNIE_ASSIGN_OR_RETURN(auto g, crypto::DhGroup::standard(id));
    d.dh = std::move(g);
    return d;
  }
  if (id >= 8 && id <= 18) {
    DNIE_ASSIGN_OR_RETURN(auto g, crypto::EcGroup::standard(id));
    d.ec = std::move(g);
    return d;
  }
  return make_error(ErrorCode::Unsupported,
                    "domain parameter ID " + std::to_string(id) + " is not standardized");
}

Result<DomainParameters> parse_domain_parameters(ByteView algorithm_identifier) {
  DNIE_ASSIGN_OR_RETURN(auto ai, tlv::parse_single(algorithm_identifier));
  if (ai.tag != asn1::kSequence) return malformed("AlgorithmIdentifier: SEQUENCE expected");
  tlv::Reader r(ai.value);
  DNIE_ASSIGN_OR_RETURN(auto oid_t, r.expect(asn1::kOid));
  DNIE_ASSIGN_OR_RETURN(auto oid, asn1::oid_to_string(oid_t.value));
  DomainParameters d;
  d.algorithm_identifier = algorithm_identifier.to_bytes();

  if (oid == oids::kStandardizedDomainParameters) {
    DNIE_ASSIGN_OR_RETURN(auto idt, single_child_after(r));
    if (!r.empty()) return malformed("standardizedDomainParameters: trailing data");
    DNIE_ASSIGN_OR_RETURN(int id, small_int(idt, "standardized domain parameter ID"));
    auto std_params = DomainParameters::standardized(id);
    d.standard_id = id;
    if (std_params) {
      d.ec = std::move(std_params->ec);
      d.dh = std::move(std_params->dh);
    }
    return d;
  }
  if (oid == oids::kEcPublicKey) {
    DNIE_ASSIGN_OR_RETURN(auto pt, single_child_after(r));
    if (!r.empty()) return malformed("id-ecPublicKey: trailing data");
    if (pt.tag == asn1::kOid) {
      DNIE_ASSIGN_OR_RETURN(auto curve_oid, asn1::oid_to_string(pt.value));
      DNIE_TRY(adopt_group(crypto::EcGroup::by_oid(curve_oid), d.ec, "named curve"));
    } else if (pt.tag == asn1::kSequence) {
      DNIE_TRY(parse_specified_ec(pt.value, d));
    } else if (pt.tag != asn1::kNull) {
      return malformed("ECParameters: unexpected type");
    }
    if (d.ec && d.ec->param_id() >= 0) d.standard_id = d.ec->param_id();
    return d;
  }
  if (oid == oids::kDhPublicNumber || oid == oids::kDhKeyAgreement) {
    DNIE_ASSIGN_OR_RETURN(auto pt, r.expect(asn1::kSequence));
    if (!r.empty()) return malformed("DH parameters: trailing data");
    tlv::Reader pr(pt.value);
    DNIE_ASSIGN_OR_RETURN(auto pp, pr.next());
    DNIE_ASSIGN_OR_RETURN(auto gg, pr.next());
    DNIE_ASSIGN_OR_RETURN(Bytes p, unsigned_integer(pp, "DH p"));
    DNIE_ASSIGN_OR_RETURN(Bytes g, unsigned_integer(gg, "DH g"));
    Bytes q;
    if (oid == oids::kDhPublicNumber) {
      DNIE_ASSIGN_OR_RETURN(auto qq, pr.next());
      DNIE_ASSIGN_OR_RETURN(q, unsigned_integer(qq, "DH q"));
    }
    // j and validationParms (X9.42) or privateValueLength (PKCS#3) may follow: not needed.
    while (!pr.empty()) DNIE_TRY(pr.next());
    DNIE_TRY(adopt_group(crypto::DhGroup::from_params(p, g, q), d.dh, "DH parameters"));
    if (d.dh && d.dh->param_id() >= 0) d.standard_id = d.dh->param_id();
    return d;
  }
  // Unknown algorithm: well-formed but unsupported.
  while (!r.empty()) DNIE_TRY(r.next());
  return d;
}

// ---- SecurityInfo entries ------------------------------------------------------------------------

namespace {

Status parse_pace_info(const std::string& oid, const PaceProtocol& proto, tlv::Reader& r, ByteView raw,
                       SecurityInfos& out) {
  PaceInfo pi;
  pi.protocol_oid = oid;
  pi.protocol = proto;
  pi.raw = raw.to_bytes();
  DNIE_ASSIGN_OR_RETURN(auto v, single_child_after(r));
  DNIE_ASSIGN_OR_RETURN(pi.version, small_int(v, "PACEInfo version"));
  if (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto id, r.next());
    DNIE_ASSIGN_OR_RETURN(int pid, small_int(id, "PACEInfo parameterId"));
    pi.parameter_id = pid;
  }
  if (!r.empty()) return malformed("PACEInfo: trailing data");
  out.pace.push_back(std::move(pi));
  return ok_status();
}

Status parse_pace_dp_info(const std::string& oid, KeyAgreement ka, PaceMapping m, tlv::Reader& r,
                          ByteView raw, SecurityInfos& out) {
  PaceDomainParameterInfo di;
  di.protocol_oid = oid;
  di.key_agreement = ka;
  di.mapping = m;
  di.raw = raw.to_bytes();
  DNIE_ASSIGN_OR_RETURN(auto ai, r.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(di.params, parse_domain_parameters(ai.raw));
  if (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto id, r.next());
    DNIE_ASSIGN_OR_RETURN(int pid, small_int(id, "PACEDomainParameterInfo parameterId"));
    di.parameter_id = pid;
  }
  if (!r.empty()) return malformed("PACEDomainParameterInfo: trailing data");
  out.pace_domain_parameters.push_back(std::move(di));
  return ok_status();
}

Status parse_ca_info(const std::string& oid, KeyAgreement ka, SymCipher c, tlv::Reader& r, ByteView raw,
                     SecurityInfos& out) {
  ChipAuthenticationInfo ci;
  ci.protocol_oid = oid;
  ci.key_agreement = ka;
  ci.cipher = c;
  ci.raw = raw.to_bytes();
  DNIE_ASSIGN_OR_RETURN(auto v, single_child_after(r));
  DNIE_ASSIGN_OR_RETURN(ci.version, small_int(v, "ChipAuthenticationInfo version"));
  if (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto id, r.next());
    DNIE_ASSIGN_OR_RETURN(ci.key_id, key_id_value(id));
  }
  if (!r.empty()) return malformed("ChipAuthenticationInfo: trailing data");
  out.chip_authentication.push_back(std::move(ci));
  return ok_status();
}

Status parse_ca_dp_info(const std::string& oid, KeyAgreement ka, tlv::Reader& r, ByteView raw,
                        SecurityInfos& out) {
  ChipAuthenticationDomainParameterInfo di;
  di.protocol_oid = oid;
  di.key_agreement = ka;
  di.raw = raw.to_bytes();
  DNIE_ASSIGN_OR_RETURN(auto ai, r.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(di.params, parse_domain_parameters(ai.raw));
  if (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto id, r.next());
    DNIE_ASSIGN_OR_RETURN(di.key_id, key_id_value(id));
  }
  if (!r.empty()) return malformed("ChipAuthenticationDomainParameterInfo: trailing data");
  out.chip_authentication_domain_parameters.push_back(std::move(di));
  return ok_status();
}

Status parse_ca_pk_info(const std::string& oid, KeyAgreement ka, tlv::Reader& r, ByteView raw,
                        SecurityInfos& out) {
  ChipAuthenticationPublicKeyInfo ki;
  ki.protocol_oid = oid;
  ki.key_agreement = ka;
  ki.raw = raw.to_bytes();
  DNIE_ASSIGN_OR_RETURN(auto spki, r.expect(asn1::kSequence));
  ki.subject_public_key_info = spki.raw.to_bytes();
  tlv::Reader sr(spki.value);
  DNIE_ASSIGN_OR_RETURN(auto ai, sr.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(auto bits, sr.expect(asn1::kBitString));
  if (!sr.empty()) return malformed("SubjectPublicKeyInfo: trailing data");
  if (bits.value.empty() || bits.value[0] != 0) return malformed("subjectPublicKey: bad BIT STRING");
  ByteView key = bits.value.subview(1);
  DNIE_ASSIGN_OR_RETURN(ki.params, parse_domain_parameters(ai.raw));
  if (ka == KeyAgreement::Ecdh) {
    if (key.empty() || !(key[0] == 0x04 || key[0] == 0x02 || key[0] == 0x03))
      return malformed("chip authentication EC public key: bad point encoding");
    if (ki.params.is_dh()) return malformed("id-PK-ECDH with DH parameters");
    if (ki.params.ec) {
      auto pt = ki.params.ec->decode_point(key);
      if (!pt) return malformed("chip authentication public key is not on its curve");
      ki.public_key = std::move(pt).value();
    } else {
      ki.public_key = key.to_bytes();
    }
  } else {
    DNIE_ASSIGN_OR_RETURN(auto yt, tlv::parse_single(key));
    DNIE_ASSIGN_OR_RETURN(Bytes y, unsigned_integer(yt, "DH public value"));
    if (ki.params.is_ec()) return malformed("id-PK-DH with EC parameters");
    if (ki.params.dh) {
      if (y.size() > ki.params.dh->size()) return malformed("DH public value larger than p");
      Bytes padded(ki.params.dh->size() - y.size(), 0);
      append(padded, y);
      y = std::move(padded);
    }
    ki.public_key = std::move(y);
  }
  if (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto id, r.next());
    DNIE_ASSIGN_OR_RETURN(ki.key_id, key_id_value(id));
  }
  if (!r.empty()) return malformed("ChipAuthenticationPublicKeyInfo: trailing data");
  out.chip_authentication_public_keys.push_back(std::move(ki));
  return ok_status();
}

Status parse_ta_info(const std::string& oid, tlv::Reader& r, ByteView raw, SecurityInfos& out) {
  TerminalAuthenticationInfo ti;
  ti.protocol_oid = oid;
  ti.raw = raw.to_bytes();
  DNIE_ASSIGN_OR_RETURN(auto v, single_child_after(r));
  DNIE_ASSIGN_OR_RETURN(ti.version, small_int(v, "TerminalAuthenticationInfo version"));
  if (!r.empty()) {  // efCVCA FileID (TR-03110 v1 / ICAO EAC), kept in raw
    DNIE_ASSIGN_OR_RETURN(auto f, r.expect(asn1::kSequence));
    (void)f;
  }
  if (!r.empty()) return malformed("TerminalAuthenticationInfo: trailing data");
  out.terminal_authentication.push_back(std::move(ti));
  return ok_status();
}

Status parse_entry(const tlv::Tlv& entry, SecurityInfos& out) {
  if (entry.tag != asn1::kSequence) return malformed("SecurityInfo: SEQUENCE expected");
  tlv::Reader r(entry.value);
  DNIE_ASSIGN_OR_RETURN(auto oid_t, r.expect(asn1::kOid));
  DNIE_ASSIGN_OR_RETURN(std::string oid, asn1::oid_to_string(oid_t.value));
  out.oids.push_back(oid);

  if (auto rest = below(oid, oids::kIdPace)) {
    auto arcs = small_arcs(*rest);
    KeyAgreement ka = KeyAgreement::Ecdh;
    if (arcs.size() == 2) {
      if (auto proto = PaceProtocol::from_oid(oid)) return parse_pace_info(oid, *proto, r, entry.raw, out);
    } else if (arcs.size() == 1) {
      if (auto m = mapping_from_arc(arcs[0], &ka)) return parse_pace_dp_info(oid, ka, *m, r, entry.raw, out);
    }
  } else if (auto rest_ca = below(oid, oids::kIdCa)) {
    auto arcs = small_arcs(*rest_ca);
    if (!arcs.empty() && (arcs[0] == 1 || arcs[0] == 2)) {
      KeyAgreement ka = arcs[0] == 1 ? KeyAgreement::Dh : KeyAgreement::Ecdh;
      if (arcs.size() == 2) {
        if (auto c = cipher_from_arc(arcs[1])) return parse_ca_info(oid, ka, *c, r, entry.raw, out);
      } else if (arcs.size() == 1) {
        return parse_ca_dp_info(oid, ka, r, entry.raw, out);
      }
    }
  } else if (auto rest_pk = below(oid, oids::kIdPk)) {
    auto arcs = small_arcs(*rest_pk);
    if (arcs.size() == 1 && (arcs[0] == 1 || arcs[0] == 2))
      return parse_ca_pk_info(oid, arcs[0] == 1 ? KeyAgreement::Dh : KeyAgreement::Ecdh, r, entry.raw, out);
  } else if (oid == oids::kIdTa) {
    return parse_ta_info(oid, r, entry.raw, out);
  }
  // Unknown protocol: the rest must still be well-formed TLV.
  while (!r.empty()) DNIE_TRY(r.next());
  out.other.push_back(OtherSecurityInfo{oid, entry.raw.to_bytes()});
  return ok_status();
}

}  // namespace

Result<SecurityInfos> parse_security_infos(ByteView der) {
  auto set = tlv::parse_single(der);
  if (!set) return malformed("SecurityInfos: " + set.error().message);
  if (set->tag != asn1::kSet) return malformed("SecurityInfos: SET expected");
  SecurityInfos out;
  tlv::Reader r(set->value);
  while (!r.empty()) {
    auto e = r.next();
    if (!e) return malformed("SecurityInfo: " + e.error().message);
    auto st = parse_entry(*e, out);
    if (!st) {
      Error err = std::move(st).error();
      if (err.code != ErrorCode::MalformedData) err.code = ErrorCode::MalformedData;
      return err;
    }
  }
  return out;
}

Result<SecurityInfos> parse_card_access(ByteView file) {
  auto first = tlv::parse_first(file);
  if (!first) return malformed("EF.CardAccess: " + first.error().message);
  return parse_security_infos(first->raw);
}

Result<SecurityInfos> parse_dg14(ByteView file) {
  auto first = tlv::parse_first(file);
  if (!first) return malformed("DG14: " + first.error().message);
  if (first->tag != 0x6E) return malformed("DG14: tag 6E expected");
  return parse_security_infos(first->value);
}

Result<Bytes> card_security_content(ByteView cms) {
  // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData } (RFC 5652 §3)
  auto first = tlv::parse_first(cms);
  if (!first) return malformed("EF.CardSecurity: " + first.error().message);
  if (first->tag != asn1::kSequence) return malformed("EF.CardSecurity: ContentInfo expected");
  tlv::Reader ci(first->value);
  DNIE_ASSIGN_OR_RETURN(auto ct, ci.expect(asn1::kOid));
  DNIE_ASSIGN_OR_RETURN(auto ct_s, asn1::oid_to_string(ct.value));
  if (ct_s != oids::kSignedData) return malformed("EF.CardSecurity: not SignedData");
  DNIE_ASSIGN_OR_RETURN(auto explicit0, ci.expect(0xA0));
  DNIE_ASSIGN_OR_RETURN(auto sd, tlv::parse_single(explicit0.value));
  if (sd.tag != asn1::kSequence) return malformed("SignedData: SEQUENCE expected");
  tlv::Reader sr(sd.value);
  DNIE_TRY(sr.expect(asn1::kInteger));                          // version
  DNIE_TRY(sr.expect(asn1::kSet));                              // digestAlgorithms
  DNIE_ASSIGN_OR_RETURN(auto eci, sr.expect(asn1::kSequence));  // encapContentInfo
  tlv::Reader er(eci.value);
  DNIE_ASSIGN_OR_RETURN(auto et, er.expect(asn1::kOid));
  DNIE_ASSIGN_OR_RETURN(auto et_s, asn1::oid_to_string(et.value));
  if (et_s != oids::kIdSecurityObject)
    return malformed("EF.CardSecurity: eContentType is not id-SecurityObject");
  DNIE_ASSIGN_OR_RETURN(auto e0, er.expect(0xA0));
  DNIE_ASSIGN_OR_RETURN(auto os, tlv::parse_single(e0.value));
  if (os.tag != asn1::kOctetString) return malformed("EF.CardSecurity: eContent OCTET STRING expected");
  if (!er.empty()) return malformed("EncapsulatedContentInfo: trailing data");
  return os.value.to_bytes();
}

Result<SecurityInfos> parse_card_security(ByteView cms) {
  auto content = card_security_content(cms);
  if (!content) {
    Error e = std::move(content).error();
    e.code = ErrorCode::MalformedData;
    return e;
  }
  return parse_security_infos(*content);
}

}  // namespace dnie::auth
