// SPDX-License-Identifier: Apache-2.0
// CWA-14890 driver: runs the engine over the current channel and switches the channel's keys
// (CWA 14890-1 §8; channel stacking, dnie3-facts §4.2).
#include "dnie/auth/cwa14890.hpp"

namespace dnie::auth {

Result<sm::SmSession> run_cwa(transport::Transport& t, CwaEngine& engine) {
  auto first = engine.start();
  if (!first) {
    engine.abort();
    return std::move(first).error();
  }
  apdu::CommandApdu cmd = std::move(first).value();
  for (int step = 0; step < 10; ++step) {
    auto resp = transport::transceive(t, cmd, false);
    if (!resp) {
      engine.abort();
      return std::move(resp).error();
    }
    auto next = engine.on_response(*resp);
    if (!next) return std::move(next).error();
    if (!next->has_value()) {
      DNIE_ASSIGN_OR_RETURN(auto keys, engine.take_keys());
      return cwa_make_session(std::move(keys));
    }
    cmd = std::move(**next);
  }
  engine.abort();
  return make_error(ErrorCode::InternalError, "CWA-14890: too many steps");
}

Status cwa_switch_channel(sm::SecureMessagingTransport& channel, CwaEngine& engine) {
  auto session = run_cwa(channel, engine);
  if (!session) {
    // The card may have dropped or switched its keys: the old channel is not usable any more.
    channel.session().close();
    return std::move(session).error();
  }
  channel.replace_session(std::move(session).value());
  return ok_status();
}

}  // namespace dnie::auth
