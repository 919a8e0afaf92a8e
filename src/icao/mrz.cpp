// SPDX-License-Identifier: Apache-2.0
// MRZ parsing and check digits: ICAO 9303-3 §4.9 (check digits), 9303-4 §4.2 (TD3), 9303-5 §4.2
// (TD1), 9303-6 §4.2 (TD2); DG1 per ICAO 9303-10 §4.7.1.
#include "dnie/icao/mrz.hpp"

#include "dnie/bytes/tlv.hpp"

#include "icao/internal.hpp"

namespace dnie::icao {

using detail::malformed;

std::string_view mrz_format_name(MrzFormat f) noexcept {
  switch (f) {
    case MrzFormat::Td1:
      return "TD1";
    case MrzFormat::Td2:
      return "TD2";
    case MrzFormat::Td3:
      return "TD3";
  }
  return "?";
}

Result<char> mrz_check_digit(std::string_view field) {
  static const int kWeights[3] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const char c = field[i];
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'A' && c <= 'Z')
      v = c - 'A' + 10;
    else if (c == '<')
      v = 0;
    else
      return malformed("MRZ: invalid character in a checked field");
    sum += v * kWeights[i % 3];
  }
  return static_cast<char>('0' + sum % 10);
}

namespace {

std::string fillers_to_spaces(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(c == '<' ? ' ' : c);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  std::size_t b = 0;
  while (b < out.size() && out[b] == ' ') ++b;
  out.erase(0, b);
  // Collapse runs of spaces.
  std::string r;
  for (char c : out)
    if (!(c == ' ' && !r.empty() && r.back() == ' ')) r.push_back(c);
  return r;
}

std::string strip_fillers(std::string_view s) {
  std::size_t e = s.size();
  while (e > 0 && s[e - 1] == '<') --e;
  return std::string(s.substr(0, e));
}

void add_check(Mrz& m, const char* name, std::string_view field, char found) {
  MrzCheckDigit c;
  c.name = name;
  c.found = found;
  auto cd = mrz_check_digit(field);
  c.expected = cd ? *cd : '?';
  m.checks.push_back(std::move(c));
}

// Document number with overflow into the optional data (9303-5 §4.2.2 note j, 9303-6 note).
void document_number(Mrz& m, std::string_view field9, char cd, std::string_view optional) {
  if (cd == '<' && !field9.empty() && field9.back() != '<') {
    std::size_t end = optional.find('<');
    std::string_view token = optional.substr(0, end == std::string_view::npos ? optional.size() : end);
    if (token.size() >= 2) {
      m.document_number = std::string(field9) + std::string(token.substr(0, token.size() - 1));
      add_check(m, "document_number", m.document_number, token.back());
      return;
    }
  }
  m.document_number = strip_fillers(field9);
  add_check(m, "document_number", field9, cd);
}

bool valid_charset(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '<')) return false;
  return true;
}

}  // namespace

SplitName split_mrz_name(std::string_view name_field) {
  SplitName n;
  std::size_t p = name_field.find("<<");
  if (p == std::string_view::npos) {
    n.primary = fillers_to_spaces(name_field);
  } else {
    n.primary = fillers_to_spaces(name_field.substr(0, p));
    n.secondary = fillers_to_spaces(name_field.substr(p + 2));
  }
  return n;
}

bool Mrz::checks_ok() const noexcept {
  for (const auto& c : checks)
    if (!c.ok()) return false;
  return !checks.empty();
}

std::string Mrz::failed_checks() const {
  std::string s;
  for (const auto& c : checks)
    if (!c.ok()) s += (s.empty() ? "" : ", ") + c.name;
  return s;
}

std::string Mrz::personal_number() const {
  if (format == MrzFormat::Td3) return strip_fillers(optional_data1);
  // Overflowing document numbers occupy the optional data (their check digit is not '<').
  const std::size_t doc_cd = format == MrzFormat::Td1 ? 14 : 36 + 9;
  if (raw.size() > doc_cd && raw[doc_cd] == '<') return {};
  std::size_t end = optional_data1.find('<');
  return optional_data1.substr(0, end);
}

std::string Mrz::mrz_information() const {
  std::string doc;
  char doc_cd = '<';
  for (const auto& c : checks)
    if (c.name == "document_number") doc_cd = c.found;
  const std::size_t doc_off = format == MrzFormat::Td1 ? 5 : (format == MrzFormat::Td2 ? 36 : 44);
  std::string field9 = raw.substr(doc_off, 9);
  doc = document_number.size() > 9 ? document_number : field9;
  char dob_cd = '<', doe_cd = '<';
  for (const auto& c : checks) {
    if (c.name == "date_of_birth") dob_cd = c.found;
    if (c.name == "date_of_expiry") doe_cd = c.found;
  }
  return doc + doc_cd + date_of_birth + dob_cd + date_of_expiry + doe_cd;
}

std::vector<std::string> Mrz::lines() const {
  const std::size_t w = format == MrzFormat::Td1 ? 30 : (format == MrzFormat::Td2 ? 36 : 44);
  std::vector<std::string> out;
  for (std::size_t i = 0; i + w <= raw.size(); i += w) out.push_back(raw.substr(i, w));
  return out;
}

Result<Mrz> parse_mrz(std::string_view text) {
  std::string s;
  for (char c : text)
    if (c != '\n' && c != '\r' && c != ' ') s.push_back(c);
  Mrz m;
  if (s.size() == 90)
    m.format = MrzFormat::Td1;
  else if (s.size() == 72)
    m.format = MrzFormat::Td2;
  else if (s.size() == 88)
    m.format = MrzFormat::Td3;
  else
    return malformed("MRZ: length " + std::to_string(s.size()) + " is not TD1 (90), TD2 (72) or TD3 (88)");
  if (!valid_charset(s)) return malformed("MRZ: characters outside 0-9, A-Z and '<'");
  m.raw = s;
  const std::string_view v(m.raw);
  if (m.format == MrzFormat::Td1) {
    // 9303-5 §4.2.2.
    const std::string_view l1 = v.substr(0, 30), l2 = v.substr(30, 30), l3 = v.substr(60, 30);
    m.document_code = std::string(l1.substr(0, 2));
    m.issuing_state = std::string(l1.substr(2, 3));
    m.optional_data1 = std::string(l1.substr(15, 15));
    document_number(m, l1.substr(5, 9), l1[14], l1.substr(15, 15));
    m.date_of_birth = std::string(l2.substr(0, 6));
    add_check(m, "date_of_birth", l2.substr(0, 6), l2[6]);
    m.sex = std::string(1, l2[7]);
    m.date_of_expiry = std::string(l2.substr(8, 6));
    add_check(m, "date_of_expiry", l2.substr(8, 6), l2[14]);
    m.nationality = std::string(l2.substr(15, 3));
    m.optional_data2 = std::string(l2.substr(18, 11));
    std::string comp = std::string(l1.substr(5, 25)) + std::string(l2.substr(0, 7)) +
                       std::string(l2.substr(8, 7)) + std::string(l2.substr(18, 11));
    add_check(m, "composite", comp, l2[29]);
    SplitName n = split_mrz_name(l3);
    m.primary_identifier = n.primary;
    m.secondary_identifier = n.secondary;
  } else {
    // 9303-6 §4.2.2 (TD2) and 9303-4 §4.2.2 (TD3) share the second line's first 28 positions.
    const std::size_t w = m.format == MrzFormat::Td2 ? 36 : 44;
    const std::string_view l1 = v.substr(0, w), l2 = v.substr(w, w);
    m.document_code = std::string(l1.substr(0, 2));
    m.issuing_state = std::string(l1.substr(2, 3));
    SplitName n = split_mrz_name(l1.substr(5));
    m.primary_identifier = n.primary;
    m.secondary_identifier = n.secondary;
    m.nationality = std::string(l2.substr(10, 3));
    m.date_of_birth = std::string(l2.substr(13, 6));
    m.sex = std::string(1, l2[20]);
    m.date_of_expiry = std::string(l2.substr(21, 6));
    if (m.format == MrzFormat::Td2) {
      m.optional_data1 = std::string(l2.substr(28, 7));
      document_number(m, l2.substr(0, 9), l2[9], l2.substr(28, 7));
    } else {
      m.optional_data1 = std::string(l2.substr(28, 14));
      m.document_number = strip_fillers(l2.substr(0, 9));
      add_check(m, "document_number", l2.substr(0, 9), l2[9]);
    }
    add_check(m, "date_of_birth", l2.substr(13, 6), l2[19]);
    add_check(m, "date_of_expiry", l2.substr(21, 6), l2[27]);
    std::string comp;
    if (m.format == MrzFormat::Td2) {
      comp = std::string(l2.substr(0, 10)) + std::string(l2.substr(13, 7)) + std::string(l2.substr(21, 14));
      add_check(m, "composite", comp, l2[35]);
    } else {
      // Personal number check digit: '<' is allowed when the field is empty (9303-4 note).
      const std::string_view pn = l2.substr(28, 14);
      if (l2[42] == '<' && strip_fillers(pn).empty()) {
        MrzCheckDigit c;
        c.name = "optional_data";
        c.expected = c.found = '<';
        m.checks.push_back(c);
      } else {
        add_check(m, "optional_data", pn, l2[42]);
      }
      comp = std::string(l2.substr(0, 10)) + std::string(l2.substr(13, 7)) + std::string(l2.substr(21, 22));
      add_check(m, "composite", comp, l2[43]);
    }
  }
  if (m.sex != "M" && m.sex != "F" && m.sex != "<" && m.sex != "X")
    return malformed("MRZ: invalid sex field");
  return m;
}

Result<Mrz> parse_dg1(ByteView dg1) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, detail::outer(dg1, 0x61, "DG1"));
  auto mrz = tlv::find(top.value, 0x5F1F);
  if (!mrz) return malformed("DG1: no MRZ data object (5F1F)");
  auto m = parse_mrz(detail::text(mrz->value));
  if (!m) return malformed("DG1: " + m.error().message);
  return m;
}

}  // namespace dnie::icao
