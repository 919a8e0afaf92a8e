// SPDX-License-Identifier: Apache-2.0
// The holder's data as a person reads it, the same in both tools: names and places without the
// MRZ filler '<' (ICAO 9303-3 §4.3), dates as YYYY-MM-DD. Card text stays data: escape it with
// for_terminal() or an HTML escape before showing it.
#pragma once

#include <string>

namespace dnie::cli {

/// Leading and trailing spaces and '<' removed.
std::string trim_fillers(const std::string& s);
/// "TOWN<PROVINCE" -> "TOWN, PROVINCE" (DG11 place of birth and address).
std::string fillers_to_commas(const std::string& s);
/// An MRZ name field: "ESPANOLA<ESPANOLA" -> "ESPANOLA ESPANOLA".
std::string fillers_to_spaces(const std::string& s);
/// "dd MM yyyy" (DG13), "YYYYMMDD" (DG11) or "YYMMDD" (MRZ) -> "YYYY-MM-DD"; unrecognised text
/// is returned trimmed. An MRZ year is 19YY when above 40 unless `future` (expiry dates).
std::string iso_date(const std::string& in, bool future = false);

}  // namespace dnie::cli
