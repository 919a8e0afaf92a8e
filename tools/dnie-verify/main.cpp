// SPDX-License-Identifier: Apache-2.0
// dnie-verify: police verification of a Spanish eID (DNIe 3.0). PACE with the CAN or MRZ, read,
// passive + chip authentication, ICC component chain, DG1/DG11/DG13 and certificate consistency,
// expiry; verdict GENUINE / NOT GENUINE / CANNOT VERIFY with reasons on screen, as JSON evidence
// and as a self-contained HTML report (docs/verification.md). Also: re-verification of a saved
// dump (--offline), the trust store's audit and the import of a newer CSCA master list.
//
//   dnie-verify --reader 0 --can 123456 --json ev.json --html ev.html      (default trust store)
//   dnie-verify --reader virtual:cloned-chip --can 123456 --trust-virtual
//
// Exit codes: the tools' one table (tools/common/exit_codes.hpp, docs/cli.md).
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "dnie/bytes/asn1.hpp"
#include "dnie/crypto/hash.hpp"

#include "exit_codes.hpp"
#include "files.hpp"
#include "holder_certs.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "readers.hpp"
#include "report.hpp"
#include "run.hpp"
#include "text.hpp"
#include "trust.hpp"
#include "trust_admin.hpp"

namespace {

using namespace dnie;
using cli::for_terminal;

constexpr const char* kNoJson = "\x01(no --json)";

std::string prompt_secret(const char* what) {
  if (!isatty(STDIN_FILENO)) return {};
  std::fprintf(stderr, "%s: ", what);
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string s;
  std::getline(std::cin, s);
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::fprintf(stderr, "\n");
  return s;
}

int usage(const std::string& msg) {
  std::fprintf(stderr, "dnie-verify: %s\n", for_terminal(msg).c_str());
  return cli::kExitUsage;
}

constexpr const char* kFooter =
    "Trust: without --trust, the CSCA SPAIN certificates shipped with the tools (share/dnie/trust,\n"
    "see its PROVENANCE.md) and those imported with --import-master-list ($XDG_DATA_HOME/dnie/trust).\n"
    "The virtual card (--reader virtual[:profile]; profiles genuine, altered-dg, cloned-chip, expired,\n"
    "untrusted-csca, terminated, blocked-pin, r1, r2, revoked, hostile-text; CAN 123456) is a TEST\n"
    "card: it needs --trust-virtual, and it is never the default reader (without --reader: the first\n"
    "PC/SC reader that holds a card).\n"
    "Holder certificates: validated after the eSign step (chain to a DNIe root, profile, the DNI of\n"
    "the document, revocation from --crl, --ocsp-response or --online); their verdict is reported\n"
    "on its own line and never changes the document's.\n"
    "Output files (--json FILE, --html, --raw) are created with mode 0600, never through a symbolic\n"
    "link and never over an existing file unless --force.\n";

}  // namespace

int main(int argc, char** argv) {
  cli::quiet_libnfc();
  CLI::App app{"Verify a Spanish eID (DNIe 3.0): GENUINE / NOT GENUINE / CANNOT VERIFY", "dnie-verify"};
  app.footer(std::string(kFooter) + cli::exit_codes_help());
  app.set_version_flag("--version", cli::version_line("dnie-verify"));
  std::string reader, can, mrz, json_path = kNoJson, html_path, raw_dir, now_text, offline_dir, import_file;
  cli::TrustOptions to;
  bool quiet = false, force = false, wait = false, audit = false, all_countries = false;
  int wait_timeout = 0;
  app.add_option(
      "--reader,-r", reader,
      "Reader: a PC/SC name or index, nfc[:connstring], virtual[:profile] (default: the first PC/SC "
      "reader holding a card)");
  app.add_option("--can", can, "Card access number (6 digits); else $DNIE_CAN, else asked");
  app.add_option("--mrz", mrz,
                 "PACE with the MRZ instead: DOCNO,BIRTH_YYMMDD,EXPIRY_YYMMDD, the whole MRZ, or document "
                 "number+cd+birth+cd+expiry+cd");
  app.add_option("--trust,--csca", to.paths,
                 "CSCA trust: a directory of PEM/DER/.ml/.crl files or one file (repeatable); replaces the "
                 "default store")
      ->type_name("PATH");
  app.add_flag("--trust-virtual", to.virtual_test,
               "Trust the virtual card's TEST CSCA, component roots and holder root (and use its CA's CRL)");
  app.add_flag("--no-default-trust", to.no_default, "Do not load the default trust store");
  app.add_flag("--trust-unanchored-list", to.list_options.accept_unanchored,
               "Take the CSCAs of a master list whose signer does not chain to a CSCA given before it "
               "(first load of a list obtained over a trusted channel); reports say so");
  app.add_option("--json", json_path, "Write the JSON evidence to FILE (`-` or no value: standard output)")
      ->expected(0, 1)
      ->type_name("[FILE|-]");
  app.add_option("--html", html_path, "Write the self-contained HTML report to FILE")->type_name("FILE");
  app.add_option("--raw", raw_dir, "Save EF.COM, EF.SOD and the data groups into DIR (for --offline later)")
      ->type_name("DIR");
  app.add_flag("--force,--overwrite", force, "Output files may replace existing files");
  app.add_option("--now", now_text,
                 "Clock for validity checks, revocation evidence and the report, YYYY-MM-DD[THH:MM:SSZ] "
                 "(reproducible reports)");
  app.add_flag("--quiet,-q", quiet, "Print only the verdict line");
  app.add_flag("--wait", wait, "Wait for a card to be presented to the reader");
  app.add_option("--wait-timeout", wait_timeout, "With --wait: give up after SECONDS (0: never)")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--offline", offline_dir,
                 "Re-verify a saved dump (the files of `dnie read --raw DIR`) without the card: passive "
                 "authentication only")
      ->type_name("DIR");
  app.add_flag(
      "--audit-trust", audit,
      "List the CSCAs that would be trusted (country, validity, days left, self-signed or link, key, "
      "source) and exit; no card is needed");
  app.add_option("--import-master-list", import_file,
                 "Verify a CSCA master list against the CSCAs already trusted and add its Spanish CSCAs to "
                 "the user's trust directory ($XDG_DATA_HOME/dnie/trust)")
      ->type_name("FILE");
  app.add_flag("--import-all-countries", all_countries, "With --import-master-list: every country's CSCAs");
  cli::HolderCheckOptions hco;
  app.add_option("--crl", hco.crl_files,
                 "Holder certificates: a CRL of their issuing CA (DER or PEM; repeatable)")
      ->type_name("FILE");
  app.add_option("--ocsp-response", hco.ocsp_files,
                 "Holder certificates: an OCSP response obtained elsewhere (DER; repeatable)")
      ->type_name("FILE");
  app.add_flag("--online", hco.online, "Holder certificates: ask the OCSP responder named in each (network)");
  app.add_option("--timeout", hco.timeout_ms, "With --online: give up after MS milliseconds (default 5000)")
      ->type_name("MS")
      ->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return app.exit(e) == 0 ? cli::kExitOk : cli::kExitUsage;  // --help, --version
    std::fprintf(stderr, "dnie-verify: %s\nRun with --help for more information.\n",
                 for_terminal(e.what()).c_str());
    return cli::kExitUsage;
  }
  const bool json = json_path != kNoJson;
  if (json && json_path.empty()) json_path = "-";
  const bool json_stdout = json && json_path == "-";

  // Usage errors first, before any reader is touched.
  dnie::verify::RunOptions ro;
  if (!now_text.empty()) {
    auto t = cli::parse_date(now_text);
    if (!t) return usage("--now wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    ro.now = *t;
  }
  const int modes = int(audit) + int(!import_file.empty()) + int(!offline_dir.empty());
  if (modes > 1) return usage("--audit-trust, --import-master-list and --offline exclude each other");
  if (modes != 0 && (hco.revocation_requested() || hco.timeout_ms != 0))
    return usage(
        "--crl, --ocsp-response, --online and --timeout are for the holder certificates of a card "
        "(not with --offline, --audit-trust or --import-master-list)");
  if (!import_file.empty() && to.list_options.accept_unanchored)
    return usage(
        "--import-master-list takes only a list anchored at a CSCA you trust (no --trust-unanchored-list)");
  const bool card = modes == 0;
  if (card) {
    // The holder certificates' evidence files: read now, a bad one is a usage error.
    hco.trust_virtual = to.virtual_test;
    hco.now = ro.now;  // --now: also the clock for the freshness of CRLs and OCSP responses
    auto vo = cli::validation_options(hco);
    if (!vo) return usage(vo.error().message);
    ro.holder = std::move(vo).value();
    ro.holder_trust_virtual = to.virtual_test;
  }
  if (card && !can.empty())
    if (auto st = cli::check_can(can); !st) return usage("--can: " + st.error().message);
  if (card && !mrz.empty())
    if (auto pw = cli::mrz_password(mrz); !pw) return usage(pw.error().message);
  if (card && mrz.empty() && can.empty()) {
    if (const char* e = std::getenv("DNIE_CAN"))
      can = e;
    else
      can = prompt_secret("CAN");
    if (can.empty()) return usage("give the CAN (--can, DNIE_CAN) or the MRZ (--mrz)");
    if (auto st = cli::check_can(can); !st) return usage(st.error().message);
  }

  // The trust store: --trust/--trust-virtual, else the default store (both for an import).
  to.default_too = !import_file.empty();
  to.list_options.now = ro.now;
  auto loaded = cli::load_trust(to);
  if (!loaded) {
    std::fprintf(stderr, "dnie-verify: --trust: %s\n", for_terminal(loaded.error().message).c_str());
    return loaded.error().code == ErrorCode::UntrustedDocument ? cli::kExitCannotVerify : cli::kExitUsage;
  }
  cli::LoadedTrust& trust = *loaded;
  if (!quiet)
    for (const auto& w : trust.warnings) std::fprintf(stderr, "dnie-verify: %s\n", for_terminal(w).c_str());

  dnie::verify::AdminOptions ao;
  ao.now = ro.now;
  ao.json_path = json ? json_path : std::string();
  ao.force = force;
  ao.quiet = quiet;
  if (audit) return dnie::verify::audit_trust(trust, ao);  // ICAO 9303-12 §5: what the police trust
  if (!import_file.empty())
    return dnie::verify::import_master_list(trust, import_file, all_countries, cli::user_trust_dir(), ao);

  if (trust.store.size() == 0 && !quiet)
    std::fprintf(stderr,
                 "dnie-verify: warning: no CSCA trust store (--trust, --trust-virtual or the default)\n");
  dnie::verify::Evidence ev;
  const bool progress = cli::progress_wanted(quiet, json_stdout);
  if (!offline_dir.empty()) {
    dnie::verify::OfflineOptions oo;
    oo.dir = offline_dir;
    oo.trust = trust.store.size() != 0 ? &trust.store : nullptr;
    oo.trust_summary = trust.summary;
    oo.now = ro.now;
    auto r = dnie::verify::verify_offline(oo);
    if (!r) return usage(r.error().message);
    ev = std::move(r).value();
  } else {
    if (wait) {
      auto st = cli::wait_for_card(reader, wait_timeout, [quiet](const std::string& msg) {
        if (!quiet) std::fprintf(stderr, "%s\n", msg.c_str());
      });
      if (!st) {
        std::fprintf(stderr, "dnie-verify: %s\n", for_terminal(st.error().to_string()).c_str());
        return cli::exit_code_for(st.error().code);
      }
    }
    // No --reader: the first PC/SC reader holding a card, never the virtual card.
    auto chosen = cli::resolve_reader(reader);
    if (!chosen) {
      std::fprintf(stderr, "dnie-verify: %s\n", for_terminal(chosen.error().to_string()).c_str());
      return cli::exit_code_for(chosen.error().code);
    }
    ro.session.reader = *chosen;
    ro.session.esign.extra_icc_roots = trust.icc_roots;
    ro.can = can;
    ro.mrz = mrz;
    ro.trust = trust.store.size() != 0 ? &trust.store : nullptr;  // empty: ds.chain "not performed"
    ro.trust_summary = trust.summary;
    if (progress) {
      ro.on_step = [](const std::string& what) { cli::progress_text("  " + what + "..."); };
      ro.on_read = cli::progress_files();
    }
    ev = dnie::verify::run_verification(ro);
    cli::progress_clear();
  }
  ev.trust_source = trust.source;
  ev.trust_test_only = trust.test_only;
  ev.trust_anchors = trust.store.size();
  ev.generated_at = asn1::format_time(ro.now != 0 ? ro.now : static_cast<std::int64_t>(std::time(nullptr)));

  if (!raw_dir.empty() && ev.mode == "card") {
    if (!ev.document) {
      std::fprintf(stderr, "dnie-verify: --raw: nothing was read\n");
    } else if (auto st = cli::write_lds_dump(*ev.document, raw_dir, force); !st) {
      return usage("--raw: " + st.error().message);
    }
  }
  std::string json_sha;
  if (json) {
    const std::string text = cli::json_dump(dnie::verify::evidence_json(ev), 2) + "\n";
    if (auto st = cli::write_private_file(json_path, ByteView::of(text), force); !st)
      return usage("--json: " + st.error().message);
    json_sha = to_hex(crypto::hash(crypto::HashAlg::Sha256, ByteView::of(text)));
  }
  if (!html_path.empty()) {
    const std::string html = dnie::verify::evidence_html(ev, json_sha);
    if (auto st = cli::write_private_file(html_path, ByteView::of(html), force); !st)
      return usage("--html: " + st.error().message);
  }
  if (!json_stdout) std::fputs(dnie::verify::evidence_text(ev, quiet).c_str(), stdout);
  return ev.decision.exit_code;
}
