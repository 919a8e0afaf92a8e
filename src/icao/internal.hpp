// SPDX-License-Identifier: Apache-2.0
// File: src/icao/internal.hpp
// Helpers shared by the ICAO layer's sources (not installed).
#pragma once

#include <string>

#include "dnie/bytes/error.hpp"
#include "dnie/bytes/tlv.hpp"

namespace dnie::icao::detail {

inline Error malformed(std::string msg) { return make_error(ErrorCode::MalformedData, std::move(msg)); }
inline Error verify_failed(std::string msg) {
  return make_error(ErrorCode::VerificationFailed, std::move(msg));
}
inline Error unsupported(std::string msg) { return make_error(ErrorCode::Unsupported, std::move(msg)); }

inline std::string text(ByteView v) { return std::string(v.begin(), v.end()); }

/// The outer object of a DG with `tag` at the start of `file` (trailing padding ignored).
inline Result<tlv::Tlv> outer(ByteView file, std::uint32_t tag, const char* what) {
  auto t = tlv::parse_first(file);
  if (!t) return malformed(std::string(what) + ": " + t.error().message);
  if (t->tag != tag) return malformed(std::string(what) + ": unexpected tag");
  return t;
}

}  // namespace dnie::icao::detail
