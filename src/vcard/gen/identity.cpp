// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/identity.cpp
// Holder identity, dates, MRZ (ICAO 9303-3 §4.9 check digits, 9303-5 §4.2 TD1 layout) and the
// small DER helpers the generator shares.
#include <algorithm>
#include <cstdio>

#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/hash.hpp"

#include "vcard/gen/gen_internal.hpp"

namespace dnie::vcard {

namespace gen {

Bytes seq(const std::vector<Bytes>& children) { return tagged(asn1::kSequence, children); }

Bytes set_of(std::vector<Bytes> children) {
  std::sort(children.begin(), children.end());
  return tagged(asn1::kSet, children);
}

Bytes tagged(std::uint32_t tag, const std::vector<Bytes>& children) {
  Bytes body;
  for (const auto& c : children) append(body, c);
  return tlv::encode(tag, body);
}

std::int64_t unix_time(const Date& d, int hh, int mm, int ss) {
  return asn1::days_from_civil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day)) * 86400 +
         hh * 3600 + mm * 60 + ss;
}

namespace {
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int month_days(int y, int m) {
  static const int k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : k[m - 1];
}
std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v % 100);
  return b;
}
std::string four(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04d", v);
  return b;
}
}  // namespace

Date add_years(const Date& d, int years) {
  Date r{d.year + years, d.month, d.day};
  if (r.day > month_days(r.year, r.month)) r.day = month_days(r.year, r.month);
  return r;
}

Date add_days(const Date& d, int days) {
  Date r = d;
  while (days > 0) {
    if (++r.day > month_days(r.year, r.month)) {
      r.day = 1;
      if (++r.month > 12) {
        r.month = 1;
        ++r.year;
      }
    }
    --days;
  }
  while (days < 0) {
    if (--r.day < 1) {
      if (--r.month < 1) {
        r.month = 12;
        --r.year;
      }
      r.day = month_days(r.year, r.month);
    }
    ++days;
  }
  return r;
}

std::string fmt_yyyymmdd(const Date& d) { return four(d.year) + two(d.month) + two(d.day); }
std::string fmt_yymmdd(const Date& d) { return two(d.year) + two(d.month) + two(d.day); }
std::string fmt_dd_mm_yyyy(const Date& d) { return two(d.day) + " " + two(d.month) + " " + four(d.year); }

std::string mrz_transliterate(std::string_view s) {
  // ICAO 9303-3 §6: Latin letters with diacritics lose them; Ñ → N (Spanish practice).
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 'a' && c <= 'z') c = static_cast<unsigned char>(c - 32);
      out += (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? static_cast<char>(c) : '<';
      continue;
    }
    if (c == 0xC3 && i + 1 < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[++i]) & 0xDF;  // fold to upper case
      char m = '<';
      if (d >= 0x80 && d <= 0x85)
        m = 'A';
      else if (d == 0x87)
        m = 'C';
      else if (d >= 0x88 && d <= 0x8B)
        m = 'E';
      else if (d >= 0x8C && d <= 0x8F)
        m = 'I';
      else if (d == 0x91)
        m = 'N';
      else if (d >= 0x92 && d <= 0x96)
        m = 'O';
      else if (d >= 0x99 && d <= 0x9C)
        m = 'U';
      out += m;
      continue;
    }
    // Other multi-byte sequences: skip continuation bytes, emit a filler.
    while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) ++i;
    out += '<';
  }
  return out;
}

std::string seed_digits(std::uint64_t seed, std::string_view label, std::size_t n) {
  Bytes in = be_bytes(seed, 8);
  append(in, ByteView::of(label));
  Bytes h = crypto::hash(crypto::HashAlg::Sha256, in);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>('0' + h[i % h.size()] % 10);
  return out;
}

}  // namespace gen

char dni_check_letter(std::uint32_t number) noexcept {
  static const char kLetters[] = "TRWAGMYFPDXBNJZSQVHLCKE";
  return kLetters[number % 23];
}

char mrz_check_digit(std::string_view field) noexcept {
  static const int kWeights[] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    int v = 0;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'A' && c <= 'Z')
      v = c - 'A' + 10;
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 10;
    sum += v * kWeights[i % 3];
  }
  return static_cast<char>('0' + sum % 10);
}

std::string mrz_td1(const Identity& id) {
  auto pad = [](std::string s, std::size_t n) {
    if (s.size() > n) s.resize(n);
    s.append(n - s.size(), '<');
    return s;
  };
  // Line 1 (9303-5 §4.2.2): type ID, state ESP, document number = IDESP, cd, optional data =
  // DNI number (Spanish practice).
  std::string doc = pad(gen::mrz_transliterate(id.idesp), 9);
  std::string l1 = "ID" + pad(gen::mrz_transliterate(id.nationality), 3) + doc + mrz_check_digit(doc) +
                   pad(gen::mrz_transliterate(id.dni), 15);
  // Line 2: birth + cd, sex, expiry + cd, nationality, optional data (fillers), composite cd over
  // line 1 positions 6–30 and line 2 positions 1–7, 9–15, 19–29.
  std::string birth = gen::fmt_yymmdd(id.birth);
  std::string expiry = gen::fmt_yymmdd(id.expiry);
  std::string l2 = birth + mrz_check_digit(birth) + std::string(1, id.sex) + expiry +
                   mrz_check_digit(expiry) + pad(gen::mrz_transliterate(id.nationality), 3) +
                   std::string(11, '<');
  std::string composite = l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11);
  l2 += mrz_check_digit(composite);
  // Line 3: SURNAME1<SURNAME2<<NAME.
  std::string l3 = pad(gen::mrz_transliterate(id.first_surname) + "<" +
                           gen::mrz_transliterate(id.second_surname) + "<<" + gen::mrz_transliterate(id.name),
                       30);
  return l1 + l2 + l3;
}

Result<Identity> default_identity(std::uint64_t seed, std::string_view profile) {
  const auto all = profiles();
  if (std::find(all.begin(), all.end(), std::string(profile)) == all.end())
    return make_error(ErrorCode::InvalidArgument, "unknown profile '" + std::string(profile) + "'");
  Identity id;
  // IDESP: r2 cards have support numbers ≥ "BMP100001" (docs/dnie-card.md §1.1); r1 cards below.
  if (profile == "r2" || profile == "impostor-r2") {
    std::string d = gen::seed_digits(seed, "idesp-r2", 5);
    id.idesp = "BMP1" + d;
    if (id.idesp < "BMP100001") id.idesp = "BMP100001";
  } else {
    id.idesp = "BAA" + gen::seed_digits(seed, "idesp-r1", 6);
  }
  id.issue = profile == "expired" ? Date{2013, 6, 15} : Date{2023, 6, 15};
  id.expiry = gen::add_years(id.issue, 10);
  return id;
}

}  // namespace dnie::vcard
