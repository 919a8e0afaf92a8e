// SPDX-License-Identifier: Apache-2.0
// The C API of the holder layer against the virtual DNIe: certificate validation with a CRL and
// an OCSP response from the openssl command line, the opt-in for the TEST root, the DNI from the
// document, the JSON report (and dnie_last_report after a short buffer), the pre-PIN summary,
// dnie_sign_cms verified by openssl and by dnie_verify_cms, and file certificates.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dnie/c/dnie.h"

#include "../holder/holder_fixture.hpp"

using namespace dnie;
using namespace dnie::test;

namespace {

struct Handle {
  dnie_session* s = nullptr;
  ~Handle() { dnie_session_close(s); }
};

// Runs a report-producing call once as a size query, then takes the report it kept
// (dnie_last_report: an online validation is not repeated) and parses the JSON.
template <class F>
nlohmann::json report(F&& call) {
  size_t n = 0;
  REQUIRE_MESSAGE(call(nullptr, &n) == DNIE_OK, dnie_last_error_message());
  std::string text(n, '\0');
  REQUIRE(dnie_last_report(text.data(), &n) == DNIE_OK);
  text.resize(n - 1);
  return nlohmann::json::parse(text);
}

std::int64_t utc(int y, unsigned m, unsigned d) { return asn1::days_from_civil(y, m, d) * 86400 + 12 * 3600; }

}  // namespace

TEST_CASE("dnie_validate_certificates: TEST root opt-in, DNI from the document, CRL, OCSP file") {
  if (!have_openssl()) {
    MESSAGE("openssl not found: skipped");
    return;
  }
  TestPki pki("genuine", "capi");
  pki.set_index({{&pki.sign}, {&pki.auth}});
  pki.crl();  // writes crl.pem
  write_file(pki.dir / "sign.ocsp", pki.ocsp_file("sign.pem"));
  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  int verdict = -1;

  // Defaults: the TEST root is not trusted.
  auto j =
      report([&](char* b, size_t* n) { return dnie_validate_certificates(h.s, 0, nullptr, &verdict, b, n); });
  CHECK(verdict == DNIE_CERT_CANNOT_VERIFY);
  CHECK(j["verdict"] == "CANNOT VERIFY");
  REQUIRE(j["certificates"].size() == 2);
  CHECK(j["certificates"][0]["key"] == "authentication");
  CHECK(j["certificates"][1]["key"] == "signing");

  // Opt in, compare with DG1/DG11/DG13, and a current CRL: VALID.
  dnie_validate_options o;
  dnie_validate_options_init(&o);
  const std::string crl = pki.p("crl.pem"), resp = pki.p("sign.ocsp");
  o.flags = DNIE_VALIDATE_TRUST_VIRTUAL | DNIE_VALIDATE_COMPARE_DNI;
  o.crl_file = crl.c_str();
  j = report([&](char* b, size_t* n) { return dnie_validate_certificates(h.s, 0, &o, &verdict, b, n); });
  INFO(j.dump());
  CHECK(verdict == DNIE_CERT_VALID);
  for (const auto& c : j["certificates"]) {
    CHECK(c["verdict"] == "VALID");
    CHECK(c["revocation"]["status"] == "good");
    CHECK(c["test_anchor"] == true);
    bool dni = false;
    for (const auto& ch : c["checks"])
      if (ch["id"] == "holder.dni") {
        dni = ch["status"] == "pass";
        CHECK(ch["reason"].get<std::string>().find("DG13") != std::string::npos);
      }
    CHECK(dni);
  }

  // Only the signing certificate, with an OCSP response file instead; a revoked CRL wins.
  o.crl_file = nullptr;
  o.ocsp_response_file = resp.c_str();
  j = report(
      [&](char* b, size_t* n) { return dnie_validate_certificates(h.s, DNIE_KEY_SIGN, &o, &verdict, b, n); });
  CHECK(verdict == DNIE_CERT_VALID);
  CHECK(j["certificates"].size() == 1);
  // Two sources: the virtual card's CRL (DNIE_VALIDATE_TRUST_VIRTUAL) first, then the response.
  REQUIRE(j["certificates"][0]["revocation"]["sources"].size() == 2);
  CHECK(j["certificates"][0]["revocation"]["sources"][0]["source"] ==
        "CRL dnie-ca.crl (virtual card genuine)");
  CHECK(j["certificates"][0]["revocation"]["sources"][1]["source"] == "OCSP response sign.ocsp");
  CHECK(j["certificates"][0]["revocation"]["sources"][1]["status"] == "good");
  pki.set_index({{&pki.sign, clock_now() - 60, "keyCompromise"}, {&pki.auth}});
  pki.crl();
  o.crl_file = crl.c_str();
  j = report(
      [&](char* b, size_t* n) { return dnie_validate_certificates(h.s, DNIE_KEY_SIGN, &o, &verdict, b, n); });
  CHECK(verdict == DNIE_CERT_REVOKED);
  CHECK(j["certificates"][0]["revocation"]["status"] == "revoked");
  CHECK(j["certificates"][0]["revocation"]["revocation_reason"] == "keyCompromise");
  CHECK(j["certificates"][0]["revocation"]["sources"].size() == 3);

  // A short buffer: the verdict is set, the report waits in dnie_last_report.
  o.crl_file = nullptr;
  char small[8];
  size_t n = sizeof small;
  verdict = -1;
  CHECK(dnie_validate_certificates(h.s, DNIE_KEY_AUTH, &o, &verdict, small, &n) == DNIE_ERR_INVALID_ARGUMENT);
  CHECK(verdict == DNIE_CERT_VALID);  // the virtual card's CRL (the OCSP answer is the signing cert's)
  REQUIRE(n > sizeof small);
  std::string last(n, '\0');
  REQUIRE(dnie_last_report(last.data(), &n) == DNIE_OK);
  CHECK(nlohmann::json::parse(last.c_str())["certificates"][0]["key"] == "authentication");

  // Bad arguments.
  CHECK(dnie_validate_certificates(h.s, 3, &o, &verdict, nullptr, nullptr) == DNIE_ERR_INVALID_ARGUMENT);
  CHECK(dnie_validate_certificates(h.s, 0, &o, nullptr, nullptr, nullptr) == DNIE_ERR_INVALID_ARGUMENT);
  o.crl_file = "/no/such/file.crl";
  CHECK(dnie_validate_certificates(h.s, 0, &o, &verdict, nullptr, nullptr) == DNIE_ERR_NOT_FOUND);
  o.crl_file = nullptr;
  o.dni = "12345678Z";
  o.flags = DNIE_VALIDATE_TRUST_VIRTUAL;
  CHECK(dnie_validate_certificates(h.s, 0, &o, &verdict, nullptr, nullptr) == DNIE_OK);
  CHECK(verdict == DNIE_CERT_INVALID);
}

TEST_CASE("online flag: an answer from the network that is not an OCSP response") {
  if (!have_openssl()) return;
  // The certificates name http://ocsp.dnie.test; libcurl reaches the local openssl responder
  // through http_proxy, and the responder refuses the proxy-form request line (HTTP 400): an
  // online answer that is no OCSP response — unavailable, never good (the virtual card's CRL,
  // offered with DNIE_VALIDATE_TRUST_VIRTUAL, decides).
  TestPki pki("genuine", "capi-online");
  pki.set_index({{&pki.sign}, {&pki.auth}});
  OcspResponder responder(pki);
  const std::string proxy = "http://127.0.0.1:" + std::to_string(responder.port());
  REQUIRE(::setenv("http_proxy", proxy.c_str(), 1) == 0);
  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  dnie_validate_options o;
  dnie_validate_options_init(&o);
  o.flags = DNIE_VALIDATE_TRUST_VIRTUAL | DNIE_VALIDATE_ONLINE;
  o.timeout_ms = 2000;
  int verdict = -1;
  auto j = report(
      [&](char* b, size_t* n) { return dnie_validate_certificates(h.s, DNIE_KEY_SIGN, &o, &verdict, b, n); });
  ::unsetenv("http_proxy");
  INFO(j.dump());
  CHECK(verdict == DNIE_CERT_VALID);
  const auto& sources = j["certificates"][0]["revocation"]["sources"];
  REQUIRE(sources.size() == 2);
  CHECK(sources[1]["status"] == "unavailable");
  CHECK(sources[1]["source"] == "OCSP http://ocsp.dnie.test");
  CHECK(sources[1]["detail"].get<std::string>().find("HTTP status 400") != std::string::npos);
}

TEST_CASE("DNIE_VALIDATE_TRUST_VIRTUAL: the revoked card, by the CRL its image carries") {
  Handle h;
  REQUIRE(dnie_session_open("virtual:revoked", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  dnie_validate_options o;
  dnie_validate_options_init(&o);
  int verdict = -1;
  // Not opted in: the TEST root is not trusted and the CRL is not used.
  REQUIRE(dnie_validate_certificates(h.s, 0, &o, &verdict, nullptr, nullptr) == DNIE_OK);
  CHECK(verdict == DNIE_CERT_CANNOT_VERIFY);
  o.flags = DNIE_VALIDATE_TRUST_VIRTUAL;
  auto j = report([&](char* b, size_t* n) { return dnie_validate_certificates(h.s, 0, &o, &verdict, b, n); });
  INFO(j.dump());
  CHECK(verdict == DNIE_CERT_REVOKED);
  REQUIRE(j["certificates"].size() == 2);
  CHECK(j["certificates"][0]["revocation"]["revocation_reason"] == "superseded");
  CHECK(j["certificates"][1]["revocation"]["revocation_reason"] == "keyCompromise");
  CHECK(j["certificates"][1]["revocation"]["source"] == "CRL dnie-ca.crl (virtual card revoked)");
}

TEST_CASE("dnie_signature_preview and dnie_sign_cms, verified by openssl and dnie_verify_cms") {
  TestPki pki("genuine", "capi-cms");
  pki.set_index({{&pki.sign}, {&pki.auth}});
  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  const std::string doc = "Acta de la junta de vecinos, 6 de diciembre\n";
  write_text(pki.dir / "doc.txt", doc);
  const Bytes digest = crypto::hash(crypto::HashAlg::Sha256, ByteView::of(doc));

  // Without a validation the summary says revocation was not checked.
  auto p = report([&](char* b, size_t* n) {
    return dnie_signature_preview(h.s, DNIE_KEY_SIGN, DNIE_HASH_SHA256, digest.data(), digest.size(),
                                  doc.size(), b, n);
  });
  CHECK(p["revocation"] == "not_checked");
  CHECK(p["verdict"].is_null());
  CHECK(p["dni"] == "99999999R");
  CHECK(p["size"] == doc.size());
  CHECK(p["digest"] == to_hex(digest));
  if (have_openssl()) {
    const std::string crl = (pki.crl(), pki.p("crl.pem"));
    dnie_validate_options o;
    dnie_validate_options_init(&o);
    o.flags = DNIE_VALIDATE_TRUST_VIRTUAL;
    o.crl_file = crl.c_str();
    int verdict = -1;
    REQUIRE(dnie_validate_certificates(h.s, DNIE_KEY_SIGN, &o, &verdict, nullptr, nullptr) == DNIE_OK);
    p = report([&](char* b, size_t* n) {
      return dnie_signature_preview(h.s, DNIE_KEY_SIGN, DNIE_HASH_SHA256, digest.data(), digest.size(),
                                    doc.size(), b, n);
    });
    CHECK(p["revocation"] == "good");
    CHECK(p["verdict"] == "VALID");
  }

  int tries = -1;
  REQUIRE(dnie_pin_tries(h.s, &tries) == DNIE_OK);
  size_t bound = 0;
  REQUIRE(dnie_sign_cms(h.s, DNIE_KEY_SIGN, DNIE_HASH_SHA256, digest.data(), digest.size(), "12345678", 0,
                        nullptr, &bound) == DNIE_OK);
  CHECK(bound > 2000);
  std::vector<uint8_t> cms(bound);
  size_t n = bound - 1;  // refused before the PIN is used
  CHECK(dnie_sign_cms(h.s, DNIE_KEY_SIGN, DNIE_HASH_SHA256, digest.data(), digest.size(), "12345678", 0,
                      cms.data(), &n) == DNIE_ERR_INVALID_ARGUMENT);
  CHECK(dnie_sign_cms(h.s, DNIE_KEY_SIGN, DNIE_HASH_SHA1, digest.data(), 20, "12345678", 0, cms.data(),
                      &bound) == DNIE_ERR_INVALID_ARGUMENT);
  int after = -1;
  REQUIRE(dnie_pin_tries(h.s, &after) == DNIE_OK);
  CHECK(after == tries);
  n = bound;
  const std::int64_t t = utc(2026, 3, 1);
  REQUIRE_MESSAGE(dnie_sign_cms(h.s, DNIE_KEY_SIGN, DNIE_HASH_SHA256, digest.data(), digest.size(),
                                "12345678", t, cms.data(), &n) == DNIE_OK,
                  dnie_last_error_message());
  cms.resize(n);
  write_file(pki.dir / "doc.p7s", cms);
  if (have_openssl())
    CHECK(sh("openssl cms -verify -binary -inform DER -in " + pki.p("doc.p7s") + " -content " +
                 pki.p("doc.txt") + " -CAfile " + pki.p("root.pem") + " -out /dev/null",
             pki.log()) == 0);

  // dnie_verify_cms: the root given as a trust file; content in memory or as a file.
  if (have_openssl()) {
    dnie_validate_options o;
    dnie_validate_options_init(&o);
    const std::string root = pki.p("root.pem"), crl = pki.p("crl.pem"), file = pki.p("doc.txt");
    o.trust = root.c_str();
    o.crl_file = crl.c_str();
    int verdict = -1;
    auto v = report([&](char* b, size_t* len) {
      return dnie_verify_cms(cms.data(), cms.size(), reinterpret_cast<const uint8_t*>(doc.data()), doc.size(),
                             nullptr, &o, &verdict, b, len);
    });
    INFO(v.dump());
    CHECK(verdict == DNIE_CERT_VALID);
    CHECK(v["signing_time"] == "2026-03-01T12:00:00Z");
    CHECK(v["signer"]["at"] == "2026-03-01T12:00:00Z");
    CHECK(v["signer"]["key"] == "signing");
    v = report([&](char* b, size_t* len) {
      return dnie_verify_cms(cms.data(), cms.size(), nullptr, 0, file.c_str(), &o, &verdict, b, len);
    });
    CHECK(verdict == DNIE_CERT_VALID);
    const std::string other = "otra acta";
    report([&](char* b, size_t* len) {
      return dnie_verify_cms(cms.data(), cms.size(), reinterpret_cast<const uint8_t*>(other.data()),
                             other.size(), nullptr, &o, &verdict, b, len);
    });
    CHECK(verdict == DNIE_CERT_INVALID);
  }
}

TEST_CASE("dnie_validate_certificate_data: the specimen, and options from an older caller") {
  const Bytes der = read_file(data_path("pki/DNIE_ESPECIMEN_signing_cert.cer"));
  dnie_validate_options o;
  dnie_validate_options_init(&o);
  o.at = utc(2019, 6, 1);
  o.dni = "99999002Q";
  int verdict = -1;
  auto j = report([&](char* b, size_t* n) {
    return dnie_validate_certificate_data(der.data(), der.size(), 0, &o, &verdict, b, n);
  });
  CHECK(verdict == DNIE_CERT_CANNOT_VERIFY);  // revocation not checked
  CHECK(j["certificates"][0]["key"] == "signing");
  CHECK(j["certificates"][0]["anchor"] == "AC_RAIZ_DNIE_SHA2.pem (built-in)");
  o.at = utc(2026, 1, 1);
  REQUIRE(dnie_validate_certificate_data(der.data(), der.size(), DNIE_KEY_SIGN, &o, &verdict, nullptr,
                                         nullptr) == DNIE_OK);
  CHECK(verdict == DNIE_CERT_EXPIRED);
  // A caller built against a header whose struct ended after `flags`: later fields read as 0.
  o.struct_size = offsetof(dnie_validate_options, crl_file);
  o.dni = "00000000T";  // beyond the declared size: ignored
  REQUIRE(dnie_validate_certificate_data(der.data(), der.size(), DNIE_KEY_SIGN, &o, &verdict, nullptr,
                                         nullptr) == DNIE_OK);
  CHECK(verdict == DNIE_CERT_EXPIRED);  // at = 0: now
  CHECK(dnie_validate_certificate_data(der.data(), 10, 0, nullptr, &verdict, nullptr, nullptr) ==
        DNIE_ERR_MALFORMED_DATA);
}
