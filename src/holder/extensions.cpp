// SPDX-License-Identifier: Apache-2.0
// Parsers of the certificate extensions the holder profile checks (dnie/holder/validation.hpp):
// certificatePolicies (RFC 5280 §4.2.1.4), qcStatements (RFC 3739 §3.2.6), Authority Information
// Access (RFC 5280 §4.2.2.1), and the DNI of the subject serialNumber. Strict DER; they read
// certificate bytes from cards and files, so fuzz/holder_extensions.cpp exercises them.
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/holder/validation.hpp"

namespace dnie::holder {

namespace {

constexpr auto kDer = tlv::Mode::Der;

Error bad(std::string what) { return Error(ErrorCode::MalformedData, std::move(what)); }

// SEQUENCE OF SEQUENCE { OID, ... }: the first OID of each inner SEQUENCE.
Result<std::vector<std::string>> leading_oids(ByteView ext_value, const char* what) {
  DNIE_ASSIGN_OR_RETURN(auto outer, tlv::parse_single(ext_value, kDer));
  if (outer.tag != asn1::kSequence) return bad(std::string(what) + ": not a SEQUENCE");
  std::vector<std::string> out;
  tlv::Reader r(outer.value, kDer);
  while (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto item, r.expect(asn1::kSequence));
    tlv::Reader inner(item.value, kDer);
    DNIE_ASSIGN_OR_RETURN(auto oid, inner.expect(asn1::kOid));
    DNIE_ASSIGN_OR_RETURN(auto text, asn1::oid_to_string(oid.value));
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> parse_certificate_policies(ByteView ext_value) {
  DNIE_ASSIGN_OR_RETURN(auto oids, leading_oids(ext_value, "certificatePolicies"));
  if (oids.empty()) return bad("certificatePolicies: empty (RFC 5280 §4.2.1.4: SIZE (1..MAX))");
  return oids;
}

Result<std::vector<std::string>> parse_qc_statements(ByteView ext_value) {
  return leading_oids(ext_value, "qcStatements");
}

Result<std::vector<std::string>> parse_aia_uris(ByteView ext_value, std::string_view access_method) {
  DNIE_ASSIGN_OR_RETURN(auto outer, tlv::parse_single(ext_value, kDer));
  if (outer.tag != asn1::kSequence) return bad("authorityInfoAccess: not a SEQUENCE");
  std::vector<std::string> out;
  tlv::Reader r(outer.value, kDer);
  while (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto ad, r.expect(asn1::kSequence));
    tlv::Reader inner(ad.value, kDer);
    DNIE_ASSIGN_OR_RETURN(auto oid, inner.expect(asn1::kOid));
    DNIE_ASSIGN_OR_RETURN(auto method, asn1::oid_to_string(oid.value));
    DNIE_ASSIGN_OR_RETURN(auto location, inner.next());
    if (!inner.empty()) return bad("authorityInfoAccess: trailing data in an AccessDescription");
    // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String; other name forms are skipped.
    if (method != access_method || location.tag != 0x86) continue;
    std::string uri(location.value.begin(), location.value.end());
    for (char c : uri)
      if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7E)
        return bad("authorityInfoAccess: a URI with a control, space or non-ASCII character");
    out.push_back(std::move(uri));
  }
  return out;
}

std::string certificate_dni(const crypto::Certificate& cert) {
  std::string sn = cert.subject().get("serialNumber");
  if (sn.rfind("IDCES-", 0) == 0) sn = sn.substr(6);
  std::string out;
  for (char c : sn) {
    if (c >= 'a' && c <= 'z')
      out.push_back(static_cast<char>(c - 'a' + 'A'));
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      out.push_back(c);
  }
  return out;
}

}  // namespace dnie::holder
