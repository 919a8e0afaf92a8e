// SPDX-License-Identifier: Apache-2.0
// C API entry points (dnie/c/dnie.h). Every function is noexcept at the boundary and records
// its error message in a thread-local slot.
#include <cstring>
#include <string>

#include "dnie/bytes/bytes.hpp"
#include "dnie/bytes/error.hpp"
#include "dnie/c/dnie.h"
#include "dnie/version.hpp"

#include "c_internal.hpp"
#include "error_map.hpp"  // static_asserts: DNIE_ERR_* == dnie::ErrorCode

namespace {
thread_local std::string g_last_error;
thread_local int g_last_tries = -1;
thread_local std::string g_last_report;
}  // namespace

namespace dnie::capi {

int fail(int code, std::string msg, int tries_left) {
  g_last_error = std::move(msg);
  g_last_tries = tries_left;
  return code;
}

int fail(const Error& e) { return fail(static_cast<int>(e.code), e.to_string(), e.tries_left); }

int ok() {
  g_last_error.clear();
  g_last_tries = -1;
  return DNIE_OK;
}

int copy_out(ByteView data, std::uint8_t* buf, std::size_t* len) {
  if (!len) return fail(DNIE_ERR_INVALID_ARGUMENT, "null length");
  if (!buf || *len < data.size()) {
    const bool query = buf == nullptr;
    *len = data.size();
    if (query) return ok();
    return fail(DNIE_ERR_INVALID_ARGUMENT, "output buffer too small");
  }
  if (!data.empty()) std::memcpy(buf, data.data(), data.size());
  *len = data.size();
  return ok();
}

int copy_report(std::string report, char* buf, std::size_t* len) {
  g_last_report = std::move(report);
  if (!len) return ok();
  const std::size_t need = g_last_report.size() + 1;
  if (!buf || *len < need) {
    const bool query = buf == nullptr;
    *len = need;
    return query ? ok()
                 : fail(DNIE_ERR_INVALID_ARGUMENT, "output buffer too small (dnie_last_report has it)");
  }
  std::memcpy(buf, g_last_report.c_str(), need);
  *len = need;
  return ok();
}

}  // namespace dnie::capi

namespace {
using dnie::capi::fail;

const char* static_str(std::string_view v) {
  // error_code_name/hint return views of string literals: NUL-terminated.
  return v.data();
}
}  // namespace

extern "C" {

uint32_t dnie_api_version(void) { return DNIE_C_API_VERSION; }

int dnie_supports_api(uint32_t version) {
  return version <= DNIE_C_API_VERSION && version >= 20261126 ? 1 : 0;
}

const char* dnie_version_string(void) { return DNIE_VERSION_STRING; }

const char* dnie_error_name(int code) {
  return static_str(dnie::error_code_name(static_cast<dnie::ErrorCode>(code)));
}

const char* dnie_error_hint(int code) {
  return static_str(dnie::error_code_hint(static_cast<dnie::ErrorCode>(code)));
}

const char* dnie_last_error_message(void) { return g_last_error.c_str(); }

int dnie_error_tries_left(void) { return g_last_tries; }

int dnie_last_report(char* json_report, size_t* len) {
  if (!len) return fail(DNIE_ERR_INVALID_ARGUMENT, "null length");
  const size_t need = g_last_report.size() + 1;
  if (!json_report || *len < need) {
    const bool query = json_report == nullptr;
    *len = need;
    return query ? dnie::capi::ok() : fail(DNIE_ERR_INVALID_ARGUMENT, "output buffer too small");
  }
  std::memcpy(json_report, g_last_report.c_str(), need);
  *len = need;
  return dnie::capi::ok();
}

int dnie_hex_encode(const uint8_t* data, size_t data_len, char* out, size_t* out_len) {
  if (!out_len || (!data && data_len)) return fail(DNIE_ERR_INVALID_ARGUMENT, "null argument");
  const size_t need = data_len * 2 + 1;
  if (!out || *out_len < need) {
    *out_len = need;
    return fail(DNIE_ERR_INVALID_ARGUMENT, "output buffer too small");
  }
  std::string h = dnie::to_hex(dnie::ByteView(data, data_len));
  std::memcpy(out, h.c_str(), need);
  *out_len = need;
  g_last_error.clear();
  return DNIE_OK;
}

}  // extern "C"
