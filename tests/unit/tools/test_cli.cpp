// SPDX-License-Identifier: Apache-2.0
// The built `dnie` binary against the virtual card: output, JSON and the stable exit codes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace {

using namespace dnie_cli_test;

// PIN commands need the eSign (CWA) side of the virtual card; skip while it is not there.
bool pin_supported() {
  const Run r = dnie("pin status --reader virtual --can 123456");
  if (r.rc != 0) MESSAGE("skipped: `dnie pin status` fails on the virtual card (exit " << r.rc << ")");
  return r.rc == 0;
}

}  // namespace

TEST_CASE("cli readers") {
  const Run r = dnie("readers --no-nfc");
  CHECK(r.rc == 0);
  CHECK(r.out.find("spec=virtual") != std::string::npos);
  const Run j = dnie("readers --no-nfc --json");
  REQUIRE(j.rc == 0);
  auto doc = nlohmann::json::parse(j.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  bool found = false;
  for (const auto& e : doc["readers"]) found = found || e.value("spec", "") == "virtual";
  CHECK(found);
}

TEST_CASE("cli read_text") {
  const Run r = dnie("read --reader virtual --can 123456");
  CHECK(r.rc == 0);
  CHECK(r.out.find("CARMEN") != std::string::npos);
  CHECK(r.out.find("99999999R") != std::string::npos);
  CHECK(r.out.find("\033[") == std::string::npos);  // no colours when piped
}

TEST_CASE("cli read_json") {
  const Run r = dnie("read --reader virtual --can 123456 --json --dg 1,11,13");
  REQUIRE(r.rc == 0);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["holder"]["dni_number"] == "99999999R");
  CHECK(j["holder"]["name"] == "CARMEN");
  CHECK(j["file_sizes"]["DG1"].get<int>() > 0);
  CHECK(j["file_sizes"].count("DG2") == 0);
  CHECK(j["apdus"].get<int>() > 0);
}

TEST_CASE("cli wrong_can") {
  CHECK(dnie("read --reader virtual --can 654321").rc == 3);
  const Run j = dnie("read --reader virtual --can 654321 --json");
  CHECK(j.rc == 3);
  auto doc = nlohmann::json::parse(j.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  CHECK(doc["error"]["code"] == "WrongCan");
}

TEST_CASE("cli photo") {
  const std::string png = fresh("face.png");
  const std::string jpg = fresh("signature.jpg");
  const Run r =
      dnie("read --reader virtual --can 123456 --dg 1 --photo '" + png + "' --signature-image '" + jpg + "'");
  REQUIRE(r.rc == 0);
  const std::string p = slurp(png);
  REQUIRE(p.size() > 8);
  CHECK(p.compare(0, 4, "\x89PNG") == 0);
  const std::string s = slurp(jpg);
  REQUIRE(s.size() > 3);
  CHECK(static_cast<unsigned char>(s[0]) == 0xFF);
  CHECK(static_cast<unsigned char>(s[1]) == 0xD8);
}

TEST_CASE("cli certs") {
  const Run r = dnie("certs --reader virtual --can 123456 --json");
  REQUIRE(r.rc == 0);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["certificates"].size() == 3);
  const std::string pem = fresh("sign.pem");
  CHECK(dnie("certs --reader virtual --can 123456 --export sign --format pem --out '" + pem + "'").rc == 0);
  CHECK(slurp(pem).rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  const std::string der = fresh("auth.der");
  CHECK(dnie("certs --reader virtual --can 123456 --export auth --format der --out '" + der + "'").rc == 0);
  const std::string d = slurp(der);
  REQUIRE_FALSE(d.empty());
  CHECK(static_cast<unsigned char>(d[0]) == 0x30);
}

TEST_CASE("cli info") {
  const Run r = dnie("info --reader virtual --can 123456");
  CHECK(r.rc == 0);
  CHECK(r.out.find("contactless") != std::string::npos);
  // After PACE, EF 2F03 tells a DNIe from a TIE (same contactless ATR).
  const Run c = dnie("info --reader virtual --can 123456 --json");
  REQUIRE(c.rc == 0);
  auto confirmed = nlohmann::json::parse(c.out, nullptr, false);
  REQUIRE_FALSE(confirmed.is_discarded());
  CHECK(confirmed["dnie_confirmed"] == true);
  CHECK(confirmed["card"] == "DNIe 3.0/4.0 (contactless)");
  const Run j = dnie("info --reader virtual-contact --json");
  REQUIRE(j.rc == 0);
  auto doc = nlohmann::json::parse(j.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  CHECK(doc["interface"] == "contact");
  CHECK_FALSE(doc["idesp"].get<std::string>().empty());
}

TEST_CASE("cli trace") {
  const Run r = dnie("trace --reader virtual --can 123456");
  CHECK(r.rc == 0);
  CHECK(r.out.find("[plain] > 00 B0") != std::string::npos);
  CHECK(r.out.find("<redacted") != std::string::npos);  // PACE tokens
  CHECK(r.out.find("123456") == std::string::npos);
}

TEST_CASE("cli exit_codes") {
  CHECK(dnie("").rc == 1);
  CHECK(dnie("--help").rc == 0);
  CHECK(dnie("--help").out.find("virtual[:profile]") != std::string::npos);
  CHECK(dnie("read --no-such-option").rc == 1);
  CHECK(dnie("read --reader virtual").rc == 1);  // no CAN, not a terminal
  CHECK(dnie("read --reader virtual:no-such-profile --can 123456").rc != 0);
  CHECK(dnie("info --reader virtual-contact:terminated").rc == 6);
  CHECK(dnie("read --reader 'No Such Reader XYZ' --can 123456").rc == 2);
}

TEST_CASE("cli no_reader_hint") {
  // The reader that failed is never the one suggested: a missing virtual card image...
  const Run v = dnie("read --reader virtual:no-such-profile --can 123456");
  CHECK(v.rc == 2);
  CHECK(v.err.find("DNIE_VCARD_IMAGES") != std::string::npos);
  CHECK(v.err.find("--reader virtual") == std::string::npos);
  // ...while a PC/SC reader that cannot be reached (no pcscd here) gets the virtual card offered.
  const Run p =
      dnie("read --reader 'No Such Reader XYZ' --can 123456", "PCSCLITE_CSOCK_NAME=/nonexistent/pcscd");
  CHECK(p.rc == 2);
  CHECK(p.err.find("--reader virtual") != std::string::npos);
}

TEST_CASE("cli pin") {
  if (!pin_supported()) return;
  const std::string can = "--reader virtual --can 123456 ";
  const Run s = dnie("pin status " + can + "--json");
  REQUIRE(s.rc == 0);
  auto j = nlohmann::json::parse(s.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["pin_tries_left"] == 3);
  CHECK(dnie("pin verify " + can, "DNIE_PIN=12345678").rc == 0);
  CHECK(dnie("pin verify " + can, "DNIE_PIN=00000000").rc == 4);
  CHECK(dnie("pin verify " + can).rc == 1);  // no PIN source
  CHECK(dnie("pin verify " + can + "--pin-env MY_PIN", "MY_PIN=12345678").rc == 0);
  CHECK(dnie("pin verify --reader virtual:blocked-pin --can 123456", "DNIE_PIN=12345678").rc == 5);
  CHECK(dnie("pin change " + can, "DNIE_PIN=12345678 DNIE_NEW_PIN=abcd1234").rc == 0);
}

TEST_CASE("cli sign") {
  if (!pin_supported()) return;
  const std::string in = std::string(DNIE_CLI_TMP) + "/message.txt";
  const std::string out = fresh("message.sig");
  { std::ofstream(in) << "hello DNIe\n"; }
  CHECK(dnie("sign --reader virtual --can 123456 --key sign --hash sha256 --in '" + in + "' --out '" + out +
                 "'",
             "DNIE_PIN=12345678")
            .rc == 0);
  CHECK(slurp(out).size() == 256);
  const std::string digest(64, 'a');
  const Run r = dnie("sign --reader virtual --can 123456 --key auth --digest " + digest + " --json",
                     "DNIE_PIN=12345678");
  CHECK(r.rc == 0);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["signature"].get<std::string>().size() == 512);
  CHECK(dnie("sign --reader virtual --can 123456 --key sign --digest abcd", "DNIE_PIN=12345678").rc ==
        1);  // wrong length
}

TEST_CASE("cli verify") {
  CHECK(dnie("read --reader virtual --can 123456 --verify --csca virtual").rc == 0);
  // No CSCA: a genuine card cannot be verified, it is not called forged.
  CHECK(dnie("read --reader virtual --can 123456 --verify").rc == 10);
  const std::pair<const char*, std::pair<int, const char*>> cases[] = {
      {"altered-dg", {7, "NOT GENUINE"}},
      {"cloned-chip", {7, "NOT GENUINE"}},
      {"expired", {11, "GENUINE"}},
      {"untrusted-csca", {10, "CANNOT VERIFY"}}};
  for (const auto& [p, want] : cases) {
    CAPTURE(p);
    const Run r =
        dnie(std::string("read --reader virtual:") + p + " --can 123456 --verify --csca virtual --json");
    CHECK(r.rc == want.first);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    CHECK(j["verification"]["verdict"] == want.second);
  }
  const std::string dir = fresh("raw");
  CHECK(dnie("read --reader virtual --can 123456 --dg 1,13 --raw '" + dir + "' -q").rc == 0);
  CHECK(slurp(dir + "/DG1.bin").size() == 95);
  CHECK_FALSE(slurp(dir + "/EF_SOD.bin").empty());
}

namespace {

// Independent of tools/common/text.cpp: well-formed UTF-8 (RFC 3629) and no byte a terminal
// would obey (C0 controls other than newline, DEL, the C1 range in UTF-8 form).
bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80                 ? 1
                    : c >= 0xC2 && c <= 0xDF ? 2
                    : c >= 0xE0 && c <= 0xEF ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4
                                             : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

bool terminal_safe(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\r') || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9F)
      return false;
  }
  return valid_utf8(s);
}

std::string mode_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "absent";
  char b[8];
  std::snprintf(b, sizeof b, "%03o", static_cast<unsigned>(st.st_mode & 0777));
  return b;
}

}  // namespace

TEST_CASE("cli hostile_text") {
  // Names with ESC [ 8 m, an OSC title, invalid UTF-8 and a NUL, on a properly signed card.
  const std::string card = "--reader virtual:hostile-text --can 123456 ";
  const Run t = dnie("read " + card);
  CHECK(t.rc == 0);
  CHECK(terminal_safe(t.out));
  CHECK(terminal_safe(t.err));
  CHECK(t.out.find("CARMEN\\x1B[8m\\x1B]0;title\\x07") != std::string::npos);  // shown, not obeyed
  CHECK(t.out.find("ESPAÑOLA") != std::string::npos);                          // letters kept
  const Run j = dnie("read " + card + "--json");
  CHECK(j.rc == 0);
  CHECK(terminal_safe(j.out));
  auto doc = nlohmann::json::parse(j.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  const std::string name = doc["holder"]["name"].get<std::string>();
  CHECK(name.rfind("CARMEN\x1b[8m\x1b]0;title\x07", 0) == 0);         // the data, exactly, as JSON escapes
  CHECK(name.find("\xEF\xBF\xBD\xEF\xBF\xBD") != std::string::npos);  // 0xC3 0xFF -> two U+FFFD
  CHECK(name.find(std::string(1, '\0')) != std::string::npos);
  // The verdict line is intact and the exit code that of a genuine card.
  const Run v = dnie("read " + card + "--verify --trust-virtual");
  CHECK(v.rc == 0);
  CHECK(terminal_safe(v.out));
  CHECK(v.out.find("Verification:      GENUINE\n") != std::string::npos);
  const Run vj = dnie("read " + card + "--verify --trust-virtual --json -");
  CHECK(vj.rc == 0);
  auto vd = nlohmann::json::parse(vj.out, nullptr, false);
  REQUIRE_FALSE(vd.is_discarded());
  CHECK(vd["verification"]["verdict"] == "GENUINE");
}

TEST_CASE("cli files") {
  // Personal data: mode 0600 whatever the umask (022 here), no overwrite without --force, never
  // through a symbolic link; --raw directories 0700.
  const std::string png = fresh("private.png");
  CHECK(dnie("read --reader virtual --can 123456 --dg 1 --photo '" + png + "'").rc == 0);
  CHECK(mode_of(png) == "600");
  { std::ofstream(png, std::ios::trunc) << "keep me"; }
  const Run again = dnie("read --reader virtual --can 123456 --dg 1 --photo '" + png + "'");
  CHECK(again.rc == 1);
  CHECK(again.err.find("--force") != std::string::npos);
  CHECK(again.err.find("private.png") != std::string::npos);
  CHECK(slurp(png) == "keep me");
  CHECK(dnie("read --reader virtual --can 123456 --dg 1 --force --photo '" + png + "'").rc == 0);
  CHECK(slurp(png).compare(0, 4, "\x89PNG") == 0);
  CHECK(mode_of(png) == "600");

  const std::string target = fresh("victim.txt"), link = fresh("link.png");
  { std::ofstream(target) << "victim"; }
  std::filesystem::create_symlink(target, link);
  for (const char* force : {"", "--force "}) {
    CAPTURE(force);
    const Run r =
        dnie(std::string("read --reader virtual --can 123456 --dg 1 ") + force + "--photo '" + link + "'");
    CHECK(r.rc == 1);
    CHECK(r.err.find("symbolic link") != std::string::npos);
    CHECK(slurp(target) == "victim");
  }

  const std::string json = fresh("out.json");
  CHECK(dnie("read --reader virtual --can 123456 --dg 1 --json '" + json + "'").rc == 0);
  CHECK(mode_of(json) == "600");
  auto j = nlohmann::json::parse(slurp(json), nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["holder"]["dni_number"] == "99999999R");
  CHECK(dnie("read --reader virtual --can 123456 --dg 1 --json '" + json + "'").rc == 1);

  const std::string raw = fresh("rawdir");
  CHECK(dnie("read --reader virtual --can 123456 --dg 1,13 --raw '" + raw + "/sub' -q").rc == 0);
  CHECK(mode_of(raw + "/sub") == "700");
  CHECK(mode_of(raw + "/sub/DG1.bin") == "600");
  CHECK(mode_of(raw + "/sub/EF_SOD.bin") == "600");
  CHECK(dnie("read --reader virtual --can 123456 --dg 1,13 --raw '" + raw + "/sub' -q").rc == 1);
  CHECK(dnie("read --reader virtual --can 123456 --dg 1,13 --raw '" + raw + "/sub' -q --overwrite").rc == 0);
  const std::string rawlink = fresh("rawlink");
  std::filesystem::create_symlink(raw, rawlink);
  CHECK(dnie("read --reader virtual --can 123456 --dg 1 --raw '" + rawlink + "' -q --force").rc == 1);
}

TEST_CASE("cli options") {
  const Run v = dnie("--version");
  CHECK(v.rc == 0);
  CHECK(v.out.rfind("dnie ", 0) == 0);
  const Run h = dnie("--help");
  CHECK(h.out.find("Exit codes (dnie and dnie-verify)") != std::string::npos);
  // `dnie trace --help` is trace's own usage.
  const Run th = dnie("trace --help");
  CHECK(th.rc == 0);
  CHECK(th.out.find("dnie [global options] trace [command [options]]") != std::string::npos);
  CHECK(th.out.find("Usage: dnie read") == std::string::npos);
  // Usage errors: exit 1, before a reader is opened (a missing reader would be 2).
  CHECK(dnie("read --reader virtual --can 12345").rc == 1);
  CHECK(dnie("read --reader 'No Such Reader' --can 1234567").rc == 1);
  CHECK(dnie("read --reader 'No Such Reader' --mrz 'X,Y'").rc == 1);
  const Run bad = dnie("read --no-such-option \"$(printf '\\033[8m')\"");
  CHECK(bad.rc == 1);
  CHECK(terminal_safe(bad.err));
  // --json and --json - are the same.
  const Run a = dnie("read --reader virtual --can 123456 --dg 1 --json"),
            b = dnie("read --reader virtual --can 123456 --dg 1 --json -");
  CHECK(a.rc == 0);
  CHECK(a.out == b.out);
  // --mrz: the same forms as dnie-verify.
  auto doc = nlohmann::json::parse(a.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  const std::string docno = doc["holder"]["document_number"].get<std::string>();
  std::string lines;
  for (const auto& l : doc["mrz"]["lines"]) lines += l.get<std::string>();
  CHECK(dnie("read --reader virtual --dg 1 -q --mrz " + docno + ",800101,330615").rc == 0);
  CHECK(dnie("read --reader virtual --dg 1 -q --mrz '" + lines + "'").rc == 0);
  CHECK(dnie("read --reader virtual --dg 1 -q --mrz '" + lines.substr(5, 10) + lines.substr(30, 7) +
             lines.substr(38, 7) + "'")
            .rc == 0);
  // A trust file that does not parse: named in the message, exit 1.
  const std::string junk = fresh("junk.pem");
  { std::ofstream(junk) << "not a certificate"; }
  const Run t = dnie("read --reader virtual --can 123456 --verify --trust '" + junk + "'");
  CHECK(t.rc == 1);
  CHECK(t.err.find("junk.pem") != std::string::npos);
  // A master list without its anchor: CLI words in the hint, not C++ names.
  const Run ml = dnie("read --reader virtual --can 123456 --verify --csca '" DNIE_TEST_DATA
                      "/pki/DE_master_list_2026-05-28.ml'");
  CHECK(ml.rc == 10);
  CHECK(ml.err.find("--trust-unanchored-list") != std::string::npos);
  CHECK(ml.err.find("MasterListOptions") == std::string::npos);
  // No libnfc noise on a normal run.
  const Run rd = dnie("readers");
  CHECK(rd.rc == 0);
  CHECK(rd.err.find("libnfc") == std::string::npos);
}

TEST_CASE("cli wait") {
  CHECK(dnie("read --reader virtual --wait --can 123456 -q").rc == 0);
  // PC/SC without pcscd, or a reader index that does not exist: exit 2 at once, no waiting.
  CHECK(dnie("read --reader 7 --wait --wait-timeout 2 --can 123456").rc == 2);
}

TEST_CASE("cli default_trust") {
  // Without --trust: the CSCA SPAIN store shipped with the tools. The virtual card's CSCA is a
  // TEST one, so its genuine card cannot be verified with it (never called forged).
  const Run r = dnie("read --reader virtual --can 123456 --verify --json");
  CHECK(r.rc == 10);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["verification"]["verdict"] == "CANNOT VERIFY");
  CHECK(j["verification"]["trust"]["source"] == "default");
  CHECK(j["verification"]["trust"]["csca_certificates"] == 5);
  CHECK(j["verification"]["trust"]["test_only"] == false);
  const Run t = dnie("read --reader virtual --can 123456 --verify");
  CHECK(t.out.find("default trust store") != std::string::npos);
  CHECK(dnie("read --reader virtual --can 123456 --verify --trust-virtual").rc == 0);
}

TEST_CASE("cli progress") {
  // On a terminal (script(1) gives one) the read shows progress on stderr; piped, it does not.
  const std::string cmd = "script -qec \"env NO_COLOR=1 XDG_DATA_HOME='" DNIE_CLI_TMP "/xdg' '" DNIE_CLI
                          "' read --reader virtual --can 123456 --dg 1,2\" /dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string all;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) all.append(buf, n);
  const int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
    MESSAGE("skipped: script(1) is not available");
    return;
  }
  CHECK(all.find("bytes") != std::string::npos);
  CHECK(all.find("PACE with the CAN") != std::string::npos);
  const Run piped = dnie("read --reader virtual --can 123456 --dg 1,2");
  CHECK(piped.err.find("bytes") == std::string::npos);
}

TEST_CASE("cli default_reader") {
  // No --reader: the first PC/SC reader holding a card, never the virtual card. With no PC/SC
  // service (a socket nobody listens on), exit 2 with a message that says how to pick a reader.
  const std::string no_pcsc = "PCSCLITE_CSOCK_NAME='" DNIE_CLI_TMP "/no-pcscd.socket'";
  for (const char* cmd : {"read --can 123456 --dg 1", "certs --can 123456", "info"}) {
    CAPTURE(cmd);
    const Run r = dnie(cmd, no_pcsc);
    CHECK(r.rc == 2);
    CHECK(r.out.find("CARMEN") == std::string::npos);
    CHECK(r.err.find("no --reader given") != std::string::npos);
    CHECK(r.err.find("--reader virtual") != std::string::npos);
    CHECK(r.err.find("`dnie readers`") != std::string::npos);
  }
  const Run j = dnie("read --can 123456 --json", no_pcsc);
  CHECK(j.rc == 2);
  auto doc = nlohmann::json::parse(j.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  CHECK(doc["error"]["exit_code"] == 2);
  // --wait without --reader waits for a card in any PC/SC reader: no service, exit 2 at once.
  CHECK(dnie("read --wait --wait-timeout 2 --can 123456", no_pcsc).rc == 2);
  // The virtual card, asked for by name, still works; `dnie readers` still lists it.
  CHECK(dnie("read --reader virtual --can 123456 --dg 1 -q", no_pcsc).rc == 0);
  CHECK(dnie("readers --no-nfc", no_pcsc).out.find("spec=virtual") != std::string::npos);
  CHECK(dnie("--help").out.find("never the virtual card") != std::string::npos);
}
