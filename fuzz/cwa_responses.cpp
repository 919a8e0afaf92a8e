// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the CWA-14890 engine fed arbitrary card answers (dnie/auth/cwa14890.hpp). The
// input is split into responses: each is <len:1> <data:len> <SW:2>. The engine must never
// crash and must fail cleanly on anything but a genuine card.
#include "dnie/apdu/apdu.hpp"
#include "dnie/auth/cwa14890.hpp"
#include "dnie/esign/keysets.hpp"

#include "driver.hpp"
#include "fixed_rng.hpp"

namespace {

struct Fixture {
  dnie::esign::KeySetRegistry reg = dnie::esign::KeySetRegistry::builtin().value();
  dnie::crypto::DeterministicRng rng{dnie::ByteView::of("fuzz icc")};
  dnie::crypto::RsaPrivateKey icc = dnie::crypto::RsaPrivateKey::generate(1024, rng).value();
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

}  // namespace

DNIE_FUZZ_TARGET {
  using namespace dnie;
  auto& f = fixture();
  dnie::test::FixedOutputRng rng{Bytes(8, 1), Bytes(32, 2), Bytes(74, 3)};  // RND.IFD, KIFD, PRND2
  auth::CwaOptions o;
  o.rng = &rng;
  auto e = auth::CwaEngine::create(*f.reg.find("test-r1-pin"), Bytes(8, 0), f.icc.public_key(), std::move(o));
  if (!e || !e->start()) return;
  BufferReader r(input);
  for (int step = 0; step < 12 && !r.empty(); ++step) {
    auto len = r.u8();
    if (!len) return;
    auto data = r.take(*len);
    auto sw = r.u16_be();
    if (!data || !sw) return;
    auto next = e->on_response(apdu::ResponseApdu(data->to_bytes(), *sw));
    if (!next || !next->has_value()) break;
  }
  (void)auth::cwa_parse_chip_info(apdu::ResponseApdu(input.first(7).to_bytes(), 0x9000));
  // INTERNAL AUTHENTICATE verification on raw bytes (any 128-byte value must be rejected).
  if (input.size() >= 128) {
    auto priv = auth::keyset_private_key(*f.reg.find("test-r1-pin"));
    if (priv)
      DNIE_FUZZ_ASSERT(!auth::cwa_verify_internal_auth(*priv, f.icc.public_key(), input.first(128),
                                                       Bytes(8, 1), Bytes(8, 2)));
  }
}
