// SPDX-License-Identifier: Apache-2.0
// Progress on the terminal while a card is read: one line on stderr, redrawn in place, only when
// stderr is a terminal and the user asked for neither --quiet nor JSON on standard output.
#pragma once

#include <string>

#include "dnie/icao/lds.hpp"

namespace dnie::cli {

/// True when progress may be drawn: stderr is a terminal, not --quiet, not JSON on stdout.
bool progress_wanted(bool quiet, bool json_on_stdout);
/// Shows `text` (one line; card or user text must already be escaped).
void progress_text(const std::string& text);
/// A per-file bar for Session::read_document ("  DG2  [#####.....]  4096 / 16440 bytes").
icao::FileProgressFn progress_files();
/// Erases the progress line, if one was drawn.
void progress_clear();

}  // namespace dnie::cli
