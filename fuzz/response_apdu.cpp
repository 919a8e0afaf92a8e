// SPDX-License-Identifier: Apache-2.0
// Fuzz target: response/command APDU parsing and the transceive() chaining logic fed by a card
// that answers with fuzzer-chosen responses (2-byte length-prefixed chunks, as OpenSC's fuzz
// reader does).
#include "dnie/apdu/apdu.hpp"
#include "dnie/apdu/status.hpp"
#include "dnie/apdu/trace.hpp"
#include "dnie/transport/scripted.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  if (auto r = apdu::ResponseApdu::parse(input)) {
    (void)apdu::sw_meaning(r->sw());
    (void)apdu::sw_error(r->sw(), "fuzz");
  }
  if (auto c = apdu::CommandApdu::parse(input)) {
    auto enc = c->parsed_extended() ? c->encode_extended() : c->encode(false);
    DNIE_FUZZ_ASSERT(enc.ok() && enc.value() == input.to_bytes());
    (void)apdu::redact_command(*c);
  }
  // Card answers from the input.
  BufferReader rd(input);
  std::vector<Bytes> answers;
  while (!rd.empty()) {
    auto n = rd.u8();
    if (!n) break;
    auto chunk = rd.take(std::min<std::size_t>(*n, rd.remaining()));
    if (!chunk) break;
    answers.push_back(chunk->to_bytes());
  }
  std::size_t i = 0;
  transport::FunctionTransport t(
      [&](ByteView) -> Result<Bytes> {
        if (i >= answers.size()) return make_error(ErrorCode::CardRemoved, "end of fuzz input");
        return answers[i++];
      },
      {}, transport::LinkLimits{16, 256, false});
  (void)transport::transceive(t, apdu::CommandApdu(0x00, 0xB0, 0, 0, {}, 256));
  (void)transport::transceive(t, apdu::CommandApdu(0x00, 0x2A, 0x9E, 0x9A, Bytes(40, 1), 256));
}
