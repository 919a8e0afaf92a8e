// SPDX-License-Identifier: Apache-2.0
// Opening the session (reader spec, --wait, virtual card images, redacted trace) and PACE.
#include <cstdlib>

#include <fmt/core.h>

#include "dnie/auth/pace.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "cli.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "readers.hpp"
#include "secrets.hpp"
#include "text.hpp"

namespace dnie::cli {

Result<std::unique_ptr<Session>> open_session(const Ctx& ctx) {
  // Usage errors before any reader is touched.
  if (!ctx.g.can.empty()) DNIE_TRY(check_can(ctx.g.can));
  if (!ctx.g.mrz.empty()) DNIE_TRY(mrz_password(ctx.g.mrz));
  if (ctx.g.wait) {
    const bool show = !ctx.g.quiet && !ctx.g.json_on_stdout();
    DNIE_TRY(wait_for_card(ctx.g.reader, ctx.g.wait_timeout, [show](const std::string& msg) {
      if (show) std::fprintf(stderr, "%s\n", msg.c_str());
    }));
  }
  // No --reader: the first PC/SC reader with a card (after --wait), never the virtual card.
  DNIE_ASSIGN_OR_RETURN(std::string reader, resolve_reader(ctx.g.reader));
  SessionOptions o;
  o.reader = reader;
  vcard_session::VirtualCardOptions vc;  // used only when --reader names the virtual card
  vc.image_dir = ctx.g.vcard_dir;
  if (ctx.g.trace || ctx.g.trace_stdout) {
    FILE* out = ctx.g.trace_stdout ? stdout : stderr;
    o.trace = [out](const apdu::TraceEvent& ev) {
      const bool cmd = ev.direction == apdu::TraceEvent::Direction::Command;
      if (cmd)
        std::fprintf(out, "[%-5.*s] > %s\n", static_cast<int>(ev.level.size()), ev.level.data(),
                     for_terminal(ev.text).c_str());
      else
        std::fprintf(out, "[%-5.*s] < %s  (%.1f ms)\n", static_cast<int>(ev.level.size()), ev.level.data(),
                     for_terminal(ev.text).c_str(), ev.elapsed_ms);
    };
  }
  if (progress_wanted(ctx.g.quiet, ctx.g.json_on_stdout()) && !ctx.g.trace_stdout)
    progress_text("  opening " + for_terminal(reader) + "...");
  auto s = vcard_session::open(o, vc);
  if (!s) {
    Error e = std::move(s).error();
    e.context("opening reader '" + reader + "'");
    return e;
  }
  return s;
}

Result<bool> authenticate(const Ctx& ctx, Session& s, bool required) {
  const bool show = progress_wanted(ctx.g.quiet, ctx.g.json_on_stdout()) && !ctx.g.trace_stdout;
  if (!ctx.g.mrz.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto pw, mrz_password(ctx.g.mrz));
    if (show) progress_text("  PACE with the MRZ...");
    DNIE_TRY(s.pace(pw));
    return true;
  }
  SecureBuffer can;
  if (!ctx.g.can.empty()) {
    can = SecureBuffer::from_string(ctx.g.can);
  } else if (const char* env = std::getenv("DNIE_CAN"); env && *env) {
    can = SecureBuffer::from_string(env);
  } else if (interactive()) {
    DNIE_ASSIGN_OR_RETURN(can, prompt_secret("CAN (6 digits printed on the card): "));
  } else if (required) {
    return Error(
        ErrorCode::InvalidArgument,
        "no CAN: use --can NNNNNN (printed on the card), DNIE_CAN, or --mrz (virtual card: --can 123456)");
  } else {
    return false;
  }
  const std::string_view digits(reinterpret_cast<const char*>(can.data()), can.size());
  DNIE_TRY(check_can(digits));
  DNIE_ASSIGN_OR_RETURN(auto pw, auth::PacePassword::can(digits));
  if (show) progress_text("  PACE with the CAN...");
  DNIE_TRY(s.pace(pw));
  return true;
}

}  // namespace dnie::cli
