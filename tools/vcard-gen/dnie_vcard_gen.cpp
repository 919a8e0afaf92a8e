// SPDX-License-Identifier: Apache-2.0
// dnie-vcard-gen: generates virtual DNIe 3.0 card images (.dvc) deterministically from a seed.
// Same seed, same bytes.
// Usage:
//   dnie-vcard-gen --seed N --profile P --out FILE
//   dnie-vcard-gen --seed N --all --out-dir DIR
//   dnie-vcard-gen --list
// Options: --can 123456, --pin 12345678, --quiet.
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "dnie/vcard/generator.hpp"

namespace {

int usage(int code) {
  fmt::print(code ? stderr : stdout,
             "usage: dnie-vcard-gen --seed N (--profile P --out FILE | --all --out-dir DIR) [--can C] [--pin "
             "P] [--quiet]\n"
             "       dnie-vcard-gen --list\n");
  return code;
}

bool parse_seed(const std::string& s, std::uint64_t& out) {
  // Decimal only, so that "010" means ten and "-1" is refused.
  if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  out = std::strtoull(s.c_str(), nullptr, 10);
  return errno == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dnie::vcard;
  GeneratorOptions opt;
  std::string out, out_dir;
  bool all = false, quiet = false, have_seed = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& dst) {
      if (i + 1 >= args.size()) return false;
      dst = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") return usage(0);
    if (a == "--list") {
      for (const auto& p : profiles()) fmt::print("{}\n", p);
      return 0;
    }
    if (a == "--all") {
      all = true;
      continue;
    }
    if (a == "--quiet" || a == "-q") {
      quiet = true;
      continue;
    }
    if (a == "--seed") {
      if (!value(v) || !parse_seed(v, opt.seed)) return usage(2);
      have_seed = true;
      continue;
    }
    if (a == "--profile") {
      if (!value(opt.profile)) return usage(2);
      continue;
    }
    if (a == "--out") {
      if (!value(out)) return usage(2);
      continue;
    }
    if (a == "--out-dir") {
      if (!value(out_dir)) return usage(2);
      continue;
    }
    if (a == "--can") {
      if (!value(opt.can)) return usage(2);
      continue;
    }
    if (a == "--pin") {
      if (!value(opt.pin)) return usage(2);
      continue;
    }
    fmt::print(stderr, "dnie-vcard-gen: unknown argument '{}'\n", a);
    return usage(2);
  }
  if (!have_seed || (all ? out_dir.empty() : out.empty())) return usage(2);

  std::vector<std::pair<std::string, std::string>> jobs;  // profile, file
  if (all) {
    for (const auto& p : profiles()) jobs.emplace_back(p, out_dir + "/" + p + ".dvc");
  } else {
    jobs.emplace_back(opt.profile, out);
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& [profile, file] : jobs) {
    opt.profile = profile;
    auto img = generate_card(opt);
    if (!img) {
      fmt::print(stderr, "dnie-vcard-gen: {}: {}\n", profile, img.error().to_string());
      return 1;
    }
    auto st = img->save(file);
    if (!st) {
      fmt::print(stderr, "dnie-vcard-gen: {}\n", st.error().to_string());
      return 1;
    }
    if (!quiet) fmt::print("{} (seed {}) -> {}\n", profile, opt.seed, file);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!quiet) fmt::print("{} image(s) in {:.2f} s\n", jobs.size(), secs);
  return 0;
}
