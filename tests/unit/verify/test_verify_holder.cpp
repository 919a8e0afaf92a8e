// SPDX-License-Identifier: Apache-2.0
// dnie-verify's "Holder certificates": validated after the eSign step at the verification time,
// with the DNI of the document, the virtual card's TEST holder root only with --trust-virtual,
// CRLs and OCSP response files (tests/unit/holder's TEST PKI rig); their own verdict in the
// JSON, the text and the HTML, never the document's.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "../tools/holder_evidence.hpp"

using dnie::test::TestPki;

namespace {

namespace fs = std::filesystem;

constexpr auto npos = std::string::npos;

struct Cmd {
  int rc = -1;
  std::string out, err;
};

std::string out_dir() {
  const std::string d = std::string(DNIE_VERIFY_OUT_DIR) + "/holder";
  fs::create_directories(d);
  return d;
}

std::string fresh(const std::string& name) {
  const std::string p = out_dir() + "/" + name;
  fs::remove_all(p);
  return p;
}

// dnie-verify ARGS, no CAN in the environment, an empty user trust directory, `env` added.
Cmd verify(const std::string& args, const std::string& env = {}) {
  const std::string err = out_dir() + "/stderr." + std::to_string(::getpid()) + ".txt";
  std::string cmd = "env -u DNIE_CAN -u LIBNFC_LOG_LEVEL XDG_DATA_HOME='" + out_dir() + "/xdg-empty' ";
#ifdef DNIE_VCARD_IMAGE_DIR
  cmd += "DNIE_VCARD_IMAGES='" DNIE_VCARD_IMAGE_DIR "' ";
#endif
  cmd += env + " '" DNIE_VERIFY_EXE "' " + args + " </dev/null 2>'" + err + "'";
  Cmd r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = dnie::test::slurp(err);
  return r;
}

nlohmann::json parse(const std::string& text) { return nlohmann::json::parse(text, nullptr, false); }

const nlohmann::json& holder_cert(const nlohmann::json& j, const std::string& key) {
  for (const auto& c : j.at("holder_certificates").at("certificates"))
    if (c.at("key") == key) return c;
  FAIL("no " << key << " certificate");
  return j;
}

const nlohmann::json* check(const nlohmann::json& checks, const std::string& id) {
  for (const auto& c : checks)
    if (c.at("id") == id) return &c;
  return nullptr;
}

std::string q(const std::string& p) { return "'" + p + "'"; }

const std::string kCard = "--reader virtual --can 123456 --trust-virtual ";

}  // namespace

TEST_CASE("dnie-verify: the holder certificates have their own verdict, never the document's") {
  // No revocation source but the CRL of the TEST CA the image carries (--trust-virtual): VALID
  // for the certificates, GENUINE for the document.
  const Cmd d = verify(kCard + "--json -");
  CHECK(d.rc == 0);
  auto j = parse(d.out);
  REQUIRE(j.is_object());
  CHECK(j["verdict"]["outcome"] == "GENUINE");
  CHECK(j["holder_certificates"]["verdict"] == "VALID");
  REQUIRE(j["holder_certificates"]["certificates"].size() == 2);
  for (const char* key : {"authentication", "signing"}) {
    CAPTURE(key);
    const auto& c = holder_cert(j, key);
    CHECK(c["test_anchor"] == true);  // --trust-virtual trusts the TEST holder root too
    CHECK(c["revocation"]["status"] == "good");
    CHECK(c["revocation"]["source"] == "CRL dnie-ca.crl (virtual card genuine)");
    const auto* dni = check(c["checks"], "holder.dni");
    REQUIRE(dni != nullptr);
    CHECK((*dni)["status"] == "pass");  // the DNI of DG1, DG11 and DG13
    CHECK((*dni)["reason"].get<std::string>().find("DG13") != npos);
    // Validated at the verification time.
    CHECK(c["at"] == j["clock"]["now"]);
  }
  const auto* hs = check(j["checks"], "holder.signing");
  REQUIRE(hs != nullptr);
  CHECK((*hs)["class"] == "info");
  CHECK((*hs)["status"] == "pass");
  const Cmd t = verify(kCard);
  CHECK(t.out.find("\nHolder certificates: VALID (their own verdict; not the document's)\n") != npos);
  CHECK(t.out.find("\nVERDICT: GENUINE (document valid)\n") != npos);
  // --now is the verification time of the certificates too.
  auto nj = parse(verify(kCard + "--now 2030-01-01 --json -").out);
  REQUIRE(nj.is_object());
  CHECK(holder_cert(nj, "signing")["at"] == "2030-01-01T12:00:00Z");
  // The revoked profile: its CA's CRL lists both certificates: REVOKED in their own section; the
  // document stays GENUINE, exit 0 (holder checks are informational).
  const Cmd rv = verify("--reader virtual:revoked --can 123456 --trust-virtual");
  CHECK(rv.rc == 0);
  CHECK(rv.out.find("\nHolder certificates: REVOKED (their own verdict; not the document's)\n") != npos);
  CHECK(rv.out.find("  signing: REVOKED") != npos);
  CHECK(rv.out.find("  authentication: REVOKED") != npos);
  CHECK(rv.out.find("\nVERDICT: GENUINE (document valid)\n") != npos);
  auto rvj = parse(verify("--reader virtual:revoked --can 123456 --trust-virtual --json -").out);
  REQUIRE(rvj.is_object());
  CHECK(rvj["holder_certificates"]["verdict"] == "REVOKED");
  CHECK(holder_cert(rvj, "signing")["revocation"]["revocation_reason"] == "keyCompromise");
  CHECK(holder_cert(rvj, "authentication")["revocation"]["revocation_reason"] == "superseded");
  // The expired profile: document GENUINE, EXPIRED (11); its certificates EXPIRED.
  const Cmd e = verify("--reader virtual:expired --can 123456 --trust-virtual --json -");
  CHECK(e.rc == 11);
  auto ej = parse(e.out);
  REQUIRE(ej.is_object());
  CHECK(ej["holder_certificates"]["verdict"] == "EXPIRED");

  // Usage: evidence files are read before the card; they need a card (not --offline).
  const Cmd missing = verify("--reader 'No Such Reader' --can 123456 --crl /nonexistent/ca.crl");
  CHECK(missing.rc == 1);
  CHECK(missing.err.find("/nonexistent/ca.crl") != npos);
  CHECK(verify("--offline " + q(out_dir()) + " --crl /dev/null").rc == 1);

  if (!dnie::test::have_openssl()) {
    MESSAGE("openssl not found: CRL and OCSP cases skipped");
    return;
  }
  TestPki pki("genuine", "verify-holder");
  const std::int64_t now = dnie::test::clock_now();

  // A current CRL: both VALID.
  pki.set_index({{&pki.sign}, {&pki.auth}});
  pki.crl();
  const std::string good_crl = pki.p("good.crl");
  fs::copy_file(pki.p("crl.pem"), good_crl, fs::copy_options::overwrite_existing);
  auto gj = parse(verify(kCard + "--crl " + q(good_crl) + " --json -").out);
  REQUIRE(gj.is_object());
  CHECK(gj["holder_certificates"]["verdict"] == "VALID");
  CHECK((*check(gj["checks"], "holder.authentication"))["status"] == "pass");

  // The signing certificate revoked: REVOKED in its own section and as a warning; the document
  // stays GENUINE, exit 0.
  pki.set_index({{&pki.sign, now - 3600, "keyCompromise"}, {&pki.auth}});
  pki.crl();
  const std::string html = fresh("revoked.html");
  const Cmd r = verify(kCard + "--crl " + q(pki.p("crl.pem")) + " --json - --html " + q(html));
  CHECK(r.rc == 0);
  auto rj = parse(r.out);
  REQUIRE(rj.is_object());
  CHECK(rj["verdict"]["outcome"] == "GENUINE");
  CHECK(rj["verdict"]["document_valid"] == true);
  CHECK(rj["holder_certificates"]["verdict"] == "REVOKED");
  CHECK(holder_cert(rj, "signing")["revocation"]["revocation_reason"] == "keyCompromise");
  CHECK(holder_cert(rj, "authentication")["verdict"] == "VALID");
  CHECK((*check(rj["checks"], "holder.signing"))["status"] == "fail");
  bool warned = false;
  for (const auto& w : rj["verdict"]["warnings"])
    warned = warned || w.get<std::string>().rfind("holder.signing", 0) == 0;
  CHECK(warned);
  const std::string h = dnie::test::slurp(html);
  CHECK(h.find("<h2>Holder certificates</h2>") != npos);
  CHECK(h.find("Holder certificates: REVOKED") != npos);
  CHECK(h.find("keyCompromise") != npos);
  const Cmd rt = verify(kCard + "--crl " + q(pki.p("crl.pem")));
  CHECK(rt.rc == 0);
  CHECK(rt.out.find("\nHolder certificates: REVOKED (their own verdict; not the document's)\n") != npos);
  CHECK(rt.out.find("  signing: REVOKED") != npos);
  CHECK(rt.out.find("\nVERDICT: GENUINE (document valid)\n") != npos);
  CHECK(verify(kCard + "--crl " + q(pki.p("crl.pem")) + " -q").out == "VERDICT: GENUINE (document valid)\n");

  // A stale OCSP response file: unavailable, never good (the image's CRL decides).
  auto source = [](const nlohmann::json& c, const std::string& name) -> nlohmann::json {
    for (const auto& src : c["revocation"]["sources"])
      if (src["source"] == name) return src;
    return {};
  };
  dnie::test::write_file(pki.dir / "stale.ocsp",
                         dnie::test::dated_ocsp_response(pki, "sign.pem", now - 10 * 86400, now - 3 * 86400));
  auto sj = parse(verify(kCard + "--ocsp-response " + q(pki.p("stale.ocsp")) + " --json -").out);
  REQUIRE(sj.is_object());
  const auto stale = source(holder_cert(sj, "signing"), "OCSP response stale.ocsp");
  REQUIRE(stale.is_object());
  CHECK(stale["status"] == "unavailable");
  CHECK(stale["detail"].get<std::string>().find("stale") != npos);
  CHECK(sj["verdict"]["outcome"] == "GENUINE");
  // --now is also the clock of revocation evidence: a week ahead, the 7-day CRL is stale.
  auto fj = parse(verify(kCard + "--crl " + q(good_crl) + " --now " +
                         dnie::asn1::format_time(now + 8 * 86400).substr(0, 10) + " --json -")
                      .out);
  REQUIRE(fj.is_object());
  CHECK(source(holder_cert(fj, "authentication"), "CRL good.crl")["status"] == "unavailable");

  // Without --trust-virtual the TEST holder root is not trusted (nor the TEST CSCA).
  auto uj = parse(verify("--reader virtual --can 123456 --crl " + q(good_crl) + " --json -").out);
  REQUIRE(uj.is_object());
  CHECK(uj["holder_certificates"]["verdict"] == "CANNOT VERIFY");
  CHECK(holder_cert(uj, "signing")["test_anchor"] == false);
}

TEST_CASE("dnie-verify: offline there are no holder certificates to validate") {
  const std::string dir = fresh("dump");
  REQUIRE(verify(kCard + "--raw " + q(dir) + " -q").rc == 0);
  const Cmd o = verify("--offline " + q(dir) + " --trust-virtual --json -");
  auto j = parse(o.out);
  REQUIRE(j.is_object());
  CHECK(j["holder_certificates"].is_null());
  CHECK(j["holder_certificates_note"].get<std::string>().find("needs the card") != npos);
}
