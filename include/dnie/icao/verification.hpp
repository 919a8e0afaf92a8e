// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/verification.hpp
// The document verification report and passive authentication (ICAO 9303-11 §5.1, 9303-12 §4):
// every check — each DG hash, the SOD signature, the DS certificate (validity at signing and now,
// key usage, document type), the chain to a CSCA, CRLs, issuing-country consistency between DS,
// CSCA and MRZ, MRZ check digits, MRZ consistency with DG11/DG13, chip and active authentication
// — is one entry {id, description, status, reason} with plain strings, so the police tool, the
// CLI's JSON and the C API can show it as it is. No JSON dependency here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/icao/lds.hpp"
#include "dnie/icao/trust_store.hpp"

namespace dnie::icao {

enum class CheckStatus { Pass, Fail, NotPerformed };
std::string_view check_status_name(CheckStatus s) noexcept;  ///< "pass", "fail", "not_performed"

struct Check {
  std::string id;           ///< stable id: "dg1.hash", "sod.signature", "ds.chain", ...
  std::string description;  ///< English sentence
  CheckStatus status = CheckStatus::NotPerformed;
  std::string reason;  ///< why (always set for Fail and NotPerformed; details for Pass)
};

enum class Verdict {
  Valid,       ///< every performed check passed and the essential ones were performed
  Invalid,     ///< at least one check failed
  Incomplete,  ///< nothing failed but an essential check was not performed
};
std::string_view verdict_name(Verdict v) noexcept;  ///< "valid", "invalid", "incomplete"

struct VerificationReport {
  std::vector<Check> checks;

  /// Adds or replaces the check with the same id.
  void set(std::string id, std::string description, CheckStatus status, std::string reason = {});
  void pass(std::string id, std::string description, std::string reason = {}) {
    set(std::move(id), std::move(description), CheckStatus::Pass, std::move(reason));
  }
  void fail(std::string id, std::string description, std::string reason) {
    set(std::move(id), std::move(description), CheckStatus::Fail, std::move(reason));
  }
  void not_performed(std::string id, std::string description, std::string reason) {
    set(std::move(id), std::move(description), CheckStatus::NotPerformed, std::move(reason));
  }
  const Check* find(std::string_view id) const noexcept;
  /// Status of a check; NotPerformed when absent.
  CheckStatus status(std::string_view id) const noexcept;
  /// Essential checks: sod.signature, every dgN.hash present, ds.chain. `essential` overrides.
  Verdict verdict(const std::vector<std::string>& essential = {}) const;
  std::size_t count(CheckStatus s) const noexcept;
};

struct PassiveAuthOptions {
  const TrustStore* trust_store = nullptr;  ///< nullptr: chain checks are NotPerformed
  std::int64_t now = 0;                     ///< Unix seconds; 0 = the system clock
  /// Documents hashed in EF.SOD but not read are reported (NotPerformed), never a failure.
  bool report_unread_groups = true;
};

/// Passive authentication and document consistency over what was read. Never fails: every
/// problem (including an unparsable SOD or DG) is a check in the report.
VerificationReport verify_document(const LdsContent& doc, const PassiveAuthOptions& options = {});

/// Records the outcome of a chip/active authentication run (Status ok → Pass, VerificationFailed
/// → Fail, other errors → NotPerformed with the error text).
void record_result(VerificationReport& report, std::string id, std::string description,
                   const Status& outcome);

/// ISO 3166-1 alpha-2 → alpha-3 ("ES" → "ESP"); the MRZ's "D" for Germany maps from "DE".
/// Empty if unknown.
std::string country_alpha3(std::string_view alpha2);

}  // namespace dnie::icao
