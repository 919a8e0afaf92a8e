// SPDX-License-Identifier: Apache-2.0
// Fuzz target: PKCS#15 parsers (ODF, TokenInfo, CDF, PrKDF), compressed certificates and
// key-set text (dnie/esign/pkcs15.hpp, dnie/auth/cwa14890.hpp).
#include "dnie/esign/pkcs15.hpp"

#include "dnie/auth/cwa14890.hpp"
#include "dnie/esign/keysets.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  (void)esign::parse_odf(input);
  (void)esign::parse_token_info(input);
  if (auto cdf = esign::parse_cdf(input)) {
    for (const auto& c : *cdf) (void)c.path.to_string();
  }
  if (auto keys = esign::parse_prkdf(input)) {
    for (const auto& k : *keys) DNIE_FUZZ_ASSERT(k.path.path.size() % 2 == 0);
  }
  if (auto der = esign::decompress_certificate(input, 4096))
    DNIE_FUZZ_ASSERT(der->size() <= 4096 || input[0] == 0x30);
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  (void)auth::parse_keyset(text);
  (void)esign::parse_icc_root(text);
  (void)auth::parse_cv_certificate(input);
}
