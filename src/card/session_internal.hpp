// SPDX-License-Identifier: Apache-2.0
// Private helpers of the session layer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnie/card/session.hpp"
#include "dnie/vcard/virtual_card.hpp"

namespace dnie::detail {

struct OpenedLink {
  std::unique_ptr<transport::Transport> transport;
  ReaderKind kind = ReaderKind::Virtual;
  std::string name;
  /// The virtual card's TEST component root: opening the virtual card is the caller's explicit
  /// choice of a test card, so its ICC chain anchor is trusted for that session only.
  std::optional<esign::IccRoot> icc_root;
  /// Its TEST holder PKI (virtual_card_holder_trust), offered to callers who opt in.
  std::vector<holder::TrustedCertificate> holder_trust;
};

/// Opens the transport named by options.reader (see session.hpp for the spec syntax).
Result<OpenedLink> open_link(const SessionOptions& options);

}  // namespace dnie::detail
