// SPDX-License-Identifier: Apache-2.0
// Fuzz target: CMS / CAdES signatures as a relying party reads them (dnie/crypto/cades.hpp,
// dnie/holder/signing.hpp verify_cades): parsing, the messageDigest / signature / ESS checks, and
// the signer certificate's validation with the built-in DNIe trust (no network).
#include "dnie/crypto/cades.hpp"
#include "dnie/holder/signing.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  const holder::ContentDigest content = holder::digest_data(ByteView::of("hello"));
  auto sig = crypto::CmsSignature::parse(input);
  if (sig) {
    (void)sig->signer().subject().to_string();
    const auto c = sig->verify(content.digest);
    DNIE_FUZZ_ASSERT(c.problem.empty() ==
                     (c.message_digest && c.signature && c.signing_certificate != false));
    (void)sig->verify({});
  }
  holder::ValidationOptions o;
  o.at = 1768478400;
  o.now = 1768478400;
  const auto v = holder::verify_cades(input, &content, {}, o);
  DNIE_FUZZ_ASSERT(sig.ok() || v.verdict == holder::CertificateVerdict::Invalid);
  (void)v.to_json();
}
