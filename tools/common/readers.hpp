// SPDX-License-Identifier: Apache-2.0
// Which reader the tools open when no --reader is given (docs/cli.md "Readers"): the first PC/SC
// reader that holds a card. Never the virtual card: it is a test card with TEST keys, and a tool
// that silently fell back to it could pass a test card off as the person's (`--reader virtual`
// asks for it explicitly).
#pragma once

#include <string>

#include "dnie/bytes/result.hpp"

namespace dnie::cli {

/// `given` when not empty; otherwise "pcsc:<name>" of the first PC/SC reader (in the order
/// pcscd lists them) with a card present. NoCard (exit 2) when readers are there but none holds
/// a card, ReaderNotFound (exit 2) when there is no PC/SC reader or no PC/SC service; the
/// message lists the readers seen and says how to pick one (--reader, `dnie readers`,
/// `--reader virtual` for the embedded test card).
Result<std::string> resolve_reader(const std::string& given);

}  // namespace dnie::cli
