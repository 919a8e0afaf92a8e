// SPDX-License-Identifier: Apache-2.0
// CMS SignedData (RFC 5652 §5.1–§5.6) and EF.SOD / LDSSecurityObject (ICAO 9303-10 §4.6.2).
#include <algorithm>
#include <set>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/icao/sod.hpp"

#include "icao/internal.hpp"

namespace dnie::icao {

using detail::malformed;

namespace {

Result<std::string> oid_of(const tlv::Tlv& t) {
  if (t.tag != asn1::kOid) return malformed("expected an OBJECT IDENTIFIER");
  return asn1::oid_to_string(t.value);
}

// AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }.
Result<crypto::AlgorithmIdentifier> parse_algid(const tlv::Tlv& t) {
  if (t.tag != asn1::kSequence) return malformed("AlgorithmIdentifier is not a SEQUENCE");
  tlv::Reader r(t.value);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv o, r.next());
  crypto::AlgorithmIdentifier a;
  DNIE_ASSIGN_OR_RETURN(a.oid, oid_of(o));
  if (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv p, r.next());
    a.params = p.raw.to_bytes();
  }
  if (!r.empty()) return malformed("AlgorithmIdentifier: trailing data");
  return a;
}

// OCTET STRING, primitive or (BER) constructed.
Result<Bytes> octets(const tlv::Tlv& t, int depth = 0) {
  if (t.tag == asn1::kOctetString) return t.value.to_bytes();
  if (t.tag != 0x24 || depth > 4) return malformed("expected an OCTET STRING");
  Bytes out;
  tlv::Reader r(t.value);
  while (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv c, r.next());
    DNIE_ASSIGN_OR_RETURN(Bytes part, octets(c, depth + 1));
    append(out, part);
  }
  return out;
}

// RFC 5652 §5.3 SignerInfo.
Result<SignerInfo> parse_signer(const tlv::Tlv& t) {
  if (t.tag != asn1::kSequence) return malformed("SignerInfo is not a SEQUENCE");
  SignerInfo s;
  tlv::Reader r(t.value);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv ver, r.expect(asn1::kInteger));
  DNIE_ASSIGN_OR_RETURN(std::int64_t v, asn1::integer_value(ver.value));
  s.version = static_cast<int>(std::clamp<std::int64_t>(v, -1, 100));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv sid, r.next());
  if (sid.tag == asn1::kSequence) {  // IssuerAndSerialNumber
    tlv::Reader sr(sid.value);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv issuer, sr.expect(asn1::kSequence));
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv serial, sr.expect(asn1::kInteger));
    DNIE_ASSIGN_OR_RETURN(crypto::Name name, crypto::parse_name(issuer.raw));
    s.issuer = std::move(name);
    s.serial = serial.value.to_bytes();
  } else if (sid.tag == 0x80) {  // [0] SubjectKeyIdentifier
    s.subject_key_id = sid.value.to_bytes();
  } else {
    return malformed("SignerInfo: unknown signer identifier");
  }
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv dalg, r.next());
  DNIE_ASSIGN_OR_RETURN(crypto::AlgorithmIdentifier da, parse_algid(dalg));
  s.digest_algorithm = da.oid;
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv next, r.next());
  if (next.tag == 0xA0) {
    // Signed over the DER SET OF Attribute: the same bytes with the tag 31 (RFC 5652 §5.4).
    s.signed_attributes = next.raw.to_bytes();
    s.signed_attributes[0] = 0x31;
    tlv::Reader ar(next.value);
    while (!ar.empty()) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv attr, ar.expect(asn1::kSequence));
      tlv::Reader at(attr.value);
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv ao, at.next());
      DNIE_ASSIGN_OR_RETURN(std::string aoid, oid_of(ao));
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv values, at.expect(asn1::kSet));
      auto first = tlv::parse_first(values.value);
      if (!first) return malformed("SignerInfo: empty attribute");
      if (aoid == "1.2.840.113549.1.9.3") {
        DNIE_ASSIGN_OR_RETURN(std::string ct, oid_of(*first));
        s.content_type = ct;
      } else if (aoid == "1.2.840.113549.1.9.4") {
        if (first->tag != asn1::kOctetString) return malformed("SignerInfo: bad messageDigest");
        s.message_digest = first->value.to_bytes();
      } else if (aoid == "1.2.840.113549.1.9.5") {
        auto tm = asn1::parse_time(first->tag, first->value);
        if (tm) s.signing_time = *tm;
      }
    }
    DNIE_ASSIGN_OR_RETURN(next, r.next());
  }
  DNIE_ASSIGN_OR_RETURN(s.signature_algorithm, parse_algid(next));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv sig, r.expect(asn1::kOctetString));
  s.signature = sig.value.to_bytes();
  if (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv unsigned_attrs, r.next());
    if (unsigned_attrs.tag != 0xA1 || !r.empty()) return malformed("SignerInfo: trailing data");
  }
  return s;
}

}  // namespace

// RFC 5652 §3 ContentInfo, §5.1 SignedData.
Result<SignedData> parse_signed_data(ByteView content_info) {
  auto top = tlv::parse_first(content_info);
  if (!top || top->tag != asn1::kSequence) return malformed("CMS: ContentInfo is not a SEQUENCE");
  tlv::Reader cr(top->value);
  auto ct = cr.next();
  if (!ct) return malformed("CMS: " + ct.error().message);
  auto ct_oid = oid_of(*ct);
  if (!ct_oid || *ct_oid != kOidSignedData) return malformed("CMS: content type is not signedData");
  auto explicit0 = cr.expect(0xA0);
  if (!explicit0) return malformed("CMS: no [0] content");
  auto sd_t = tlv::parse_single(explicit0->value);
  if (!sd_t || sd_t->tag != asn1::kSequence) return malformed("CMS: SignedData is not a SEQUENCE");

  SignedData sd;
  auto body = [&]() -> Status {
    tlv::Reader r(sd_t->value);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv ver, r.expect(asn1::kInteger));
    DNIE_ASSIGN_OR_RETURN(std::int64_t v, asn1::integer_value(ver.value));
    sd.version = static_cast<int>(std::clamp<std::int64_t>(v, -1, 100));
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv dset, r.expect(asn1::kSet));
    tlv::Reader dr(dset.value);
    while (!dr.empty()) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv a, dr.next());
      DNIE_ASSIGN_OR_RETURN(crypto::AlgorithmIdentifier alg, parse_algid(a));
      sd.digest_algorithms.push_back(alg.oid);
    }
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv encap, r.expect(asn1::kSequence));
    tlv::Reader er(encap.value);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv eoid, er.next());
    DNIE_ASSIGN_OR_RETURN(sd.content_type, oid_of(eoid));
    if (!er.empty()) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv ec, er.expect(0xA0));
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv os, tlv::parse_single(ec.value));
      DNIE_ASSIGN_OR_RETURN(sd.content, octets(os));
    }
    if (!er.empty()) return malformed("encapContentInfo: trailing data");
    while (!r.empty()) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv e, r.next());
      if (e.tag == 0xA0) {  // certificates [0] IMPLICIT CertificateSet
        tlv::Reader xr(e.value);
        while (!xr.empty()) {
          DNIE_ASSIGN_OR_RETURN(tlv::Tlv c, xr.next());
          if (c.tag != asn1::kSequence) continue;  // other certificate formats are skipped
          DNIE_ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::parse(c.raw));
          sd.certificates.push_back(std::move(cert));
        }
      } else if (e.tag == 0xA1) {  // crls [1] IMPLICIT RevocationInfoChoices
        tlv::Reader xr(e.value);
        while (!xr.empty()) {
          DNIE_ASSIGN_OR_RETURN(tlv::Tlv c, xr.next());
          sd.crls.push_back(c.raw.to_bytes());
        }
      } else if (e.tag == asn1::kSet) {
        tlv::Reader sr(e.value);
        while (!sr.empty()) {
          DNIE_ASSIGN_OR_RETURN(tlv::Tlv si, sr.next());
          DNIE_ASSIGN_OR_RETURN(SignerInfo s, parse_signer(si));
          sd.signers.push_back(std::move(s));
        }
        if (!r.empty()) return malformed("SignedData: trailing data");
      } else {
        return malformed("SignedData: unexpected element");
      }
    }
    return ok_status();
  };
  Status st = body();
  if (!st) return malformed("CMS: " + st.error().message);
  if (sd.signers.empty()) return malformed("CMS: no SignerInfo");
  return sd;
}

const crypto::Certificate* find_signer_certificate(const SignedData& sd, const SignerInfo& signer) {
  for (const auto& c : sd.certificates) {
    if (signer.subject_key_id) {
      auto ski = c.subject_key_id();
      if (ski && *ski == *signer.subject_key_id) return &c;
    } else if (signer.issuer && c.issuer() == *signer.issuer && c.serial() == signer.serial) {
      return &c;
    }
  }
  return nullptr;
}

Status verify_signer(const SignedData& sd, const SignerInfo& signer, const crypto::PublicKey& key) {
  auto alg = crypto::hash_from_oid(signer.digest_algorithm);
  if (!alg) return make_error(ErrorCode::Unsupported, "CMS: digest algorithm " + signer.digest_algorithm);
  ByteView signed_bytes = sd.content;
  if (!signer.signed_attributes.empty()) {
    // RFC 5652 §5.4 / §11.1–11.2: the attributes bind the content and its type.
    if (!signer.message_digest) return detail::verify_failed("CMS: signed attributes without messageDigest");
    if (*signer.message_digest != crypto::hash(*alg, sd.content))
      return detail::verify_failed("CMS: messageDigest does not match the content");
    if (!signer.content_type || *signer.content_type != sd.content_type)
      return detail::verify_failed("CMS: contentType attribute does not match the content");
    signed_bytes = signer.signed_attributes;
  }
  Status st = key.verify(signer.signature_algorithm, signed_bytes, signer.signature, *alg);
  if (!st && st.error().code == ErrorCode::VerificationFailed)
    return detail::verify_failed("CMS: signature does not verify: " + st.error().message);
  return st;
}

// ---- LDSSecurityObject (ICAO 9303-10 §4.6.2.2) ------------------------------------------------

const Bytes* LdsSecurityObject::hash_of(int dg) const noexcept {
  for (const auto& h : hashes)
    if (h.number == dg) return &h.hash;
  return nullptr;
}

Result<LdsSecurityObject> parse_lds_security_object(ByteView der) {
  auto top = tlv::parse_single(der);
  if (!top || top->tag != asn1::kSequence) return malformed("LDSSecurityObject is not a SEQUENCE");
  LdsSecurityObject so;
  auto body = [&]() -> Status {
    tlv::Reader r(top->value);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv ver, r.expect(asn1::kInteger));
    DNIE_ASSIGN_OR_RETURN(std::int64_t v, asn1::integer_value(ver.value));
    if (v != 0 && v != 1) return malformed("unknown version");
    so.version = static_cast<int>(v);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv at, r.next());
    DNIE_ASSIGN_OR_RETURN(crypto::AlgorithmIdentifier a, parse_algid(at));
    so.hash_oid = a.oid;
    auto alg = crypto::hash_from_oid(a.oid);
    if (!alg) return make_error(ErrorCode::Unsupported, "hash algorithm " + a.oid);
    so.hash_alg = *alg;
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv list, r.expect(asn1::kSequence));
    tlv::Reader lr(list.value);
    std::set<int> seen;
    while (!lr.empty()) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv e, lr.expect(asn1::kSequence));
      tlv::Reader hr(e.value);
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv n, hr.expect(asn1::kInteger));
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv h, hr.expect(asn1::kOctetString));
      if (!hr.empty()) return malformed("DataGroupHash: trailing data");
      DNIE_ASSIGN_OR_RETURN(std::int64_t num, asn1::integer_value(n.value));
      if (num < 1 || num > 16) return malformed("data group number out of range");
      if (!seen.insert(static_cast<int>(num)).second) return malformed("data group hashed twice");
      if (h.value.size() != crypto::hash_size(so.hash_alg)) return malformed("hash of the wrong length");
      so.hashes.push_back({static_cast<int>(num), h.value.to_bytes()});
    }
    if (so.hashes.empty()) return malformed("no data group hashes");
    if (!r.empty()) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv vi, r.expect(asn1::kSequence));
      tlv::Reader vr(vi.value);
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv lv, vr.next());
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv uv, vr.next());
      so.lds_version = detail::text(lv.value);
      so.unicode_version = detail::text(uv.value);
    }
    if (!r.empty()) return malformed("trailing data");
    return ok_status();
  };
  Status st = body();
  if (!st) {
    Error e = std::move(st).error();
    e.message = "LDSSecurityObject: " + e.message;
    return e;
  }
  return so;
}

const crypto::Certificate* Sod::ds_certificate() const {
  const SignerInfo* s = signer();
  return s ? find_signer_certificate(signed_data, *s) : nullptr;
}

Result<Sod> parse_sod(ByteView ef_sod) {
  ByteView ci = ef_sod;
  auto top = tlv::parse_first(ef_sod);
  if (!top) return malformed("EF.SOD: " + top.error().message);
  if (top->tag == 0x77)
    ci = top->value;  // EF.SOD application tag 23
  else if (top->tag != asn1::kSequence)
    return malformed("EF.SOD: unexpected tag");
  Sod sod;
  DNIE_ASSIGN_OR_RETURN(sod.signed_data, parse_signed_data(ci));
  if (sod.signed_data.content_type != kOidLdsSecurityObject)
    return malformed("EF.SOD: content is not an LDSSecurityObject");
  auto lds = parse_lds_security_object(sod.signed_data.content);
  if (!lds) {
    if (lds.error().code == ErrorCode::Unsupported) return std::move(lds).error();
    return malformed("EF.SOD: " + lds.error().message);
  }
  sod.lds = std::move(*lds);
  return sod;
}

}  // namespace dnie::icao
