// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the PACE terminal engine fed with chip responses (dnie/auth/pace.hpp).
// Input: 1 byte selecting the protocol, then R-APDUs as 2-byte big-endian length ‖ data ‖ SW.
// K_pi and the terminal's keys are fixed (PaceEngineAccess, a FixedOutputRng) so runs are
// reproducible.
#include "dnie/apdu/apdu.hpp"
#include "dnie/auth/pace.hpp"

#include "auth/pace_internal.hpp"
#include "driver.hpp"
#include "fixed_rng.hpp"

namespace {

using namespace dnie;
using namespace dnie::auth;

struct Variant {
  const char* oid;
  int param;
};

const Variant kVariants[] = {
    {"0.4.0.127.0.7.2.2.4.2.2", 13},  // ECDH GM AES-128 (DNIe)
    {"0.4.0.127.0.7.2.2.4.4.2", 13},  // ECDH IM
    {"0.4.0.127.0.7.2.2.4.6.2", 13},  // ECDH CAM
    {"0.4.0.127.0.7.2.2.4.1.2", 0},   // DH GM
    {"0.4.0.127.0.7.2.2.4.2.1", 13},  // ECDH GM 3DES
    {"0.4.0.127.0.7.2.2.4.3.2", 0},   // DH IM
    {"0.4.0.127.0.7.2.2.4.2.4", 16},  // ECDH GM AES-256 brainpoolP512r1
};

}  // namespace

DNIE_FUZZ_TARGET {
  if (input.empty()) return;
  const Variant& v = kVariants[input[0] % (sizeof(kVariants) / sizeof(kVariants[0]))];
  auto choice = pace_choice_for(v.oid, v.param);
  if (!choice) return;
  PaceOptions opt;
  opt.policy.min_security_bits = 80;  // the DH variants run on the 1024-bit group (ID 0)
  const bool des = choice->info.protocol.cipher == SymCipher::Des3;
  const std::size_t ks = cipher_key_size(choice->info.protocol.cipher);
  const Bytes k_pi = hex_bytes(des ? "89DFD0B36724ED1F624C1889312849DC"
                                   : "89DED1B26624EC1E634C1989302849DD89DED1B26624EC1E634C1989302849DD");
  const Bytes t = hex_bytes("5DD4CBFC96F5453B130D890A1CDBAE325DD4CBFC96F5453B130D890A1CDBAE32");
  // Keys below q for the DH variants (20 bytes, the 160-bit q of ID 0), below n for the curves.
  const bool dh = choice->info.protocol.key_agreement == KeyAgreement::Dh;
  const Bytes map_sk = hex_bytes("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99");
  const Bytes eph_sk = hex_bytes("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595");
  const std::size_t key_len = dh ? 20 : map_sk.size();
  const bool im = choice->info.protocol.mapping == PaceMapping::Integrated;
  test::FixedOutputRng rng{im ? ByteView(t).first(ks).to_bytes() : ByteView(map_sk).first(key_len).to_bytes(),
                           ByteView(eph_sk).first(key_len).to_bytes()};
  opt.rng = &rng;
  auto engine = PaceEngineAccess::create_with_k_pi(*choice, PasswordType::Can,
                                                   SecureBuffer(ByteView(k_pi).first(ks)), std::move(opt));
  DNIE_FUZZ_ASSERT(engine.ok());
  auto cmd = engine->start();
  DNIE_FUZZ_ASSERT(cmd.ok());
  BufferReader r(input.subview(1));
  for (int step = 0; step < 6 && !r.empty(); ++step) {
    auto len = r.u16_be();
    if (!len) return;
    auto chunk = r.take(*len);
    if (!chunk) return;
    auto resp = apdu::ResponseApdu::parse(*chunk);
    if (!resp) return;
    auto next = engine->on_response(*resp);
    if (!next) {
      DNIE_FUZZ_ASSERT(!engine->finished());
      DNIE_FUZZ_ASSERT(!engine->take_outcome().ok());
      return;
    }
    if (!next->has_value()) {
      DNIE_FUZZ_ASSERT(engine->finished());
      auto out = engine->take_outcome();
      DNIE_FUZZ_ASSERT(out.ok());
      DNIE_FUZZ_ASSERT(out->k_enc.size() == cipher_key_size(choice->info.protocol.cipher));
      return;
    }
    DNIE_FUZZ_ASSERT((*next)->encode().ok());
  }
  (void)pace_status_error(static_cast<std::uint16_t>(input.size() * 7919u), PasswordType::Pin,
                          input.size() % 2 == 0, input.size() % 3 == 0, static_cast<int>(input.size() % 4));
}
