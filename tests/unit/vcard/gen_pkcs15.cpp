// SPDX-License-Identifier: Apache-2.0
// PKCS#15 files and certificates of the generated cards: CDF and PrKDF compared with the
// specimen card's files by one generic DER walk; compressed certificates; holder and component
// certificate chains; private keys matching the certificates.
#include <zlib.h>

#include "dnie/crypto/x509.hpp"

#include "gen_test_util.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;

namespace {

struct Walk {
  std::vector<std::string> shape;   // "depth:tag[=value]" of every element
  std::vector<std::string> labels;  // UTF8Strings directly under the first SEQUENCE of an object
  std::vector<std::string> ids;
  std::size_t der_size = 0;
};

// Generic walk: tags of every element; values kept for the fields that must match exactly
// (flags/usage BIT STRINGs, BOOLEANs, 4-byte paths, small INTEGERs: index, key refs, modulus
// length). Names and lengths of certificates are compared by tag shape only.
void walk(ByteView content, int depth, Walk& w) {
  auto kids = tlv::parse_all(content, tlv::Mode::Der);
  REQUIRE_MESSAGE(kids.ok(), kids.error().to_string());
  for (const auto& t : *kids) {
    std::string s = std::to_string(depth) + ":" + to_hex(be_bytes(t.tag, tlv::tag_size(t.tag)));
    if (t.tag == 0x03 || t.tag == 0x01 || (t.tag == 0x04 && t.value.size() == 4) ||
        (t.tag == 0x02 && t.value.size() <= 2))
      s += "=" + to_hex(t.value);
    if (t.tag == 0x04 && t.value.size() == 29) w.ids.push_back(str(t.value));
    if (t.tag == 0x0C && depth == 2 && w.shape.back().substr(0, 2) == "1:") w.labels.push_back(str(t.value));
    w.shape.push_back(s);
    if (t.constructed()) walk(t.value, depth + 1, w);
  }
}

Walk walk_file(const Bytes& f) {
  REQUIRE(f.size() == 2100);
  // DER objects, then 00 padding to the end of the file (parsers stop at 00 00).
  std::size_t off = 0;
  Bytes objects;
  while (off + 1 < f.size() && !(f[off] == 0 && f[off + 1] == 0)) {
    auto h = tlv::parse_first(ByteView(f).subview(off), tlv::Mode::Der);
    REQUIRE(h.ok());
    off += h->raw.size();
  }
  for (std::size_t i = off; i < f.size(); ++i) REQUIRE(f[i] == 0);
  Walk w;
  w.der_size = off;
  walk(ByteView(f).first(off), 0, w);
  return w;
}

Bytes inflate(ByteView z, std::size_t expected) {
  Bytes out(expected);
  uLongf n = static_cast<uLongf>(expected);
  REQUIRE(uncompress(out.data(), &n, z.data(), static_cast<uLong>(z.size())) == Z_OK);
  REQUIRE(n == expected);
  return out;
}

std::uint32_t le32(ByteView b) {
  return static_cast<std::uint32_t>(b[0] | (b[1] << 8) | (b[2] << 16) |
                                    (static_cast<std::uint32_t>(b[3]) << 24));
}

crypto::Certificate cert_of(ByteView der_bytes) {
  auto c = crypto::Certificate::parse(der_bytes);
  REQUIRE_MESSAGE(c.ok(), c.error().to_string());
  return *c;
}

}  // namespace

TEST_CASE("CDF and PrKDF have the specimen's structure") {
  const Walk spec_cdf = walk_file(dnie::test::read_file(dnie::test::data_path("pki/CDF_ESPECIMEN.ber")));
  const Walk spec_prkdf = walk_file(dnie::test::read_file(dnie::test::data_path("pki/PRKDF_ESPECIMEN.ber")));
  CHECK(spec_cdf.der_size == 1132);
  CHECK(spec_prkdf.der_size == 197);
  for (const std::string p : {"genuine", "r2"}) {
    CAPTURE(p);
    const CardImage& img = image(p);
    const Walk cdf = walk_file(file(img, {0x5015, 0x6004}));
    const Walk prkdf = walk_file(file(img, {0x5015, 0x6001}));
    CHECK(cdf.shape == spec_cdf.shape);
    CHECK(prkdf.shape == spec_prkdf.shape);
    CHECK(cdf.labels ==
          std::vector<std::string>{"CertAutenticacion", "CertFirmaDigital", "CertCAIntermediaDGP"});
    CHECK(prkdf.labels == std::vector<std::string>{"KprivAutenticacion", "KprivFirmaDigital"});
    CHECK(cdf.labels == spec_cdf.labels);
    CHECK(prkdf.labels == spec_prkdf.labels);
    REQUIRE(cdf.ids.size() == 3);
    REQUIRE(prkdf.ids.size() == 2);
    CHECK(cdf.ids[0][0] == 'A');
    CHECK(cdf.ids[1][0] == 'F');
    CHECK(cdf.ids[2][0] == 'S');
    CHECK(cdf.ids[0].substr(1) == cdf.ids[2].substr(1));
    CHECK(prkdf.ids[0] == cdf.ids[0]);
    CHECK(prkdf.ids[1] == cdf.ids[1]);
    CHECK(cdf.der_size < 2100);
  }
}

TEST_CASE("CDF certificate lengths and compressed certificate files") {
  const CardImage& img = image("genuine");
  const std::pair<std::uint16_t, const char*> files[] = {
      {0x7001, "auth-cert.der"}, {0x7002, "sign-cert.der"}, {0x7003, "dnie-ca.der"}};
  for (const auto& [fid, name] : files) {
    CAPTURE(fid);
    const Bytes& z = file(img, {0x6061, fid});
    REQUIRE(z.size() > 8);
    const std::uint32_t plain = le32(ByteView(z).first(4)), packed = le32(ByteView(z).subview(4, 4));
    CHECK(packed == z.size() - 8);
    Bytes der_bytes = inflate(ByteView(z).subview(8), plain);
    CHECK(der_bytes == img.extras.at(name));
    cert_of(der_bytes);
  }
  // The CDF lengths are the certificates' DER lengths.
  const std::string cdf = str(file(img, {0x5015, 0x6004}));
  for (const auto& [fid, name] : files) {
    Bytes pat = hex_bytes("0404 6061");
    append(pat, be_bytes(fid, 2));
    append(pat, hex_bytes("020100 8002"));
    append(pat, be_bytes(img.extras.at(name).size(), 2));
    CHECK(cdf.find(str(pat)) != std::string::npos);
  }
}

TEST_CASE("holder certificates: names, key usage, chain, matching private keys") {
  const CardImage& img = image("genuine");
  auto auth = cert_of(img.extras.at("auth-cert.der"));
  auto sign = cert_of(img.extras.at("sign-cert.der"));
  auto ca = cert_of(img.extras.at("dnie-ca.der"));
  auto root = cert_of(img.extras.at("dnie-root.der"));
  CHECK(auth.subject().get("CN") == "ESPAÑOLA ESPAÑOLA, CARMEN (AUTENTICACIÓN)");
  CHECK(sign.subject().get("CN") == "ESPAÑOLA ESPAÑOLA, CARMEN (FIRMA)");
  CHECK(auth.subject().get("serialNumber") == "99999999R");
  CHECK(auth.subject().get("SN") == "ESPAÑOLA ESPAÑOLA");
  CHECK(auth.subject().get("GN") == "CARMEN");
  CHECK(auth.issuer().to_string() == "C=ES, O=DIRECCION GENERAL DE LA POLICIA, OU=DNIE, CN=AC DNIE 001 TEST");
  CHECK(auth.key_usage() == std::optional<unsigned>(crypto::kDigitalSignature));
  CHECK(sign.key_usage() == std::optional<unsigned>(crypto::kNonRepudiation));
  CHECK(auth.public_key().rsa()->bits() == 2048);
  CHECK(auth.signature_algorithm().oid == "1.2.840.113549.1.1.11");
  CHECK(auth.verify_signed_by(ca.public_key()).ok());
  CHECK(sign.verify_signed_by(ca.public_key()).ok());
  CHECK(ca.verify_signed_by(root.public_key()).ok());
  CHECK(root.verify_signed_by(root.public_key()).ok());
  CHECK(ca.is_ca());
  CHECK_FALSE(auth.is_ca());
  // Private keys match the certificates.
  const Bytes digest = crypto::hash(crypto::HashAlg::Sha256, Bytes{1, 2, 3});
  for (const auto& [key, cert] :
       {std::make_pair(&img.auth_private_key, &auth), std::make_pair(&img.sign_private_key, &sign)}) {
    auto k = crypto::RsaPrivateKey::from_der(*key);
    REQUIRE(k.ok());
    auto s = k->sign_pkcs1_v15(crypto::HashAlg::Sha256, digest);
    REQUIRE(s.ok());
    CHECK(cert->public_key().rsa()->verify_pkcs1_v15(crypto::HashAlg::Sha256, digest, *s).ok());
  }
}

TEST_CASE("component chain: 601F ICC (RSA-1024) ← 6020 ← AC RAIZ COMPONENTES [2]") {
  for (const std::string p : {"r1", "r2"}) {
    CAPTURE(p);
    const CardImage& img = image(p);
    auto icc = cert_of(file(img, {0x601F}));
    auto inter = cert_of(file(img, {0x6020}));
    auto root = cert_of(img.extras.at("component-root.der"));
    CHECK(icc.public_key().rsa()->bits() == 1024);
    CHECK(icc.verify_signed_by(inter.public_key()).ok());
    CHECK(inter.verify_signed_by(root.public_key()).ok());
    const std::string issuer = inter.issuer().to_string();
    const bool r2 = std::string(p) == "r2";
    CHECK((issuer.find("AC RAIZ COMPONENTES 2") != std::string::npos) == r2);
    CHECK(issuer.find("AC RAIZ COMPONENTES") != std::string::npos);
    CHECK(icc.signature_algorithm().oid == (r2 ? "1.2.840.113549.1.1.11" : "1.2.840.113549.1.1.5"));
    auto k = crypto::RsaPrivateKey::from_der(img.icc_private_key);
    REQUIRE(k.ok());
    CHECK(k->public_key().modulus() == icc.public_key().rsa()->modulus());
  }
}

TEST_CASE("ODF and TokenInfo") {
  const CardImage& img = image("genuine");
  CHECK(file(img, {0x5015, 0x5031}) ==
        hex_bytes("A00A3008 04063F0050156001 A40A3008 04063F0050156004 A80A3008 04063F0050156000"));
  // AODF: one PIN object, authId 01 (the keys' PIN), as in the public DNIe dump.
  auto pin = der(file(img, {0x5015, 0x6000}));
  auto parts = children(pin.value);
  REQUIRE(parts.size() == 3);
  CHECK(str(children(parts[0].value)[0].value) == "PIN1");
  CHECK(to_hex(children(parts[1].value)[0].value) == "01");
  CHECK(to_hex(parts[2].value) == "301703030688400A0101020104020108020110800101040100");
  auto ti = children(der(file(img, {0x5015, 0x5032})).value);
  REQUIRE(ti.size() >= 3);
  CHECK(str(ti[2].value) == "DGP-FNMT");
  CHECK(ti[1].value == ByteView(img.chip_serial));  // the chip serial's bytes, as on the public dump
}
