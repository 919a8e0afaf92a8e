// SPDX-License-Identifier: Apache-2.0
// Private: the one loop that runs an I/O-free protocol engine (PACE, CWA-14890, chip
// authentication) over a transport: start(), then send each command and feed each response to
// on_response() until it returns no further command. Chaining is the engine's business (PACE GA
// sets CLA 10 itself), so the transport's command chaining is off. On a transport error the
// engine is aborted (wiped). Hooks let a driver act on the channel between two steps (chip
// authentication switches the secure-messaging keys before its confirming command) and map a
// link error (a MAC failure under the new keys is the chip's failure, not the link's).
#pragma once

#include "dnie/transport/transport.hpp"

namespace dnie::auth::detail {

/// No hooks: nothing between steps, link errors as they come.
struct NoHooks {
  template <typename Engine>
  Status before_send(Engine&) {
    return ok_status();
  }
  template <typename Engine>
  Error link_error(Engine&, Error e) {
    return e;
  }
};

template <typename Engine, typename Finish, typename Hooks = NoHooks>
auto drive_engine(transport::Transport& t, Engine& engine, int max_steps, const char* what, Finish finish,
                  Hooks hooks = {}) -> decltype(finish()) {
  auto first = engine.start();
  if (!first) {
    engine.abort();
    return std::move(first).error();
  }
  apdu::CommandApdu cmd = std::move(first).value();
  for (int step = 0; step < max_steps; ++step) {
    if (Status ready = hooks.before_send(engine); !ready) {
      engine.abort();
      return std::move(ready).error();
    }
    auto resp = transport::transceive(t, cmd, false);
    if (!resp) {
      Error e = hooks.link_error(engine, std::move(resp).error());
      engine.abort();
      return e;
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
