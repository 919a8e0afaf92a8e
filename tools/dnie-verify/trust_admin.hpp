// SPDX-License-Identifier: Apache-2.0
// dnie-verify --audit-trust (what is trusted, until when) and --import-master-list (a newer CSCA
// list, verified against the CSCAs already trusted, into the user's trust directory).
#pragma once

#include <cstdint>
#include <string>

#include "trust.hpp"

namespace dnie::verify {

struct AdminOptions {
  std::int64_t now = 0;   ///< 0: the system clock
  std::string json_path;  ///< "" no JSON, "-" standard output, else a file
  bool force = false;
  bool quiet = false;
};

/// Prints one line per CSCA (or JSON): country, validity and days left, self-signed or link
/// certificate (link certificates found by key identifier too, ICAO 9303-12 §5.1), key, subject,
/// source. Returns the exit code.
int audit_trust(const cli::LoadedTrust& trust, const AdminOptions& o);

/// Verifies the master list `file` against the CSCAs in `trust` (ICAO 9303-12 §5.2: its signer
/// must chain to one of them; an unanchored list is refused) and writes its Spanish CSCAs (all of
/// them with `all_countries`) as PEM files into `dest` (cli::user_trust_dir() by default), where
/// the default trust store finds them. Returns the exit code.
int import_master_list(cli::LoadedTrust& trust, const std::string& file, bool all_countries,
                       const std::string& dest, const AdminOptions& o);

}  // namespace dnie::verify
