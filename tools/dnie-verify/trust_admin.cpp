// SPDX-License-Identifier: Apache-2.0
#include "trust_admin.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "dnie/bytes/asn1.hpp"
#include "dnie/crypto/hash.hpp"

#include "exit_codes.hpp"
#include "files.hpp"
#include "text.hpp"

namespace dnie::verify {

namespace {

using cli::for_terminal;

const crypto::Certificate* by_fingerprint(const icao::TrustStore& s, const std::string& fp) {
  for (const auto& c : s.certificates())
    if (c.fingerprint_sha256() == fp) return &c;
  return nullptr;
}

// A certificate named as its own issuer whose signature fails with its own key: look for the
// signer by key identifier (authorityKeyIdentifier = subjectKeyIdentifier, RFC 5280 §4.2.1.1),
// as a link certificate with a wrong issuer name needs (CSCA SPAIN 2 → 3, data/trust/PROVENANCE.md).
const crypto::Certificate* signer_by_key_id(const icao::TrustStore& s, const crypto::Certificate& c) {
  for (const auto* cand : s.find_issuers(c))
    if (cand->fingerprint_sha256() != c.fingerprint_sha256() && c.verify_signed_by(cand->public_key()).ok())
      return cand;
  return nullptr;
}

std::string day(std::int64_t t) { return asn1::format_time(t).substr(0, 10); }

int emit_json(const nlohmann::json& j, const AdminOptions& o, int rc) {
  const std::string text = cli::json_dump(j, 2) + "\n";
  if (auto w = cli::write_private_file(o.json_path, ByteView::of(text), o.force); !w) {
    std::fprintf(stderr, "dnie-verify: --json: %s\n", for_terminal(w.error().message).c_str());
    return cli::kExitUsage;
  }
  return rc;
}

std::string file_name_for(const crypto::Certificate& c) {
  std::string base = c.subject().get("C") + "_" + c.subject().get("CN");
  const std::string sn = c.subject().get("serialNumber");
  if (!sn.empty()) base += "_" + sn;
  std::string out;
  for (char ch : base) {
    const bool keep = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                      ch == '-' || ch == '_';
    out.push_back(keep ? ch : '_');
  }
  return out + "_" + c.fingerprint_sha256().substr(0, 16) + ".pem";
}

void append_log(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  (void)!::write(fd, line.data(), line.size());
  ::close(fd);
}

}  // namespace

int audit_trust(const cli::LoadedTrust& trust, const AdminOptions& o) {
  const std::int64_t now = o.now != 0 ? o.now : icao::unix_now();
  nlohmann::json arr = nlohmann::json::array();
  std::size_t bad = 0, expired = 0;
  std::string text;
  char line[1024];
  for (const auto& a : trust.store.audit(now)) {
    std::string kind = !a.self_signed ? "link" : "self-signed";
    std::string note;
    bool sig_ok = !a.self_signature_ok || *a.self_signature_ok;
    if (!sig_ok) {
      const crypto::Certificate* c = by_fingerprint(trust.store, a.fingerprint);
      const crypto::Certificate* signer = c ? signer_by_key_id(trust.store, *c) : nullptr;
      if (signer != nullptr) {
        sig_ok = true;
        kind = "link (key id)";
        note = "issuer name says itself, but it is signed by " + signer->subject().to_string() +
               " (found by authority key identifier)";
      } else {
        kind = "UNVERIFIED";
      }
    }
    bad += sig_ok ? 0 : 1;
    expired += a.valid_now ? 0 : 1;
    const crypto::Certificate* cert = by_fingerprint(trust.store, a.fingerprint);
    const long days = cert ? static_cast<long>((cert->not_after() - now) / 86400) : 0;
    const std::string left = !a.valid_now ? "EXPIRED" : std::to_string(days) + " days left";
    std::snprintf(line, sizeof line, "%-3s %-13s %s..%s %-15s %-10s %s  [%s]\n",
                  for_terminal(a.country).c_str(), kind.c_str(), a.not_before.substr(0, 10).c_str(),
                  a.not_after.substr(0, 10).c_str(), left.c_str(), for_terminal(a.key).c_str(),
                  for_terminal(a.subject).c_str(),
                  for_terminal(a.source + (a.from_unanchored_list ? ", UNANCHORED list" : "")).c_str());
    text += line;
    if (!note.empty()) text += "      " + for_terminal(note) + "\n";
    arr.push_back({{"country", a.country},
                   {"subject", a.subject},
                   {"serial", a.serial_hex},
                   {"not_before", a.not_before},
                   {"not_after", a.not_after},
                   {"valid_now", a.valid_now},
                   {"days_left", a.valid_now ? days : 0},
                   {"kind", kind},
                   {"signature_verified", sig_ok},
                   {"note", note},
                   {"key", a.key},
                   {"fingerprint_sha256", a.fingerprint},
                   {"source", a.source},
                   {"from_unanchored_list", a.from_unanchored_list}});
  }
  const std::string summary = std::to_string(trust.store.size()) + " CSCA certificates (" +
                              std::to_string(expired) + " expired at " + day(now) + "); " +
                              std::to_string(bad) +
                              " whose signature verifies neither with their own key nor with another CSCA of "
                              "the store (link certificates whose signer is absent, or damaged)";
  if (!o.json_path.empty()) {
    nlohmann::json j = {
        {"trust", trust.summary},
        {"trust_store",
         {{"source", trust.source}, {"test_only", trust.test_only}, {"directories", trust.directories}}},
        {"now", asn1::format_time(now)},
        {"certificates", arr},
        {"expired", expired},
        {"unverified", bad}};
    const int rc = emit_json(j, o, cli::kExitOk);
    if (o.json_path != "-" && rc == cli::kExitOk) std::fputs(text.c_str(), stdout);
    return rc;
  }
  std::printf("Trust store: %s\n", for_terminal(trust.summary).c_str());
  std::fputs(text.c_str(), stdout);
  std::printf("%s\n", summary.c_str());
  return cli::kExitOk;
}

int import_master_list(cli::LoadedTrust& trust, const std::string& file, bool all_countries,
                       const std::string& dest, const AdminOptions& o) {
  auto data = cli::read_input_file(file);
  if (!data) {
    std::fprintf(stderr, "dnie-verify: --import-master-list %s\n",
                 for_terminal(data.error().message).c_str());
    return cli::kExitUsage;
  }
  icao::MasterListOptions mlo;  // never unanchored: imported CSCAs become plain anchors
  mlo.now = o.now;
  auto rep = trust.store.add_master_list(*data, file, mlo);
  if (!rep) {
    const int rc = cli::exit_code_for(rep.error().code);
    std::string msg = cli::cli_words(rep.error().message);
    const std::string unanchored = ", or accept the list unanchored (--trust-unanchored-list)";
    if (auto pos = msg.find(unanchored); pos != std::string::npos) msg.erase(pos, unanchored.size());
    std::fprintf(stderr, "dnie-verify: --import-master-list %s: %s\n", for_terminal(file).c_str(),
                 for_terminal(msg).c_str());
    if (rep.error().code == ErrorCode::UntrustedDocument)
      std::fprintf(stderr,
                   "  The list must be signed under a CSCA you already trust. Give that CSCA certificate,\n"
                   "  obtained independently (for the BSI list: csca-germany from the BSI), with --trust:\n"
                   "  dnie-verify --trust csca-germany.pem --import-master-list %s\n",
                   for_terminal(file).c_str());
    return rc == cli::kExitIo ? cli::kExitUsage : rc;  // a file that does not parse: usage
  }
  auto ml = icao::parse_master_list(*data);
  if (!ml) {
    std::fprintf(stderr, "dnie-verify: %s: %s\n", for_terminal(file).c_str(),
                 for_terminal(ml.error().message).c_str());
    return cli::kExitUsage;
  }
  if (dest.empty()) {
    std::fprintf(stderr, "dnie-verify: no trust directory: set XDG_DATA_HOME or HOME\n");
    return cli::kExitUsage;
  }
  if (auto st = cli::make_private_dir(dest); !st) {
    std::fprintf(stderr, "dnie-verify: %s\n", for_terminal(st.error().message).c_str());
    return cli::kExitUsage;
  }
  std::size_t selected = 0, written = 0, present = 0;
  std::vector<std::string> names;
  for (const auto& c : ml->certificates) {
    if (!all_countries && c.subject().get("C") != "ES") continue;
    ++selected;
    const std::string name = file_name_for(c);
    const std::string path = dest + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {  // the name carries the fingerprint: the same certificate
      ++present;
      continue;
    }
    const std::string pem = c.to_pem();
    if (auto w = cli::write_private_file(path, ByteView::of(pem), false); !w) {
      std::fprintf(stderr, "dnie-verify: %s\n", for_terminal(w.error().message).c_str());
      return cli::kExitUsage;
    }
    ++written;
    names.push_back(name);
  }
  std::string sha = to_hex(crypto::hash(crypto::HashAlg::Sha256, *data));
  for (auto& ch : sha) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));  // as sha256sum
  const std::string when = rep->signing_time ? asn1::format_time(*rep->signing_time) : std::string("unknown");
  append_log(dest + "/IMPORTS.log", asn1::format_time(icao::unix_now()) + " " + file + " sha256=" + sha +
                                        " signed " + when + " by \"" + rep->signer + "\" anchored at \"" +
                                        rep->anchor + "\": " + std::to_string(written) + " new, " +
                                        std::to_string(present) + " already present\n");
  if (!o.quiet) {
    std::printf("Master list %s (SHA-256 %s)\n", for_terminal(file).c_str(), sha.c_str());
    std::printf("  signed %s by %s\n  anchored at %s (trusted before the list)\n", when.c_str(),
                for_terminal(rep->signer).c_str(), for_terminal(rep->anchor).c_str());
    std::printf("  %zu certificates in the list, %zu %s\n", ml->certificates.size(), selected,
                all_countries ? "selected" : "of Spain (C=ES)");
    for (const auto& n : names) std::printf("  + %s\n", for_terminal(n).c_str());
    std::printf(
        "%zu new CSCA certificates written to %s (%zu already there); dnie-verify trusts them\n"
        "from now on when no --trust is given (check with --audit-trust).\n",
        written, for_terminal(dest).c_str(), present);
  }
  if (selected == 0)
    std::fprintf(stderr, "dnie-verify: warning: the list holds no certificate of Spain (C=ES)\n");
  return cli::kExitOk;
}

}  // namespace dnie::verify
