// SPDX-License-Identifier: Apache-2.0
// dnie-verify: police verification of a Spanish eID (DNIe 3.0). PACE with the CAN or MRZ, read,
// passive + chip authentication, ICC component chain, DG1/DG11/DG13 and certificate consistency,
// expiry; verdict GENUINE / NOT GENUINE / CANNOT VERIFY with reasons on screen, as JSON evidence
// and as a self-contained HTML report (docs/verification.md).
//
//   dnie-verify [--reader virtual] --can 123456 --trust masterlist.ml --json ev.json --html ev.html
//   dnie-verify --reader virtual:cloned-chip --can 123456 --trust-virtual
//
// Exit codes: 0 GENUINE, 3 GENUINE but expired, 10 NOT GENUINE, 20 CANNOT VERIFY, 1 usage,
// 2 no reader or card.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "dnie/bytes/asn1.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/vcard/card_image.hpp"

#include "report.hpp"
#include "run.hpp"

namespace {

using namespace dnie;

Result<Bytes> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(ErrorCode::NotFound, "cannot open " + path);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  return static_cast<bool>(f.flush());
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status load_trust(icao::TrustStore& ts, const std::string& path, const icao::MasterListOptions& mlo,
                  std::string& summary) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    DNIE_ASSIGN_OR_RETURN(auto r, ts.load_directory(path, mlo));
    summary += path + ": " + std::to_string(r.certificates_added) + " certificates, " +
               std::to_string(r.master_lists.size()) + " master lists, " + std::to_string(r.crls) + " CRLs; ";
    for (const auto& e : r.errors) {
      std::fprintf(stderr, "dnie-verify: %s: skipped %s\n", path.c_str(), e.c_str());
      if (e.find("cannot be anchored") != std::string::npos)
        std::fprintf(
            stderr,
            "dnie-verify: put that CSCA certificate (.pem/.der) in %s, or pass --trust-unanchored-list\n",
            path.c_str());
    }
    return ok_status();
  }
  DNIE_ASSIGN_OR_RETURN(Bytes data, read_file(path));
  if (ends_with(path, ".ml")) {
    auto r = ts.add_master_list(data, path, mlo);
    if (!r && r.error().code == ErrorCode::UntrustedDocument)
      return Error(ErrorCode::UntrustedDocument, r.error().message +
                                                     " (give the CSCA first: --trust csca.pem --trust " +
                                                     path + "; or --trust-unanchored-list)");
    if (!r) return std::move(r).error();
    summary += path + ": master list, " + std::to_string(r->added) + " CSCAs" +
               (r->verified() ? ", signer anchored at " + r->anchor
                              : " (list NOT anchored, accepted on request: " + r->reason + ")") +
               "; ";
  } else if (ends_with(path, ".crl")) {
    DNIE_TRY(ts.add_crl(data));
    summary += path + ": CRL; ";
  } else {
    DNIE_ASSIGN_OR_RETURN(auto n, ts.add_certificates(data, path));
    summary += path + ": " + std::to_string(n) + " certificates; ";
  }
  return ok_status();
}

// The virtual card's test PKI: its CSCA (ICAO side) and component roots (ICC chain).
Status trust_virtual(icao::TrustStore& ts, std::vector<esign::IccRoot>& icc_roots, std::string& summary) {
  const std::string path = default_vcard_image_dir() + "/genuine.dvc";
  DNIE_ASSIGN_OR_RETURN(auto img, vcard::CardImage::load(path));
  auto it = img.extras.find("csca.der");
  if (it == img.extras.end()) return Error(ErrorCode::NotFound, path + " has no csca.der");
  DNIE_TRY(ts.add_certificates(it->second, "virtual card test CSCA"));
  summary += "virtual card TEST CSCA (" + path + ")";
  // Component roots of both generations (r1, r2 images carry their own).
  std::size_t roots = 0;
  for (const char* prof : {"genuine", "r1", "r2"}) {
    auto other = vcard::CardImage::load(default_vcard_image_dir() + "/" + prof + ".dvc");
    if (!other) continue;
    auto r = virtual_card_icc_root(*other);
    if (!r) continue;
    bool dup = false;
    for (const auto& k : icc_roots) dup = dup || k.modulus == r->modulus;
    if (!dup) {
      icc_roots.push_back(std::move(r).value());
      ++roots;
    }
  }
  summary += " and " + std::to_string(roots) + " TEST component root(s)";
  summary += "; ";
  return ok_status();
}

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

std::optional<std::int64_t> parse_day(const std::string& s) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
      d < 1 || d > 31)
    return std::nullopt;
  return asn1::days_from_civil(y, m, d) * 86400 + 12 * 3600;  // noon UTC
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Verify a Spanish eID (DNIe 3.0): GENUINE / NOT GENUINE / CANNOT VERIFY", "dnie-verify"};
  std::string reader = "virtual", can, mrz, json_path, html_path, now_text;
  std::vector<std::string> trust_paths;
  bool trust_virt = false, quiet = false;
  app.add_option("--reader", reader, "Reader: virtual[:profile], a PC/SC name or index, nfc[:connstring]");
  app.add_option("--can", can, "Card access number (6 digits); else $DNIE_CAN, else asked");
  app.add_option("--mrz", mrz, "MRZ (whole, or document number+cd+birth+cd+expiry+cd) instead of the CAN");
  app.add_option(
      "--trust", trust_paths,
      "CSCA trust: a directory of PEM/DER/.ml/.crl files or one file (repeatable). Real cards need "
      "the ICAO/BSI master list");
  app.add_flag("--trust-virtual", trust_virt, "Trust the virtual card's TEST CSCA and component root");
  dnie::icao::MasterListOptions mlo;
  app.add_flag("--trust-unanchored-list", mlo.accept_unanchored,
               "Take the CSCAs of a master list whose signer does not chain to a CSCA given before it "
               "(first load of a list obtained over a trusted channel); reports say so");
  app.add_option("--json", json_path, "Write the JSON evidence to FILE");
  app.add_option("--html", html_path, "Write the self-contained HTML report to FILE");
  app.add_option("--now", now_text,
                 "Clock for validity checks and the report, YYYY-MM-DD (reproducible reports)");
  app.add_flag("--quiet,-q", quiet, "Print only the verdict line");
  bool audit = false;
  app.add_flag(
      "--audit-trust", audit,
      "List and audit the CSCA trust store given with --trust/--trust-virtual (country, subject, validity, "
      "key, self-signature) and exit; no card is needed");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : dnie::cli::kExitUsage;
  }

  dnie::verify::RunOptions ro;
  if (!now_text.empty()) {
    auto t = parse_day(now_text);
    if (!t) {
      std::fprintf(stderr, "dnie-verify: --now wants YYYY-MM-DD\n");
      return dnie::cli::kExitUsage;
    }
    ro.now = *t;
  }
  if (mrz.empty() && can.empty() && !audit) {
    if (const char* e = std::getenv("DNIE_CAN"))
      can = e;
    else
      can = prompt_secret("CAN");
    if (can.empty()) {
      std::fprintf(stderr, "dnie-verify: give the CAN (--can, DNIE_CAN) or the MRZ (--mrz)\n");
      return dnie::cli::kExitUsage;
    }
  }
  dnie::icao::TrustStore trust;
  std::string summary;
  std::vector<dnie::esign::IccRoot> icc_roots;
  for (const auto& p : trust_paths)
    if (auto st = load_trust(trust, p, mlo, summary); !st) {
      std::fprintf(stderr, "dnie-verify: --trust %s: %s\n", p.c_str(), st.error().to_string().c_str());
      return dnie::cli::kExitUsage;
    }
  if (trust_virt)
    if (auto st = trust_virtual(trust, icc_roots, summary); !st) {
      std::fprintf(stderr, "dnie-verify: --trust-virtual: %s\n", st.error().to_string().c_str());
      return dnie::cli::kExitUsage;
    }
  if (audit) {  // ICAO 9303-12 §5: what the police trust, checked one by one
    std::size_t bad = 0;
    for (const auto& a : trust.audit()) {
      const bool sig_ok = !a.self_signature_ok || *a.self_signature_ok;
      bad += !sig_ok;
      std::printf(
          "%-3s %-5s %-9s %s..%s %-22s %s  [%s]\n", a.country.c_str(), a.valid_now ? "valid" : "EXPIRED",
          !a.self_signed ? "link" : (sig_ok ? "self-sig" : "UNVERIFIED"), a.not_before.substr(0, 10).c_str(),
          a.not_after.substr(0, 10).c_str(), a.key.c_str(), a.subject.c_str(),
          (a.source + (a.from_unanchored_list ? ", UNANCHORED list" : "")).c_str());
    }
    std::printf(
        "%zu CSCA certificates; %zu whose signature verifies neither with their own key nor with another "
        "CSCA of the store (link certificates whose signer is absent, or damaged); %s\n",
        trust.size(), bad, summary.c_str());
    return 0;
  }
  if (trust.size() == 0) {
    summary = "empty: no CSCA given (--trust); the DS chain cannot be verified";
    if (!quiet)
      std::fprintf(stderr, "dnie-verify: warning: no CSCA trust store (--trust or --trust-virtual)\n");
  }

  ro.session.reader = reader;
  ro.session.esign.extra_icc_roots = icc_roots;
  ro.can = can;
  ro.mrz = mrz;
  ro.trust = trust.size() != 0 ? &trust : nullptr;  // empty: ds.chain "not performed"
  ro.trust_summary = summary;
  auto ev = dnie::verify::run_verification(ro);
  ev.generated_at =
      dnie::asn1::format_time(ro.now != 0 ? ro.now : static_cast<std::int64_t>(std::time(nullptr)));

  std::string json_sha;
  if (!json_path.empty()) {
    const std::string text = dnie::verify::evidence_json(ev).dump(2) + "\n";
    if (!write_file(json_path, text)) {
      std::fprintf(stderr, "dnie-verify: cannot write %s\n", json_path.c_str());
      return dnie::cli::kExitUsage;
    }
    json_sha = dnie::to_hex(
        dnie::crypto::hash(dnie::crypto::HashAlg::Sha256,
                           dnie::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
  }
  if (!html_path.empty() && !write_file(html_path, dnie::verify::evidence_html(ev, json_sha))) {
    std::fprintf(stderr, "dnie-verify: cannot write %s\n", html_path.c_str());
    return dnie::cli::kExitUsage;
  }
  std::fputs(dnie::verify::evidence_text(ev, quiet).c_str(), stdout);
  return ev.decision.exit_code;
}
