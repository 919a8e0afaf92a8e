// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the holder profile's extension parsers (certificatePolicies, qcStatements,
// Authority Information Access; dnie/holder/validation.hpp) and, when the input is a
// certificate, its whole validation against the built-in DNIe trust (no network).
#include "dnie/holder/validation.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  if (auto p = holder::parse_certificate_policies(input)) DNIE_FUZZ_ASSERT(!p->empty());
  (void)holder::parse_qc_statements(input);
  if (auto u = holder::parse_aia_uris(input, "1.3.6.1.5.5.7.48.1"))
    for (const auto& s : *u) DNIE_FUZZ_ASSERT(!s.empty() && s.find(' ') == std::string::npos);
  auto cert = crypto::Certificate::parse(input);
  if (!cert) return;
  (void)holder::certificate_dni(*cert);
  holder::ValidationOptions o;
  o.at = 1560000000;  // 2019-06-08: inside the specimen's validity
  o.now = o.at;
  o.expected_dni = {{"DG13", "99999999R"}};
  const auto v = holder::validate_certificate(*cert, holder::role_of(*cert), o);
  // Without revocation evidence nothing is ever VALID.
  DNIE_FUZZ_ASSERT(v.verdict != holder::CertificateVerdict::Valid);
  (void)holder::to_json(v);
}
