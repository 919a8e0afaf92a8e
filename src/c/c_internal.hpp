// SPDX-License-Identifier: Apache-2.0
// Private helpers of the C API: thread-local last error, the no-exception boundary, buffers.
#pragma once

#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "dnie/bytes/bytes.hpp"
#include "dnie/bytes/error.hpp"
#include "dnie/bytes/result.hpp"
#include "dnie/c/dnie.h"
#include "dnie/transport/transport.hpp"

namespace dnie::capi {

/// Records `msg` (and the tries of a PIN error) as this thread's last error; returns `code`.
int fail(int code, std::string msg, int tries_left = -1);
int fail(const Error& e);
/// Clears the last error and returns DNIE_OK.
int ok();

/// Runs `f` (returning int) with every exception mapped to DNIE_ERR_INTERNAL.
template <class F>
int guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return fail(DNIE_ERR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    try {
      return fail(DNIE_ERR_INTERNAL, std::string("internal error: ") + e.what());
    } catch (...) {
    }
    return DNIE_ERR_INTERNAL;
  } catch (...) {
    return fail(DNIE_ERR_INTERNAL, "internal error");
  }
}

/// Caller-owned buffer with in/out size: copies `data` when it fits, else reports the size.
int copy_out(ByteView data, std::uint8_t* buf, std::size_t* len);

/// JSON report out (as dnie_verify): kept as this thread's last report (dnie_last_report), then
/// copied when `buf` is large enough; a NULL `buf` is a size query; a NULL `len` copies nothing.
int copy_report(std::string report, char* buf, std::size_t* len);

/// The application-supplied transport (dnie_transport_callbacks) as a transport::Transport.
std::unique_ptr<transport::Transport> make_callback_transport(const dnie_transport_callbacks& cb, void* user);

}  // namespace dnie::capi
