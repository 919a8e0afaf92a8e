// SPDX-License-Identifier: Apache-2.0
// Private helpers of the session layer.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

/// A PC/SC reader index ("pcsc:2", "2"): decimal digits only, no sign or space; nullopt when the
/// text is not one or does not fit a std::size_t (never throws: the core is exception-free).
std::optional<std::size_t> parse_reader_index(std::string_view text) noexcept;

}  // namespace dnie::detail
