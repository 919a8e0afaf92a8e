// SPDX-License-Identifier: Apache-2.0
// Private helpers of the session layer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnie/card/session.hpp"

namespace dnie::detail {

struct OpenedLink {
  std::unique_ptr<transport::Transport> transport;
  ReaderKind kind = ReaderKind::Pcsc;
  std::string name;
};

/// Opens the transport named by options.reader (see session.hpp for the spec syntax).
Result<OpenedLink> open_link(const SessionOptions& options);

}  // namespace dnie::detail
