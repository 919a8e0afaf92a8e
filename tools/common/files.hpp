// SPDX-License-Identifier: Apache-2.0
// Files the tools write hold personal data (names, photo, signature image, evidence, raw data
// groups): they are created private (mode 0600, directories 0700), never through a symbolic link
// at the final path (a planted link must not redirect them), and never over an existing file
// unless the user passed --force; a replaced file is swapped in atomically (rename(2)).
#pragma once

#include <cstddef>
#include <string>

#include "dnie/bytes/bytes.hpp"
#include "dnie/bytes/result.hpp"
#include "dnie/icao/lds.hpp"

namespace dnie::cli {

/// Writes `data` to `path`; "-" is standard output. The file is written to a temporary file
/// (mode 0600) in the same directory, flushed to disk, then moved to `path`: without `overwrite`
/// only when `path` does not exist (renameat2 RENAME_NOREPLACE, or link(2) where the file system
/// lacks it), with `overwrite` replacing a regular file. A symbolic link, directory or device at
/// `path` is refused in both cases. InvalidArgument (usage) with the file named.
Status write_private_file(const std::string& path, ByteView data, bool overwrite);

/// Creates `dir` and its missing parents with mode 0700. An existing directory is accepted; a
/// symbolic link or a non-directory at `dir` is refused.
Status make_private_dir(const std::string& dir);

/// Reads a whole file (at most `max_bytes`). Errors name the file.
Result<Bytes> read_input_file(const std::string& path, std::size_t max_bytes = std::size_t{64} << 20);

/// The files `dnie read --raw DIR` and `dnie-verify --raw DIR` write: EF_COM.bin, EF_SOD.bin and
/// DG<n>.bin (as read, no header), in a private directory.
Status write_lds_dump(const icao::LdsContent& doc, const std::string& dir, bool overwrite);

}  // namespace dnie::cli
