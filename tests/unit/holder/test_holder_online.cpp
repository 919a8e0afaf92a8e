// SPDX-License-Identifier: Apache-2.0
// Online OCSP without the internet: `openssl ocsp` serves the TEST PKI's index on a free port
// and the SDK's libcurl client asks it (the certificate names http://ocsp.dnie.test; the test's
// HttpPost sends the request to the local responder instead). Good and revoked answers with the
// nonce echoed; a replayed answer (another nonce), a responder that accepts and never answers
// (timeout), nobody listening, an answer over the size limit — all "unavailable", never good.
#include <chrono>

#include "holder_fixture.hpp"

using namespace dnie;
using namespace dnie::test;
using crypto::RevocationStatus;
using holder::CertificateVerdict;

namespace {

holder::ValidationOptions online(TestPki& pki, Redirect& r) {
  auto o = pki.options();
  o.online = true;
  o.http_post = r.post();
  return o;
}

}  // namespace

TEST_CASE("online OCSP against a local openssl responder: good, revoked, nonce, replay") {
  if (!have_openssl()) {
    MESSAGE("openssl not found: skipped");
    return;
  }
  TestPki pki("genuine", "online");
  pki.set_index({{&pki.sign}, {&pki.auth}});
  OcspResponder responder(pki);
  Redirect r{responder.url(), {}};
  auto v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, online(pki, r));
  INFO(holder::to_json(v));
  REQUIRE(r.asked.size() == 1);
  CHECK(r.asked[0] == "http://ocsp.dnie.test");  // the AIA of the TEST certificates
  CHECK(v.revocation.status == RevocationStatus::Good);
  CHECK(v.revocation.source == "OCSP http://ocsp.dnie.test");
  REQUIRE(v.revocation.nonce_echoed);
  CHECK(*v.revocation.nonce_echoed);
  CHECK(v.report.status("revocation.ocsp_online") == icao::CheckStatus::Pass);
  CHECK(v.verdict == CertificateVerdict::Valid);

  // Capture one answer, then replay it for a new request: its nonce is the old one.
  Bytes recorded;
  auto o = online(pki, r);
  o.http_post = [&](const std::string&, std::string_view ct, ByteView body, const holder::HttpLimits& l) {
    auto got = holder::curl_http_post(responder.url(), ct, body, l);
    if (got) recorded = *got;
    return got;
  };
  REQUIRE(holder::validate_certificate(pki.sign, esign::KeyKind::Signing, o).verdict ==
          CertificateVerdict::Valid);
  REQUIRE_FALSE(recorded.empty());
  o.http_post = [&](const std::string&, std::string_view, ByteView,
                    const holder::HttpLimits&) -> Result<Bytes> { return recorded; };
  v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, o);
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.revocation.detail.find("nonce") != std::string::npos);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
  // Without a nonce in the request the same bytes are a current, good answer.
  o.ocsp_nonce = false;
  CHECK(holder::validate_certificate(pki.sign, esign::KeyKind::Signing, o).revocation.status ==
        RevocationStatus::Good);

  // Revoked: a responder started on the new index.
  pki.set_index({{&pki.sign, clock_now() - 600, "keyCompromise"}, {&pki.auth}});
  OcspResponder again(pki);
  Redirect r2{again.url(), {}};
  v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, online(pki, r2));
  CHECK(v.revocation.status == RevocationStatus::Revoked);
  CHECK(v.revocation.revocation_reason == "keyCompromise");
  CHECK(v.verdict == CertificateVerdict::Revoked);
  // The authentication certificate is still good.
  CHECK(holder::validate_certificate(pki.auth, esign::KeyKind::Authentication, online(pki, r2)).verdict ==
        CertificateVerdict::Valid);
}

TEST_CASE("online OCSP: a responder signing with a key the CA never certified") {
  if (!have_openssl()) {
    MESSAGE("openssl not found: skipped");
    return;
  }
  TestPki pki("genuine", "rogue");
  pki.set_index({{&pki.sign}, {&pki.auth}});
  pki.make_responder("rogue", "", true,
                     "/C=ES/O=DIRECCION GENERAL DE LA POLICIA/OU=DNIE/CN=AC DNIE 001 TEST");
  OcspResponder responder(pki, "rogue.pem", "rogue.key");
  Redirect r{responder.url(), {}};
  auto v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, online(pki, r));
  INFO(holder::to_json(v));
  CHECK(v.revocation.status == RevocationStatus::Unavailable);
  CHECK(v.verdict == CertificateVerdict::CannotVerify);
}

TEST_CASE("online OCSP: no answer in time, nobody listening, an answer too large") {
  TestPki pki("genuine", "down");
  {
    SilentServer silent;
    Redirect r{"http://127.0.0.1:" + std::to_string(silent.port()) + "/", {}};
    auto o = online(pki, r);
    o.http.timeout_ms = 700;
    const auto t0 = std::chrono::steady_clock::now();
    auto v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, o);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    INFO(holder::to_json(v));
    CHECK(v.revocation.status == RevocationStatus::Unavailable);
    CHECK(v.revocation.detail.find("no answer within 700 ms") != std::string::npos);
    CHECK(v.report.status("revocation.ocsp_online") == icao::CheckStatus::NotPerformed);
    CHECK(v.verdict == CertificateVerdict::CannotVerify);
    CHECK(ms < 3000);
    MESSAGE("timeout reported after " << ms << " ms");
  }
  {
    const int port = free_port();  // released: nobody listens there
    Redirect r{"http://127.0.0.1:" + std::to_string(port) + "/", {}};
    auto v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, online(pki, r));
    CHECK(v.revocation.status == RevocationStatus::Unavailable);
    CHECK(v.revocation.detail.find("no answer from http://ocsp.dnie.test") == 0);
    CHECK(v.verdict == CertificateVerdict::CannotVerify);
  }
  if (have_openssl()) {
    pki.set_index({{&pki.sign}});
    OcspResponder responder(pki);
    Redirect r{responder.url(), {}};
    auto o = online(pki, r);
    o.http.max_response_bytes = 100;
    auto v = holder::validate_certificate(pki.sign, esign::KeyKind::Signing, o);
    CHECK(v.revocation.status == RevocationStatus::Unavailable);
    CHECK(v.revocation.detail.find("larger than 100 bytes") != std::string::npos);
  }
  // Only http(s) URLs are fetched.
  auto bad = holder::curl_http_post("file:///etc/passwd", "application/ocsp-request", {}, {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::InvalidArgument);
}
