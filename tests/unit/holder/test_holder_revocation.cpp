// SPDX-License-Identifier: Apache-2.0
// Revocation of the virtual card's holder certificates from files: CRLs and OCSP responses
// issued by the openssl command line over the TEST PKI — good, revoked (date and reason),
// unknown — and the answers an attacker or a broken server gives: a stale or not yet valid
// answer, a CRL or response signed by the wrong key, an unauthorised responder, an answer about
// another certificate, garbage. None of them may come out "good".
#include "holder_fixture.hpp"

using namespace dnie;
using namespace dnie::test;
using crypto::RevocationStatus;
using holder::CertificateVerdict;

namespace {

struct Rig {
  TestPki pki{"genuine", "rev"};
};

holder::CertificateValidation with_crl(TestPki& pki, const crypto::Certificate& cert, esign::KeyKind key,
                                       Bytes crl, std::int64_t now = 0) {
  auto o = pki.options();
  o.crls.push_back({"test.crl", std::move(crl)});
  o.now = now;
  return holder::validate_certificate(cert, key, o);
}

holder::CertificateValidation with_ocsp(TestPki& pki, const crypto::Certificate& cert, esign::KeyKind key,
                                        Bytes resp, std::int64_t now = 0) {
  auto o = pki.options();
  o.ocsp_responses.push_back({"test.ocsp", std::move(resp)});
  o.now = now;
  return holder::validate_certificate(cert, key, o);
}

}  // namespace

TEST_CASE("virtual card TEST PKI: trusted only on request") {
  TestPki pki("genuine", "optin");
  auto v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, {});
  INFO(holder::to_json(v));
  CHECK(v.report.status("chain.path") == icao::CheckStatus::Fail);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
  // The root offered as a TEST anchor, but no consent.
  auto o = pki.options();
  o.allow_test_roots = false;
  v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, o);
  CHECK(v.report.status("chain.path") == icao::CheckStatus::Fail);
  CHECK(v.report.find("chain.path")->reason.find("TEST root") != std::string::npos);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
  // Consent: the profile passes; revocation not checked keeps it from VALID.
  v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, pki.options());
  for (const char* id :
       {"chain.path", "chain.signatures", "chain.ca", "chain.validity", "validity", "key_usage",
        "extended_key_usage", "policy", "qc_statements", "critical_extensions", "basic_constraints"})
    CHECK_MESSAGE(v.report.status(id) == icao::CheckStatus::Pass, id << ": " << v.report.find(id)->reason);
  CHECK(v.test_anchor);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
  auto a = holder::validate_certificate(pki.auth, esign::KeyKind::Authentication, pki.options());
  CHECK(a.report.status("policy") == icao::CheckStatus::Pass);
  CHECK(a.report.status("key_usage") == icao::CheckStatus::Pass);
  CHECK(a.report.find("qc_statements") == nullptr);
  CHECK(holder::role_of(pki.auth) == esign::KeyKind::Authentication);
  CHECK(holder::role_of(pki.sign) == esign::KeyKind::Signing);
}

TEST_CASE("CRL: good, revoked with date and reason, stale, wrong key, wrong issuer, garbage") {
  if (!have_openssl()) {
    MESSAGE("openssl not found: skipped");
    return;
  }
  Rig r;
  TestPki& pki = r.pki;
  pki.set_index({{&pki.sign}, {&pki.auth}});
  auto v = with_crl(pki, pki.sign, esign::KeyKind::Signing, pki.crl());
  INFO(holder::to_json(v));
  CHECK(v.revocation.status == RevocationStatus::Good);
  CHECK(v.report.status("revocation.crl") == icao::CheckStatus::Pass);
  CHECK(v.verdict == CertificateVerdict::Valid);
  CHECK(v.reasons.empty());

  // Revoked an hour ago for key compromise.
  const std::int64_t when = clock_now() - 3600;
  pki.set_index({{&pki.sign, when, "keyCompromise"}, {&pki.auth}});
  const Bytes revoked_crl = pki.crl();
  v = with_crl(pki, pki.sign, esign::KeyKind::Signing, revoked_crl);
  CHECK(v.revocation.status == RevocationStatus::Revoked);
  REQUIRE(v.revocation.revocation_time);
  CHECK(*v.revocation.revocation_time == when);
  CHECK(v.revocation.revocation_reason == "keyCompromise");
  CHECK(v.report.status("revocation") == icao::CheckStatus::Fail);
  CHECK(v.verdict == CertificateVerdict::Revoked);
  // The same CRL says nothing against the authentication certificate.
  CHECK(with_crl(pki, pki.auth, esign::KeyKind::Authentication, revoked_crl).verdict ==
        CertificateVerdict::Valid);

  // Stale: nextUpdate passed. Not listed → unavailable; listed → still revoked (RFC 5280 §3.3).
  const std::string old = "-crl_lastupdate " + openssl_time(clock_now() - 10 * 86400) + " -crl_nextupdate " +
                          openssl_time(clock_now() - 3 * 86400);
  const Bytes stale_revoked = pki.crl(old);
  pki.set_index({{&pki.sign}, {&pki.auth}});
  const Bytes stale_good = pki.crl(old);
  v = with_crl(pki, pki.sign, esign::KeyKind::Signing, stale_good);
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("stale") != std::string::npos);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
  CHECK(with_crl(pki, pki.sign, esign::KeyKind::Signing, stale_revoked).verdict ==
        CertificateVerdict::Revoked);

  // Not yet valid (the verifier's clock is two days behind).
  v = with_crl(pki, pki.sign, esign::KeyKind::Signing, pki.crl(), clock_now() - 2 * 86400);
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("not yet valid") != std::string::npos);

  // Signed by an impostor with the CA's name but another key.
  pki.make_responder("impostor", "", true,
                     "/C=ES/O=DIRECCION GENERAL DE LA POLICIA/OU=DNIE/CN=AC DNIE 001 TEST");
  v = with_crl(pki, pki.sign, esign::KeyKind::Signing, pki.crl({}, "impostor.key", "impostor.pem"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("signature does not verify") != std::string::npos);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);

  // A CRL of another issuer (a responder certificate playing CA).
  pki.make_responder("other", "", true, "/C=ES/O=TEST/CN=SOME OTHER CA");
  v = with_crl(pki, pki.sign, esign::KeyKind::Signing, pki.crl({}, "other.key", "other.pem"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("not by the certificate's issuer") != std::string::npos);

  v = with_crl(pki, pki.sign, esign::KeyKind::Signing, hex_bytes("30030201"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("does not parse") != std::string::npos);

  // A good CRL and an unparsable one: the good one decides; each is listed.
  auto o = pki.options();
  o.crls.push_back({"junk.crl", hex_bytes("00")});
  o.crls.push_back({"good.crl", pki.crl()});
  v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, o);
  CHECK(v.revocation.status == RevocationStatus::Good);
  CHECK(v.revocation_sources.size() == 2);
  CHECK(v.revocation.source == "CRL good.crl");
}

TEST_CASE("OCSP response files: good, revoked, unknown, delegated, unauthorised, stale, wrong certificate") {
  if (!have_openssl()) {
    MESSAGE("openssl not found: skipped");
    return;
  }
  Rig r;
  TestPki& pki = r.pki;
  pki.set_index({{&pki.sign}, {&pki.auth}});
  auto v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, pki.ocsp_file("sign.pem"));
  INFO(holder::to_json(v));
  CHECK(v.revocation.status == RevocationStatus::Good);
  CHECK(v.revocation.responder.find("the issuing CA") == 0);
  CHECK_FALSE(v.revocation.delegated_responder);
  CHECK(v.verdict == CertificateVerdict::Valid);
  const Bytes good_for_sign = pki.ocsp_file("sign.pem");

  const std::int64_t when = clock_now() - 7200;
  pki.set_index({{&pki.sign, when, "cessationOfOperation"}, {&pki.auth}});
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, pki.ocsp_file("sign.pem"));
  CHECK(v.revocation.status == RevocationStatus::Revoked);
  CHECK(v.revocation.revocation_reason == "cessationOfOperation");
  REQUIRE(v.revocation.revocation_time);
  CHECK(*v.revocation.revocation_time == when);
  CHECK(v.verdict == CertificateVerdict::Revoked);

  // Not in the responder's index: "unknown", reported as such, never good.
  pki.set_index({{&pki.auth}});
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, pki.ocsp_file("sign.pem"));
  CHECK(v.revocation.status == RevocationStatus::Unknown);
  CHECK(v.revocation_label() == "unknown");
  CHECK(v.report.status("revocation") == icao::CheckStatus::Fail);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);

  // A delegated responder (id-kp-OCSPSigning, issued by the CA) is authorised...
  pki.set_index({{&pki.sign}, {&pki.auth}});
  pki.make_responder("delegated", "ocsp");
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing,
                pki.ocsp_file("sign.pem", "delegated.pem", "delegated.key"));
  CHECK(v.revocation.status == RevocationStatus::Good);
  CHECK(v.revocation.delegated_responder);
  CHECK(v.verdict == CertificateVerdict::Valid);
  // ...one issued by the CA without it is not...
  pki.make_responder("plain", "plain");
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, pki.ocsp_file("sign.pem", "plain.pem", "plain.key"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("lacks id-kp-OCSPSigning") != std::string::npos);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
  // ...nor a self-signed one that merely claims to be a responder.
  pki.make_responder("rogue", "", true);
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, pki.ocsp_file("sign.pem", "rogue.pem", "rogue.key"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("not certified by") != std::string::npos);
  // An impostor with the CA's name: with its certificate included it is not the CA's key; without
  // it, the CA's key does not verify its signature.
  pki.make_responder("impostor", "", true,
                     "/C=ES/O=DIRECCION GENERAL DE LA POLICIA/OU=DNIE/CN=AC DNIE 001 TEST");
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing,
                pki.ocsp_file("sign.pem", "impostor.pem", "impostor.key"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing,
                pki.ocsp_file("sign.pem", "impostor.pem", "impostor.key", "-ndays 1 -resp_no_certs"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("signature does not verify") != std::string::npos);

  // Stale (nextUpdate one day on, checked three days on) and not yet valid.
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, good_for_sign, clock_now() + 3 * 86400);
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("stale") != std::string::npos);
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, good_for_sign, clock_now() - 86400);
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("not yet valid") != std::string::npos);

  // A good answer about the signing certificate says nothing about the authentication one.
  v = with_ocsp(pki, pki.auth, esign::KeyKind::Authentication, good_for_sign);
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("another certificate") != std::string::npos);

  // Garbage, and a responder error status (tryLater: 30 03 0A 01 03).
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, hex_bytes("3000"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  v = with_ocsp(pki, pki.sign, esign::KeyKind::Signing, hex_bytes("30030A0103"));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("trylater") != std::string::npos);
}

TEST_CASE("expired profile: the holder certificates are EXPIRED even with a good CRL") {
  if (!have_openssl()) {
    MESSAGE("openssl not found: skipped");
    return;
  }
  TestPki pki("expired", "expired");
  pki.set_index({{&pki.sign}, {&pki.auth}});
  auto v = with_crl(pki, pki.sign, esign::KeyKind::Signing, pki.crl());
  INFO(holder::to_json(v));
  CHECK(v.report.status("validity") == icao::CheckStatus::Fail);
  CHECK(v.report.find("validity")->reason.find("expired") == 0);
  CHECK(v.verdict == CertificateVerdict::Expired);
  // At a time inside its validity it is VALID (the CRL is current now).
  auto o = pki.options();
  o.crls.push_back({"test.crl", pki.crl()});
  o.at = pki.sign.not_before() + 86400;
  CHECK(holder::validate_certificate(pki.sign, esign::KeyKind::Signing, o).verdict ==
        CertificateVerdict::Valid);
}
