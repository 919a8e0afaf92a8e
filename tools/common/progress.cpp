// SPDX-License-Identifier: Apache-2.0
#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace dnie::cli {

namespace {
bool g_drawn = false;
constexpr int kLine = 72;
}  // namespace

bool progress_wanted(bool quiet, bool json_on_stdout) {
  return !quiet && !json_on_stdout && ::isatty(2) == 1;
}

void progress_text(const std::string& text) {
  std::fprintf(stderr, "\r%-*.*s", kLine, kLine, text.c_str());
  std::fflush(stderr);
  g_drawn = true;
}

icao::FileProgressFn progress_files() {
  return [](std::uint16_t fid, std::size_t done, std::size_t total) {
    constexpr int kWidth = 30;
    const std::string name = icao::file_name(fid);
    int filled = 0;
    if (total > 0) filled = static_cast<int>(static_cast<double>(done) * kWidth / static_cast<double>(total));
    if (filled > kWidth) filled = kWidth;
    const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                            std::string(static_cast<std::size_t>(kWidth - filled), '.');
    char line[128];
    std::snprintf(line, sizeof line, "  %-7s [%s] %6zu / %-6zu bytes", name.c_str(), bar.c_str(), done,
                  total);
    progress_text(line);
  };
}

void progress_clear() {
  if (!g_drawn) return;
  std::fprintf(stderr, "\r%*s\r", kLine, "");
  std::fflush(stderr);
  g_drawn = false;
}

}  // namespace dnie::cli
