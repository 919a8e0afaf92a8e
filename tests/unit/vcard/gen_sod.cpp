// SPDX-License-Identifier: Apache-2.0
// EF.SOD of the generated cards, parsed with a small walker of this test (RFC 5652 §5,
// ICAO 9303-10 §4.6.2): LDSSecurityObject hashes against the DGs, SignerInfo signature, and
// the DS certificate against the CSCA of the image.
#include "dnie/crypto/x509.hpp"

#include "gen_test_util.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;

namespace {

struct ParsedSod {
  std::string lds_hash_oid;
  std::map<int, Bytes> hashes;
  Bytes cert;
  Bytes signed_attrs;  // re-tagged as SET (31) for verification
  Bytes signature;
  std::string sig_alg_oid;
  Bytes lds;
  Bytes message_digest;
};

ParsedSod parse_sod(const Bytes& sod) {
  ParsedSod out;
  auto t77 = der(sod);
  REQUIRE(t77.tag == 0x77);
  auto ci = children(der(t77.value).value);
  REQUIRE(ci.size() == 2);
  CHECK(*asn1::oid_to_string(ci[0].value) == "1.2.840.113549.1.7.2");
  auto sd = children(der(ci[1].value).value);
  REQUIRE(sd.size() == 5);
  CHECK(*asn1::integer_value(sd[0].value) == 3);
  auto encap = children(sd[2].value);
  CHECK(*asn1::oid_to_string(encap[0].value) == "2.23.136.1.1.1");
  out.lds = der(encap[1].value).value.to_bytes();
  auto lds = children(der(out.lds).value);
  REQUIRE(lds.size() == 3);
  CHECK(*asn1::integer_value(lds[0].value) == 0);
  out.lds_hash_oid = *asn1::oid_to_string(children(lds[1].value)[0].value);
  for (const auto& h : children(lds[2].value)) {
    auto hv = children(h.value);
    out.hashes[static_cast<int>(*asn1::integer_value(hv[0].value))] = hv[1].value.to_bytes();
  }
  CHECK(sd[3].tag == 0xA0);
  out.cert = der(sd[3].value).raw.to_bytes();
  auto si = children(der(sd[4].value).value);
  REQUIRE(si.size() == 6);
  CHECK(*asn1::integer_value(si[0].value) == 1);
  CHECK(si[3].tag == 0xA0);
  out.signed_attrs = tlv::encode(0x31, si[3].value);
  for (const auto& a : children(si[3].value)) {
    auto av = children(a.value);
    if (*asn1::oid_to_string(av[0].value) == "1.2.840.113549.1.9.4")
      out.message_digest = der(av[1].value).value.to_bytes();
  }
  out.sig_alg_oid = *asn1::oid_to_string(children(si[4].value)[0].value);
  out.signature = si[5].value.to_bytes();
  return out;
}

std::map<int, std::uint16_t> kDgFiles = {{1, 0x0101},  {2, 0x0102},  {3, 0x0103}, {7, 0x0107},
                                         {11, 0x010B}, {13, 0x010D}, {14, 0x010E}};

crypto::Certificate cert_of(ByteView der_bytes) {
  auto c = crypto::Certificate::parse(der_bytes);
  REQUIRE_MESSAGE(c.ok(), c.error().to_string());
  return *c;
}

}  // namespace

TEST_CASE("genuine SOD: hashes match the DGs, signature verifies, DS chains to the CSCA") {
  for (const std::string p : {"genuine", "r2", "cloned-chip", "expired"}) {
    CAPTURE(p);
    const CardImage& img = image(p);
    ParsedSod s = parse_sod(file(img, {0x3F01, 0x011D}));
    CHECK(s.lds_hash_oid == "1.3.14.3.2.26");  // SHA-1 like the specimen
    REQUIRE(s.hashes.size() == 7);
    for (const auto& [dg, fid] : kDgFiles) {
      CAPTURE(dg);
      CHECK(s.hashes.at(dg) == crypto::hash(crypto::HashAlg::Sha1, file(img, {0x3F01, fid})));
    }
    CHECK(s.message_digest == crypto::hash(crypto::HashAlg::Sha256, s.lds));
    CHECK(s.sig_alg_oid == "1.2.840.113549.1.1.11");
    auto ds = cert_of(s.cert);
    CHECK(s.cert == img.extras.at("ds.der"));
    auto sig = ds.public_key().verify({"1.2.840.113549.1.1.11", {}}, s.signed_attrs, s.signature);
    CHECK_MESSAGE(sig.ok(), sig.error().to_string());
    auto csca = cert_of(img.extras.at("csca.der"));
    CHECK(csca.verify_signed_by(csca.public_key()).ok());
    CHECK(ds.verify_signed_by(csca.public_key()).ok());
    CHECK(ds.issuer() == csca.subject());
    CHECK(csca.public_key().rsa()->bits() >= 3072);
    CHECK(ds.subject().get("CN") == "DS n-eID SPAIN TEST");
    CHECK(csca.subject().get("CN") == "CSCA SPAIN TEST");
    auto types = ds.document_types();
    REQUIRE(types.has_value());
    CHECK(*types == std::vector<std::string>{"P", "ID", "IX"});  // DER SET OF order, as the specimen
    auto ku = ds.key_usage();
    REQUIRE(ku.has_value());
    CHECK(*ku == crypto::kDigitalSignature);
  }
}

TEST_CASE("DS validity: covers the issue date; expired profile is in the past") {
  const auto y2026 = asn1::days_from_civil(2026, 1, 1) * 86400;
  auto ds = cert_of(image("genuine").extras.at("ds.der"));
  CHECK(ds.valid_at(asn1::days_from_civil(2023, 6, 15) * 86400));
  CHECK(ds.valid_at(y2026));
  auto old = cert_of(image("expired").extras.at("ds.der"));
  CHECK(old.valid_at(asn1::days_from_civil(2013, 6, 15) * 86400));
  CHECK(old.not_after() < y2026);
  const std::string dg1 = str(file(image("expired"), {0x3F01, 0x0101}));
  CHECK(dg1.substr(5 + 38, 6) < "260101");
}

TEST_CASE("altered-dg: one DG hash mismatches, the signature still verifies") {
  const CardImage& img = image("altered-dg");
  ParsedSod s = parse_sod(file(img, {0x3F01, 0x011D}));
  int mismatches = 0;
  for (const auto& [dg, fid] : kDgFiles)
    if (s.hashes.at(dg) != crypto::hash(crypto::HashAlg::Sha1, file(img, {0x3F01, fid}))) ++mismatches;
  CHECK(mismatches == 1);
  CHECK(s.hashes.at(11) != crypto::hash(crypto::HashAlg::Sha1, file(img, {0x3F01, 0x010B})));
  auto ds = cert_of(s.cert);
  CHECK(ds.public_key().verify({"1.2.840.113549.1.1.11", {}}, s.signed_attrs, s.signature).ok());
}

TEST_CASE("untrusted-csca: the DS does not chain to the trusted CSCA") {
  const CardImage& img = image("untrusted-csca");
  ParsedSod s = parse_sod(file(img, {0x3F01, 0x011D}));
  auto ds = cert_of(s.cert);
  auto trusted = cert_of(img.extras.at("csca.der"));
  auto other = cert_of(img.extras.at("csca-untrusted.der"));
  CHECK_FALSE(ds.verify_signed_by(trusted.public_key()).ok());
  CHECK(ds.verify_signed_by(other.public_key()).ok());
  CHECK(ds.public_key().verify({"1.2.840.113549.1.1.11", {}}, s.signed_attrs, s.signature).ok());
  for (const auto& [dg, fid] : kDgFiles)
    CHECK(s.hashes.at(dg) == crypto::hash(crypto::HashAlg::Sha1, file(img, {0x3F01, fid})));
}
