// SPDX-License-Identifier: Apache-2.0
// Shared state of the dnie CLI: global options, output style, session opening.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dnie/card/session.hpp"

namespace CLI {
class App;
}

namespace dnie::cli {

struct Globals {
  std::string reader;  ///< --reader; empty: the first PC/SC reader holding a card (readers.hpp)
  std::string can;     ///< --can (or DNIE_CAN, or the prompt)
  std::string mrz;     ///< any form of tools/common/options.hpp mrz_password()
  std::string pin_env = "DNIE_PIN";
  int pin_fd = -1;
  /// --json [FILE|-]: where the JSON goes ("" or "-": standard output); kNoJson: text output.
  static constexpr const char* kNoJson = "\x01(no --json)";
  std::string json_path = kNoJson;
  bool quiet = false, trace = false, no_nfc = false;
  bool force = false;         ///< --force: output files may replace existing ones
  bool wait = false;          ///< --wait: wait for a card to be presented
  int wait_timeout = 0;       ///< --wait-timeout SECONDS (0: no limit)
  bool trace_stdout = false;  ///< `dnie trace ...`: the trace is the output
  std::string vcard_dir;
  bool json() const { return json_path != kNoJson; }
  bool json_on_stdout() const { return json() && (json_path.empty() || json_path == "-"); }
};

/// Colours and terminal detection (NO_COLOR respected).
struct Style {
  bool out_color = false, err_color = false, err_tty = false;
  static Style detect();
  std::string bold(const std::string& s) const;
  std::string green(const std::string& s) const;
  std::string red(const std::string& s) const;
  std::string yellow(const std::string& s) const;
};

struct Ctx {
  Globals g;
  Style style;
};

// --- output.cpp ---------------------------------------------------------------------------
/// Prints "dnie: <error> (hint)" on stderr (or JSON {"error":...} on stdout with --json) and
/// returns the exit code.
int fail(const Ctx& ctx, const Error& e);
/// A usage error (exit 1).
int usage_error(const Ctx& ctx, const std::string& msg);
/// "Label:" padded, then the value as data (control characters escaped, tools/common/text.hpp).
void field(const Ctx& ctx, const std::string& label, const std::string& value);
/// The same with a value the tool styled itself (colours); its parts from outside must be escaped.
void field_styled(const Ctx& ctx, const std::string& label, const std::string& styled_value);
/// The JSON output (pretty, never throws) to standard output or the --json file; returns `rc`,
/// or the usage code after printing the error when the file cannot be written.
int print_json(const Ctx& ctx, const nlohmann::json& j, int rc = 0);
/// Progress bar on stderr (only on a terminal, not --quiet, not JSON on stdout).
icao::FileProgressFn progress_bar(const Ctx& ctx);
void end_progress(const Ctx& ctx);
/// An output file with personal data: mode 0600, no symlink, no overwrite without --force.
Status write_file(const Ctx& ctx, const std::string& path, ByteView data);
Result<Bytes> read_file(const std::string& path);
std::string hex(ByteView b);

// --- session_util.cpp ---------------------------------------------------------------------
Result<std::unique_ptr<Session>> open_session(const Ctx& ctx);
/// PACE with --mrz, --can, DNIE_CAN or the prompt. `required`: fail when no password is
/// available (otherwise continue without PACE and return false).
Result<bool> authenticate(const Ctx& ctx, Session& s, bool required);

// --- commands ----------------------------------------------------------------------------
void add_card_commands(CLI::App& app, Ctx& ctx, int& rc);  ///< readers, info, certs
void add_read_command(CLI::App& app, Ctx& ctx, int& rc);   ///< read
void add_pin_commands(CLI::App& app, Ctx& ctx, int& rc);   ///< pin, sign

}  // namespace dnie::cli
