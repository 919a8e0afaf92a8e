// SPDX-License-Identifier: Apache-2.0
// PKCS#15 parsers on the specimen card files (jmulticard test resources), compressed
// certificates, certificate info.
#include "dnie/bytes/asn1.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/esign/pkcs15.hpp"

#include "test_support.hpp"

using namespace dnie;
using dnie::test::data_path;
using dnie::test::read_file;

TEST_CASE("specimen CDF: three certificates, stops at the padding") {
  Bytes f = read_file(data_path("pki/CDF_ESPECIMEN.ber"));
  REQUIRE(f.size() == 2100);
  auto cdf = esign::parse_cdf(f);
  REQUIRE_MESSAGE(cdf, cdf.error().to_string());
  REQUIRE(cdf->size() == 3);
  const char* labels[] = {"CertAutenticacion", "CertFirmaDigital", "CertCAIntermediaDGP"};
  const char* paths[] = {"6061/7001", "6061/7002", "6061/7003"};
  const std::int64_t lengths[] = {0x548, 0x542, 0x550};
  const char first[] = {'A', 'F', 'S'};
  for (int i = 0; i < 3; ++i) {
    const auto& c = (*cdf)[i];
    CHECK(c.label == labels[i]);
    CHECK(c.path.to_string() == paths[i]);
    REQUIRE(c.path.length);
    CHECK(*c.path.length == lengths[i]);
    CHECK(c.path.index.value_or(-1) == 0);
    REQUIRE(c.id.size() == 29);
    CHECK(c.id[0] == first[i]);
    CHECK(std::string(c.id.begin() + 1, c.id.end()) == "02034674163C2020160830144606");
  }
  CHECK((*cdf)[0].subject.find("99999002Q") != std::string::npos);
  CHECK((*cdf)[0].issuer.find("AC DNIE 001") != std::string::npos);
  CHECK((*cdf)[2].issuer.find("AC RAIZ DNIE") != std::string::npos);
}

TEST_CASE("specimen PrKDF: two RSA-2048 keys with references 01 and 02") {
  Bytes f = read_file(data_path("pki/PRKDF_ESPECIMEN.ber"));
  auto keys = esign::parse_prkdf(f);
  REQUIRE_MESSAGE(keys, keys.error().to_string());
  REQUIRE(keys->size() == 2);
  const auto& a = (*keys)[0];
  const auto& s = (*keys)[1];
  CHECK(a.label == "KprivAutenticacion");
  CHECK(s.label == "KprivFirmaDigital");
  CHECK(a.key_reference == 1);
  CHECK(s.key_reference == 2);
  CHECK(a.path.to_string() == "3F11/0101");
  CHECK(s.path.to_string() == "3F11/0102");
  CHECK(a.modulus_bits == 2048);
  CHECK(a.usage == (esign::kUsageSign | esign::kUsageSignRecover));
  CHECK(s.usage == (esign::kUsageSign | esign::kUsageSignRecover | esign::kUsageNonRepudiation));
  const unsigned b8 = esign::kAccessSensitive | esign::kAccessAlwaysSensitive |
                      esign::kAccessNeverExtractable | esign::kAccessLocal;
  CHECK(a.access_flags == b8);
  CHECK(s.access_flags == b8);
  CHECK(a.native);
  auto cdf = esign::parse_cdf(read_file(data_path("pki/CDF_ESPECIMEN.ber")));
  CHECK(a.id == (*cdf)[0].id);
  CHECK(s.id == (*cdf)[1].id);
}

TEST_CASE("ODF and TokenInfo") {
  Bytes odf = hex_bytes("A0 06 30 04 04 02 60 01  A4 06 30 04 04 02 60 04  00 00 00");
  auto o = esign::parse_odf(odf);
  REQUIRE(o);
  REQUIRE(o->private_keys);
  REQUIRE(o->certificates);
  CHECK(o->private_keys->to_string() == "6001");
  CHECK(o->certificates->to_string() == "6004");
  CHECK_FALSE(o->public_keys);
  Bytes ti = hex_bytes("30 1D 02 01 00 04 04 01 02 03 04 0C 08");
  append(ti, ByteView::of("DGP-FNMT"));
  append(ti, hex_bytes("80 04 44 4E 49 65 03 02 06 40 00 00"));
  auto t = esign::parse_dnie_token_info(ti);
  REQUIRE_MESSAGE(t, t.error().to_string());
  CHECK(t->manufacturer_id == "DGP-FNMT");
  CHECK(t->label == "DNIe");
  CHECK(t->serial_number == hex_bytes("01020304"));
  Bytes other = ti;
  other[13] = 'X';
  CHECK(esign::parse_dnie_token_info(other).error().code == ErrorCode::Unsupported);
  CHECK_FALSE(esign::parse_odf(hex_bytes("A0 06 30 04 04 03 60 01 02")));
}

TEST_CASE("compressed certificate round trip and bounds") {
  Bytes der = read_file(data_path("pki/DNIE_ESPECIMEN_signing_cert.cer"));
  auto z = esign::compress_certificate(der);
  REQUIRE(z);
  CHECK(z->size() < der.size());
  CHECK((*z)[0] == (der.size() & 0xFF));
  auto back = esign::decompress_certificate(*z);
  REQUIRE(back);
  CHECK(*back == der);
  CHECK(*esign::decompress_certificate(der) == der);    // plain DER passes through
  CHECK_FALSE(esign::decompress_certificate(*z, 100));  // uncompressed length above the bound
  Bytes bad = *z;
  bad[0] ^= 1;  // declared length differs from the data
  CHECK_FALSE(esign::decompress_certificate(bad));
  Bytes trunc(z->begin(), z->begin() + 20);
  CHECK_FALSE(esign::decompress_certificate(trunc));
}

TEST_CASE("a compressed certificate whose first byte is 0x30 is inflated, not taken for DER") {
  // The first byte of a compressed file is the low byte of the uncompressed length: 0x30 for
  // every certificate of length 0x..30 (1 in 256 cards). Decided by the header, as OpenSC does.
  for (std::size_t len : {std::size_t{0x530}, std::size_t{0x430}, std::size_t{0x130}}) {
    CAPTURE(len);
    Bytes body(len - 4, 0x5A);
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<std::uint8_t>(i * 7);
    Bytes der = {0x30, 0x82, static_cast<std::uint8_t>((len - 4) >> 8), static_cast<std::uint8_t>(len - 4)};
    append(der, body);
    REQUIRE(der.size() == len);
    auto z = esign::compress_certificate(der);
    REQUIRE(z);
    REQUIRE((*z)[0] == 0x30);
    auto back = esign::decompress_certificate(*z);
    REQUIRE_MESSAGE(back, back.error().to_string());
    CHECK(*back == der);
    // Padding after the stream (a file read to its FCI size) is tolerated.
    Bytes padded = *z;
    padded.resize(padded.size() + 16, 0x00);
    CHECK(*esign::decompress_certificate(padded) == der);
  }
}

TEST_CASE("certificate info of the specimen signing certificate") {
  auto cert = crypto::Certificate::parse(read_file(data_path("pki/DNIE_ESPECIMEN_signing_cert.cer")));
  REQUIRE(cert);
  auto info = esign::describe_certificate(*cert);
  CHECK(info.dni_number == "99999002Q");
  CHECK(info.surname ==
        "ESPECIMEN SPECIMEN SP\xC3\x89"
        "CIMEN");
  CHECK(info.given_name == "FICTICIO FICTITIOUS FICTIF");
  CHECK(info.common_name.find("(FIRMA)") != std::string::npos);
  CHECK(info.issuer.find("AC DNIE 001") != std::string::npos);
  CHECK(asn1::format_time(info.not_before) == "2016-08-30T12:48:07Z");
  CHECK(asn1::format_time(info.not_after) == "2021-02-26T22:59:59Z");
  CHECK(info.non_repudiation);
  REQUIRE(info.key_usage);
  CHECK(*info.key_usage == crypto::kNonRepudiation);
  esign::CardCertificate cc{esign::CertificateObject{}, std::nullopt, *cert, info};
  CHECK(cc.pem().rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(cc.der() == cert->der());
}
