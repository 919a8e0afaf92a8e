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
#include "options.hpp"
#include "text.hpp"

namespace {

constexpr const char* kFooter =
    "Readers (--reader): a PC/SC reader name or index (see `dnie readers`), nfc[:CONNSTRING] for\n"
    "libnfc, or virtual[:profile] for the embedded virtual DNIe 3.0, a TEST card (virtual-contact\n"
    "[:profile] for its contact interface; profiles: genuine, altered-dg, cloned-chip, expired,\n"
    "untrusted-csca, terminated, blocked-pin, r1, r2, revoked, hostile-text; CAN 123456, PIN\n"
    "12345678).\n"
    "Without --reader: the first PC/SC reader that holds a card, never the virtual card.\n"
    "The PIN is never an argument: --pin-fd N, the variable named by --pin-env (DNIE_PIN), or a\n"
    "prompt without echo. The CAN: --can, DNIE_CAN, or a prompt on a terminal.\n"
    "Output files (--photo, --raw, --out, --json FILE) are created with mode 0600 and never\n"
    "replace an existing file or follow a symbolic link; --force replaces existing files.\n"
    "Example: dnie read --reader virtual --can 123456 --photo face.png\n";

constexpr const char* kTraceFooter =
    "Usage: dnie [global options] trace [command [options]]\n"
    "Runs the command (default: read) and prints its APDU trace on standard output instead of its\n"
    "usual output: [wire] lines are the link, [plain] lines the commands inside secure messaging.\n"
    "The data of VERIFY, CHANGE REFERENCE DATA, GENERAL AUTHENTICATE and CWA authentication is\n"
    "replaced by <redacted N bytes>. Examples:\n"
    "  dnie trace --reader virtual --can 123456   the trace of `dnie read` with the virtual card\n"
    "  dnie trace info --reader virtual-contact\n";

// `dnie [globals] trace [command ...]` → `dnie [globals] command ...` with the trace as output.
std::vector<std::string> rewrite_trace(int argc, char** argv, bool& trace_mode) {
  static const std::set<std::string> with_value = {"--reader", "--can",       "--mrz",         "--pin-env",
                                                   "--pin-fd", "--vcard-dir", "--wait-timeout"};
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
    // `dnie trace --help` (no command after it) is trace's own usage, not read's.
    bool help = false, named = false;
    for (std::size_t k = i + 1; k < args.size(); ++k) {
      help = help || args[k] == "--help" || args[k] == "-h";
      named = named || commands.count(args[k]) != 0;
    }
    if (help && !named) break;
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
  quiet_libnfc();
  Ctx ctx;
  ctx.style = Style::detect();
  bool trace_mode = false;
  std::vector<std::string> args = rewrite_trace(argc, argv, trace_mode);
  ctx.g.trace_stdout = trace_mode;

  CLI::App app{"dnie: read and use the Spanish eID card (DNIe 3.0) over PC/SC, NFC or the virtual card",
               "dnie"};
  app.footer(std::string(kFooter) + exit_codes_help());
  app.set_version_flag("--version", version_line("dnie"));
  app.fallthrough();
  app.require_subcommand(0, 1);
  app.add_option("--reader,-r", ctx.g.reader,
                 "Reader: PC/SC name or index, nfc:CONNSTRING, virtual[:profile] (default: the first PC/SC "
                 "reader holding a card)");
  app.add_option("--can", ctx.g.can, "CAN printed on the card (or $DNIE_CAN, or prompted)");
  app.add_option("--mrz", ctx.g.mrz,
                 "PACE with the MRZ instead: DOCNO,BIRTH_YYMMDD,EXPIRY_YYMMDD, the whole MRZ, or document "
                 "number+cd+birth+cd+expiry+cd");
  app.add_option("--pin-env", ctx.g.pin_env, "Environment variable holding the PIN")->capture_default_str();
  app.add_option("--pin-fd", ctx.g.pin_fd,
                 "Read the PIN (and for `pin change` the new PIN on the next line) from this fd");
  app.add_option("--json", ctx.g.json_path, "Machine-readable JSON on stdout, or into FILE")
      ->expected(0, 1)
      ->type_name("[FILE|-]");
  app.add_flag("--force,--overwrite", ctx.g.force, "Output files may replace existing files");
  app.add_flag("--quiet,-q", ctx.g.quiet, "Only the essential output");
  app.add_flag("--trace", ctx.g.trace, "Print the redacted APDU trace to stderr");
  app.add_flag("--wait", ctx.g.wait, "Wait for a card to be presented to the reader");
  app.add_option("--wait-timeout", ctx.g.wait_timeout, "With --wait: give up after SECONDS (0: never)")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--vcard-dir", ctx.g.vcard_dir,
                 "Directory of the virtual card images (default: $DNIE_VCARD_IMAGES or built-in)");

  int rc = kExitOk;
  add_card_commands(app, ctx, rc);
  add_read_command(app, ctx, rc);
  add_pin_commands(app, ctx, rc);
  auto* trace = app.add_subcommand(
      "trace",
      "Run a command (default: read) and print its APDU trace, secrets redacted (see `dnie trace --help`)");
  trace->footer(kTraceFooter);

  std::vector<const char*> cargv;
  for (const auto& a : args) cargv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(cargv.size()), const_cast<char**>(cargv.data()));
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e) == 0 ? kExitOk : kExitUsage;  // --help, --version
    std::fprintf(stderr, "dnie: error: %s\nRun with --help for more information.\n",
                 for_terminal(e.what()).c_str());
    return kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    std::fprintf(stderr, "%s\n", app.help().c_str());
    return kExitUsage;
  }
  if (trace->parsed() && !trace_mode) {  // `dnie trace --help` was handled above; nothing else runs
    std::fprintf(stderr, "%s\n", trace->help().c_str());
    return kExitUsage;
  }
  return rc;
}
