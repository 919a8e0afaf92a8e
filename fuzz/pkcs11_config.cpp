// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the PKCS#11 module's configuration file parser (src/pkcs11/config.cpp,
// docs/pkcs11.md "Configuration"). The module is a shared library with hidden symbols, so the
// parser's source is compiled into the target.
#include "driver.hpp"
#include "pkcs11/config.cpp"

DNIE_FUZZ_TARGET {
  using namespace dnie::p11;
  Config cfg;
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  parse_config_text(text, "fuzz", cfg);
  // Whatever the input, the settings stay within their documented ranges.
  DNIE_FUZZ_ASSERT(cfg.prompt_timeout_s >= 1 && cfg.prompt_timeout_s <= 600);
  DNIE_FUZZ_ASSERT(cfg.prompt.empty() || cfg.prompt[0] == '/');
  DNIE_FUZZ_ASSERT(!cfg.virtual_profile.empty() && cfg.virtual_profile.find('/') == std::string::npos);
  (void)parse_switch(text);
}
