// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/identity.hpp
// The holder's identity merged from what the document offers, most detailed source last:
// DG1 (the MRZ, ICAO 9303-10 §4.7.1, transliterated and truncated), DG11 (additional personal
// details, §4.7.11: full name, personal number, full date and place of birth, address) and the
// DNIe's DG13 (docs/dnie-card.md §6.2: name, surnames, DNI, dates, birth place and address in
// UTF-8). Dates as YYYY-MM-DD; names with spaces instead of '<' fillers. Plain values.
// Card text is data: the caller escapes it for its output (terminal, HTML, JSON).
#pragma once

#include <string>

#include "dnie/icao/lds.hpp"

namespace dnie::icao {

struct HolderIdentity {
  std::string document_number;  ///< MRZ document number (the DNIe's IDESP)
  std::string dni_number;       ///< "99999999R"
  std::string names;            ///< given names
  std::string surnames;         ///< first and second surname, separated by a space
  std::string nationality;      ///< "ESP"
  std::string sex;              ///< "F", "M" or "X"
  std::string birth_date;       ///< YYYY-MM-DD
  std::string expiry_date;      ///< YYYY-MM-DD
  std::string birth_place;      ///< "TOWN, PROVINCE" (DG11 or DG13)
  std::string address;          ///< "STREET, TOWN, PROVINCE" (DG11 or DG13)
  /// Which groups contributed ("DG1", "DG11", "DG13").
  std::string sources;
};

/// Merges DG1, DG11 and DG13 of `doc`. NotFound when DG1 was not read; a DG11/DG13 that does not
/// parse is skipped (the MRZ values stay).
Result<HolderIdentity> holder_identity(const LdsContent& doc);

}  // namespace dnie::icao
