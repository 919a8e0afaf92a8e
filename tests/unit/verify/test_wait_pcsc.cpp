// SPDX-License-Identifier: Apache-2.0
// --wait through the real pcscd + vpcd + dnie-vcard (the e2e fixture): dnie-verify and dnie wait
// in SCardGetStatusChange until a card is presented, then verify/read it; with no card they give
// up after --wait-timeout with exit 2.
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <sys/wait.h>
#include <thread>

#include <doctest/doctest.h>

#include "e2e_support.hpp"

using namespace std::chrono_literals;

namespace {

struct Cmd {
  int rc = -1;
  std::string out;
};

Cmd run(const std::string& cmd) {
  Cmd r;
  FILE* p =
      popen(("env -u DNIE_CAN XDG_DATA_HOME=/nonexistent DNIE_VCARD_IMAGES='" DNIE_VCARD_IMAGE_DIR "' " +
             cmd + " </dev/null 2>&1")
                .c_str(),
            "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

const std::string kReader = std::string("'") + dnie::e2e::kReader0 + "'";

}  // namespace

TEST_CASE("--wait: both tools wait for a card presented to a PC/SC reader") {
  const std::string empty = dnie::e2e::wait_card(false, 30s);
  REQUIRE_MESSAGE(empty.empty(), empty);
  const std::string tools[] = {
      "'" DNIE_VERIFY_EXE "' --reader " + kReader + " --wait --wait-timeout 60 --can 123456 --trust-virtual",
      "'" DNIE_CLI "' read --reader " + kReader + " --wait --wait-timeout 60 --can 123456 --dg 1"};
  for (const auto& cmd : tools) {
    CAPTURE(cmd);
    auto fut = std::async(std::launch::async, [cmd] { return run(cmd); });
    CHECK(fut.wait_for(1500ms) == std::future_status::timeout);  // waiting: no card yet
    dnie::e2e::Child card(dnie::e2e::vcard_args("genuine", false));
    REQUIRE(fut.wait_for(60s) == std::future_status::ready);
    const Cmd r = fut.get();
    CHECK_MESSAGE(r.rc == 0, r.out);
    CHECK(r.out.find("waiting for a card in Virtual PCD 00 00") != std::string::npos);
    card.stop();
    const std::string gone = dnie::e2e::wait_card(false, 30s);
    REQUIRE_MESSAGE(gone.empty(), gone);
  }
  // Nobody presents a card: exit 2 after the timeout.
  const auto t0 = std::chrono::steady_clock::now();
  const Cmd none = run("'" DNIE_VERIFY_EXE "' --reader " + kReader + " --wait --wait-timeout 2 --can 123456");
  CHECK(none.rc == 2);
  CHECK(none.out.find("no card was presented") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 >= 1900ms);
}

TEST_CASE("no --reader: both tools take the PC/SC reader that holds a card, never the virtual card") {
  const std::string empty = dnie::e2e::wait_card(false, 30s);
  REQUIRE_MESSAGE(empty.empty(), empty);
  // No card anywhere: exit 2, with how to choose a reader.
  const Cmd none = run("'" DNIE_CLI "' read --can 123456 --dg 1");
  CHECK(none.rc == 2);
  CHECK(none.out.find("no PC/SC reader holds a card") != std::string::npos);
  CHECK(none.out.find("--reader virtual") != std::string::npos);
  CHECK(run("'" DNIE_VERIFY_EXE "' --can 123456 --trust-virtual").rc == 2);

  dnie::e2e::Child card(dnie::e2e::vcard_args("genuine", false));
  const std::string present = dnie::e2e::wait_card(true, 30s, &card);
  REQUIRE_MESSAGE(present.empty(), present);
  const Cmd r = run("'" DNIE_CLI "' read --can 123456 --dg 1 --json");
  CHECK_MESSAGE(r.rc == 0, r.out);
  CHECK(r.out.find(std::string("\"reader\": \"pcsc:") + dnie::e2e::kReader0 + "\"") != std::string::npos);
  const Cmd v = run("'" DNIE_VERIFY_EXE "' --can 123456 --trust-virtual --json -");
  CHECK_MESSAGE(v.rc == 0, v.out);
  CHECK(v.out.find(std::string("\"spec\": \"pcsc:") + dnie::e2e::kReader0 + "\"") != std::string::npos);
  CHECK(v.out.find("\"kind\": \"pcsc\"") != std::string::npos);
  card.stop();
  const std::string gone = dnie::e2e::wait_card(false, 30s);
  REQUIRE_MESSAGE(gone.empty(), gone);
}
