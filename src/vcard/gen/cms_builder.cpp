// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/cms_builder.cpp
// EF.SOD (ICAO 9303-10 §4.6.2, 9303-12 §7.1): tag 77 around a CMS ContentInfo with SignedData
// (RFC 5652 §5) over an LDSSecurityObject v0 (9303-10 Appendix D), laid out like the specimen
// SOD_ESPECIMEN.der: digestAlgorithms sha256 (NULL params), the DS certificate in
// `certificates`, one SignerInfo v1 with issuerAndSerialNumber, signed attributes contentType,
// signingTime and messageDigest, and sha256WithRSAEncryption without parameters.
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/x509.hpp"

#include "vcard/gen/gen_internal.hpp"

namespace dnie::vcard::gen {

namespace {
constexpr std::string_view kOidSignedData = "1.2.840.113549.1.7.2";
constexpr std::string_view kOidLdsSecurityObject = "2.23.136.1.1.1";
constexpr std::string_view kOidContentType = "1.2.840.113549.1.9.3";
constexpr std::string_view kOidMessageDigest = "1.2.840.113549.1.9.4";
constexpr std::string_view kOidSigningTime = "1.2.840.113549.1.9.5";
}  // namespace

Result<Bytes> build_sod(const SodSpec& spec, const crypto::RsaPrivateKey& ds_key) {
  // LDSSecurityObject ::= SEQUENCE { version 0, hashAlgorithm, dataGroupHashValues }.
  std::vector<Bytes> hashes;
  for (const auto& [num, dg] : spec.dgs)
    hashes.push_back(
        seq({asn1::integer(std::int64_t{num}), asn1::octet_string(crypto::hash(spec.lds_hash, dg))}));
  Bytes lds = seq({asn1::integer(std::int64_t{0}), hash_alg_id(spec.lds_hash), seq(hashes)});

  DNIE_ASSIGN_OR_RETURN(auto ds, crypto::Certificate::parse(spec.ds_cert));
  Bytes content_digest = crypto::hash(spec.sig_hash, lds);
  // SignedAttributes: DER SET OF (sorted), signed with tag 31 and stored with [0] IMPLICIT.
  Bytes attrs = set_of({
      seq({asn1::oid(kOidContentType), set_of({asn1::oid(kOidLdsSecurityObject)})}),
      seq({asn1::oid(kOidSigningTime), set_of({asn1::utc_time(spec.signing_time)})}),
      seq({asn1::oid(kOidMessageDigest), set_of({asn1::octet_string(content_digest)})}),
  });
  DNIE_ASSIGN_OR_RETURN(Bytes signature,
                        ds_key.sign_pkcs1_v15(spec.sig_hash, crypto::hash(spec.sig_hash, attrs)));
  DNIE_ASSIGN_OR_RETURN(auto attrs_tlv, tlv::parse_single(attrs, tlv::Mode::Der));
  Bytes signed_attrs_implicit = asn1::context(0, attrs_tlv.value);

  Bytes sid = seq({ds.issuer().der, tlv::encode(asn1::kInteger, ds.serial())});
  Bytes signer_info =
      seq({asn1::integer(std::int64_t{1}), sid, hash_alg_id(spec.sig_hash), signed_attrs_implicit,
           rsa_sig_alg(spec.sig_hash, /*no_null=*/true), asn1::octet_string(signature)});
  Bytes signed_data = seq({
      asn1::integer(std::int64_t{3}),
      set_of({hash_alg_id(spec.sig_hash)}),
      seq({asn1::oid(kOidLdsSecurityObject), asn1::context(0, asn1::octet_string(lds))}),
      asn1::context(0, spec.ds_cert),  // certificates [0] IMPLICIT CertificateSet
      set_of({signer_info}),
  });
  Bytes content_info = seq({asn1::oid(kOidSignedData), asn1::context(0, signed_data)});
  return tagged(0x77, {content_info});
}

}  // namespace dnie::vcard::gen
