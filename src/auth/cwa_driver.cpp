// SPDX-License-Identifier: Apache-2.0
// CWA-14890 driver: runs the engine over the current channel and switches the channel's keys
// (CWA 14890-1 §8; channel stacking, docs/dnie-card.md §4.2).
#include "dnie/auth/cwa14890.hpp"

#include "auth/engine_driver.hpp"

namespace dnie::auth {

Result<sm::SmSession> run_cwa(transport::Transport& t, CwaEngine& engine) {
  return detail::drive_engine(t, engine, 10, "CWA-14890", [&engine]() -> Result<sm::SmSession> {
    DNIE_ASSIGN_OR_RETURN(auto keys, engine.take_keys());
    return cwa_make_session(std::move(keys));
  });
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
