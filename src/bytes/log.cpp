// SPDX-License-Identifier: Apache-2.0
#include "dnie/bytes/log.hpp"

#include <atomic>
#include <memory>
#include <mutex>

namespace dnie {

namespace {
std::mutex g_mutex;
std::shared_ptr<const LogSink> g_sink;
std::atomic<int> g_min_level{static_cast<int>(LogLevel::Info)};
std::atomic<bool> g_has_sink{false};
}  // namespace

void set_log_sink(LogSink sink, LogLevel min_level) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_has_sink = static_cast<bool>(sink);
  g_sink = sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr;
  g_min_level = static_cast<int>(min_level);
}

bool log_enabled(LogLevel level) noexcept {
  return g_has_sink.load(std::memory_order_relaxed) && static_cast<int>(level) >= g_min_level.load();
}

void log(LogLevel level, std::string_view component, std::string_view message) {
  if (!log_enabled(level)) return;
  std::shared_ptr<const LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    sink = g_sink;
  }
  if (sink && *sink) (*sink)(level, component, message);
}

std::string_view log_level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warning:
      return "warning";
    case LogLevel::Error:
      return "error";
  }
  return "?";
}

}  // namespace dnie
