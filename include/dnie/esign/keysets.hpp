// SPDX-License-Identifier: Apache-2.0
// File: dnie/esign/keysets.hpp
// The CWA-14890 terminal key sets and ICC component roots as data (docs/keysets.md): the files
// of src/auth/keysets/ are embedded at build time; more (or overriding, same id) files can be
// loaded from a directory at run time, so a CA rotation is a data update. select() picks the
// PIN- and user-channel key sets for a card from its ICC certificate issuers and its IDESP and
// logs the choice and the reason.
// Not thread-safe for modification; const use from several threads is fine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dnie/auth/cwa14890.hpp"

namespace dnie::esign {

/// X.509 trust anchor of the ICC component chain (EF 601F ← EF 6020 ← root).
struct IccRoot {
  std::string id;
  std::string generation;  ///< "r1", "r2"
  bool test_only = false;
  Bytes modulus, exponent;
  std::string provenance;
};
/// Parses the "dnie-icc-root/1" key=value format.
Result<IccRoot> parse_icc_root(std::string_view text);

/// What the selection looks at.
struct CardIdentity {
  std::string icc_issuer;  ///< issuer of EF 601F (e.g. "... CN=AC COMPONENTES 001 TEST")
  std::string ca_issuer;   ///< issuer of EF 6020 (the root name), may be empty
  std::string idesp;       ///< EF 0006, e.g. "BMP100001"; may be empty
};

struct KeySetChoice {
  const auth::CwaKeySet* pin = nullptr;
  const auth::CwaKeySet* user = nullptr;
  std::string generation;
  bool test = false;   ///< a test card (issuer contains "TEST")
  std::string reason;  ///< human-readable, also logged
};

class KeySetRegistry {
 public:
  KeySetRegistry() = default;
  KeySetRegistry(KeySetRegistry&&) noexcept = default;
  KeySetRegistry& operator=(KeySetRegistry&&) noexcept = default;

  /// The key sets and roots embedded in the library (production r1/r2 and test sets).
  static Result<KeySetRegistry> builtin();

  /// Adds a key set or root; one with the same id is replaced (override).
  void add(auth::CwaKeySet ks);
  void add(IccRoot root);
  /// Parses either file format (by its "format=" line) and adds it.
  Status add_text(std::string_view text);
  /// Adds every *.txt file of `directory` (sorted by name). Returns the number loaded.
  Result<std::size_t> load_directory(const std::string& directory);

  const std::vector<auth::CwaKeySet>& keysets() const noexcept { return m_keysets; }
  const std::vector<IccRoot>& icc_roots() const noexcept { return m_roots; }
  const auth::CwaKeySet* find(std::string_view id) const noexcept;

  /// Chooses the PIN and user key sets (rules in docs/keysets.md). `force_generation` ("r1",
  /// "r2", or empty) overrides the rules. NotFound when no key set fits.
  Result<KeySetChoice> select(const CardIdentity& card, std::string_view force_generation = {}) const;
  /// The PIN and user key sets for a card whose ICC chain verified with a root of `generation`
  /// (`test`: a test root, so test_only sets): the terminal decides, not the card's strings.
  Result<KeySetChoice> select_for_root(const IccRoot& root) const;

 private:
  std::vector<auth::CwaKeySet> m_keysets;
  std::vector<IccRoot> m_roots;
};

}  // namespace dnie::esign
