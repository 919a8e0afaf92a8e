// SPDX-License-Identifier: Apache-2.0
// ASN.1 DER helpers (ITU-T X.690 §8.3 INTEGER, §8.19 OID, §11.7/11.8 times, §11.6 SET OF).
#include "dnie/bytes/asn1.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace dnie::asn1 {

namespace {
Error malformed(const char* what) { return make_error(ErrorCode::MalformedData, what); }
}  // namespace

Result<std::string> oid_to_string(ByteView c) {
  if (c.empty()) return malformed("OID: empty");
  if (c[c.size() - 1] & 0x80) return malformed("OID: truncated arc");
  std::string out;
  std::uint64_t v = 0;
  bool first = true;
  bool arc_start = true;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (arc_start && c[i] == 0x80) return malformed("OID: non-minimal arc");
    arc_start = false;
    if (v > (UINT64_MAX >> 7)) return malformed("OID: arc too large");
    v = (v << 7) | (c[i] & 0x7F);
    if (!(c[i] & 0x80)) {
      if (first) {
        std::uint64_t a = v < 40 ? 0 : (v < 80 ? 1 : 2);
        out = std::to_string(a) + "." + std::to_string(v - 40 * a);
        first = false;
      } else {
        out += "." + std::to_string(v);
      }
      v = 0;
      arc_start = true;
    }
  }
  return out;
}

Result<Bytes> oid_from_string(std::string_view dotted) {
  std::vector<std::uint64_t> arcs;
  std::uint64_t cur = 0;
  bool have = false;
  for (char ch : dotted) {
    if (ch == '.') {
      if (!have) return make_error(ErrorCode::InvalidArgument, "OID: empty arc");
      arcs.push_back(cur);
      cur = 0;
      have = false;
    } else if (ch >= '0' && ch <= '9') {
      cur = cur * 10 + static_cast<std::uint64_t>(ch - '0');
      have = true;
    } else {
      return make_error(ErrorCode::InvalidArgument, "OID: bad character");
    }
  }
  if (!have) return make_error(ErrorCode::InvalidArgument, "OID: empty arc");
  arcs.push_back(cur);
  if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40))
    return make_error(ErrorCode::InvalidArgument, "OID: bad first arcs");
  Bytes out;
  auto put = [&out](std::uint64_t v) {
    std::uint8_t tmp[10];
    int n = 0;
    do {
      tmp[n++] = static_cast<std::uint8_t>(v & 0x7F);
      v >>= 7;
    } while (v);
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(tmp[i] | (i ? 0x80 : 0)));
  };
  put(arcs[0] * 40 + arcs[1]);
  for (std::size_t i = 2; i < arcs.size(); ++i) put(arcs[i]);
  return out;
}

Bytes oid(std::string_view dotted) {
  auto r = oid_from_string(dotted);
  if (!r) {
    std::fprintf(stderr, "dnie: bad OID literal\n");
    std::abort();
  }
  return tlv::encode(kOid, *r);
}

Result<Bytes> integer_unsigned(ByteView c, bool allow_negative) {
  if (c.empty()) return malformed("INTEGER: empty");
  if ((c[0] & 0x80) && !allow_negative) return malformed("INTEGER: negative value");
  if (c[0] & 0x80) return c.to_bytes();
  std::size_t i = 0;
  while (i + 1 < c.size() && c[i] == 0) ++i;
  return c.subview(i).to_bytes();
}

Result<std::int64_t> integer_value(ByteView c) {
  if (c.empty() || c.size() > 8) return malformed("INTEGER: does not fit 64 bits");
  std::int64_t v = (c[0] & 0x80) ? -1 : 0;
  for (auto b : c) v = static_cast<std::int64_t>((static_cast<std::uint64_t>(v) << 8) | b);
  return v;
}

std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
  // Howard Hinnant's algorithm.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

static void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

Result<std::int64_t> parse_time(std::uint32_t tag, ByteView c) {
  std::size_t ylen = tag == kUtcTime ? 2 : (tag == kGeneralizedTime ? 4 : 0);
  if (!ylen) return malformed("time: not a UTCTime/GeneralizedTime");
  // YY[YY]MMDDHHMM[SS]Z
  if (c.size() != ylen + 9 && c.size() != ylen + 11) return malformed("time: unsupported format");
  if (c[c.size() - 1] != 'Z') return malformed("time: must be UTC (Z)");
  int f[7] = {0};
  std::size_t n = c.size() - 1;
  for (std::size_t i = 0; i < n; ++i)
    if (c[i] < '0' || c[i] > '9') return malformed("time: non-digit");
  auto num = [&](std::size_t off, std::size_t len) {
    int v = 0;
    for (std::size_t i = 0; i < len; ++i) v = v * 10 + (c[off + i] - '0');
    return v;
  };
  int year = num(0, ylen);
  if (ylen == 2) year += year < 50 ? 2000 : 1900;  // RFC 5280 §4.1.2.5.1
  f[1] = num(ylen, 2);
  f[2] = num(ylen + 2, 2);
  f[3] = num(ylen + 4, 2);
  f[4] = num(ylen + 6, 2);
  f[5] = (n == ylen + 10) ? num(ylen + 8, 2) : 0;
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
    return malformed("time: field out of range");
  std::int64_t days = days_from_civil(year, static_cast<unsigned>(f[1]), static_cast<unsigned>(f[2]));
  return days * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
}

std::string format_time(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  std::int64_t secs = t - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

Result<std::string> string_value(const tlv::Tlv& t) {
  switch (t.tag) {
    case kUtf8String:
    case kPrintableString:
    case kIa5String:
    case kVisibleString:
    case kT61String:
    case kOctetString:
      return std::string(reinterpret_cast<const char*>(t.value.data()), t.value.size());
    case kBmpString: {
      if (t.value.size() % 2) return malformed("BMPString: odd length");
      std::string out;
      for (std::size_t i = 0; i < t.value.size(); i += 2) {
        unsigned cp = static_cast<unsigned>(t.value[i] << 8 | t.value[i + 1]);
        if (cp < 0x80) {
          out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
          out.push_back(static_cast<char>(0xC0 | cp >> 6));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
          out.push_back(static_cast<char>(0xE0 | cp >> 12));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
      }
      return out;
    }
    default:
      return malformed("not a string type");
  }
}

Bytes integer(ByteView v) {
  std::size_t i = 0;
  while (i + 1 < v.size() && v[i] == 0) ++i;
  Bytes content;
  if (v.empty())
    content.push_back(0);
  else {
    if (v[i] & 0x80) content.push_back(0);
    content.insert(content.end(), v.begin() + i, v.end());
  }
  return tlv::encode(kInteger, content);
}

Bytes integer(std::int64_t v) {
  Bytes c;
  for (int s = 56; s >= 0; s -= 8) c.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> s));
  std::size_t i = 0;
  while (i + 1 < c.size() && ((c[i] == 0 && !(c[i + 1] & 0x80)) || (c[i] == 0xFF && (c[i + 1] & 0x80)))) ++i;
  return tlv::encode(kInteger, ByteView(c).subview(i));
}

Bytes octet_string(ByteView v) { return tlv::encode(kOctetString, v); }
Bytes bit_string(ByteView v, std::uint8_t unused) {
  Bytes c{unused};
  append(c, v);
  return tlv::encode(kBitString, c);
}
Bytes null() { return Bytes{0x05, 0x00}; }
Bytes boolean(bool v) { return Bytes{0x01, 0x01, static_cast<std::uint8_t>(v ? 0xFF : 0x00)}; }
Bytes utf8_string(std::string_view s) { return tlv::encode(kUtf8String, ByteView::of(s)); }
Bytes printable_string(std::string_view s) { return tlv::encode(kPrintableString, ByteView::of(s)); }
Bytes sequence(std::initializer_list<ByteView> children) {
  return tlv::encode_constructed(kSequence, children);
}
Bytes set(std::initializer_list<ByteView> children) {
  std::vector<Bytes> parts;
  for (auto c : children) parts.push_back(c.to_bytes());
  std::sort(parts.begin(), parts.end());
  Bytes content;
  for (auto& p : parts) append(content, p);
  return tlv::encode(kSet, content);
}

static std::string time_digits(std::int64_t t, bool four_digit_year) {
  std::int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  std::int64_t secs = t - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  if (four_digit_year)
    std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02dZ", y, m, d, static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  else
    std::snprintf(buf, sizeof buf, "%02d%02u%02u%02d%02d%02dZ", y % 100, m, d, static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

Bytes utc_time(std::int64_t t) { return tlv::encode(kUtcTime, ByteView::of(time_digits(t, false))); }
Bytes generalized_time(std::int64_t t) {
  return tlv::encode(kGeneralizedTime, ByteView::of(time_digits(t, true)));
}
Bytes x509_time(std::int64_t t) {
  static const std::int64_t k2050 = days_from_civil(2050, 1, 1) * 86400;
  return t < k2050 ? utc_time(t) : generalized_time(t);
}
Bytes context(std::uint8_t number, ByteView content, bool constructed) {
  return tlv::encode(static_cast<std::uint32_t>(0x80 | (constructed ? 0x20 : 0) | number), content);
}

}  // namespace dnie::asn1
