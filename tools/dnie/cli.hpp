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
  std::string reader = "virtual";
  std::string can;  ///< --can (or DNIE_CAN, or the prompt)
  std::string mrz;  ///< "DOCNO,YYMMDD,YYMMDD"
  std::string pin_env = "DNIE_PIN";
  int pin_fd = -1;
  bool json = false, quiet = false, trace = false, no_nfc = false;
  bool trace_stdout = false;  ///< `dnie trace ...`: the trace is the output
  std::string vcard_dir;
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
/// "Label:" padded, then value.
void field(const Ctx& ctx, const std::string& label, const std::string& value);
/// JSON to stdout (pretty, invalid UTF-8 replaced: never throws).
void print_json(const nlohmann::json& j);
/// Latin-1 → UTF-8 when the bytes are not valid UTF-8 already.
std::string to_utf8(const std::string& s);
/// Progress bar on stderr (only on a terminal, not --quiet).
icao::FileProgressFn progress_bar(const Ctx& ctx);
void end_progress(const Ctx& ctx);
Status write_file(const std::string& path, ByteView data);
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
