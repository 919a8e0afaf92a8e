// SPDX-License-Identifier: Apache-2.0
// Replay driver: runs LLVMFuzzerTestOneInput over every file of the given directories (or
// files), then a batch of deterministic pseudo-random mutations of each, and prints a summary.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

static void run(const std::vector<std::uint8_t>& in) { LLVMFuzzerTestOneInput(in.data(), in.size()); }

int main(int argc, char** argv) {
  std::size_t files = 0, execs = 0;
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto rnd = [&state]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int i = 1; i < argc; ++i) {
    fs::path p(argv[i]);
    if (!fs::exists(p)) continue;
    std::vector<fs::path> list;
    if (fs::is_directory(p)) {
      for (auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file()) list.push_back(e.path());
    } else {
      list.push_back(p);
    }
    std::sort(list.begin(), list.end());
    for (auto& f : list) {
      std::ifstream in(f, std::ios::binary);
      std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      ++files;
      run(data);
      ++execs;
      // Cheap deterministic mutations: truncations, bit flips, byte inserts.
      for (int m = 0; m < 64; ++m) {
        std::vector<std::uint8_t> d = data;
        switch (rnd() % 4) {
          case 0:
            if (!d.empty()) d.resize(rnd() % d.size());
            break;
          case 1:
            if (!d.empty()) d[rnd() % d.size()] ^= static_cast<std::uint8_t>(1u << (rnd() % 8));
            break;
          case 2:
            d.insert(d.begin() + static_cast<long>(d.empty() ? 0 : rnd() % d.size()),
                     static_cast<std::uint8_t>(rnd()));
            break;
          default:
            if (!d.empty()) d[rnd() % d.size()] = static_cast<std::uint8_t>(rnd());
            break;
        }
        run(d);
        ++execs;
      }
    }
  }
  run({});
  ++execs;
  std::printf("replayed %zu corpus files, %zu executions, no crash\n", files, execs);
  return 0;
}
