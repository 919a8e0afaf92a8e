// SPDX-License-Identifier: Apache-2.0
// The same virtual card read three ways — in-process, through the real pcscd (vpcd) and through
// the real libnfc (emulated PN532 on a pty) — must give identical bytes for every file.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "dnie/card/session.hpp"
#include "dnie/transport/pcsc.hpp"
#include "e2e_support.hpp"

using namespace dnie;
using namespace std::chrono_literals;

namespace {

icao::LdsContent read_all(const std::string& reader) {
  SessionOptions o;
  o.reader = reader;
  o.vcard_image_dir = DNIE_VCARD_IMAGE_DIR;
  auto s = Session::open(o);
  REQUIRE_MESSAGE(s.ok(), reader << ": " << s.error().to_string());
  auto pace = (*s)->pace_can("123456");
  REQUIRE_MESSAGE(pace.ok(), reader << ": " << pace.error().to_string());
  auto doc = (*s)->read_document();
  REQUIRE_MESSAGE(doc.ok(), reader << ": " << doc.error().to_string());
  MESSAGE(reader << ": " << (*s)->stats().apdus << " APDUs for the whole document");
  return std::move(doc).value();
}

void wait_reader(bool present) {
  auto ctx = transport::PcscContext::establish();
  REQUIRE(ctx.ok());
  for (int i = 0; i < 60; ++i) {
    auto st = (*ctx)->reader_states();
    REQUIRE(st.ok());
    for (auto& r : *st)
      if (r.name == e2e::kReader0 && r.present == present) return;
    std::this_thread::sleep_for(100ms);
  }
  FAIL("reader presence did not become " << present);
}

}  // namespace

TEST_CASE("whole card: in-process, pcscd and libnfc give identical bytes") {
  icao::LdsContent ref = read_all("virtual");
  REQUIRE(ref.dgs.size() >= 6);

  wait_reader(false);
  {
    e2e::Child card(e2e::vcard_args("genuine", false));
    wait_reader(true);
    icao::LdsContent via_pcsc = read_all(e2e::kReader0);
    CHECK(via_pcsc.com == ref.com);
    CHECK(via_pcsc.sod == ref.sod);
    CHECK(via_pcsc.dgs == ref.dgs);
  }

  ::setenv("LIBNFC_AUTO_SCAN", "false", 1);
  ::setenv("LIBNFC_LOG_LEVEL", "0", 1);
  const std::string out = "e2e_pn532.out";
  e2e::Child emu({DNIE_VCARD_BIN, "--pn532", "--profile", "genuine", "--timeout", "120"}, out);
  std::string pty;
  for (int i = 0; i < 100 && pty.empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    std::ifstream f(out);
    std::getline(f, pty);
  }
  REQUIRE_MESSAGE(!pty.empty(), "dnie-vcard --pn532 printed no pty path");
  icao::LdsContent via_nfc = read_all("nfc:pn532_uart:" + pty);
  CHECK(via_nfc.com == ref.com);
  CHECK(via_nfc.sod == ref.sod);
  CHECK(via_nfc.dgs == ref.dgs);
}
