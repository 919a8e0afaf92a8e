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

// The status one revocation source gave ("absent" when it was not tried).
std::string source_status(const nlohmann::json& c, const std::string& source) {
  for (const auto& r : c.at("revocation").at("sources"))
    if (r.at("source") == source) return r.at("status").get<std::string>();
  return "absent";
}

const std::string kVirtualCrl = "CRL dnie-ca.crl (virtual card genuine)";

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

  // Trusted, with the CRL of the TEST CA that the image carries (cli virtual_crl): VALID. The
  // DNI of DG1, DG11 and DG13 (read after PACE) is compared with both certificates.
  const Run t = cli(kCard + "--trust-virtual --json");
  CHECK(t.rc == 0);
  auto j = parse(t.out);
  REQUIRE(j.is_object());
  CHECK(j["verdict"] == "VALID");
  CHECK(j["exit_code"] == 0);
  REQUIRE(j["certificates"].size() == 2);
  for (const auto& c : j["certificates"]) {
    CHECK(c["test_anchor"] == true);
    CHECK(c["revocation"]["status"] == "good");
    CHECK(c["revocation"]["source"] == kVirtualCrl);
    CHECK(check_status(c, "chain.path") == "pass");
    CHECK(check_status(c, "holder.dni") == "pass");
  }
  CHECK(cert(j, "signing")["dni"] == "99999999R");
  const Run tt = cli(kCard + "--trust-virtual");
  CHECK(tt.out.find("revocation: good — " + kVirtualCrl) != npos);
  CHECK(tt.out.find("TEST holder root is trusted") != npos);

  // The expired profile: its holder certificates (2013-2023) are EXPIRED, exit 11.
  CHECK(cli("certs --reader virtual:expired --can 123456 --validate --trust-virtual").rc == 11);

  // --online: the virtual card's certificates name ocsp.dnie.test, which does not resolve: the
  // check is tried and unavailable, never good; the image's CRL decides.
  const Run on = cli(kCard + "--trust-virtual --online --timeout 3000 --json");
  CHECK(on.rc == 0);
  auto oj = parse(on.out);
  REQUIRE(oj.is_object());
  CHECK(check_status(cert(oj, "signing"), "revocation.ocsp_online") == "not_performed");
  CHECK(source_status(cert(oj, "signing"), "OCSP http://ocsp.dnie.test") == "unavailable");
  CHECK(cert(oj, "signing")["revocation"]["source"] == kVirtualCrl);

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

  // A fresh OCSP response file for the signing certificate only: good for the signing
  // certificate; for the authentication certificate an answer about another certificate
  // (unavailable). The image's CRL (first source) says good for both.
  test::write_file(pki.dir / "sign.ocsp", pki.ocsp_file("sign.pem"));
  auto fj = parse(cli(kCard + "--trust-virtual --json --ocsp-response " + q(pki.p("sign.ocsp"))).out);
  REQUIRE(fj.is_object());
  CHECK(fj["verdict"] == "VALID");
  CHECK(source_status(cert(fj, "signing"), "OCSP response sign.ocsp") == "good");
  CHECK(source_status(cert(fj, "authentication"), "OCSP response sign.ocsp") == "unavailable");
  CHECK(cert(fj, "authentication")["revocation"]["source"] == kVirtualCrl);

  // A stale OCSP response (nextUpdate three days ago), correctly signed: unavailable, never good
  // (the image's CRL still says good).
  const std::int64_t now = test::clock_now();
  test::write_file(pki.dir / "stale.ocsp",
                   test::dated_ocsp_response(pki, "sign.pem", now - 10 * 86400, now - 3 * 86400));
  const Run st = cli(kCard + "--trust-virtual --json --ocsp-response " + q(pki.p("stale.ocsp")));
  auto sj = parse(st.out);
  REQUIRE(sj.is_object());
  CHECK(check_status(cert(sj, "signing"), "revocation.ocsp_response") == "not_performed");
  CHECK(source_status(cert(sj, "signing"), "OCSP response stale.ocsp") == "unavailable");
  bool stale = false;
  for (const auto& r : cert(sj, "signing")["revocation"]["sources"])
    stale = stale || r["detail"].get<std::string>().find("stale") != npos;
  CHECK(stale);
  const Run stt = cli(kCard + "--trust-virtual --ocsp-response " + q(pki.p("stale.ocsp")));
  CHECK(stt.out.find("revocation.ocsp_response: OCSP response stale.ocsp: unavailable") != npos);
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

TEST_CASE("cli virtual_crl") {
  // The CRL every image carries (extras dnie-ca.crl), checked first by code nobody here wrote:
  // `openssl crl -verify` with the CA certificate, `openssl verify -crl_check` on the "revoked"
  // card's certificates (revoked) and on the genuine card's (not revoked by the same CRL).
  if (test::have_openssl()) {
    TestPki pki("revoked", "cli-vcrl");
    TestPki g("genuine", "cli-vcrl-genuine");
    auto it = pki.image.extras.find("dnie-ca.crl");
    REQUIRE(it != pki.image.extras.end());
    // One CA, one CRL: the genuine image (same seed, same AC DNIE 001 TEST) carries the same bytes.
    CHECK(g.image.extras.at("dnie-ca.crl") == it->second);
    test::write_file(pki.dir / "card.crl", it->second);
    const std::string crl = pki.p("card.crl"), pem = pki.p("card-crl.pem");
    REQUIRE(test::sh("openssl crl -inform DER -in " + crl + " -out " + pem, pki.log()) == 0);
    CHECK_MESSAGE(
        test::sh("openssl crl -inform DER -in " + crl + " -CAfile " + pki.p("ca.pem") + " -noout -verify",
                 pki.log()) == 0,
        test::slurp(pki.log()));
    CHECK(test::slurp(pki.log()).find("verify OK") != npos);
    const std::string text = pki.p("crl.txt");
    REQUIRE(test::sh("openssl crl -inform DER -in " + crl + " -noout -text > " + text, pki.log()) == 0);
    const std::string t = test::slurp(text);
    CHECK(t.find("Version 2") != npos);
    CHECK(t.find("CN = AC DNIE 001 TEST") != npos);
    CHECK(t.find("Last Update: Jan  1 00:00:00 2024 GMT") != npos);
    CHECK(t.find("Next Update: Jan  1 00:00:00 2034 GMT") != npos);
    CHECK(t.find("X509v3 Authority Key Identifier") != npos);
    CHECK(t.find("X509v3 CRL Number") != npos);
    CHECK(t.find("Key Compromise") != npos);
    CHECK(t.find("Superseded") != npos);
    CHECK(t.find(to_hex(pki.sign.serial())) != npos);
    CHECK(t.find(to_hex(g.sign.serial())) == npos);
    auto verify = [&](const TestPki& card, const std::string& leaf) {
      const std::string out = pki.p("verify-" + leaf + ".log");
      const int rc = test::sh("openssl verify -crl_check -CRLfile " + pem + " -CAfile " + card.p("root.pem") +
                                  " -untrusted " + card.p("ca.pem") + " " + card.p(leaf),
                              out);
      return std::make_pair(rc, test::slurp(out));
    };
    const auto rs = verify(pki, "sign.pem"), ra = verify(pki, "auth.pem"), gs = verify(g, "sign.pem");
    CHECK(rs.first != 0);
    CHECK_MESSAGE(rs.second.find("certificate revoked") != npos, rs.second);
    CHECK_MESSAGE(ra.second.find("certificate revoked") != npos, ra.second);
    CHECK_MESSAGE(gs.first == 0, gs.second);
  } else {
    MESSAGE("openssl not found: the CRL oracle is skipped");
  }

  // `dnie certs --validate --trust-virtual` uses the image's CRL: the revoked card is REVOKED
  // (both certificates, with date and reason), exit 12.
  const std::string revoked = "certs --reader virtual:revoked --can 123456 --validate ";
  const Run r = cli(revoked + "--trust-virtual");
  CHECK(r.rc == 12);
  CHECK(r.out.find("Certificates:      REVOKED") != npos);
  CHECK(r.out.find("revocation: revoked — CRL dnie-ca.crl (virtual card revoked)") != npos);
  CHECK(r.out.find("keyCompromise") != npos);
  CHECK(r.out.find("superseded") != npos);
  auto j = parse(cli(revoked + "--trust-virtual --json").out);
  REQUIRE(j.is_object());
  CHECK(j["verdict"] == "REVOKED");
  CHECK(j["exit_code"] == 12);
  for (const auto& [key, reason] :
       {std::pair<std::string, std::string>{"signing", "keyCompromise"}, {"authentication", "superseded"}}) {
    CAPTURE(key);
    const auto& c = cert(j, key);
    CHECK(c["verdict"] == "REVOKED");
    CHECK(c["revocation"]["status"] == "revoked");
    CHECK(c["revocation"]["source"] == "CRL dnie-ca.crl (virtual card revoked)");
    CHECK(c["revocation"]["revocation_reason"] == reason);
    CHECK(c["revocation"]["revocation_time"].get<std::string>().rfind("2024-01-01T00:00:00", 0) == 0);
  }
  // Without --trust-virtual the CRL is not used (and would prove nothing): CANNOT VERIFY.
  CHECK(cli(revoked).rc == 10);

  // The genuine card: good according to the same CRL, VALID, exit 0.
  const Run v = cli(kCard + "--trust-virtual");
  CHECK(v.rc == 0);
  CHECK(v.out.find("Certificates:      VALID") != npos);
  CHECK(v.out.find("revocation: good — CRL dnie-ca.crl (virtual card genuine)") != npos);

  // dnie sign --cms refuses before the PIN: a wrong PIN in DNIE_PIN is never tried (that would be
  // exit 4), nothing is written.
  const std::string in = fresh("revoked.txt");
  test::write_text(in, "Contrato\n");
  for (const char* pin : {"DNIE_PIN=12345678", "DNIE_PIN=00000000"}) {
    CAPTURE(pin);
    const Run s =
        cli("sign --cms --reader virtual:revoked --can 123456 --in " + q(in) + " --trust-virtual", pin);
    CHECK(s.rc == 12);
    CHECK(s.err.find("Revocation: revoked") != npos);
    CHECK(s.err.find("no PIN asked") != npos);
    CHECK_FALSE(std::filesystem::exists(in + ".p7s"));
  }
}
