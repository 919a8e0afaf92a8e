// SPDX-License-Identifier: Apache-2.0
// dnie: the DNIe 3.0 command-line tool for citizens and app developers.
//   dnie readers | info | read | certs | pin status|verify|change | sign | trace [command]
// Exit codes are stable (exit_codes.hpp, docs/cli.md).
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "exit_codes.hpp"

namespace {

constexpr const char* kFooter =
    "Readers (--reader): a PC/SC reader name or index (see `dnie readers`), nfc[:CONNSTRING] for\n"
    "libnfc, or virtual[:profile] for the embedded virtual DNIe 3.0 (virtual-contact[:profile]\n"
    "for its contact interface). With no reader attached use --reader virtual[:profile];\n"
    "profiles: genuine, altered-dg, cloned-chip, expired, untrusted-csca, terminated,\n"
    "blocked-pin, r1, r2; CAN 123456, PIN 12345678. The default reader is `virtual`.\n"
    "The PIN is never an argument: --pin-fd N, the variable named by --pin-env (DNIE_PIN), or a\n"
    "prompt without echo. The CAN: --can, DNIE_CAN, or a prompt on a terminal.\n"
    "Example: dnie read --reader virtual --can 123456 --photo face.png\n";

// `dnie [globals] trace [command ...]` → `dnie [globals] command ...` with the trace as output.
std::vector<std::string> rewrite_trace(int argc, char** argv, bool& trace_mode) {
  static const std::set<std::string> with_value = {"--reader",  "--can",    "--mrz",
                                                   "--pin-env", "--pin-fd", "--vcard-dir"};
  static const std::set<std::string> commands = {"readers", "info", "read", "certs", "pin", "sign"};
  std::vector<std::string> args(argv, argv + argc);
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (with_value.count(a)) {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    if (a != "trace") break;
    trace_mode = true;
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    bool has_cmd = false;
    for (std::size_t k = i; k < args.size(); ++k) {
      if (with_value.count(args[k])) {
        ++k;
        continue;
      }
      if (commands.count(args[k])) {
        has_cmd = true;
        break;
      }
    }
    if (!has_cmd) args.insert(args.begin() + static_cast<std::ptrdiff_t>(i), "read");
    break;
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dnie::cli;
  Ctx ctx;
  ctx.style = Style::detect();
  bool trace_mode = false;
  std::vector<std::string> args = rewrite_trace(argc, argv, trace_mode);
  ctx.g.trace_stdout = trace_mode;

  CLI::App app{"dnie: read and use the Spanish eID card (DNIe 3.0) over PC/SC, NFC or the virtual card",
               "dnie"};
  app.footer(std::string(kFooter) + exit_codes_help());
  app.fallthrough();
  app.require_subcommand(0, 1);
  app.add_option("--reader,-r", ctx.g.reader,
                 "Reader: PC/SC name or index, nfc:CONNSTRING, virtual[:profile]")
      ->capture_default_str();
  app.add_option("--can", ctx.g.can, "CAN printed on the card (or $DNIE_CAN, or prompted)");
  app.add_option("--mrz", ctx.g.mrz, "PACE with the MRZ instead: DOCNO,BIRTH_YYMMDD,EXPIRY_YYMMDD");
  app.add_option("--pin-env", ctx.g.pin_env, "Environment variable holding the PIN")->capture_default_str();
  app.add_option("--pin-fd", ctx.g.pin_fd,
                 "Read the PIN (and for `pin change` the new PIN on the next line) from this fd");
  app.add_flag("--json", ctx.g.json, "Machine-readable JSON on stdout");
  app.add_flag("--quiet,-q", ctx.g.quiet, "Only the essential output");
  app.add_flag("--trace", ctx.g.trace, "Print the redacted APDU trace to stderr");
  app.add_option("--vcard-dir", ctx.g.vcard_dir,
                 "Directory of the virtual card images (default: $DNIE_VCARD_IMAGES or built-in)");

  int rc = kExitOk;
  add_card_commands(app, ctx, rc);
  add_read_command(app, ctx, rc);
  add_pin_commands(app, ctx, rc);
  app.add_subcommand("trace", "Run a command (default: read) and print its APDU trace, secrets redacted");

  std::vector<const char*> cargv;
  for (const auto& a : args) cargv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(cargv.size()), const_cast<char**>(cargv.data()));
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    std::fprintf(stderr, "%s\n", app.help().c_str());
    return kExitUsage;
  }
  return rc;
}
