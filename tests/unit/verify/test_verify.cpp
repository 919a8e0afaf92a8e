// SPDX-License-Identifier: Apache-2.0
// dnie-verify against every virtual card profile: exit code, verdict and deciding check in the
// JSON evidence; the HTML report embeds the face and signature and loads nothing from outside.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace {

struct Run {
  int exit_code = -1;
  nlohmann::json json;
  std::string html;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Run run(const std::string& profile, const std::string& extra = "--trust-virtual --can 123456") {
  const std::string dir = DNIE_VERIFY_OUT_DIR;
  std::filesystem::create_directories(dir);
  const std::string json = dir + "/" + profile + ".json", html = dir + "/" + profile + ".html";
  std::filesystem::remove(json);
  std::filesystem::remove(html);
  std::string cmd = std::string("'") + DNIE_VERIFY_EXE + "' --reader virtual:" + profile + " " + extra +
                    " --json '" + json + "' --html '" + html + "' --quiet > '" + dir + "/" + profile +
                    ".txt' 2>&1";
#ifdef DNIE_VCARD_IMAGE_DIR
  cmd = std::string("DNIE_VCARD_IMAGES='") + DNIE_VCARD_IMAGE_DIR + "' " + cmd;
#endif
  cmd = "XDG_DATA_HOME='" + dir + "/xdg-empty' " + cmd;  // the default store: the shipped one only
  const int st = std::system(cmd.c_str());
  Run r;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  const std::string text = slurp(json);
  if (!text.empty()) r.json = nlohmann::json::parse(text, nullptr, false);
  r.html = slurp(html);
  return r;
}

std::string outcome(const Run& r) { return r.json.at("verdict").at("outcome").get<std::string>(); }

bool deciding(const Run& r, const std::string& id) {
  for (const auto& d : r.json.at("verdict").at("deciding_checks"))
    if (d.get<std::string>() == id) return true;
  return false;
}

std::string check_status(const Run& r, const std::string& id) {
  for (const auto& c : r.json.at("checks"))
    if (c.at("id") == id) return c.at("status").get<std::string>();
  return "absent";
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

void check_html(const Run& r, bool images) {
  REQUIRE_FALSE(r.html.empty());
  CHECK(count(r.html, "data:image/png;base64") == (images ? 2u : 0u));
  CHECK(r.html.find("http://") == std::string::npos);
  CHECK(r.html.find("https://") == std::string::npos);
  CHECK(r.html.find("<link") == std::string::npos);
  CHECK(r.html.find("<script") == std::string::npos);
  CHECK(r.html.find(r.json.at("verdict").at("outcome").get<std::string>()) != std::string::npos);
}

}  // namespace

TEST_CASE("dnie-verify gives every virtual card profile its verdict and reason") {
  SUBCASE("genuine") {
    auto r = run("genuine");
    CHECK(r.exit_code == 0);
    REQUIRE(r.json.is_object());
    CHECK(outcome(r) == "GENUINE");
    CHECK(r.json.at("verdict").at("document_valid") == true);
    for (const char* id : {"sod.signature", "ds.chain", "dg1.hash", "dg2.hash", "dg7.hash", "dg11.hash",
                           "dg13.hash", "dg14.hash", "chip_authentication", "mrz.dg11", "mrz.dg13",
                           "document.expiry", "icc.chain", "certificates.serial"})
      CHECK_MESSAGE(check_status(r, id) == "pass", id);
    std::vector<std::string> steps;
    for (const auto& s : r.json.at("steps")) steps.push_back(s.at("id").get<std::string>());
    CHECK(steps == std::vector<std::string>{"open", "pace", "read", "pa", "ca", "esign", "certificates"});
    check_html(r, true);
  }
  // revoked: its holder certificates are REVOKED by its CA's CRL, informational only.
  for (const char* p : {"blocked-pin", "r1", "r2", "revoked"}) {
    SUBCASE(p) {
      auto r = run(p);
      CHECK(r.exit_code == 0);
      REQUIRE(r.json.is_object());
      CHECK(outcome(r) == "GENUINE");
      CHECK(check_status(r, "icc.chain") == "pass");
      CHECK(check_status(r, "certificates.serial") == "pass");
      check_html(r, true);
    }
  }
  SUBCASE("altered-dg") {
    auto r = run("altered-dg");
    CHECK(r.exit_code == 7);
    REQUIRE(r.json.is_object());
    CHECK(outcome(r) == "NOT GENUINE");
    CHECK(deciding(r, "dg11.hash"));
    CHECK(check_status(r, "dg11.hash") == "fail");
    check_html(r, true);
  }
  SUBCASE("cloned-chip") {
    auto r = run("cloned-chip");
    CHECK(r.exit_code == 7);
    REQUIRE(r.json.is_object());
    CHECK(outcome(r) == "NOT GENUINE");
    CHECK(deciding(r, "chip_authentication"));
    CHECK(check_status(r, "sod.signature") == "pass");  // a perfect copy of the data
    check_html(r, true);
  }
  SUBCASE("expired") {
    auto r = run("expired");
    CHECK(r.exit_code == 11);
    REQUIRE(r.json.is_object());
    CHECK(outcome(r) == "GENUINE");
    CHECK(r.json.at("verdict").at("document_valid") == false);
    CHECK(r.json.at("verdict").at("label") == "GENUINE, EXPIRED");
    CHECK(deciding(r, "document.expiry"));
    check_html(r, true);
  }
  SUBCASE("untrusted-csca") {
    auto r = run("untrusted-csca");
    CHECK(r.exit_code == 10);
    REQUIRE(r.json.is_object());
    CHECK(outcome(r) == "CANNOT VERIFY");
    CHECK(deciding(r, "ds.chain"));
    CHECK(check_status(r, "ds.chain") == "not_performed");  // missing trust is not forgery
    check_html(r, true);
  }
  SUBCASE("terminated") {
    auto r = run("terminated");
    CHECK(r.exit_code == 10);
    REQUIRE(r.json.is_object());
    CHECK(outcome(r) == "CANNOT VERIFY");
    CHECK(r.json.contains("aborted"));
    CHECK(r.json.at("verdict").at("reasons").at(0).get<std::string>().find("terminated") !=
          std::string::npos);
    check_html(r, false);
  }
}

TEST_CASE("dnie-verify: wrong CAN, no trust store, usage") {
  auto wrong = run("genuine", "--trust-virtual --can 111111");
  CHECK(wrong.exit_code == 3);  // CANNOT VERIFY, with the wrong-CAN code of the one table
  REQUIRE(wrong.json.is_object());
  CHECK(wrong.json.at("aborted").at("error") == "WrongCan");
  auto untrusted = run("genuine", "--can 123456");
  CHECK(untrusted.exit_code == 10);
  REQUIRE(untrusted.json.is_object());
  CHECK(check_status(untrusted, "ds.chain") == "not_performed");
  auto bad_now = run("genuine", "--trust-virtual --can 123456 --now 2026-13-01");
  CHECK(bad_now.exit_code == 1);
  // --now makes the validity checks reproducible: the genuine card is expired in 2099.
  auto future = run("genuine", "--trust-virtual --can 123456 --now 2099-01-01");
  CHECK(future.exit_code == 11);
}
