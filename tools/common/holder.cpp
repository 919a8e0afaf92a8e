// SPDX-License-Identifier: Apache-2.0
#include "holder.hpp"

namespace dnie::cli {

std::string trim_fillers(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '<')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '<')) --e;
  return s.substr(b, e - b);
}

std::string fillers_to_commas(const std::string& s) {
  std::string out;
  for (char c : trim_fillers(s)) {
    if (c == '<') {
      if (!out.empty() && out.back() != ' ') out += ", ";
    } else {
      out += c;
    }
  }
  return out;
}

std::string fillers_to_spaces(const std::string& s) {
  std::string out;
  for (char c : trim_fillers(s)) {
    if (c == '<') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string iso_date(const std::string& in, bool future) {
  std::string d;
  for (char c : in)
    if (c >= '0' && c <= '9') d += c;
  if (d.size() == 8 && in.find(' ') != std::string::npos)
    return d.substr(4, 4) + "-" + d.substr(2, 2) + "-" + d.substr(0, 2);
  if (d.size() == 8) return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2);
  if (d.size() == 6 && in.size() == 6) {
    const int yy = (d[0] - '0') * 10 + (d[1] - '0');
    const int century = future ? 20 : (yy > 40 ? 19 : 20);
    return std::to_string(century) + d.substr(0, 2) + "-" + d.substr(2, 2) + "-" + d.substr(4, 2);
  }
  return trim_fillers(in);
}

}  // namespace dnie::cli
