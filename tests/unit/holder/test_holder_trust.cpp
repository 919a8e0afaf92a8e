// SPDX-License-Identifier: Apache-2.0
// The DNIe holder PKI shipped with the SDK (src/holder/trust, docs/relying-parties.md): every
// embedded file has the SHA-256 its provenance gives, parses, and links up as published; the
// specimen signing certificate validates against AC DNIE 001 ← AC RAIZ DNIE at a time inside
// its validity, and fails the checks it should fail otherwise.
#include <algorithm>
#include <cctype>
#include <map>

#include "dnie/bytes/asn1.hpp"
#include "dnie/holder/validation.hpp"

#include "test_support.hpp"

using namespace dnie;
using holder::CertificateVerdict;

namespace {

// docs/relying-parties.md "Trust anchors shipped": SHA-256 of the DER, two sources each.
const std::map<std::string, std::string> kFingerprints = {
    {"AC_RAIZ_DNIE_2.pem", "c5c380eb9240fb36a16e15f5d6bad0bf611f6d03f0ef24229919e7d2d8126c11"},
    {"AC_DNIE_004.pem", "ebae99303045630764dc5cf9d5af9dc009354d8729c407b6bf9a136208046f6c"},
    {"AC_DNIE_005.pem", "828a22ff05932483c9e8d252399ba115a57da75869d204422951ffa14c8ee828"},
    {"AC_DNIE_006.pem", "eda47e8a12d7e8a72721c220069807523e746b48c2441443177b5fbc58103bbd"},
    {"AC_RAIZ_DNIE_SHA2.pem", "f5792110817a86d4fe244ac2a8b10b5b0bf4ce8626661ab984470a87879830f5"},
    {"AC_DNIE_001_SHA2.pem", "1bb2b77267f92cd8e63e0a05a39fd9d51ad7b38a4fa0f35ccc78ea0fdabd8ac5"},
    {"AC_DNIE_001_SHA1.pem", "a810c33ccbdb953ea39c5a21080516d808a860396aa1f6873bddfbf1c080f722"},
    {"AC_DNIE_002_SHA2.pem", "8107be4d92577bc33a98233d6d2081c2b12fdf6670142995e3c4bba1942ea21f"},
    {"AC_DNIE_002_SHA1.pem", "053a0d2a8694a8a916c85b9147246b876c67c4a5e084bc90986e64a98f854e9a"},
    {"AC_DNIE_003_SHA2.pem", "f6129dc0ba4e23dc6371e08be0cb7c8bb1457e080bf6d2c6af03f5949dea548a"},
    {"AC_DNIE_003_SHA1.pem", "c4506d72467b4b304b0279ea6c5b12a41dc58d8cbcc102586043a42bc626e66b"},
};

std::int64_t utc(int y, unsigned m, unsigned d) { return asn1::days_from_civil(y, m, d) * 86400 + 12 * 3600; }

crypto::Certificate specimen() {
  auto c =
      crypto::Certificate::parse(test::read_file(test::data_path("pki/DNIE_ESPECIMEN_signing_cert.cer")));
  REQUIRE(c.ok());
  return std::move(c).value();
}

const icao::Check& check(const holder::CertificateValidation& v, std::string_view id) {
  const icao::Check* c = v.report.find(id);
  REQUIRE_MESSAGE(c != nullptr, "no check " << id);
  return *c;
}

std::string dump(const holder::CertificateValidation& v) { return holder::to_json(v); }

}  // namespace

TEST_CASE("embedded trust files: the published SHA-256 fingerprints, nothing more, nothing less") {
  const auto files = holder::embedded_trust_files();
  CHECK(files.size() == kFingerprints.size());
  for (const auto& f : files) {
    INFO(f.name);
    auto it = kFingerprints.find(f.name);
    REQUIRE(it != kFingerprints.end());
    auto c = crypto::Certificate::parse_any(ByteView::of(f.pem));
    REQUIRE(c.ok());
    std::string fp = c->fingerprint_sha256();
    for (char& ch : fp) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(fp == it->second);
    CHECK(c->is_ca());
    CHECK(c->unrecognised_critical_extensions().empty());
  }
}

TEST_CASE("built-in trust: two anchors, nine intermediates, each signed as published") {
  const auto& t = holder::HolderTrust::builtin();
  REQUIRE(t.certificates().size() == kFingerprints.size());
  int anchors = 0;
  for (const auto& c : t.certificates()) {
    INFO(c.source);
    if (c.anchor) {
      ++anchors;
      CHECK(c.certificate.subject() == c.certificate.issuer());
      CHECK(c.certificate.verify_signed_by(c.certificate.public_key()).ok());
      continue;
    }
    auto up = t.issuers_of(c.certificate);
    REQUIRE(up.size() == 1);
    CHECK(up.front()->anchor);
    CHECK(c.certificate.verify_signed_by(up.front()->certificate.public_key()).ok());
    const std::string root = up.front()->certificate.subject().get("CN");
    const std::string cn = c.certificate.subject().get("CN");
    CHECK(root == (cn >= std::string("AC DNIE 004") ? "AC RAIZ DNIE 2" : "AC RAIZ DNIE"));
  }
  CHECK(anchors == 2);
}

TEST_CASE("specimen signing certificate: VALID profile at 2019-06-01 (revocation aside)") {
  holder::ValidationOptions o;
  o.at = utc(2019, 6, 1);
  o.expected_dni = {{"DG13", "99999002Q"}, {"DG1", "99999002Q"}};
  const auto v = holder::validate_certificate(specimen(), esign::KeyKind::Signing, o);
  INFO(dump(v));
  for (const char* id :
       {"chain.path", "chain.signatures", "chain.ca", "chain.validity", "validity", "basic_constraints",
        "critical_extensions", "key_usage", "extended_key_usage", "policy", "qc_statements", "holder.dni"})
    CHECK_MESSAGE(check(v, id).status == icao::CheckStatus::Pass, id << ": " << check(v, id).reason);
  REQUIRE(v.path.size() == 2);
  CHECK(v.path[0].subject().get("CN") == "AC DNIE 001");
  CHECK(v.path[1].subject().get("CN") == "AC RAIZ DNIE");
  CHECK(v.anchor == "AC_RAIZ_DNIE_SHA2.pem (built-in)");
  CHECK_FALSE(v.test_anchor);
  // Nothing said about revocation: never VALID, the reason says why.
  CHECK(check(v, "revocation").status == icao::CheckStatus::NotPerformed);
  CHECK(v.revocation_label() == "not_checked");
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
  REQUIRE(v.reasons.size() == 1);
  CHECK(v.reasons[0].find("not checked") != std::string::npos);
}

TEST_CASE("specimen signing certificate: EXPIRED now, INVALID as an authentication certificate") {
  holder::ValidationOptions o;
  o.at = utc(2026, 1, 1);
  auto v = holder::validate_certificate(specimen(), esign::KeyKind::Signing, o);
  CHECK(check(v, "validity").status == icao::CheckStatus::Fail);
  CHECK(check(v, "chain.validity").status == icao::CheckStatus::Fail);  // AC DNIE 001 ended 2021-02-26
  CHECK(v.verdict == CertificateVerdict::Expired);

  o.at = utc(2019, 6, 1);
  v = holder::validate_certificate(specimen(), esign::KeyKind::Authentication, o);
  CHECK(check(v, "key_usage").status == icao::CheckStatus::Fail);
  CHECK(check(v, "policy").status == icao::CheckStatus::Fail);
  CHECK(check(v, "policy").reason.find("other DNIe key") != std::string::npos);
  CHECK(v.report.find("qc_statements") == nullptr);
  CHECK(v.verdict == CertificateVerdict::Invalid);
  CHECK(holder::role_of(specimen()) == esign::KeyKind::Signing);
}

TEST_CASE("attacks on the chain: another DNI, a flipped signature bit, an unknown issuer") {
  holder::ValidationOptions o;
  o.at = utc(2019, 6, 1);
  o.expected_dni = {{"DG13", "12345678Z"}};
  auto v = holder::validate_certificate(specimen(), esign::KeyKind::Signing, o);
  CHECK(check(v, "holder.dni").status == icao::CheckStatus::Fail);
  CHECK(v.verdict == CertificateVerdict::Invalid);

  // One bit of the signature: AC DNIE 001 no longer vouches for it.
  Bytes der = specimen().der();
  der[der.size() - 10] ^= 0x01;
  auto forged = crypto::Certificate::parse(der);
  REQUIRE(forged.ok());
  o.expected_dni.clear();
  v = holder::validate_certificate(*forged, esign::KeyKind::Signing, o);
  CHECK(check(v, "chain.signatures").status == icao::CheckStatus::Fail);
  CHECK(check(v, "chain.path").status == icao::CheckStatus::Fail);
  CHECK(v.path.empty());
  CHECK(v.verdict == CertificateVerdict::Invalid);

  // With an empty trust set nothing issued it: CANNOT VERIFY, not INVALID.
  holder::HolderTrust none;
  o.trust = &none;
  v = holder::validate_certificate(specimen(), esign::KeyKind::Signing, o);
  CHECK(check(v, "chain.path").status == icao::CheckStatus::Fail);
  CHECK(check(v, "chain.signatures").status == icao::CheckStatus::NotPerformed);
  CHECK(check(v, "revocation").status == icao::CheckStatus::NotPerformed);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);

  // An intermediate given by the caller is a link, never an anchor.
  const auto& builtin = holder::HolderTrust::builtin();
  for (const auto& c : builtin.certificates())
    if (c.certificate.subject().get("CN") == "AC DNIE 001")
      o.extra.push_back({c.certificate, "given", false, false});
  v = holder::validate_certificate(specimen(), esign::KeyKind::Signing, o);
  CHECK(check(v, "chain.path").status == icao::CheckStatus::Fail);
  CHECK(check(v, "chain.path").reason.find("not known") != std::string::npos);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
}

TEST_CASE("extension parsers: policies, QC statements, AIA, the DNI") {
  const auto c = specimen();
  auto p = holder::parse_certificate_policies(c.extension("2.5.29.32")->value);
  REQUIRE(p.ok());
  CHECK(*p == std::vector<std::string>{"2.16.724.1.2.2.2.3"});
  auto q = holder::parse_qc_statements(c.extension("1.3.6.1.5.5.7.1.3")->value);
  REQUIRE(q.ok());
  CHECK(*q == std::vector<std::string>{"0.4.0.1862.1.1", "0.4.0.1862.1.4"});
  auto ocsp = holder::parse_aia_uris(c.extension("1.3.6.1.5.5.7.1.1")->value, "1.3.6.1.5.5.7.48.1");
  REQUIRE(ocsp.ok());
  CHECK(*ocsp == std::vector<std::string>{"http://ocsp.dnie.es"});
  CHECK(holder::certificate_dni(c) == "99999002Q");
  // Broken DER is an error, never "absent".
  CHECK_FALSE(holder::parse_certificate_policies(hex_bytes("3003060100")).ok());
  CHECK_FALSE(holder::parse_certificate_policies(hex_bytes("3000")).ok());
  CHECK_FALSE(holder::parse_aia_uris(hex_bytes("3008300606000601"), "1.3.6.1.5.5.7.48.1").ok());
}

TEST_CASE("holder checks copied into a document report never decide the document's verdict") {
  CHECK(icao::classify_check("holder.signing.revocation") == icao::CheckClass::Info);
  CHECK(icao::classify_check("holder.authentication.chain.signatures") == icao::CheckClass::Info);
  icao::VerificationReport r;
  r.fail("holder.signing.revocation", "revoked", "keyCompromise");
  const auto a = r.assessment();
  const bool decided =
      std::find(a.deciding.begin(), a.deciding.end(), "holder.signing.revocation") != a.deciding.end();
  CHECK_FALSE(decided);
  CHECK(a.authenticity != icao::Authenticity::NotGenuine);
}
