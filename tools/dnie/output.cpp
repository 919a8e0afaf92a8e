// SPDX-License-Identifier: Apache-2.0
// Output helpers: colours (tty only, NO_COLOR), errors with hints, JSON, progress bar, files.
// Card, file and user text is data: escaped before it reaches the terminal (tools/common/text.hpp).
#include <cstdlib>
#include <unistd.h>

#include <fmt/core.h>

#include "cli.hpp"
#include "exit_codes.hpp"
#include "files.hpp"
#include "progress.hpp"
#include "text.hpp"

namespace dnie::cli {

Style Style::detect() {
  Style s;
  const char* nc = std::getenv("NO_COLOR");
  const bool no_color = nc != nullptr && *nc != '\0';
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::string(term) == "dumb";
  s.err_tty = ::isatty(2) == 1;
  s.out_color = !no_color && !dumb && ::isatty(1) == 1;
  s.err_color = !no_color && !dumb && s.err_tty;
  return s;
}

namespace {
std::string wrap(bool on, const char* code, const std::string& s) {
  return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
}
}  // namespace

std::string Style::bold(const std::string& s) const { return wrap(out_color, "1", s); }
std::string Style::green(const std::string& s) const { return wrap(out_color, "32", s); }
std::string Style::red(const std::string& s) const { return wrap(out_color, "31", s); }
std::string Style::yellow(const std::string& s) const { return wrap(out_color, "33", s); }

int fail(const Ctx& ctx, const Error& e) {
  end_progress(ctx);
  const int code = exit_code_for(e.code);
  const std::string hint = cli_hint(e.code, ctx.g.reader);
  if (ctx.g.json()) {
    nlohmann::json j;
    j["error"] = {{"code", std::string(error_code_name(e.code))},
                  {"message", cli_words(e.message)},
                  {"hint", hint},
                  {"exit_code", code}};
    if (e.sw != 0) j["error"]["sw"] = fmt::format("{:04X}", e.sw);
    if (e.tries_left >= 0) j["error"]["tries_left"] = e.tries_left;
    (void)print_json(ctx, j, code);
  }
  const std::string head = ctx.style.err_color ? "\033[31mdnie: error:\033[0m " : "dnie: error: ";
  std::fprintf(stderr, "%s%s\n", head.c_str(), for_terminal(cli_words(e.to_string())).c_str());
  if (!hint.empty()) std::fprintf(stderr, "  %s\n", hint.c_str());
  // Suggest the virtual card only when it is not the reader that just failed (a missing image).
  if (code == kExitNoReader && ctx.g.reader.rfind("virtual", 0) != 0)
    std::fprintf(stderr, "  No card? Try the virtual DNIe: --reader virtual (CAN 123456, PIN 12345678).\n");
  return code;
}

int usage_error(const Ctx& ctx, const std::string& msg) {
  return fail(ctx, Error(ErrorCode::InvalidArgument, msg));
}

void field_styled(const Ctx& ctx, const std::string& label, const std::string& styled_value) {
  if (styled_value.empty()) return;
  const std::string l = label + ":";
  std::printf("%s%*s %s\n", ctx.style.bold(l).c_str(), static_cast<int>(l.size() < 18 ? 18 - l.size() : 0),
              "", styled_value.c_str());
}

void field(const Ctx& ctx, const std::string& label, const std::string& value) {
  field_styled(ctx, label, for_terminal(value));
}

int print_json(const Ctx& ctx, const nlohmann::json& j, int rc) {
  const std::string s = json_dump(j, 2) + "\n";
  if (ctx.g.json_on_stdout()) {
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
    return rc;
  }
  if (auto w = write_private_file(ctx.g.json_path, ByteView::of(s), ctx.g.force); !w) {
    std::fprintf(stderr, "dnie: error: --json: %s\n", for_terminal(w.error().message).c_str());
    return kExitUsage;
  }
  return rc;
}

icao::FileProgressFn progress_bar(const Ctx& ctx) {
  if (ctx.g.trace_stdout || !progress_wanted(ctx.g.quiet, ctx.g.json_on_stdout())) return {};
  return progress_files();
}

void end_progress(const Ctx&) { progress_clear(); }

Status write_file(const Ctx& ctx, const std::string& path, ByteView data) {
  return write_private_file(path, data, ctx.g.force);
}

Result<Bytes> read_file(const std::string& path) { return read_input_file(path); }

std::string hex(ByteView b) { return to_hex(b); }

}  // namespace dnie::cli
