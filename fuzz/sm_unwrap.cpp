// SPDX-License-Identifier: Apache-2.0
// Fuzz target: secure messaging response unwrapping (3DES and AES sessions with fixed keys).
// The first input byte picks the suite; the rest is the protected response (data ‖ SW).
#include "dnie/apdu/apdu.hpp"
#include "dnie/sm/secure_messaging.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  if (input.empty()) return;
  const bool aes = input[0] & 1;
  auto s = sm::SmSession::create(aes ? sm::Suite::Aes : sm::Suite::Des3, SecureBuffer(Bytes(16, 0x11)),
                                 SecureBuffer(Bytes(16, 0x22)), SecureBuffer(Bytes(aes ? 16 : 8, 0)));
  DNIE_FUZZ_ASSERT(s.ok());
  auto resp = apdu::ResponseApdu::parse(input.subview(1));
  if (!resp) return;
  auto w = s->wrap(apdu::CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 256));
  DNIE_FUZZ_ASSERT(w.ok());
  auto r = s->unwrap(*resp);
  if (!r) DNIE_FUZZ_ASSERT(!s->is_open() || r.error().code != ErrorCode::SecureMessagingError);
}
