// SPDX-License-Identifier: Apache-2.0
// dnie-verify, the built binary: hostile card text, the default CSCA SPAIN store, its audit and
// master-list import, offline re-verification of a saved dump, private output files and the
// command-line language it shares with dnie.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "dnie/icao/sod.hpp"
#include "dnie/icao/trust_store.hpp"
#include "dnie/icao/verification.hpp"

namespace fs = std::filesystem;

namespace {

struct Cmd {
  int rc = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string out_dir() {
  const std::string d = std::string(DNIE_VERIFY_OUT_DIR) + "/cli";
  fs::create_directories(d);
  return d;
}

std::string fresh(const std::string& name) {
  const std::string p = out_dir() + "/" + name;
  fs::remove_all(p);
  return p;
}

// dnie-verify ARGS with umask 022, no CAN in the environment, and an empty user trust directory
// unless `xdg` names another; `env`: more VAR=value settings.
Cmd verify(const std::string& args, const std::string& xdg = {}, const std::string& env = {}) {
  const std::string err = out_dir() + "/stderr." + std::to_string(::getpid()) + ".txt";
  std::string cmd = "umask 022; env -u DNIE_CAN -u LIBNFC_LOG_LEVEL XDG_DATA_HOME='" +
                    (xdg.empty() ? out_dir() + "/xdg-empty" : xdg) + "' " + env + " ";
#ifdef DNIE_VCARD_IMAGE_DIR
  cmd += "DNIE_VCARD_IMAGES='" DNIE_VCARD_IMAGE_DIR "' ";
#endif
  cmd += "'" DNIE_VERIFY_EXE "' " + args + " </dev/null 2>'" + err + "'";
  Cmd r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(err);
  return r;
}

nlohmann::json parse(const std::string& text) { return nlohmann::json::parse(text, nullptr, false); }

std::string check_status(const nlohmann::json& j, const std::string& id) {
  for (const auto& c : j.at("checks"))
    if (c.at("id") == id) return c.at("status").get<std::string>();
  return "absent";
}

std::string check_reason(const nlohmann::json& j, const std::string& id) {
  for (const auto& c : j.at("checks"))
    if (c.at("id") == id) return c.at("reason").get<std::string>();
  return {};
}

// Independent of tools/common/text.cpp: well-formed UTF-8 and no byte a terminal would obey.
bool terminal_safe(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\r') || c == 0x7F) return false;
    const std::size_t n = c < 0x80                 ? 1
                          : c >= 0xC2 && c <= 0xDF ? 2
                          : c >= 0xE0 && c <= 0xEF ? 3
                          : c >= 0xF0 && c <= 0xF4 ? 4
                                                   : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    if (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return false;  // C1 controls
    i += n;
  }
  return true;
}

std::string mode_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "absent";
  char b[8];
  std::snprintf(b, sizeof b, "%03o", static_cast<unsigned>(st.st_mode & 0777));
  return b;
}

void write_bytes(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

}  // namespace

TEST_CASE("dnie-verify: hostile card text is shown, never obeyed; the verdict stays intact") {
  const std::string card = "--reader virtual:hostile-text --can 123456 --trust-virtual ";
  const Cmd t = verify(card);
  CHECK(t.rc == 0);  // a genuine card: only the text is hostile
  CHECK(terminal_safe(t.out));
  CHECK(terminal_safe(t.err));
  CHECK(t.out.find("\nVERDICT: GENUINE (document valid)\n") != std::string::npos);
  CHECK(t.out.find("Name: CARMEN\\x1B[8m\\x1B]0;title\\x07") != std::string::npos);
  CHECK(t.out.find("ESPAÑOLA") != std::string::npos);

  const Cmd j = verify(card + "--json -");
  CHECK(j.rc == 0);
  CHECK(terminal_safe(j.out));
  auto doc = parse(j.out);
  REQUIRE(doc.is_object());
  CHECK(doc["verdict"]["outcome"] == "GENUINE");
  const std::string name = doc["holder"]["Name"].get<std::string>();
  CHECK(name.rfind("CARMEN\x1b[8m", 0) == 0);
  CHECK(name.find("\xEF\xBF\xBD") != std::string::npos);  // invalid UTF-8 -> U+FFFD

  const std::string json = fresh("hostile.json"), html = fresh("hostile.html");
  const Cmd f = verify(card + "--json '" + json + "' --html '" + html + "' -q");
  CHECK(f.rc == 0);
  CHECK(f.out == "VERDICT: GENUINE (document valid)\n");
  const std::string h = slurp(html);
  REQUIRE_FALSE(h.empty());
  CHECK(terminal_safe(h));
  CHECK(h.find("CARMEN\\x1B[8m") != std::string::npos);
  CHECK(h.find("&lt;i&gt;") != std::string::npos);  // markup from the card stays text
  CHECK(h.find("<i>") == std::string::npos);
  CHECK(terminal_safe(slurp(json)));
  CHECK(parse(slurp(json)).is_object());
  CHECK(mode_of(json) == "600");
  CHECK(mode_of(html) == "600");
}

TEST_CASE(
    "dnie-verify: the default trust store is CSCA SPAIN; the virtual card still needs --trust-virtual") {
  const Cmd d = verify("--reader virtual --can 123456 --json -");
  CHECK(d.rc == 10);  // the virtual card's CSCA is a TEST one: CANNOT VERIFY, never NOT GENUINE
  auto j = parse(d.out);
  REQUIRE(j.is_object());
  CHECK(j["verdict"]["outcome"] == "CANNOT VERIFY");
  CHECK(j["trust_store"]["source"] == "default");
  CHECK(j["trust_store"]["default"] == true);
  CHECK(j["trust_store"]["csca_certificates"] == 5);
  CHECK(j["trust_store"]["test_only"] == false);
  CHECK(j["trust"].get<std::string>().find("default trust store") != std::string::npos);
  CHECK(check_status(j, "ds.chain") == "not_performed");
  CHECK(check_status(j, "sod.signature") == "pass");
  const Cmd text = verify("--reader virtual --can 123456");
  CHECK(text.out.find("Trust: default trust store (no --trust given)") != std::string::npos);

  // --trust-virtual: GENUINE, and the HTML says TEST in its header, before the holder's data.
  const std::string html = fresh("virtual.html");
  const Cmd v = verify("--reader virtual --can 123456 --trust-virtual --json - --html '" + html + "'");
  CHECK(v.rc == 0);
  auto vj = parse(v.out);
  REQUIRE(vj.is_object());
  CHECK(vj["trust_store"]["test_only"] == true);
  const std::string h = slurp(html);
  const auto banner = h.find("TEST TRUST STORE");
  REQUIRE(banner != std::string::npos);
  CHECK(banner < h.find("<h2>Holder"));
  CHECK(banner < h.find("class=\"verdict\" style=\"background:#1b7f3a\""));
  // Readable holder fields, as `dnie read` shows them.
  CHECK(h.find("MADRID, MADRID") != std::string::npos);
  CHECK(h.find("MADRID&lt;MADRID") == std::string::npos);
  CHECK(vj["holder"]["Date of birth (MRZ)"] == "1980-01-01");
  CHECK(vj["holder"]["Date of expiry (MRZ)"] == "2033-06-15");
}

TEST_CASE("dnie-verify --audit-trust lists the five CSCA SPAIN certificates and their expiry") {
  const Cmd a = verify("--audit-trust --now 2026-06-01");
  CHECK(a.rc == 0);
  std::size_t spain = 0;
  std::istringstream lines(a.out);
  for (std::string l; std::getline(lines, l);)
    spain += l.rfind("ES ", 0) == 0 && l.find("CN=CSCA SPAIN") != std::string::npos ? 1 : 0;
  CHECK(spain == 5);
  CHECK(a.out.find("UNVERIFIED") == std::string::npos);
  CHECK(a.out.find("days left") != std::string::npos);
  CHECK(a.out.find("0 whose signature verifies neither") != std::string::npos);

  const Cmd j = verify("--audit-trust --now 2026-06-01 --json -");
  CHECK(j.rc == 0);
  auto doc = parse(j.out);
  REQUIRE(doc.is_object());
  REQUIRE(doc["certificates"].size() == 5);
  std::size_t key_id_links = 0;
  for (const auto& c : doc["certificates"]) {
    CHECK(c["country"] == "ES");
    CHECK(c["signature_verified"] == true);
    CHECK(c["valid_now"] == true);
    key_id_links += c["kind"] == "link (key id)" ? 1 : 0;
  }
  CHECK(key_id_links == 1);  // the 2 -> 3 link names the wrong issuer (data/trust/PROVENANCE.md)
  CHECK(doc["trust_store"]["source"] == "default");
}

TEST_CASE("the specimen SOD chains to CSCA SPAIN serialNumber=2 with the default store") {
  // Library level: the shipped directory as the tools load it.
  dnie::icao::TrustStore store;
  auto r = store.load_directory(DNIE_TRUST_SRC_DIR);
  REQUIRE(r.ok());
  CHECK(r->certificates_added == 5);
  CHECK(r->errors.empty());
  dnie::icao::LdsContent doc;
  doc.sod = dnie::Bytes();
  {
    const std::string raw = slurp(std::string(DNIE_TEST_DATA_DIR) + "/pki/SOD_ESPECIMEN.der");
    doc.sod.assign(raw.begin(), raw.end());
  }
  dnie::icao::PassiveAuthOptions pa;
  pa.trust_store = &store;
  pa.now = 1577880000;  // 2020-01-01, while the DS was valid
  auto rep = dnie::icao::verify_document(doc, pa);
  CHECK(rep.status("sod.signature") == dnie::icao::CheckStatus::Pass);
  REQUIRE(rep.status("ds.chain") == dnie::icao::CheckStatus::Pass);
  CHECK(rep.find("ds.chain")->reason.find("serialNumber=2, CN=CSCA SPAIN") != std::string::npos);

  // Tool level: the SOD alone as a saved dump, re-verified offline with the default store.
  const std::string dir = fresh("specimen");
  fs::create_directories(dir);
  write_bytes(dir + "/EF_SOD.bin", slurp(std::string(DNIE_TEST_DATA_DIR) + "/pki/SOD_ESPECIMEN.der"));
  const Cmd c = verify("--offline '" + dir + "' --now 2020-01-01 --json -");
  CHECK(c.rc == 10);  // no data groups, no chip: cannot be proven genuine
  auto j = parse(c.out);
  REQUIRE(j.is_object());
  CHECK(check_status(j, "ds.chain") == "pass");
  CHECK(check_reason(j, "ds.chain").find("serialNumber=2") != std::string::npos);
  CHECK(check_status(j, "chip_authentication") == "not_performed");
}

TEST_CASE("dnie-verify --offline re-checks a saved dump; chip authentication needs the card") {
  const std::string dir = fresh("dump");
  const Cmd save = verify("--reader virtual --can 123456 --trust-virtual --raw '" + dir + "' -q");
  CHECK(save.rc == 0);
  CHECK(mode_of(dir) == "700");
  CHECK(mode_of(dir + "/EF_SOD.bin") == "600");

  const Cmd o = verify("--offline '" + dir + "' --trust-virtual --json -");
  CHECK(o.rc == 10);
  auto j = parse(o.out);
  REQUIRE(j.is_object());
  CHECK(j["mode"] == "offline");
  CHECK(j["verdict"]["outcome"] == "CANNOT VERIFY");
  for (const char* id : {"sod.signature", "ds.chain", "dg1.hash", "dg2.hash", "dg11.hash", "dg13.hash",
                         "dg14.hash", "mrz.dg11", "mrz.dg13"})
    CHECK_MESSAGE(check_status(j, id) == "pass", id);
  CHECK(check_status(j, "chip_authentication") == "not_performed");
  CHECK(check_reason(j, "chip_authentication").find("offline") != std::string::npos);
  CHECK(check_reason(j, "chip_authentication").find("transcript") != std::string::npos);
  CHECK(j["offline"]["files"].size() == 8);
  CHECK_FALSE(j["offline"]["not_repeated"].empty());
  const Cmd text = verify("--offline '" + dir + "' --trust-virtual");
  CHECK(text.out.find("NOT repeated: chip authentication") != std::string::npos);

  // A changed byte in a saved data group: NOT GENUINE, offline too.
  std::string dg11 = slurp(dir + "/DG11.bin");
  REQUIRE(dg11.size() > 10);
  dg11[dg11.size() - 2] ^= 0x01;
  fs::remove(dir + "/DG11.bin");
  write_bytes(dir + "/DG11.bin", dg11);
  const Cmd bad = verify("--offline '" + dir + "' --trust-virtual --json -");
  CHECK(bad.rc == 7);
  auto bj = parse(bad.out);
  REQUIRE(bj.is_object());
  CHECK(check_status(bj, "dg11.hash") == "fail");

  // Usage errors name what is missing.
  const Cmd none = verify("--offline '" + out_dir() + "/no-such-dump'");
  CHECK(none.rc == 1);
  const std::string empty = fresh("empty-dump");
  fs::create_directories(empty);
  const Cmd nosod = verify("--offline '" + empty + "'");
  CHECK(nosod.rc == 1);
  CHECK(nosod.err.find("EF_SOD.bin") != std::string::npos);
}

TEST_CASE(
    "dnie-verify --import-master-list: only a list anchored at a trusted CSCA, Spanish CSCAs to the user") {
  const std::string ml = std::string(DNIE_TEST_DATA_DIR) + "/pki/DE_master_list_2026-05-28.ml";
  const std::string xdg = fresh("xdg-import");
  // The default store alone cannot anchor the BSI list (its signer is issued by csca-germany).
  const Cmd refused = verify("--import-master-list '" + ml + "'", xdg);
  CHECK(refused.rc == 10);
  CHECK(refused.err.find("--trust csca-germany.pem") != std::string::npos);
  CHECK(refused.err.find("MasterListOptions") == std::string::npos);
  CHECK_FALSE(fs::exists(xdg + "/dnie/trust"));
  // csca-germany, as a verifier would get it from the BSI (here: from the list's CMS certificates).
  const std::string raw = slurp(ml);
  auto parsed = dnie::icao::parse_master_list(dnie::ByteView::of(raw));
  REQUIRE(parsed.ok());
  const auto* signer =
      dnie::icao::find_signer_certificate(parsed->signed_data, parsed->signed_data.signers[0]);
  REQUIRE(signer != nullptr);
  std::string germany;
  for (const auto& c : parsed->signed_data.certificates)
    if (&c != signer && c.subject() == signer->issuer() && signer->verify_signed_by(c.public_key()).ok())
      germany = c.to_pem();
  REQUIRE_FALSE(germany.empty());
  const std::string pem = fresh("csca-germany.pem");
  write_bytes(pem, germany);

  const Cmd ok = verify("--trust '" + pem + "' --import-master-list '" + ml + "'", xdg);
  CHECK(ok.rc == 0);
  CHECK(ok.out.find("5 new CSCA certificates") != std::string::npos);
  CHECK(mode_of(xdg + "/dnie/trust") == "700");
  std::size_t pems = 0;
  for (const auto& e : fs::directory_iterator(xdg + "/dnie/trust")) {
    if (e.path().extension() != ".pem") continue;
    ++pems;
    CHECK(e.path().filename().string().rfind("ES_CSCA_SPAIN_", 0) == 0);
    CHECK(mode_of(e.path().string()) == "600");
  }
  CHECK(pems == 5);
  CHECK(slurp(xdg + "/dnie/trust/IMPORTS.log").find("sha256=e036f8c9") != std::string::npos);
  const Cmd again = verify("--trust '" + pem + "' --import-master-list '" + ml + "'", xdg);
  CHECK(again.rc == 0);
  CHECK(again.out.find("0 new CSCA certificates") != std::string::npos);
  // Found by the default store from now on (the same five: nothing doubles).
  const Cmd audit = verify("--audit-trust --json -", xdg);
  auto j = parse(audit.out);
  REQUIRE(j.is_object());
  CHECK(j["certificates"].size() == 5);
  CHECK(j["trust"].get<std::string>().find("imported into") != std::string::npos);
  CHECK(verify("--trust-unanchored-list --import-master-list '" + ml + "'", xdg).rc == 1);
}

TEST_CASE("dnie-verify: output files are private and never replaced without --force") {
  const std::string json = fresh("existing.json");
  write_bytes(json, "keep");
  const Cmd r = verify("--reader virtual --can 123456 --trust-virtual -q --json '" + json + "'");
  CHECK(r.rc == 1);
  CHECK(r.err.find("--force") != std::string::npos);
  CHECK(slurp(json) == "keep");
  CHECK(verify("--reader virtual --can 123456 --trust-virtual -q --force --json '" + json + "'").rc == 0);
  CHECK(parse(slurp(json)).is_object());
  CHECK(mode_of(json) == "600");
  const std::string victim = fresh("victim.html"), link = fresh("link.html");
  write_bytes(victim, "victim");
  fs::create_symlink(victim, link);
  const Cmd l = verify("--reader virtual --can 123456 --trust-virtual -q --force --html '" + link + "'");
  CHECK(l.rc == 1);
  CHECK(l.err.find("symbolic link") != std::string::npos);
  CHECK(slurp(victim) == "victim");
}

TEST_CASE("dnie-verify speaks dnie's command-line language") {
  const Cmd v = verify("--version");
  CHECK(v.rc == 0);
  CHECK(v.out.rfind("dnie-verify ", 0) == 0);
  CHECK(verify("--help").out.find("Exit codes (dnie and dnie-verify)") != std::string::npos);
  // A 5-digit CAN is a usage error, found before any reader is opened: no verdict.
  const Cmd can = verify("--reader virtual --can 12345 --trust-virtual");
  CHECK(can.rc == 1);
  CHECK(can.out.find("VERDICT") == std::string::npos);
  CHECK(verify("--reader 'No Such Reader' --mrz 'A,B'").rc == 1);
  // --json with no value is standard output, like dnie.
  const Cmd j = verify("--reader virtual --can 123456 --trust-virtual --json");
  CHECK(j.rc == 0);
  auto doc = parse(j.out);
  REQUIRE(doc.is_object());
  // The --mrz forms of dnie: DOCNO,YYMMDD,YYMMDD and the whole MRZ.
  const std::string docno = doc["holder"]["Document number"].get<std::string>();
  CHECK(verify("--reader virtual --mrz " + docno + ",800101,330615 --trust-virtual -q").rc == 0);
  std::string mrz;
  for (const auto& l : doc["mrz"]) mrz += l.get<std::string>();
  CHECK(verify("--reader virtual --mrz '" + mrz + "' --trust-virtual -q").rc == 0);
  // --csca is dnie's name for --trust; a file that does not parse is named, exit 1.
  const std::string junk = fresh("junk.der");
  write_bytes(junk, "junk");
  const Cmd t = verify("--reader virtual --can 123456 --csca '" + junk + "'");
  CHECK(t.rc == 1);
  CHECK(t.err.find("junk.der") != std::string::npos);
  // --wait: the virtual card is always there; a missing PC/SC reader fails at once (exit 2).
  CHECK(verify("--reader virtual --can 123456 --trust-virtual -q --wait").rc == 0);
  CHECK(verify("--reader 7 --can 123456 --wait --wait-timeout 2").rc == 2);
  // No libnfc noise, no raw control characters in parse errors.
  const Cmd bad = verify("--no-such-option \"$(printf '\\033[8m')\"");
  CHECK(bad.rc == 1);
  CHECK(terminal_safe(bad.err));
  CHECK(bad.err.find("libnfc") == std::string::npos);
}

TEST_CASE("dnie-verify shows progress on a terminal only") {
  std::string cmd = "script -qec \"env XDG_DATA_HOME='" + out_dir() + "/xdg-empty' ";
#ifdef DNIE_VCARD_IMAGE_DIR
  cmd += "DNIE_VCARD_IMAGES='" DNIE_VCARD_IMAGE_DIR "' ";
#endif
  cmd += "'" DNIE_VERIFY_EXE "' --reader virtual --can 123456 --trust-virtual\" /dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string all;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) all.append(buf, n);
  const int st = pclose(p);
  if (!WIFEXITED(st) || WEXITSTATUS(st) == 127) {
    MESSAGE("skipped: script(1) is not available");
    return;
  }
  CHECK(all.find("reading the document") != std::string::npos);
  CHECK(all.find("bytes") != std::string::npos);
  CHECK(all.find("VERDICT: GENUINE") != std::string::npos);
  const Cmd piped = verify("--reader virtual --can 123456 --trust-virtual");
  CHECK(piped.err.find("reading the document") == std::string::npos);
}

TEST_CASE("dnie-verify: no --reader is the first PC/SC reader with a card, never the virtual card") {
  const std::string no_pcsc = "PCSCLITE_CSOCK_NAME='" + out_dir() + "/no-pcscd.socket'";
  const Cmd r = verify("--can 123456 --trust-virtual --json -", {}, no_pcsc);
  CHECK(r.rc == 2);
  CHECK(r.out.find("GENUINE") == std::string::npos);
  CHECK(r.err.find("no --reader given") != std::string::npos);
  CHECK(r.err.find("--reader virtual") != std::string::npos);
  CHECK(verify("--wait --wait-timeout 2 --can 123456", {}, no_pcsc).rc == 2);
  CHECK(verify("--help").out.find("never the default reader") != std::string::npos);
  // Modes without a card need no reader.
  CHECK(verify("--audit-trust", {}, no_pcsc).rc == 0);
}
