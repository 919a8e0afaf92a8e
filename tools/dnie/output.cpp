// SPDX-License-Identifier: Apache-2.0
// Output helpers: colours (tty only, NO_COLOR), errors with hints, JSON, progress bar, files.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include <fmt/core.h>

#include "dnie/icao/lds.hpp"

#include "cli.hpp"
#include "exit_codes.hpp"

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
  if (ctx.g.json) {
    nlohmann::json j;
    j["error"] = {{"code", std::string(error_code_name(e.code))},
                  {"message", to_utf8(e.message)},
                  {"hint", std::string(error_code_hint(e.code))},
                  {"exit_code", code}};
    if (e.sw != 0) j["error"]["sw"] = fmt::format("{:04X}", e.sw);
    if (e.tries_left >= 0) j["error"]["tries_left"] = e.tries_left;
    print_json(j);
  }
  const std::string head = ctx.style.err_color ? "\033[31mdnie: error:\033[0m " : "dnie: error: ";
  std::fprintf(stderr, "%s%s\n", head.c_str(), e.to_string().c_str());
  const auto hint = error_code_hint(e.code);
  if (!hint.empty()) std::fprintf(stderr, "  %.*s\n", static_cast<int>(hint.size()), hint.data());
  if (code == kExitNoReader)
    std::fprintf(stderr,
                 "  No card? Try the embedded virtual DNIe: --reader virtual (CAN 123456, PIN 12345678).\n");
  return code;
}

int usage_error(const Ctx& ctx, const std::string& msg) {
  return fail(ctx, Error(ErrorCode::InvalidArgument, msg));
}

void field(const Ctx& ctx, const std::string& label, const std::string& value) {
  if (value.empty()) return;
  const std::string l = label + ":";
  std::printf("%s%*s %s\n", ctx.style.bold(l).c_str(), static_cast<int>(l.size() < 18 ? 18 - l.size() : 0),
              "", to_utf8(value).c_str());
}

void print_json(const nlohmann::json& j) {
  const std::string s = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::printf("%s\n", s.c_str());
}

std::string to_utf8(const std::string& s) {
  // Validate UTF-8; on failure treat the bytes as Latin-1.
  bool valid = true;
  for (std::size_t i = 0; i < s.size() && valid;) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      valid = false;
      break;
    }
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) valid = false;
    i += n;
  }
  if (valid) return s;
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

namespace {
bool g_progress_drawn = false;
}

icao::FileProgressFn progress_bar(const Ctx& ctx) {
  if (ctx.g.quiet || !ctx.style.err_tty || ctx.g.trace_stdout) return {};
  return [](std::uint16_t fid, std::size_t done, std::size_t total) {
    constexpr int kWidth = 30;
    const std::string name = icao::file_name(fid);
    int filled = 0;
    if (total > 0) filled = static_cast<int>(static_cast<double>(done) * kWidth / static_cast<double>(total));
    if (filled > kWidth) filled = kWidth;
    const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                            std::string(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "\r  %-7s [%s] %6zu / %-6zu bytes", name.c_str(), bar.c_str(), done, total);
    std::fflush(stderr);
    g_progress_drawn = true;
  };
}

void end_progress(const Ctx&) {
  if (!g_progress_drawn) return;
  std::fprintf(stderr, "\r%*s\r", 72, "");
  std::fflush(stderr);
  g_progress_drawn = false;
}

Status write_file(const std::string& path, ByteView data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Error(ErrorCode::InvalidArgument, "cannot write " + path);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!f) return Error(ErrorCode::InvalidArgument, "cannot write " + path);
  return ok_status();
}

Result<Bytes> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(ErrorCode::InvalidArgument, "cannot read " + path);
  Bytes b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return b;
}

std::string hex(ByteView b) { return to_hex(b); }

}  // namespace dnie::cli
