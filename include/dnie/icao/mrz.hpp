// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/mrz.hpp
// Machine Readable Zone (ICAO 9303-3 §4.9 check digits; 9303-4 TD3, 9303-5 TD1, 9303-6 TD2) and
// DG1 (ICAO 9303-10 §4.7.1: 61 { 5F1F <MRZ> }). The parser reports every check digit (document
// number, birth date, expiry date, optional/personal data, composite) instead of failing, so a
// verification report can show which one is wrong; only structural problems (length, charset)
// are MalformedData. Plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/bytes/bytes.hpp"

namespace dnie::icao {

enum class MrzFormat { Td1, Td2, Td3 };
std::string_view mrz_format_name(MrzFormat f) noexcept;  ///< "TD1", "TD2", "TD3"

/// Check digit (weights 7, 3, 1; 0-9 as is, A–Z = 10–35, '<' = 0), as a character.
/// MalformedData on other characters.
Result<char> mrz_check_digit(std::string_view field);

/// One check digit of an MRZ.
struct MrzCheckDigit {
  std::string name;  ///< "document_number", "date_of_birth", "date_of_expiry", "optional_data", "composite"
  char expected = '0';  ///< computed
  char found = '0';     ///< printed
  bool ok() const noexcept { return expected == found; }
};

struct Mrz {
  MrzFormat format = MrzFormat::Td1;
  std::string raw;                   ///< the MRZ characters, lines concatenated
  std::string document_code;         ///< "ID", "I<", "P<" (fillers kept)
  std::string issuing_state;         ///< "ESP", "D<<" (fillers kept, 3 chars)
  std::string document_number;       ///< without fillers, overflow joined (9303-5 §4.2.2 note j)
  std::string date_of_birth;         ///< YYMMDD ('<' for unknown parts kept)
  std::string sex;                   ///< "M", "F", "<" or "X"
  std::string date_of_expiry;        ///< YYMMDD
  std::string nationality;           ///< 3 chars
  std::string optional_data1;        ///< TD1 line 1 / TD2 / TD3 personal number field (fillers kept)
  std::string optional_data2;        ///< TD1 line 2 optional data (fillers kept)
  std::string primary_identifier;    ///< surname(s), '<' → ' ' ("ESPANOLA ESPANOLA")
  std::string secondary_identifier;  ///< given names, '<' → ' '
  std::vector<MrzCheckDigit> checks;

  /// Every check digit matches.
  bool checks_ok() const noexcept;
  /// The failing checks, comma-separated ("" when all pass).
  std::string failed_checks() const;
  /// The personal number: the TD3 personal number field, or the leading token of the TD1/TD2
  /// optional data when the document number does not overflow into it (the DNIe's DNI number,
  /// e.g. "99999999R"); fillers removed. May be empty.
  std::string personal_number() const;
  /// Document number ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd: the BAC/PACE MRZ information
  /// (ICAO 9303-11 §9.7.2), with the printed check digits.
  std::string mrz_information() const;
  /// Lines (2 or 3) of the MRZ.
  std::vector<std::string> lines() const;
};

/// Parses an MRZ of 90 (TD1), 72 (TD2) or 88 (TD3) characters; line breaks, CR and spaces
/// between lines are ignored. Characters must be 0-9, A-Z or '<'.
Result<Mrz> parse_mrz(std::string_view text);
/// DG1: 61 { 5F1F <MRZ> } (trailing bytes after the 61 object are ignored).
Result<Mrz> parse_dg1(ByteView dg1);

/// "ESPANOLA<ESPANOLA<<CARMEN" → {"ESPANOLA ESPANOLA", "CARMEN"} (also used for DG11 names).
struct SplitName {
  std::string primary;
  std::string secondary;
};
SplitName split_mrz_name(std::string_view name_field);

}  // namespace dnie::icao
