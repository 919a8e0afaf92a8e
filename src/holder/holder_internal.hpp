// SPDX-License-Identifier: Apache-2.0
// Private helpers of the holder layer: JSON text without a JSON dependency (as the C API does).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dnie/icao/verification.hpp"

namespace dnie::holder::detail {

/// "text" with JSON escapes (quotes included).
std::string json_string(std::string_view v);
/// [ "a", "b" ]
std::string json_strings(const std::vector<std::string>& v);
/// [{"id","description","status","reason"}, ...]
std::string json_checks(const icao::VerificationReport& r);

}  // namespace dnie::holder::detail
