// SPDX-License-Identifier: Apache-2.0
// Key-set registry: embedded data files, run-time directory overrides and per-card selection
// (docs/keysets.md; CWA 14890-1 §8 terminal keys; generations per docs/dnie-card.md §1.1, §4.6).
#include "dnie/esign/keysets.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dnie/bytes/log.hpp"

namespace dnie::esign {

namespace detail {
// Defined in the generated keysets_data.cpp (src/esign/CMakeLists.txt embeds src/auth/keysets/*.txt).
struct EmbeddedFile {
  const char* name;
  const unsigned char* data;
  std::size_t size;
};
extern const EmbeddedFile kEmbeddedKeysets[];
extern const std::size_t kEmbeddedKeysetCount;
}  // namespace detail

namespace {

constexpr std::string_view kComponent = "esign.keysets";

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

/// First value of `key` in a key=value text (empty if absent).
std::string value_of(std::string_view text, std::string_view key) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos && trim(std::string_view(line).substr(0, eq)) == key)
      return trim(std::string_view(line).substr(eq + 1));
  }
  return {};
}

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(upper(needle)) != std::string::npos;
}

struct Score {
  bool eligible = false;
  int points = 0;
  std::string why;
};

Score score(const auth::CwaKeySet& ks, const std::string& text, const std::string& idesp, bool test_card) {
  Score s;
  if (ks.test_only != test_card) return s;
  for (const auto& x : ks.issuer_excludes)
    if (contains(text, x)) return s;
  for (const auto& x : ks.issuer_contains)
    if (contains(text, x)) {
      s.points += 2;
      s.why = "issuer contains \"" + x + "\"";
      break;
    }
  if (!idesp.empty() && (!ks.idesp_min.empty() || !ks.idesp_max.empty())) {
    const bool in =
        (ks.idesp_min.empty() || idesp >= ks.idesp_min) && (ks.idesp_max.empty() || idesp < ks.idesp_max);
    if (in) {
      s.points += 1;
      s.why += std::string(s.why.empty() ? "" : ", ") + "IDESP " + idesp + " in [" + ks.idesp_min + ", " +
               ks.idesp_max + ")";
    }
  }
  s.eligible = s.points > 0;
  return s;
}

}  // namespace

Result<IccRoot> parse_icc_root(std::string_view text) {
  if (value_of(text, "format") != "dnie-icc-root/1")
    return make_error(ErrorCode::MalformedData, "ICC root: bad format");
  IccRoot r;
  r.id = value_of(text, "id");
  r.generation = value_of(text, "generation");
  r.test_only = value_of(text, "test_only") == "true";
  auto n = from_hex(value_of(text, "modulus"));
  auto e = from_hex(value_of(text, "exponent"));
  if (r.id.empty() || !n || !e || n->size() < 64 || e->empty())
    return make_error(ErrorCode::MalformedData, "ICC root: id, modulus or exponent missing");
  r.modulus = std::move(n).value();
  r.exponent = std::move(e).value();
  r.provenance = value_of(text, "provenance");
  return r;
}

Result<KeySetRegistry> KeySetRegistry::builtin() {
  KeySetRegistry reg;
  for (std::size_t i = 0; i < detail::kEmbeddedKeysetCount; ++i) {
    const auto& f = detail::kEmbeddedKeysets[i];
    auto st = reg.add_text(std::string_view(reinterpret_cast<const char*>(f.data), f.size));
    if (!st) return std::move(st).error().context(std::string("embedded ") + f.name);
  }
  return reg;
}

void KeySetRegistry::add(auth::CwaKeySet ks) {
  for (auto& k : m_keysets)
    if (k.id == ks.id) {
      k = std::move(ks);
      return;
    }
  m_keysets.push_back(std::move(ks));
}

void KeySetRegistry::add(IccRoot root) {
  for (auto& r : m_roots)
    if (r.id == root.id) {
      r = std::move(root);
      return;
    }
  m_roots.push_back(std::move(root));
}

Status KeySetRegistry::add_text(std::string_view text) {
  const std::string format = value_of(text, "format");
  if (format == "dnie-icc-root/1") {
    DNIE_ASSIGN_OR_RETURN(IccRoot r, parse_icc_root(text));
    add(std::move(r));
    return ok_status();
  }
  DNIE_ASSIGN_OR_RETURN(auth::CwaKeySet ks, auth::parse_keyset(text));
  add(std::move(ks));
  return ok_status();
}

Result<std::size_t> KeySetRegistry::load_directory(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".txt") files.push_back(it->path());
  if (ec) return make_error(ErrorCode::NotFound, "key set directory " + directory + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in.good() && !in.eof()) return make_error(ErrorCode::NotFound, "cannot read " + p.string());
    auto st = add_text(ss.str());
    if (!st) return std::move(st).error().context(p.string());
    log(LogLevel::Info, kComponent, "loaded key data " + p.filename().string());
  }
  return files.size();
}

const auth::CwaKeySet* KeySetRegistry::find(std::string_view id) const noexcept {
  for (const auto& k : m_keysets)
    if (k.id == id) return &k;
  return nullptr;
}

Result<KeySetChoice> KeySetRegistry::select(const CardIdentity& card,
                                            std::string_view force_generation) const {
  const std::string text = upper(card.icc_issuer + " | " + card.ca_issuer);
  KeySetChoice c;
  c.test = text.find("TEST") != std::string::npos;
  const std::string idesp = upper(trim(card.idesp));
  auto best = [&](auth::CwaChannel ch,
                  const std::string& generation) -> std::pair<const auth::CwaKeySet*, std::string> {
    const auth::CwaKeySet* pick = nullptr;
    Score pick_score;
    for (const auto& k : m_keysets) {
      if (k.channel != ch) continue;
      if (!generation.empty()) {
        if (k.generation != generation || k.test_only != c.test) continue;
        if (!pick || k.priority > pick->priority) {
          pick = &k;
          pick_score.why = "generation forced";
        }
        continue;
      }
      Score s = score(k, text, idesp, c.test);
      if (!s.eligible) continue;
      if (!pick || s.points > pick_score.points ||
          (s.points == pick_score.points && k.priority > pick->priority)) {
        pick = &k;
        pick_score = s;
      }
    }
    return {pick, pick_score.why};
  };
  auto [pin, pin_why] = best(auth::CwaChannel::Pin, std::string(force_generation));
  if (!pin)
    return make_error(ErrorCode::Unsupported, "no CWA-14890 key set fits this card (issuer \"" +
                                                  card.icc_issuer + "\", IDESP \"" + card.idesp +
                                                  "\"); load one with load_directory()");
  // The user channel must belong to the same CA generation as the PIN channel.
  auto [user, user_why] = best(auth::CwaChannel::User, pin->generation);
  if (!user)
    return make_error(ErrorCode::Unsupported, "no user-channel key set for generation " + pin->generation);
  c.pin = pin;
  c.user = user;
  c.generation = pin->generation;
  c.reason = "CWA key sets " + pin->id + " + " + user->id + " (" + pin_why + ")";
  log(LogLevel::Info, kComponent, c.reason);
  return c;
}

Result<KeySetChoice> KeySetRegistry::select_for_root(const IccRoot& root) const {
  KeySetChoice c;
  c.test = root.test_only;
  c.generation = root.generation;
  auto best = [&](auth::CwaChannel ch) -> const auth::CwaKeySet* {
    const auth::CwaKeySet* pick = nullptr;
    for (const auto& k : m_keysets)
      if (k.channel == ch && k.generation == root.generation && k.test_only == root.test_only &&
          (!pick || k.priority > pick->priority))
        pick = &k;
    return pick;
  };
  c.pin = best(auth::CwaChannel::Pin);
  c.user = best(auth::CwaChannel::User);
  if (!c.pin || !c.user)
    return make_error(ErrorCode::Unsupported, "no CWA-14890 key sets for generation " + root.generation +
                                                  (root.test_only ? " (test)" : "") + " of root " + root.id);
  c.reason =
      "CWA key sets " + c.pin->id + " + " + c.user->id + " (ICC chain verified by root " + root.id + ")";
  log(LogLevel::Info, kComponent, c.reason);
  return c;
}

}  // namespace dnie::esign
