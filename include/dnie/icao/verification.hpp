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

/// Is the document genuine? One vocabulary for the library, the C API and the tools
/// (docs/verification.md).
enum class Authenticity {
  Genuine,       ///< integrity, trust and chip authenticity all proven
  NotGenuine,    ///< an integrity check failed: tampered data, a clone, a forged signature
  CannotVerify,  ///< nothing failed, but an essential proof is missing (no trusted CSCA, no
                 ///< chip authentication, DG14 withheld, a step could not be completed)
};
/// "GENUINE", "NOT GENUINE", "CANNOT VERIFY".
std::string_view authenticity_name(Authenticity a) noexcept;

/// What a failed check means. Unknown ids are Integrity: a failure is never ignored.
enum class CheckClass {
  Integrity,  ///< failure proves tampering or a clone (hashes, signatures, chip authentication)
  Trust,      ///< failure means the evidence cannot be tied to an authority the verifier trusts
  Validity,   ///< failure means a genuine document is past its date (EXPIRED)
  Info,       ///< shown, never decisive (DS keys retire early; holder certificates expire first)
};
std::string_view check_class_name(CheckClass c) noexcept;  ///< "integrity", "trust", ...
CheckClass classify_check(std::string_view check_id) noexcept;

struct VerificationReport;

/// The assessment of a report (docs/verification.md):
///  - NotGenuine when any integrity check failed;
///  - otherwise CannotVerify when a trust check failed or an essential check did not pass:
///    sod.signature, ds.chain, dg1.hash, every data group read (dgN.hash), and a proof that the
///    chip is the original — chip_authentication (or active_authentication when the document
///    has no CA); a missing CSCA, a withheld DG14 or a card that refuses CA all land here;
///  - otherwise Genuine, `expired` when a validity check failed.
struct Assessment {
  Authenticity authenticity = Authenticity::CannotVerify;
  bool expired = false;               ///< genuine but no longer valid
  std::vector<std::string> deciding;  ///< ids of the checks that decided
  std::vector<std::string> reasons;   ///< one sentence per deciding check
  std::vector<std::string> warnings;  ///< failed informational / validity checks
  /// "GENUINE", "GENUINE, EXPIRED", "NOT GENUINE" or "CANNOT VERIFY".
  std::string label() const;
};
Assessment assess(const VerificationReport& report);

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
  std::size_t count(CheckStatus s) const noexcept;
  /// assess(*this).
  Assessment assessment() const { return assess(*this); }
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
