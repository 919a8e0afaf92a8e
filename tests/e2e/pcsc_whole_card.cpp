// SPDX-License-Identifier: Apache-2.0
// The same virtual card read three ways — in-process, through the real pcscd (vpcd) and through
// the real libnfc (emulated PN532 on a pty) — must give identical bytes for every file.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <doctest/doctest.h>

#include "dnie/card/session.hpp"
#include "dnie/transport/pcsc.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "e2e_support.hpp"

using namespace dnie;
using namespace std::chrono_literals;

namespace {

struct WholeCard {
  icao::LdsContent doc;
  std::vector<Bytes> certificates;  // the three PKCS#15 certificates (6061/7001..7003), DER
  Bytes icc_certificate;            // EF 601F
};

WholeCard read_all(const std::string& reader) {
  SessionOptions o;
  o.reader = reader;
  vcard_session::VirtualCardOptions vc;  // the in-process reference ("virtual")
  vc.image_dir = DNIE_VCARD_IMAGE_DIR;
  auto s = vcard_session::open(o, vc);
  REQUIRE_MESSAGE(s.ok(), reader << ": " << s.error().to_string());
  auto pace = (*s)->pace_can("123456");
  REQUIRE_MESSAGE(pace.ok(), reader << ": " << pace.error().to_string());
  auto doc = (*s)->read_document();
  REQUIRE_MESSAGE(doc.ok(), reader << ": " << doc.error().to_string());
  MESSAGE(reader << ": " << (*s)->stats().apdus << " APDUs for the whole document");
  WholeCard w;
  w.doc = std::move(doc).value();
  auto es = (*s)->esign();  // eSign files are readable under PACE alone (docs/dnie-card.md §4.1)
  REQUIRE_MESSAGE(es.ok(), reader << ": " << es.error().to_string());
  w.icc_certificate = (*es)->icc_certificate().der();
  auto certs = (*es)->certificates();
  REQUIRE_MESSAGE(certs.ok(), reader << ": " << certs.error().to_string());
  for (const auto& c : *certs) w.certificates.push_back(c.certificate.der());
  return w;
}

void same(const WholeCard& a, const WholeCard& b) {
  CHECK(a.doc.com == b.doc.com);
  CHECK(a.doc.sod == b.doc.sod);
  CHECK(a.doc.dgs == b.doc.dgs);
  CHECK(a.certificates == b.certificates);
  CHECK(a.icc_certificate == b.icc_certificate);
}

void wait_reader(bool present, e2e::Child* card = nullptr) {
  const std::string why = e2e::wait_card(present, 30s, card);  // generous: CI runs other tests at once
  REQUIRE_MESSAGE(why.empty(), why);
}

}  // namespace

TEST_CASE("whole card (ICAO files, certificates, ICC certificate): in-process, pcscd and libnfc agree") {
  WholeCard ref = read_all("virtual");
  REQUIRE(ref.doc.dgs.size() >= 6);
  REQUIRE(ref.certificates.size() == 3);

  wait_reader(false);
  {
    e2e::Child card(e2e::vcard_args("genuine", false));
    wait_reader(true, &card);
    same(read_all(e2e::kReader0), ref);
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
  same(read_all("nfc:pn532_uart:" + pty), ref);
}
