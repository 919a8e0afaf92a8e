// SPDX-License-Identifier: Apache-2.0
// File: fuzz/driver.hpp
// Each fuzz target implements `void fuzz(dnie::ByteView input)` with DNIE_FUZZ_TARGET. The
// macro supplies LLVMFuzzerTestOneInput; driver_main.cpp turns it into a corpus replayer for g++.
// Inputs are copied into their own allocation so ASan sees over-reads; inputs over 64 KiB are
// ignored. A parser must never crash, hang or abort on any input: errors are values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "dnie/bytes/bytes.hpp"

#define DNIE_FUZZ_TARGET                                                              \
  static void dnie_fuzz_one(dnie::ByteView input);                                    \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    if (size > 65536) return 0;                                                       \
    std::vector<std::uint8_t> copy(data, data + size);                                \
    dnie_fuzz_one(dnie::ByteView(copy.data(), copy.size()));                          \
    return 0;                                                                         \
  }                                                                                   \
  static void dnie_fuzz_one(dnie::ByteView input)

/// For invariants the target checks: abort so the fuzzer records a crash.
#define DNIE_FUZZ_ASSERT(cond) \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)
