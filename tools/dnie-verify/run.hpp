// SPDX-License-Identifier: Apache-2.0
// dnie-verify's steps: open, PACE, read, passive authentication, chip authentication, eSign open
// (ICC component chain), holder certificates; each timed, everything collected as Evidence. Or,
// offline (--offline DIR), passive authentication of saved files: what can be repeated without
// the card, and why chip authentication cannot.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dnie/card/session.hpp"
#include "dnie/holder/validation.hpp"
#include "dnie/icao/trust_store.hpp"

#include "verdict.hpp"

namespace dnie::verify {

struct StepRecord {
  std::string id;      ///< "open", "pace", "read", "pa", "ca", "esign", "certificates"
  std::string label;   ///< "PACE (CAN)"
  std::string status;  ///< "ok", "failed", "skipped"
  double ms = 0;
  std::string detail;
};

struct ImageEvidence {
  std::string source_format;  ///< "JPEG 2000 (JP2)"
  std::uint32_t width = 0, height = 0;
  Bytes png;         ///< empty when it could not be decoded
  std::string note;  ///< why not
};

/// A file of a saved dump (--offline), hashed so that the evidence names exactly what was checked.
struct OfflineFile {
  std::string name;  ///< "EF_SOD.bin"
  std::size_t size = 0;
  std::string sha256;  ///< hex
};

struct Evidence {
  std::string mode = "card";  ///< "card", or "offline" (saved files, no card)
  std::string reader;         ///< spec as given ("offline:DIR" offline)
  std::string reader_kind, interface_type, atr_hex, chip_serial_hex, idesp, card_version, generation;
  std::vector<std::string> card_notes;
  std::string pace_protocol;      ///< PACE OID
  std::string password_kind;      ///< "CAN" / "MRZ"
  std::string trust_summary;      ///< what the trust store holds
  std::string trust_source;       ///< "default", "given", "virtual-test", ... (tools/common/trust.hpp)
  bool trust_test_only = false;   ///< the virtual card's TEST CSCA is trusted (--trust-virtual)
  std::size_t trust_anchors = 0;  ///< CSCA certificates in the store
  std::vector<StepRecord> steps;
  std::vector<int> dgs_read;
  std::vector<std::pair<int, std::string>> dgs_unreadable;
  icao::VerificationReport report;
  std::optional<StepFailure> aborted;
  Decision decision;
  std::vector<std::pair<std::string, std::string>> holder;  ///< ordered label → value, readable
  std::vector<std::string> mrz_lines;                       ///< DG1 as printed on the card
  std::optional<icao::LdsContent> document;                 ///< what was read (for --raw)
  std::string offline_dir;                                  ///< --offline
  std::vector<OfflineFile> offline_files;
  std::vector<std::string> offline_repeated, offline_not_repeated;  ///< what a saved dump can prove
  std::optional<ImageEvidence> face, signature;
  /// The holder certificates validated after the eSign step (docs/relying-parties.md): their own
  /// verdict, never the document's. Unset when not validated (offline, eSign not opened, or
  /// the certificates could not be read: holder_note says why).
  std::optional<std::vector<holder::CertificateValidation>> holder_certs;
  std::string holder_note;
  std::int64_t now = 0;  ///< clock used for validity checks (Unix seconds)
  bool now_overridden = false;
  std::string generated_at;  ///< ISO 8601
};

struct RunOptions {
  SessionOptions session;  ///< reader, virtual image dir, eSign options (ICC roots)
  std::string can;         ///< used when mrz is empty
  std::string mrz;         ///< full MRZ or MRZ information (doc no ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd)
  const icao::TrustStore* trust = nullptr;
  std::string trust_summary;
  std::int64_t now = 0;  ///< 0 = system clock
  /// Holder certificate validation: CRLs, OCSP responses, online (its `at` is set to the
  /// verification time, its expected_dni to the document's DNI).
  holder::ValidationOptions holder;
  bool holder_trust_virtual = false;                ///< also trust the virtual card's TEST holder root
  std::function<void(const std::string&)> on_step;  ///< progress: a step starts (may be empty)
  icao::FileProgressFn on_read;                     ///< progress of the document read (may be empty)
};

Evidence run_verification(const RunOptions& options);

struct OfflineOptions {
  std::string dir;  ///< EF_COM.bin, EF_SOD.bin, DG<n>.bin as `dnie read --raw` writes them
  const icao::TrustStore* trust = nullptr;
  std::string trust_summary;
  std::int64_t now = 0;
};

/// Passive authentication of a saved dump. InvalidArgument (usage) naming the file when the
/// directory or its EF_SOD.bin cannot be read; a file that does not parse is a failed check.
Result<Evidence> verify_offline(const OfflineOptions& options);

namespace detail {
/// DG1/DG11/DG13 → readable holder fields; the personal numbers for the certificate check.
void collect_holder(Evidence& ev, const icao::LdsContent& doc,
                    std::vector<std::pair<std::string, std::string>>* personal_numbers);
}  // namespace detail

}  // namespace dnie::verify
