// SPDX-License-Identifier: Apache-2.0
#include "trust.hpp"

#include <cstdlib>
#include <filesystem>

#include "dnie/bytes/paths.hpp"
#include "dnie/card/session.hpp"
#include "dnie/vcard/card_image.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "exit_codes.hpp"
#include "files.hpp"
#include "text.hpp"

namespace dnie::cli {

namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_dir(const std::string& p) {
  std::error_code ec;
  return !p.empty() && fs::is_directory(p, ec);
}

Error named(const std::string& path, const Error& e) {
  Error out(e.code == ErrorCode::UntrustedDocument ? e.code : ErrorCode::InvalidArgument,
            for_terminal(path) + ": " + cli_words(e.message));
  return out;
}

// `added`: CSCAs new in the store; `describe`: say what the directory held in the summary.
Status load_directory(LoadedTrust& t, const std::string& dir, const icao::MasterListOptions& mlo,
                      std::size_t& added, bool describe) {
  auto r = t.store.load_directory(dir, mlo);
  if (!r) return named(dir, r.error());
  added = r->certificates_added;
  for (const auto& ml : r->master_lists) added += ml.added;
  for (const auto& e : r->errors) {
    std::string w = for_terminal(dir) + ": skipped " + cli_words(e);
    if (e.find("cannot be anchored") != std::string::npos)
      w += " (put that CSCA certificate, .pem or .der, in the directory, or pass --trust-unanchored-list)";
    t.warnings.push_back(w);
  }
  if (describe)
    t.summary += dir + ": " + std::to_string(r->certificates_added) + " certificates, " +
                 std::to_string(r->master_lists.size()) + " master lists, " + std::to_string(r->crls) +
                 " CRLs; ";
  return ok_status();
}

Status load_path(LoadedTrust& t, const std::string& path, const icao::MasterListOptions& mlo) {
  if (is_dir(path)) {
    std::size_t added = 0;
    return load_directory(t, path, mlo, added, true);
  }
  DNIE_ASSIGN_OR_RETURN(Bytes data, read_input_file(path));
  if (ends_with(path, ".ml")) {
    auto r = t.store.add_master_list(data, path, mlo);
    if (!r && r.error().code == ErrorCode::UntrustedDocument)
      return Error(ErrorCode::UntrustedDocument,
                   for_terminal(path) + ": " + cli_words(r.error().message) +
                       " (give the CSCA that issued its signer first: --trust csca.pem --trust " +
                       for_terminal(path) + "; or --trust-unanchored-list)");
    if (!r) return named(path, r.error());
    t.summary += path + ": master list, " + std::to_string(r->added) + " CSCAs" +
                 (r->verified() ? ", signer anchored at " + r->anchor
                                : " (list NOT anchored, accepted on request: " + r->reason + ")") +
                 "; ";
  } else if (ends_with(path, ".crl")) {
    if (auto st = t.store.add_crl(data); !st) return named(path, st.error());
    t.summary += path + ": CRL; ";
  } else {
    auto n = t.store.add_certificates(data, path);
    if (!n) return named(path, n.error());
    t.summary += path + ": " + std::to_string(*n) + " certificates; ";
  }
  return ok_status();
}

// The virtual card's test PKI: its CSCA (ICAO side) and component roots (ICC chain).
Status load_virtual(LoadedTrust& t, const std::string& vcard_dir) {
  const std::string dir = vcard_dir.empty() ? vcard_session::default_image_dir() : vcard_dir;
  const std::string path = dir + "/genuine.dvc";
  auto img = vcard::CardImage::load(path);
  if (!img) return named(path, img.error());
  auto it = img->extras.find("csca.der");
  if (it == img->extras.end())
    return Error(ErrorCode::InvalidArgument, for_terminal(path) + ": has no csca.der");
  if (auto st = t.store.add_certificates(it->second, "virtual card TEST CSCA"); !st)
    return named(path, st.error());
  std::size_t roots = 0;
  for (const char* prof : {"genuine", "r1", "r2"}) {
    auto other = vcard::CardImage::load(dir + "/" + prof + ".dvc");
    if (!other) continue;
    auto r = vcard_session::icc_root(*other);
    if (!r) continue;
    bool dup = false;
    for (const auto& k : t.icc_roots) dup = dup || k.modulus == r->modulus;
    if (!dup) {
      t.icc_roots.push_back(std::move(r).value());
      ++roots;
    }
  }
  t.summary += "virtual card TEST CSCA (" + path + ") and " + std::to_string(roots) +
               " TEST component root(s) — not for real cards; ";
  t.test_only = true;
  return ok_status();
}

}  // namespace

std::string shipped_trust_dir() {
  if (const char* e = std::getenv("DNIE_TRUST_DIR"); e && *e) return e;
  // share/dnie/trust of the installation the tool runs from, wherever it was moved.
  if (const std::string data = installed_data_dir(); !data.empty() && is_dir(data + "/trust"))
    return data + "/trust";
#ifdef DNIE_BUILD_TRUST_DIR
  if (is_dir(DNIE_BUILD_TRUST_DIR)) return DNIE_BUILD_TRUST_DIR;
#endif
  return {};
}

std::string user_trust_dir() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x == '/') return std::string(x) + "/dnie/trust";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/dnie/trust";
  return {};
}

Result<LoadedTrust> load_trust(const TrustOptions& o) {
  LoadedTrust t;
  bool virt = o.virtual_test, given = false;
  for (const auto& p : o.paths) {
    if (p == "virtual") {
      virt = true;
      continue;
    }
    DNIE_TRY(load_path(t, p, o.list_options));
    given = true;
  }
  if (virt) DNIE_TRY(load_virtual(t, o.vcard_dir));
  if (((!given && !virt) || o.default_too) && !o.no_default) {
    t.used_default = true;
    std::string part;
    const std::string shipped = shipped_trust_dir();
    if (!shipped.empty()) {
      std::size_t added = 0;
      DNIE_TRY(load_directory(t, shipped, o.list_options, added, false));
      t.directories.push_back(shipped);
      part += std::to_string(added) + " CSCA certificates shipped with the tools (" + shipped +
              ", see PROVENANCE.md)";
    }
    const std::string user = user_trust_dir();
    if (is_dir(user)) {
      std::size_t added = 0;
      DNIE_TRY(load_directory(t, user, o.list_options, added, false));
      t.directories.push_back(user);
      part += std::string(part.empty() ? "" : " and ") + std::to_string(added) + " imported into " + user;
    }
    t.summary += std::string(given || virt ? "and the default trust store: "
                                           : "default trust store (no --trust given): ") +
                 (part.empty() ? std::string("not found") : part) + "; ";
  }
  if (t.store.size() == 0)
    t.summary += "empty: no CSCA (--trust, or the default store); the DS chain cannot be verified; ";
  while (!t.summary.empty() && (t.summary.back() == ' ' || t.summary.back() == ';')) t.summary.pop_back();
  t.source = t.used_default  ? "default"
             : given && virt ? "given+virtual-test"
             : given         ? "given"
             : virt          ? "virtual-test"
                             : "none";
  return t;
}

}  // namespace dnie::cli
