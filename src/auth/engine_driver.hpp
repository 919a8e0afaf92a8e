// SPDX-License-Identifier: Apache-2.0
// Private: the one loop that runs an I/O-free protocol engine (PACE, CWA-14890) over a
// transport: start(), then send each command and feed each response to on_response() until it
// returns no further command. Chaining is the engine's business (PACE GA sets CLA 10 itself), so
// the transport's command chaining is off. On a transport error the engine is aborted (wiped).
#pragma once

#include "dnie/transport/transport.hpp"

namespace dnie::auth::detail {

template <typename Engine, typename Finish>
auto drive_engine(transport::Transport& t, Engine& engine, int max_steps, const char* what, Finish finish)
    -> decltype(finish()) {
  auto first = engine.start();
  if (!first) {
    engine.abort();
    return std::move(first).error();
  }
  apdu::CommandApdu cmd = std::move(first).value();
  for (int step = 0; step < max_steps; ++step) {
    auto resp = transport::transceive(t, cmd, false);
    if (!resp) {
      engine.abort();
      return std::move(resp).error();
    }
    auto next = engine.on_response(*resp);
    if (!next) return std::move(next).error();
    if (!next->has_value()) return finish();
    cmd = std::move(**next);
  }
  engine.abort();
  return make_error(ErrorCode::InternalError, std::string(what) + ": the engine did not finish");
}

}  // namespace dnie::auth::detail
