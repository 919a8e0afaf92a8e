// SPDX-License-Identifier: Apache-2.0
// The module's settings (docs/pkcs11.md "Configuration"): the per-user file
// $XDG_CONFIG_HOME/dnie/pkcs11.conf (mode 0600, owned by the user, else ignored), overridden
// key by key by environment variables. Read at every C_Initialize. Also the log sink.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/log.hpp"
#include "dnie/bytes/secure.hpp"

namespace dnie::p11 {

struct Config {
  std::string file;             ///< the file that was read ("" = none)
  SecureBuffer can;             ///< empty = none configured
  std::string can_source;       ///< "DNIE_CAN" or the file, for log lines
  std::string readers = "all";  ///< all | none | comma-separated substrings of reader names
  bool virtual_card = false;    ///< the embedded virtual card (a test token: its PIN is public)
  std::string virtual_profile = "genuine";
  std::string log_file;  ///< "" = no log file
  LogLevel log_level = LogLevel::Info;
  bool log_stderr = false;      ///< DNIE_PKCS11_DEBUG
  bool allow_last_try = false;  ///< C_Login may spend the last PIN try
  std::string prompt;           ///< prompt program ("" = none)
  bool confirm_sign = false;    ///< ask the prompt program before each signing-key signature
  int prompt_timeout_s = 60;
  std::vector<std::string> notes;  ///< problems found while reading (logged once the sink is up)
};

/// Path of the per-user file: $DNIE_PKCS11_CONFIG, else $XDG_CONFIG_HOME/dnie/pkcs11.conf, else
/// $HOME/.config/dnie/pkcs11.conf ("" when none of them is set).
std::string config_path();
/// Reads the file (when present and safe) and the environment.
Config load_config();
/// Parses one file's text into `cfg` (keys as in docs/pkcs11.md); unknown keys and bad values
/// become notes. Exposed for tests.
void parse_config_text(std::string_view text, const std::string& origin, Config& cfg);

/// "on"/"off"/"yes"/"no"/"true"/"false"/"1"/"0".
std::optional<bool> parse_switch(std::string_view v);

/// Installs the module's log sink (log file and/or stderr) at the configured level, or removes it
/// when neither is configured. Messages never contain secrets (dnie/bytes/log.hpp).
void install_log_sink(const Config& cfg);
void remove_log_sink();

}  // namespace dnie::p11
