// SPDX-License-Identifier: Apache-2.0
// `dnie certs --validate` and `dnie sign --cms` against the virtual card and its TEST holder PKI:
// the TEST root only with --trust-virtual, the DNI of the document, CRLs (good, revoked) and OCSP
// response files (fresh, stale) made by the openssl command line and OpenSSL's OCSP API over the
// TEST CA key, --at, --online, the exit codes (0 VALID, 10 CANNOT VERIFY, 11 EXPIRED,
// 12 REVOKED); the CAdES-BES file checked by `openssl cms -verify` and NSS `cmsutil -D`, what is
// shown before the PIN, and no PIN asked for a revoked certificate.
#include <cstdlib>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "dnie/holder/signing.hpp"

#include "cli_support.hpp"
#include "holder_evidence.hpp"

using namespace dnie;
using dnie::test::TestPki;
using dnie_cli_test::fresh;
using dnie_cli_test::Run;

namespace {

constexpr auto npos = std::string::npos;

// The built `dnie` (the name `dnie` is the SDK's namespace here).
Run cli(const std::string& args, const std::string& env = {}) { return dnie_cli_test::dnie(args, env); }
const std::string kCard = "certs --reader virtual --can 123456 --validate ";

nlohmann::json parse(const std::string& text) { return nlohmann::json::parse(text, nullptr, false); }

const nlohmann::json& cert(const nlohmann::json& j, const std::string& key) {
  for (const auto& c : j.at("certificates"))
    if (c.at("key") == key) return c;
  FAIL("no " << key << " certificate in the report");
  return j;
}

std::string check_status(const nlohmann::json& c, const std::string& id) {
  for (const auto& k : c.at("checks"))
    if (k.at("id") == id) return k.at("status").get<std::string>();
  return "absent";
}

std::string mode_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "absent";
  char b[8];
  std::snprintf(b, sizeof b, "%03o", static_cast<unsigned>(st.st_mode & 0777));
  return b;
}

bool have_cmsutil() {
  return std::system("command -v cmsutil >/dev/null 2>&1 && command -v certutil >/dev/null") == 0;
}

std::string q(const std::string& path) { return "'" + path + "'"; }

}  // namespace

TEST_CASE("cli validate") {
  // Without --trust-virtual the virtual card's TEST root is not trusted: CANNOT VERIFY, never
  // INVALID, and every check is listed.
  const Run u = cli(kCard);
  CHECK(u.rc == 10);
  CHECK(u.out.find("FAIL chain.path") != npos);
  CHECK(u.out.find("ok   key_usage: nonRepudiation") != npos);
  CHECK(u.out.find("Certificates:      CANNOT VERIFY") != npos);

  // Trusted, but revocation not checked: still CANNOT VERIFY ("unavailable is never good"). The
  // DNI of DG1, DG11 and DG13 (read after PACE) is compared with both certificates.
  const Run t = cli(kCard + "--trust-virtual --json");
  CHECK(t.rc == 10);
  auto j = parse(t.out);
  REQUIRE(j.is_object());
  CHECK(j["verdict"] == "CANNOT VERIFY");
  CHECK(j["exit_code"] == 10);
  REQUIRE(j["certificates"].size() == 2);
  for (const auto& c : j["certificates"]) {
    CHECK(c["test_anchor"] == true);
    CHECK(c["revocation"]["status"] == "not_checked");
    CHECK(check_status(c, "chain.path") == "pass");
    CHECK(check_status(c, "holder.dni") == "pass");
  }
  CHECK(cert(j, "signing")["dni"] == "99999999R");
  const Run tt = cli(kCard + "--trust-virtual");
  CHECK(tt.out.find("revocation: not checked") != npos);
  CHECK(tt.out.find("TEST holder root is trusted") != npos);

  // The expired profile: its holder certificates (2013-2023) are EXPIRED, exit 11.
  CHECK(cli("certs --reader virtual:expired --can 123456 --validate --trust-virtual").rc == 11);

  // --online: the virtual card's certificates name ocsp.dnie.test, which does not resolve: the
  // check is tried, unavailable, and never good.
  const Run on = cli(kCard + "--trust-virtual --online --timeout 3000 --json");
  CHECK(on.rc == 10);
  auto oj = parse(on.out);
  REQUIRE(oj.is_object());
  CHECK(check_status(cert(oj, "signing"), "revocation.ocsp_online") != "absent");
  CHECK(cert(oj, "signing")["revocation"]["status"] == "unavailable");

  // Usage errors, found before any reader is opened (an unknown reader would be exit 2).
  const Run nofile = cli("certs --reader 'No Such Reader' --can 123456 --validate --crl /nonexistent/x.crl");
  CHECK(nofile.rc == 1);
  CHECK(nofile.err.find("/nonexistent/x.crl") != npos);
  CHECK(cli("certs --reader 'No Such Reader' --can 123456 --crl /dev/null").rc == 1);  // needs --validate
  CHECK(cli("certs --reader 'No Such Reader' --can 123456 --validate --at 2026-13-01").rc == 1);
  CHECK(cli("certs --reader 'No Such Reader' --can 123456 --validate --export sign").rc == 1);

  if (!test::have_openssl()) {
    MESSAGE("openssl not found: CRL and OCSP cases skipped");
    return;
  }
  TestPki pki("genuine", "cli-validate");
  pki.set_index({{&pki.sign}, {&pki.auth}});
  pki.crl();  // crl.pem: neither certificate revoked
  const std::string crl = q(pki.p("crl.pem"));

  // A current CRL of the TEST CA: VALID, exit 0.
  const Run v = cli(kCard + "--trust-virtual --crl " + crl);
  CHECK(v.rc == 0);
  CHECK(v.out.find("Verdict:         VALID") != npos);
  CHECK(v.out.find("revocation: good — CRL crl.pem") != npos);
  CHECK(v.out.find("Certificates:      VALID") != npos);
  auto vj = parse(cli(kCard + "--trust-virtual --crl " + crl + " --json").out);
  REQUIRE(vj.is_object());
  CHECK(vj["verdict"] == "VALID");
  CHECK(cert(vj, "authentication")["revocation"]["status"] == "good");
  CHECK(cert(vj, "authentication")["revocation"]["source"] == "CRL crl.pem");
  // The same CRL without trusting the TEST root: the issuer is unknown, nothing is called good.
  CHECK(cli(kCard + "--crl " + crl).rc == 10);

  // --at before the certificates were issued (2023-06-15): EXPIRED, exit 11.
  const Run at = cli(kCard + "--trust-virtual --crl " + crl + " --at 2020-01-01 --json");
  CHECK(at.rc == 11);
  auto aj = parse(at.out);
  REQUIRE(aj.is_object());
  CHECK(cert(aj, "signing")["at"].get<std::string>().rfind("2020-01-01T12:00:00", 0) == 0);
  CHECK(check_status(cert(aj, "signing"), "validity") == "fail");

  // A fresh OCSP response file for the signing certificate only: the signing certificate is
  // VALID; for the authentication certificate it is an answer about another certificate
  // (unavailable), so the whole is CANNOT VERIFY.
  test::write_file(pki.dir / "sign.ocsp", pki.ocsp_file("sign.pem"));
  auto fj = parse(cli(kCard + "--trust-virtual --json --ocsp-response " + q(pki.p("sign.ocsp"))).out);
  REQUIRE(fj.is_object());
  CHECK(fj["verdict"] == "CANNOT VERIFY");
  CHECK(cert(fj, "signing")["verdict"] == "VALID");
  CHECK(cert(fj, "signing")["revocation"]["source"] == "OCSP response sign.ocsp");
  CHECK(cert(fj, "authentication")["revocation"]["status"] == "unavailable");

  // A stale OCSP response (nextUpdate three days ago), correctly signed: unavailable, never good.
  const std::int64_t now = test::clock_now();
  test::write_file(pki.dir / "stale.ocsp",
                   test::dated_ocsp_response(pki, "sign.pem", now - 10 * 86400, now - 3 * 86400));
  const Run st = cli(kCard + "--trust-virtual --json --ocsp-response " + q(pki.p("stale.ocsp")));
  CHECK(st.rc == 10);
  auto sj = parse(st.out);
  REQUIRE(sj.is_object());
  CHECK(cert(sj, "signing")["verdict"] == "CANNOT VERIFY");
  CHECK(cert(sj, "signing")["revocation"]["status"] == "unavailable");
  CHECK(cert(sj, "signing")["revocation"]["detail"].get<std::string>().find("stale") != npos);
  const Run stt = cli(kCard + "--trust-virtual --ocsp-response " + q(pki.p("stale.ocsp")));
  CHECK(stt.out.find("revocation: unavailable — OCSP response stale.ocsp") != npos);
  // The same response dated now is good (the file is what made it stale).
  test::write_file(pki.dir / "dated.ocsp", test::dated_ocsp_response(pki, "sign.pem", now - 60, now + 86400));
  auto dj = parse(cli(kCard + "--trust-virtual --json --ocsp-response " + q(pki.p("dated.ocsp"))).out);
  REQUIRE(dj.is_object());
  CHECK(cert(dj, "signing")["verdict"] == "VALID");
}

TEST_CASE("cli validate_revoked") {
  if (!test::have_openssl()) {
    MESSAGE("openssl not found: skipped");
    return;
  }
  TestPki pki("genuine", "cli-revoked");
  pki.set_index({{&pki.sign, test::clock_now() - 3600, "keyCompromise"}, {&pki.auth}});
  pki.crl();
  const std::string crl = " --crl " + q(pki.p("crl.pem"));

  // The signing certificate is listed in a verified CRL: REVOKED, exit 12; the authentication
  // certificate stays VALID.
  const Run r = cli(kCard + "--trust-virtual" + crl);
  CHECK(r.rc == 12);
  CHECK(r.out.find("Verdict:         REVOKED") != npos);
  CHECK(r.out.find("keyCompromise") != npos);
  CHECK(r.out.find("Certificates:      REVOKED") != npos);
  auto j = parse(cli(kCard + "--trust-virtual --json" + crl).out);
  REQUIRE(j.is_object());
  CHECK(j["verdict"] == "REVOKED");
  CHECK(j["exit_code"] == 12);
  CHECK(cert(j, "signing")["verdict"] == "REVOKED");
  CHECK(cert(j, "signing")["revocation"]["status"] == "revoked");
  CHECK(cert(j, "signing")["revocation"]["revocation_reason"] == "keyCompromise");
  CHECK(cert(j, "authentication")["verdict"] == "VALID");
  // Untrusted, a CRL proves nothing: CANNOT VERIFY, never REVOKED.
  CHECK(cli(kCard + crl).rc == 10);

  // dnie sign --cms checks first and asks no PIN for a revoked certificate (no PIN source is
  // given: asking would be exit 1); nothing is written.
  const std::string in = pki.p("contract.txt");
  test::write_text(in, "Contrato\n");
  const Run s = cli("sign --cms --reader virtual --can 123456 --in " + q(in) + " --trust-virtual" + crl);
  CHECK(s.rc == 12);
  CHECK(s.err.find("About to sign") != npos);
  CHECK(s.err.find("Revocation: revoked") != npos);
  CHECK(s.err.find("no PIN asked") != npos);
  CHECK_FALSE(std::filesystem::exists(in + ".p7s"));
  // The authentication key is not revoked: what is shown says so, and it signs.
  const Run a =
      cli("sign --cms --key auth --reader virtual --can 123456 --in " + q(in) + " --trust-virtual" + crl,
          "DNIE_PIN=12345678");
  CHECK(a.rc == 0);
  CHECK(a.err.find("Revocation: good") != npos);
  CHECK(a.err.find("Certificate: VALID") != npos);
  CHECK(std::filesystem::exists(in + ".p7s"));
}

TEST_CASE("cli sign_cms") {
  const std::string in = fresh("contrato.txt"), p7s = fresh("contrato.txt.p7s");
  const std::string text = "Contrato de arrendamiento — firmado con el DNIe virtual (CAdES-BES)\n";
  test::write_text(in, text);
  const auto digest = holder::digest_data(ByteView::of(text));
  const std::string sign = "sign --cms --reader virtual --can 123456 --in " + q(in);

  // Usage errors, before the card.
  CHECK(cli("sign --cms --reader 'No Such Reader' --can 123456").rc == 1);  // no --in
  CHECK(cli("sign --cms --reader 'No Such Reader' --can 123456 --digest " + std::string(64, 'a')).rc == 1);
  CHECK(cli("sign --cms --reader 'No Such Reader' --can 123456 --hash sha1 --in " + q(in)).rc == 1);
  CHECK(cli("sign --reader 'No Such Reader' --can 123456 --pem --in " + q(in)).rc == 1);  // --pem needs --cms
  CHECK(cli("sign --cms --reader 'No Such Reader' --can 123456 --in /nonexistent/doc").rc == 1);

  // What will be signed is shown before the PIN is asked, even when no PIN can be had (exit 1).
  const Run nopin = cli(sign);
  CHECK(nopin.rc == 1);
  CHECK(nopin.err.find("About to sign (CAdES-BES, detached):") != npos);
  CHECK(nopin.err.find("File: " + in) != npos);
  CHECK(nopin.err.find("Content: " + std::to_string(text.size()) + " bytes, SHA-256 " +
                       to_hex(digest.digest)) != npos);
  CHECK(nopin.err.find("Holder: ESPAÑOLA ESPAÑOLA, CARMEN (FIRMA) (DNI 99999999R)") != npos);
  CHECK(nopin.err.find("Issuer: C=ES, O=DIRECCION GENERAL DE LA POLICIA, OU=DNIE, CN=AC DNIE 001 TEST") !=
        npos);
  CHECK(nopin.err.find("Valid: 2023-06-15 to 2033-06-15") != npos);
  CHECK(nopin.err.find("revocation not checked") != npos);
  CHECK(nopin.err.find("PIN") != npos);
  CHECK(nopin.err.find("About to sign") < nopin.err.find("dnie: error"));
  CHECK_FALSE(std::filesystem::exists(p7s));
  CHECK(cli(sign, "DNIE_PIN=00000000").rc == 4);  // wrong PIN
  CHECK_FALSE(std::filesystem::exists(p7s));

  // DER next to the file (FILE.p7s), private.
  const Run r = cli(sign, "DNIE_PIN=12345678");
  REQUIRE(r.rc == 0);
  CHECK(r.err.find("About to sign") < r.err.find("wrote "));
  CHECK(mode_of(p7s) == "600");
  CHECK(static_cast<unsigned char>(dnie_cli_test::slurp(p7s).at(0)) == 0x30);
  CHECK(cli(sign, "DNIE_PIN=12345678").rc == 1);  // exists: --force
  // -q hides the summary only when the PIN does not come from the terminal.
  const std::string quiet_out = fresh("quiet.p7s");
  const Run qr = cli(sign + " -q --out " + q(quiet_out), "DNIE_PIN=12345678");
  CHECK(qr.rc == 0);
  CHECK(qr.err.find("About to sign") == npos);

  // PEM, SHA-384, the authentication key, --json.
  const std::string pem = fresh("contrato.pem");
  const Run p =
      cli(sign + " --pem --key auth --hash sha384 --out " + q(pem) + " --json", "DNIE_PIN=12345678");
  REQUIRE(p.rc == 0);
  auto j = parse(p.out);
  REQUIRE(j.is_object());
  CHECK(j["encoding"] == "pem");
  CHECK(j["key"] == "auth");
  CHECK(j["preview"]["hash"] == "SHA-384");
  CHECK(j["preview"]["key"] == "authentication");
  CHECK(j["preview"]["revocation"] == "not_checked");
  CHECK(j["validation"].is_null());
  CHECK(dnie_cli_test::slurp(pem).rfind("-----BEGIN CMS-----", 0) == 0);

  if (!test::have_openssl()) {
    MESSAGE("openssl not found: openssl and NSS verification skipped");
    return;
  }
  // Verified by implementations nobody here wrote, against the virtual card's TEST root
  // (the image's dnie-root.der).
  TestPki pki("genuine", "cli-cms");
  const auto openssl_verify = [&pki](const std::string& form, const std::string& sig,
                                     const std::string& data) {
    return test::sh("openssl cms -verify -binary -content " + q(data) + " -inform " + form + " -in " +
                        q(sig) + " -CAfile " + pki.p("root.pem") + " -purpose any -out /dev/null",
                    pki.log());
  };
  CHECK_MESSAGE(openssl_verify("DER", p7s, in) == 0, test::slurp(pki.log()));
  CHECK_MESSAGE(openssl_verify("PEM", pem, in) == 0, test::slurp(pki.log()));
  const std::string other = pki.p("other.txt");
  test::write_text(other, text + "!");
  CHECK(openssl_verify("DER", p7s, other) != 0);
  if (have_cmsutil()) {
    const std::string db = pki.p("nssdb"), out = pki.p("cmsutil.out");
    std::filesystem::create_directories(db);
    REQUIRE(test::sh("certutil -N -d sql:" + db + " --empty-password && certutil -A -d sql:" + db +
                         " -n 'DNIE TEST ROOT' -t C,C,C -i " + pki.p("root.pem"),
                     pki.log()) == 0);
    test::sh(
        "cmsutil -D -n -h 1 -d sql:" + db + " -i " + q(p7s) + " -c " + q(in) + " -u 4 > " + out + " 2>&1",
        pki.log());
    const std::string nss = test::slurp(out);
    INFO(nss);
    CHECK(nss.find("signer0.status=GoodSignature") != npos);
  } else {
    MESSAGE("NSS cmsutil not found: skipped (tools/bootstrap.sh installs libnss3-tools)");
  }
  // And the SDK's own verification, with a current CRL: VALID.
  pki.set_index({{&pki.sign}, {&pki.auth}});
  auto o = pki.options();
  o.crls.push_back({"test.crl", pki.crl()});
  const std::string der = dnie_cli_test::slurp(p7s);
  const auto sv = holder::verify_cades(ByteView::of(der), &digest, {}, o);
  INFO(sv.to_json());
  CHECK(sv.verdict == holder::CertificateVerdict::Valid);
}
