// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/log.hpp
// The library never prints. It reports diagnostics to a sink the application installs.
// Messages never contain secrets (CAN, PIN, keys, SSC); APDU traces are redacted (apdu/trace.hpp).
// Thread safety: set_log_sink() and log() may be called from any thread; the sink itself is
// called without the library's lock held and must be thread-safe if the app uses threads.
#pragma once

#include <functional>
#include <string_view>

namespace dnie {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 };

using LogSink = std::function<void(LogLevel, std::string_view component, std::string_view message)>;

/// Installs the process-wide sink (empty function = discard, the default) and minimum level.
void set_log_sink(LogSink sink, LogLevel min_level = LogLevel::Info);

/// True when a message of this level would reach a sink (lets callers skip formatting).
bool log_enabled(LogLevel level) noexcept;

/// Emits one message to the sink, if any.
void log(LogLevel level, std::string_view component, std::string_view message);

std::string_view log_level_name(LogLevel level) noexcept;

}  // namespace dnie
