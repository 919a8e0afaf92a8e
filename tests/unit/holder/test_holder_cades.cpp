// SPDX-License-Identifier: Apache-2.0
// CAdES-BES with the virtual DNIe: the card signs the signed attributes with either key; the
// result is checked by `openssl cms -verify` and NSS `cmsutil -D` against the card's TEST chain
// (implementations nobody here wrote), and by the SDK's own verify_cades() with a CRL. The
// summary shown before the PIN costs no PIN try; a changed document or signature is refused.
#include <cstdlib>

#include "dnie/holder/signing.hpp"

#include "../esign_e2e/esign_e2e_fixture.hpp"
#include "holder_fixture.hpp"

using namespace dnie;
using namespace dnie::test;
using holder::CertificateVerdict;

namespace {

const Bytes kDoc =
    ByteView::of("Contrato de arrendamiento — firmado con el DNIe (CAdES-BES test)\n").to_bytes();

bool have_cmsutil() {
  return std::system("command -v cmsutil >/dev/null 2>&1 && command -v certutil >/dev/null") == 0;
}

// openssl cms -verify of a detached DER signature with the TEST root as the only anchor.
int openssl_verify(const TestPki& pki, const std::string& sig, const std::string& data) {
  return sh("openssl cms -verify -binary -inform DER -in " + sig + " -content " + data + " -CAfile " +
                pki.p("root.pem") + " -out /dev/null",
            pki.log());
}

// NSS: a fresh database trusting the TEST root, then cmsutil -D on the detached signature.
std::string nss_verify(const TestPki& pki, const std::string& sig, const std::string& data) {
  const std::string db = pki.p("nssdb"), out = pki.p("cmsutil.out");
  fs::create_directories(db);
  if (!fs::exists(pki.dir / "nssdb" / "cert9.db"))
    REQUIRE(sh("certutil -N -d sql:" + db + " --empty-password && certutil -A -d sql:" + db +
                   " -n 'DNIE TEST ROOT' -t C,C,C -i " + pki.p("root.pem"),
               pki.log()) == 0);
  sh("cmsutil -D -n -h 1 -d sql:" + db + " -i " + sig + " -c " + data + " -u 4 > " + out + " 2>&1",
     pki.log());
  return slurp(out);
}

}  // namespace

TEST_CASE("CAdES-BES with the signing and authentication keys, verified by openssl, NSS and the SDK") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE_MESSAGE(card.ok(), card.error().to_string());
  TestPki pki("genuine", "cades");
  const auto content = holder::digest_data(kDoc);
  write_file(pki.dir / "doc.txt", kDoc);

  // Before the PIN: what, and with which certificate; no try spent.
  auto tries = card->tries_left();
  REQUIRE(tries.ok());
  auto preview = holder::preview_signature(*card, esign::KeyKind::Signing, content);
  REQUIRE_MESSAGE(preview.ok(), preview.error().to_string());
  CHECK(preview->dni == "99999999R");
  CHECK(preview->holder.find("(FIRMA)") != std::string::npos);
  CHECK(preview->issuer.find("AC DNIE 001 TEST") != std::string::npos);
  CHECK(preview->valid_now);
  CHECK(preview->revocation == "not_checked");
  CHECK(preview->content.size == kDoc.size());
  for (const auto& l : preview->lines()) MESSAGE(l);
  CHECK(card->tries_left().value() == *tries);

  const std::int64_t t = clock_now() - 60;
  for (auto key : {esign::KeyKind::Signing, esign::KeyKind::Authentication}) {
    const std::string name = key == esign::KeyKind::Signing ? "sign" : "auth";
    INFO(name);
    holder::CadesOptions co;
    co.signing_time = t;
    co.extra_chain.push_back(pki.root);
    auto bound = holder::cades_size_bound(*card, key, co);
    REQUIRE(bound.ok());
    auto cms = holder::sign_cades(*card, key, content, pin_of("12345678"), co);
    REQUIRE_MESSAGE(cms.ok(), cms.error().to_string());
    CHECK(cms->size() <= *bound);
    const std::string sig = pki.p(name + ".p7s");
    write_file(sig, *cms);

    // The SDK's parse: one signer, the card's certificate, the claimed time, CAdES attributes.
    auto parsed = crypto::CmsSignature::parse(*cms);
    REQUIRE(parsed.ok());
    CHECK(parsed->signer().der() == (key == esign::KeyKind::Signing ? pki.sign.der() : pki.auth.der()));
    CHECK(parsed->detached());
    CHECK(parsed->signing_time() == t);
    CHECK(parsed->has_signing_certificate_attribute());
    CHECK(parsed->certificates().size() == 3);  // holder, TEST CA (from the card), TEST root

    if (have_openssl()) {
      const int rc = openssl_verify(pki, sig, pki.p("doc.txt"));
      const std::string log = slurp(pki.log());
      CHECK_MESSAGE(rc == 0, log);
      // ESS signing-certificate-v2 and the attributes as openssl reads them.
      REQUIRE(sh("openssl cms -cmsout -print -inform DER -in " + sig + " > " + pki.p(name + ".txt"),
                 pki.log()) == 0);
      const std::string dump = slurp(pki.p(name + ".txt"));
      CHECK(dump.find("id-smime-aa-signingCertificateV2") != std::string::npos);
      CHECK(dump.find("signingTime") != std::string::npos);
      CHECK(dump.find("messageDigest") != std::string::npos);
      CHECK(dump.find("eContent: <ABSENT>") != std::string::npos);
      // A changed document does not verify.
      Bytes other = kDoc;
      other[0] ^= 0x20;
      write_file(pki.dir / "other.txt", other);
      CHECK(openssl_verify(pki, sig, pki.p("other.txt")) != 0);
    }
    if (have_cmsutil()) {
      const std::string out = nss_verify(pki, sig, pki.p("doc.txt"));
      INFO(out);
      CHECK(out.find("signer0.status=GoodSignature") != std::string::npos);
      if (fs::exists(pki.dir / "other.txt")) {
        const std::string bad = nss_verify(pki, sig, pki.p("other.txt"));
        INFO(bad);
        CHECK(bad.find("signer0.status=DigestMismatch") != std::string::npos);
      }
    } else {
      MESSAGE("NSS cmsutil not found: NSS verification skipped (tools/bootstrap.sh installs libnss3-tools)");
    }

    // The SDK: VALID with a current CRL of the TEST CA; the role is read from the certificate.
    if (have_openssl()) {
      pki.set_index({{&pki.sign}, {&pki.auth}});
      auto o = pki.options();
      o.crls.push_back({"test.crl", pki.crl()});
      auto v = holder::verify_cades(*cms, &content, {}, o);
      INFO(v.to_json());
      CHECK(v.report.status("cms.message_digest") == icao::CheckStatus::Pass);
      CHECK(v.report.status("cms.signature") == icao::CheckStatus::Pass);
      CHECK(v.report.status("cms.signing_certificate") == icao::CheckStatus::Pass);
      REQUIRE(v.signer);
      CHECK(v.signer->key == key);
      CHECK(v.signer->at == t);
      CHECK(v.verdict == CertificateVerdict::Valid);
      // From the file, hashed by the SDK.
      CHECK(holder::verify_cades(*cms, nullptr, pki.p("doc.txt"), o).verdict == CertificateVerdict::Valid);
      // Another document: INVALID, whatever the certificate.
      const auto wrong = holder::digest_data(ByteView::of("otro documento"));
      auto bad = holder::verify_cades(*cms, &wrong, {}, o);
      CHECK(bad.report.status("cms.message_digest") == icao::CheckStatus::Fail);
      CHECK(bad.verdict == CertificateVerdict::Invalid);
      // No content at all: CANNOT VERIFY.
      CHECK(holder::verify_cades(*cms, nullptr, {}, o).verdict == CertificateVerdict::CannotVerify);
    }
  }
}

TEST_CASE("CAdES: a flipped signature byte, a wrong digest size and a wrong PIN") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE(card.ok());
  const auto content = holder::digest_data(kDoc);
  auto cms = holder::sign_cades(*card, esign::KeyKind::Signing, content, pin_of("12345678"));
  REQUIRE_MESSAGE(cms.ok(), cms.error().to_string());
  // The signature value is the last 256 bytes of the SignerInfo, which ends the DER.
  Bytes broken = *cms;
  broken[broken.size() - 5] ^= 0x01;
  TestPki pki("genuine", "cades-bad");
  auto v = holder::verify_cades(broken, &content, {}, pki.options());
  CHECK(v.report.status("cms.signature") == icao::CheckStatus::Fail);
  CHECK(v.verdict == CertificateVerdict::Invalid);

  // Refused before the PIN is used: the tries stay as they were.
  const int before = card->tries_left().value();
  holder::ContentDigest shortd = content;
  shortd.digest.pop_back();
  auto r = holder::sign_cades(*card, esign::KeyKind::Signing, shortd, pin_of("12345678"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::InvalidArgument);
  holder::ContentDigest sha1 = holder::digest_data(kDoc, crypto::HashAlg::Sha1);
  CHECK(holder::sign_cades(*card, esign::KeyKind::Signing, sha1, pin_of("12345678")).error().code ==
        ErrorCode::InvalidArgument);
  CHECK(card->tries_left().value() == before);
  auto wrong = holder::sign_cades(*card, esign::KeyKind::Signing, content, pin_of("87654321"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::WrongPin);
  CHECK(card->tries_left().value() == before - 1);
  // The right PIN resets the counter.
  REQUIRE(holder::sign_cades(*card, esign::KeyKind::Signing, content, pin_of("12345678")).ok());
  CHECK(card->tries_left().value() == before);
}

TEST_CASE("validate_card_certificates: both certificates read from the card, CA certificate from the card") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE(card.ok());
  holder::ValidationOptions o;
  auto root = crypto::Certificate::parse(rig.card->image().extras.at("dnie-root.der"));
  REQUIRE(root.ok());
  o.extra.push_back({*root, "virtual card TEST root", true, true});
  o.allow_test_roots = true;
  o.expected_dni = {{"DG13", "99999999R"}};
  auto all = holder::validate_card_certificates(*card, o);
  REQUIRE_MESSAGE(all.ok(), all.error().to_string());
  REQUIRE(all->size() == 2);
  for (const auto& v : *all) {
    INFO(holder::to_json(v));
    CHECK(v.report.status("chain.path") == icao::CheckStatus::Pass);
    CHECK(v.report.status("holder.dni") == icao::CheckStatus::Pass);
    CHECK(v.verdict == CertificateVerdict::CannotVerify);  // revocation not checked
  }
  CHECK((*all)[0].key == esign::KeyKind::Authentication);
  CHECK((*all)[1].key == esign::KeyKind::Signing);
  const std::string json = holder::to_json(*all);
  CHECK(json.rfind("{\"verdict\":\"CANNOT VERIFY\",\"certificates\":[", 0) == 0);
  CHECK(nlohmann::json::parse(json)["certificates"][1]["revocation"]["status"] == "not_checked");
}
