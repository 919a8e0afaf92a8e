// SPDX-License-Identifier: Apache-2.0
// The holder certificates' validation as both tools offer it (`dnie certs --validate`, `dnie sign
// --cms`, dnie-verify's "Holder certificates"; docs/cli.md, docs/relying-parties.md): CRL and OCSP
// response files, the online OCSP check, the virtual card's TEST holder root only when asked
// (--trust-virtual), the DNI of the document, the verdict's exit code, text and JSON.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dnie/card/session.hpp"
#include "dnie/holder/validation.hpp"
#include "dnie/icao/lds.hpp"

namespace dnie::cli {

struct HolderCheckOptions {
  std::vector<std::string> crl_files;   ///< --crl FILE (repeatable)
  std::vector<std::string> ocsp_files;  ///< --ocsp-response FILE (repeatable)
  bool online = false;                  ///< --online: the OCSP responder named in each certificate
  long timeout_ms = 0;                  ///< --timeout MS for --online (0: the library's 5 s)
  std::int64_t at = 0;                  ///< --at: validity at this time (0: now)
  std::int64_t now = 0;                 ///< the clock for revocation freshness (0: the system clock)
  bool trust_virtual = false;           ///< --trust-virtual: the virtual card's TEST holder root
  /// A source of revocation evidence was given (otherwise revocation is "not checked").
  bool revocation_requested() const { return online || !crl_files.empty() || !ocsp_files.empty(); }
};

/// The library's options from the tools' (files read here: InvalidArgument naming the file,
/// exit 1; each file is named in the report by its base name).
Result<holder::ValidationOptions> validation_options(const HolderCheckOptions& o);

/// Adds the virtual card's TEST holder PKI of `session` to `vo` (a test_only anchor, honoured
/// because allow_test_roots is set) and its CA's CRL to vo.crls (after any --crl). False, and
/// nothing added, when the session did not open the virtual card.
bool trust_virtual_holder(holder::ValidationOptions& vo, const Session& session);

/// The DNI of the document, for ValidationOptions::expected_dni: DG1's personal number, DG11's
/// and DG13's DNI, those that were read and are not empty.
std::vector<std::pair<std::string, std::string>> document_dni(const icao::LdsContent& doc);

/// VALID 0, INVALID 7, CANNOT VERIFY 10, EXPIRED 11, REVOKED 12 (tools/common/exit_codes.hpp).
int exit_code_for(holder::CertificateVerdict v) noexcept;

/// "authentication" / "signing".
const char* key_name(esign::KeyKind k) noexcept;

/// holder::to_json() as a JSON value, after invalid UTF-8 in certificate text became U+FFFD.
nlohmann::json holder_json(const std::vector<holder::CertificateValidation>& v);
nlohmann::json holder_json(const holder::CertificateValidation& v);

/// For a terminal, already escaped (tools/common/text.hpp): "reason: ..." (but for revocation),
/// "revocation: <label> — <source>: <detail>", then each check as "  ok   id: reason" ("FAIL", "--" for not
/// performed; passed checks only when `all_checks`).
std::vector<std::string> holder_lines(const holder::CertificateValidation& v, bool all_checks);

/// "holder.authentication" / "holder.signing" checks for a document report: pass VALID; fail
/// INVALID, REVOKED, EXPIRED; not performed CANNOT VERIFY. Informational (icao::classify_check):
/// they never change the document's verdict.
void add_holder_checks(icao::VerificationReport& report, const std::vector<holder::CertificateValidation>& v);

}  // namespace dnie::cli
