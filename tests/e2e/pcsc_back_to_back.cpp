// SPDX-License-Identifier: Apache-2.0
// Back-to-back processes on one card through the real pcscd (docs/dnie-card.md §9): a process
// that ends leaves the card holding its secure channel (a contactless card is not reset by the
// reader; the next plain command gets 69 87). Every run must still succeed: the SDK ends a stale
// channel with a plain SELECT MF, and resets the card when it closes a session it set up.
#include <cstdlib>
#include <string>
#include <sys/wait.h>

#include <doctest/doctest.h>

#include "e2e_support.hpp"

using namespace std::chrono_literals;

namespace {

void wait_reader(bool present, dnie::e2e::Child* card = nullptr) {
  const std::string why = dnie::e2e::wait_card(present, 30s, card);
  REQUIRE_MESSAGE(why.empty(), why);
}

int run(const std::string& cmd) {
  const std::string full = std::string("DNIE_VCARD_IMAGES='") + DNIE_VCARD_IMAGE_DIR + "' DNIE_CAN=123456 " +
                           cmd + " > /dev/null 2>> back_to_back.err";
  const int st = std::system(full.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

TEST_CASE("ten back-to-back runs of each tool through pcscd, contactless and contact, all exit 0") {
  const std::string reader = std::string("'") + dnie::e2e::kReader0 + "'";
  const std::string dnie = std::string("'") + DNIE_CLI_EXE + "' ";
  const std::string verify = std::string("'") + DNIE_VERIFY_EXE + "' ";
  const std::string p11 =
      std::string("DNIE_PKCS11_READERS=pcsc pkcs11-tool --module '") + DNIE_PKCS11_MODULE + "' ";
  wait_reader(false);
  for (bool contact : {false, true}) {
    CAPTURE(contact);
    dnie::e2e::Child card(dnie::e2e::vcard_args("genuine", contact));
    wait_reader(true, &card);
    int failures = 0, runs = 0;
    for (int i = 0; i < 10; ++i) {
      for (const std::string& cmd :
           {dnie + "read --reader " + reader + " --can 123456 -q",
            verify + "--reader " + reader + " --can 123456 --trust-virtual --quiet",
            dnie + "certs --reader " + reader + " --can 123456", p11 + "-L", p11 + "-O"}) {
#ifdef DNIE_E2E_NO_EXTERNAL_MODULE_LOAD
        if (cmd.rfind(p11, 0) == 0) continue;  // uninstrumented pkcs11-tool, ASan-built module
#endif
        ++runs;
        const int rc = run(cmd);
        if (rc != 0) {
          ++failures;
          MESSAGE("run " << i << ": exit " << rc << ": " << cmd);
        }
      }
    }
    MESSAGE((contact ? "contact" : "contactless")
            << ": " << runs << " back-to-back runs, " << failures << " failed");
    CHECK(failures == 0);
    card.stop();
    wait_reader(false);
  }
}
