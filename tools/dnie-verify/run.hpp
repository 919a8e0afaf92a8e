// SPDX-License-Identifier: Apache-2.0
// dnie-verify's steps: open, PACE, read, passive authentication, chip authentication, eSign open
// (ICC component chain), holder certificates; each timed, everything collected as Evidence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dnie/card/session.hpp"
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

struct Evidence {
  std::string reader;  ///< spec as given
  std::string reader_kind, interface_type, atr_hex, chip_serial_hex, idesp, card_version, generation;
  std::vector<std::string> card_notes;
  std::string pace_protocol;  ///< PACE OID
  std::string password_kind;  ///< "CAN" / "MRZ"
  std::string trust_summary;  ///< what the trust store holds
  std::vector<StepRecord> steps;
  std::vector<int> dgs_read;
  std::vector<std::pair<int, std::string>> dgs_unreadable;
  icao::VerificationReport report;
  std::optional<StepFailure> aborted;
  Decision decision;
  std::vector<std::pair<std::string, std::string>> holder;  ///< ordered label → value
  std::optional<ImageEvidence> face, signature;
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
};

Evidence run_verification(const RunOptions& options);

}  // namespace dnie::verify
