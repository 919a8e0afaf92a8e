// SPDX-License-Identifier: Apache-2.0
// File: dnie/vcard/generator.hpp
// Deterministic content generator of the virtual DNIe 3.0: builds a complete CardImage (file
// tree, PKI, keys, data groups, EF.SOD) from a seed and a test profile. Same seed and options,
// same bytes: every random value is drawn from crypto::DeterministicRng streams derived from the
// seed, and every date is a fixed date derived from the profile (no wall clock).
//
// All profiles of one seed share one key set (CSCA, DS, DNIe CA, holder keys, component CA,
// ICC key, Chip Authentication key), generated once and cached for the life of the process, so
// generating every profile costs about the same as generating one.
// Thread safety: generate_card() may be called from several threads (the key cache is locked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/bytes/bytes.hpp"
#include "dnie/vcard/card_image.hpp"

namespace dnie::vcard {

/// A civil date (proleptic Gregorian).
struct Date {
  int year = 0;
  int month = 1;
  int day = 1;
  bool empty() const noexcept { return year == 0; }
};

/// The card holder. Text is UTF-8, upper case as printed on the card; the MRZ transliterates
/// it (Ñ → N, accents dropped). Empty dates/IDESP are filled by the generator from the profile
/// and seed.
///
/// Default holder (fictitious, in the style of the official specimen):
///   ESPAÑOLA ESPAÑOLA, CARMEN — DNI 99999999R (99999999 mod 23 = 1 → 'R'), female, ESP,
///   born 1980-01-01 in MADRID (MADRID), parents JUAN / CARMEN,
///   address "AVDA DE MADRID 1" (MADRID, MADRID), IDESP "BAA" + 6 seed digits (r1) or
///   "BMP" + a number ≥ 100001 (r2); issued 2023-06-15 and valid 10 years (2013-06-15 for the
///   "expired" profile).
struct Identity {
  std::string first_surname = "ESPAÑOLA";
  std::string second_surname = "ESPAÑOLA";
  std::string name = "CARMEN";
  std::string dni = "99999999R";  ///< 8 digits + check letter
  std::string idesp;              ///< 9 chars (3 letters + 6 digits); empty = from seed
  Date birth{1980, 1, 1};
  Date issue;      ///< empty = from profile
  Date expiry;     ///< empty = issue + 10 years
  char sex = 'F';  ///< 'F', 'M' or '<'
  std::string nationality = "ESP";
  std::string birth_town = "MADRID";
  std::string birth_province = "MADRID";
  std::string father = "JUAN";
  std::string mother = "CARMEN";
  std::string street = "AVDA DE MADRID 1";
  std::string town = "MADRID";
  std::string province = "MADRID";
  std::string country = "ESPAÑA";
};

struct GeneratorOptions {
  std::uint64_t seed = 1;
  std::string profile = "genuine";   ///< one of profiles()
  std::optional<Identity> identity;  ///< default holder when absent
  std::string can = "123456";
  std::string pin = "12345678";
  int pin_tries = 3;
};

/// Profile names: genuine, altered-dg, cloned-chip, expired, untrusted-csca, terminated,
/// blocked-pin, r1, r2, revoked (its holder certificates are listed in its CA's CRL), then the
/// hostile ones. Every image carries that CRL (extras "dnie-ca.crl", RFC 5280 §5.1): thisUpdate
/// 2024-01-01, nextUpdate 2034-01-01; it lists the revoked card's certificates only.
std::vector<std::string> profiles();
/// The attacks the test suite plays (docs/security.md): clone-6a82/6982/6d00/6a80 (a clone
/// answering plain status words after chip authentication), clone-no-dg14 (a clone hiding DG14),
/// weak-dh/weak-ec (explicit weak PACE groups), weak-id0/weak-id8 (weak standardized IDs),
/// impostor-r1/r2/test (an ICC chain no DNIe root signed, claiming that generation), hostile-text
/// (invalid UTF-8 and terminal escape sequences in the DG11/DG13 names, properly signed). Built
/// for tests; not installed.
std::vector<std::string> hostile_profiles();

/// Builds the card. InvalidArgument for an unknown profile or an invalid identity.
Result<CardImage> generate_card(const GeneratorOptions& options);

/// The default holder with IDESP and dates filled for `seed` and `profile`.
Result<Identity> default_identity(std::uint64_t seed, std::string_view profile);

/// Recomputes EF.SOD over the data groups now in DF 3F01 (every DG the old EF.SOD hashed) and
/// signs it with the document signer of the image's seed, as the issuer would have. Tests and
/// hostile profiles use it to build consistent documents from modified data groups (a DG14 with
/// another key, card text with control characters) without making the document look altered.
Status resign_document(CardImage& image);

// ---- helpers shared with tests and tools -------------------------------------------------
/// DNI check letter: "TRWAGMYFPDXBNJZSQVHLCKE"[number mod 23].
char dni_check_letter(std::uint32_t number) noexcept;
/// ICAO 9303-3 §4.9 check digit (weights 7, 3, 1; A=10…Z=35; '<'=0), as a character.
char mrz_check_digit(std::string_view field) noexcept;
/// The TD1 MRZ (3 × 30 characters, no separators) of an identity (ICAO 9303-5 §4.2).
std::string mrz_td1(const Identity& identity);

}  // namespace dnie::vcard
