// SPDX-License-Identifier: Apache-2.0
// Running the built `dnie` binary in the tools' tests (test_cli.cpp, test_cli_holder.cpp).
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

namespace dnie_cli_test {

struct Run {
  int rc = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Runs `dnie ARGS` with a clean environment for secrets, stdin from /dev/null, NO_COLOR set, the
// usual umask, and an empty user trust directory (the default store is the shipped one).
inline Run dnie(const std::string& args, const std::string& env = {}) {
  const std::string err = std::string(DNIE_CLI_TMP) + "/stderr." + std::to_string(::getpid()) + ".txt";
  const std::string cmd =
      "umask 022; env -u DNIE_CAN -u DNIE_PIN -u DNIE_NEW_PIN -u LIBNFC_LOG_LEVEL NO_COLOR=1 "
      "XDG_DATA_HOME='" DNIE_CLI_TMP "/xdg' " +
      env + " '" DNIE_CLI "' " + args + " </dev/null 2>'" + err + "'";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = slurp(err);
  if (!r.err.empty()) MESSAGE("stderr of dnie " << args << ":\n" << r.err);
  return r;
}

// A fresh output path: outputs are never overwritten without --force.
inline std::string fresh(const std::string& name) {
  const std::string p = std::string(DNIE_CLI_TMP) + "/" + name;
  std::filesystem::remove_all(p);
  return p;
}

}  // namespace dnie_cli_test
