// SPDX-License-Identifier: Apache-2.0
// The built `dnie` binary against the virtual card: output, JSON and the stable exit codes.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace {

struct Run {
  int rc = -1;
  std::string out;  ///< stdout (stderr goes to the test log)
};

// Runs `dnie ARGS` with a clean environment for secrets, stdin from /dev/null, NO_COLOR set.
Run dnie(const std::string& args, const std::string& env = {}) {
  const std::string cmd = "env -u DNIE_CAN -u DNIE_PIN -u DNIE_NEW_PIN NO_COLOR=1 " + env +
                          " '" DNIE_CLI "' " + args + " </dev/null";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

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
  const std::string png = std::string(DNIE_CLI_TMP) + "/face.png";
  const std::string jpg = std::string(DNIE_CLI_TMP) + "/signature.jpg";
  std::remove(png.c_str());
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
  const std::string pem = std::string(DNIE_CLI_TMP) + "/sign.pem";
  CHECK(dnie("certs --can 123456 --export sign --format pem --out '" + pem + "'").rc == 0);
  CHECK(slurp(pem).rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  const std::string der = std::string(DNIE_CLI_TMP) + "/auth.der";
  CHECK(dnie("certs --can 123456 --export auth --format der --out '" + der + "'").rc == 0);
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
  const std::string out = std::string(DNIE_CLI_TMP) + "/message.sig";
  { std::ofstream(in) << "hello DNIe\n"; }
  std::remove(out.c_str());
  CHECK(dnie("sign --reader virtual --can 123456 --key sign --hash sha256 --in '" + in + "' --out '" + out +
                 "'",
             "DNIE_PIN=12345678")
            .rc == 0);
  CHECK(slurp(out).size() == 256);
  const std::string digest(64, 'a');
  const Run r = dnie("sign --can 123456 --key auth --digest " + digest + " --json", "DNIE_PIN=12345678");
  CHECK(r.rc == 0);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["signature"].get<std::string>().size() == 512);
  CHECK(dnie("sign --can 123456 --key sign --digest abcd", "DNIE_PIN=12345678").rc == 1);  // wrong length
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
  const std::string dir = std::string(DNIE_CLI_TMP) + "/raw";
  CHECK(dnie("read --can 123456 --dg 1,13 --raw '" + dir + "' -q").rc == 0);
  CHECK(slurp(dir + "/DG1.bin").size() == 95);
  CHECK_FALSE(slurp(dir + "/EF_SOD.bin").empty());
}
