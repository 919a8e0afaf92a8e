// SPDX-License-Identifier: Apache-2.0
// Attacks through the real pcscd (vpcd + dnie-vcard serving a hostile profile, docs/security.md):
// the police tool must call a clone NOT GENUINE, and a card offering weak PACE parameters must
// get no GENERAL AUTHENTICATE (nothing derived from the CAN) from the SDK.
#include <cstdlib>
#include <string>
#include <sys/wait.h>

#include <doctest/doctest.h>

#include "dnie/card/session.hpp"

#include "e2e_support.hpp"

using namespace dnie;
using namespace std::chrono_literals;

namespace {

void wait_reader(bool present, e2e::Child* card = nullptr) {
  const std::string why = e2e::wait_card(present, 30s, card);
  REQUIRE_MESSAGE(why.empty(), why);
}

int dnie_verify(const std::string& args) {
  const std::string cmd = std::string("DNIE_VCARD_IMAGES='") + DNIE_VCARD_IMAGE_DIR + "' '" +
                          DNIE_VERIFY_EXE + "' --reader '" + e2e::kReader0 + "' " + args +
                          " --quiet > /dev/null 2>&1";
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

TEST_CASE("through pcscd: clones are NOT GENUINE; weak PACE parameters get no GENERAL AUTHENTICATE") {
  wait_reader(false);
  for (const char* profile : {"clone-6a82", "clone-6d00"}) {
    CAPTURE(profile);
    e2e::Child card(e2e::vcard_args(profile, false));
    wait_reader(true, &card);
    CHECK(dnie_verify("--trust-virtual --can 123456") == 7);  // NOT GENUINE
    card.stop();
    wait_reader(false);
  }
  for (const char* profile : {"weak-dh", "weak-id0"}) {
    CAPTURE(profile);
    e2e::Child card(e2e::vcard_args(profile, false));
    wait_reader(true, &card);
    SessionOptions o;
    o.reader = e2e::kReader0;
    std::size_t general_authenticate = 0;
    o.trace = [&general_authenticate](const apdu::TraceEvent& e) {
      if (e.direction == apdu::TraceEvent::Direction::Command && e.level == "wire" &&
          (e.text.rfind("00 86", 0) == 0 || e.text.rfind("10 86", 0) == 0))
        ++general_authenticate;
    };
    auto s = Session::open(o);
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    auto st = (*s)->pace_can("123456");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::Unsupported);
    CHECK(general_authenticate == 0);
    s->reset();
    CHECK(dnie_verify("--trust-virtual --can 123456") == 10);  // CANNOT VERIFY: PACE refused
    card.stop();
    wait_reader(false);
  }
}
