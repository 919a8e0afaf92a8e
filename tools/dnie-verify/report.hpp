// SPDX-License-Identifier: Apache-2.0
// dnie-verify's outputs: the screen summary, the JSON evidence and the self-contained HTML report.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "run.hpp"

namespace dnie::verify {

nlohmann::json evidence_json(const Evidence& ev);
/// `json_sha256`: SHA-256 (hex) of the JSON evidence file as written.
std::string evidence_html(const Evidence& ev, const std::string& json_sha256);
std::string evidence_text(const Evidence& ev, bool quiet);
std::string base64(ByteView data);

}  // namespace dnie::verify
