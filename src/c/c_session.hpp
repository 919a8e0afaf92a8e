// SPDX-License-Identifier: Apache-2.0
// The C API's session handle (dnie/c/dnie.h), shared by c_session.cpp and c_holder.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "dnie/card/session.hpp"
#include "dnie/holder/validation.hpp"
#include "dnie/icao/lds.hpp"

#include "c_internal.hpp"

struct dnie_session {
  static constexpr std::uint64_t kMagic = 0x444E49455345534FULL;  // "DNIESESO"
  std::uint64_t magic = kMagic;
  std::unique_ptr<dnie::Session> session;
  dnie::icao::LdsContent cache;  // files read so far (DGs, COM, SOD)
  bool full_read = false;
  /// The last validation of each key (DNIE_KEY_AUTH / _SIGN), shown by dnie_signature_preview.
  std::map<int, dnie::holder::CertificateValidation> validated;
  dnie_progress_fn progress = nullptr;  ///< dnie_set_progress
  void* progress_user = nullptr;
};

namespace dnie::capi {

inline bool valid(const dnie_session* s) { return s && s->magic == dnie_session::kMagic && s->session; }

#define DNIE_CHECK_SESSION(s) \
  if (!dnie::capi::valid(s)) return dnie::capi::fail(DNIE_ERR_INVALID_ARGUMENT, "invalid session handle")

/// Reads the files of `dgs` (0x1D SOD, 0x1E COM are always read) not yet cached.
Status ensure(dnie_session& s, std::vector<int> dgs);

}  // namespace dnie::capi
