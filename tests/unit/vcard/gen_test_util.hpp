// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the generator tests (test_vcard_gen): cached images per profile and small
// DER walkers written independently of the generator.
#pragma once

#include <map>
#include <string>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/vcard/generator.hpp"

#include "test_support.hpp"

namespace dnie::vcard::test {

constexpr std::uint64_t kSeed = 7;

/// Generates each profile once per test process.
inline const CardImage& image(const std::string& profile, std::uint64_t seed = kSeed) {
  static std::map<std::pair<std::string, std::uint64_t>, CardImage> cache;
  auto key = std::make_pair(profile, seed);
  auto it = cache.find(key);
  if (it == cache.end()) {
    GeneratorOptions o;
    o.seed = seed;
    o.profile = profile;
    auto r = generate_card(o);
    REQUIRE_MESSAGE(r.ok(), profile << ": " << r.error().to_string());
    it = cache.emplace(key, std::move(r).value()).first;
  }
  return it->second;
}

inline const Bytes& file(const CardImage& img, std::initializer_list<std::uint16_t> path) {
  const VFile* f = img.find(path);
  REQUIRE(f != nullptr);
  return f->content;
}

/// Parses one DER element and returns it (test failure on error).
inline tlv::Tlv der(ByteView in) {
  auto t = tlv::parse_single(in, tlv::Mode::Der);
  REQUIRE_MESSAGE(t.ok(), t.error().to_string());
  return *t;
}

inline std::vector<tlv::Tlv> children(ByteView content) {
  auto v = tlv::parse_all(content, tlv::Mode::Der);
  REQUIRE_MESSAGE(v.ok(), v.error().to_string());
  return *v;
}

inline std::string str(ByteView v) { return std::string(v.begin(), v.end()); }

}  // namespace dnie::vcard::test
