// SPDX-License-Identifier: Apache-2.0
// Holder identity from DG1, DG11 and DG13 (ICAO 9303-10 §4.7.1, §4.7.11; docs/dnie-card.md §6.2).
#include "dnie/icao/identity.hpp"

#include <initializer_list>

#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/mrz.hpp"

namespace dnie::icao {

namespace {

std::string trim(std::string v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '<')) v.pop_back();
  std::size_t i = 0;
  while (i < v.size() && v[i] == ' ') ++i;
  return v.substr(i);
}

std::string replace_fillers(const std::string& v, const char* with) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '<') {
      while (i + 1 < v.size() && v[i + 1] == '<') ++i;
      out += with;
    } else {
      out += v[i];
    }
  }
  return trim(out);
}

// "YYYYMMDD", "dd MM yyyy" or the MRZ's "YYMMDD" (expiry dates are 20YY) → YYYY-MM-DD.
std::string iso_date(const std::string& v, bool expiry = false) {
  std::string d;
  for (char c : v)
    if (c >= '0' && c <= '9') d += c;
  if (d.size() == 8 && v.find(' ') != std::string::npos)
    return d.substr(4, 4) + "-" + d.substr(2, 2) + "-" + d.substr(0, 2);
  if (d.size() == 8) return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2);
  if (d.size() == 6 && v.size() == 6) {
    const int yy = (d[0] - '0') * 10 + (d[1] - '0');
    const int century = expiry ? 2000 : (yy > 50 ? 1900 : 2000);
    return std::to_string(century + yy) + "-" + d.substr(2, 2) + "-" + d.substr(4, 2);
  }
  return trim(v);
}

std::string join(std::initializer_list<std::string> parts, const char* sep) {
  std::string o;
  for (const auto& p : parts) {
    std::string t = trim(p);
    if (t.empty()) continue;
    if (!o.empty()) o += sep;
    o += t;
  }
  return o;
}

}  // namespace

Result<HolderIdentity> holder_identity(const LdsContent& doc) {
  const Bytes* dg1 = doc.dg(1);
  if (!dg1) return make_error(ErrorCode::NotFound, "DG1 was not read");
  DNIE_ASSIGN_OR_RETURN(Mrz mrz, parse_dg1(*dg1));
  HolderIdentity id;
  id.sources = "DG1";
  id.document_number = mrz.document_number;
  id.nationality = mrz.nationality;
  id.sex = mrz.sex == "<" ? "X" : mrz.sex;
  id.names = trim(mrz.secondary_identifier);
  id.surnames = trim(mrz.primary_identifier);
  id.birth_date = iso_date(mrz.date_of_birth);
  id.expiry_date = iso_date(mrz.date_of_expiry, true);
  id.dni_number = trim(mrz.personal_number());
  if (const Bytes* b = doc.dg(11)) {
    if (auto d = parse_dg11(*b)) {
      id.sources += ", DG11";
      if (d->full_name) {
        const auto sep = d->full_name->find("<<");
        if (sep != std::string::npos) {
          id.surnames = replace_fillers(d->full_name->substr(0, sep), " ");
          id.names = replace_fillers(d->full_name->substr(sep + 2), " ");
        }
      }
      if (d->personal_number) id.dni_number = *d->personal_number;
      if (d->full_date_of_birth) id.birth_date = iso_date(*d->full_date_of_birth);
      if (d->place_of_birth) id.birth_place = replace_fillers(*d->place_of_birth, ", ");
      if (d->address) id.address = replace_fillers(*d->address, ", ");
    }
  }
  if (const Bytes* b = doc.dg(13)) {
    if (auto d = parse_dg13_spain(*b)) {
      id.sources += ", DG13";
      if (!d->name.empty()) id.names = trim(d->name);
      if (auto sur = join({d->first_surname, d->second_surname}, " "); !sur.empty()) id.surnames = sur;
      if (!d->dni_number.empty()) id.dni_number = trim(d->dni_number);
      if (!d->date_of_birth.empty()) id.birth_date = iso_date(d->date_of_birth);
      if (!d->date_of_expiry.empty()) id.expiry_date = iso_date(d->date_of_expiry, true);
      if (auto place = join({d->birth_town, d->birth_province}, ", "); !place.empty()) id.birth_place = place;
      if (auto addr = join({d->address, d->residence_town, d->residence_province}, ", "); !addr.empty())
        id.address = addr;
    }
  }
  return id;
}

}  // namespace dnie::icao
