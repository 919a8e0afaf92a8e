// SPDX-License-Identifier: Apache-2.0
// The CSCA trust of both tools (docs/verification.md "Trust anchors"): --trust files and
// directories (dnie: also --csca), the virtual card's TEST PKI (--trust-virtual), and, when
// neither is given, the default store: the CSCA SPAIN certificates shipped with the tools
// (share/dnie/trust, provenance in its PROVENANCE.md) plus those the user imported from a master
// list into $XDG_DATA_HOME/dnie/trust (dnie-verify --import-master-list).
#pragma once

#include <string>
#include <vector>

#include "dnie/bytes/result.hpp"
#include "dnie/esign/esign.hpp"
#include "dnie/icao/trust_store.hpp"

namespace dnie::cli {

struct TrustOptions {
  std::vector<std::string> paths;  ///< --trust / --csca, in order; "virtual" = virtual_test
  bool virtual_test = false;       ///< --trust-virtual
  bool no_default = false;         ///< --no-default-trust
  bool default_too = false;        ///< load the default store also when paths are given (import)
  icao::MasterListOptions list_options;
  std::string vcard_dir;  ///< virtual card images (empty: the SDK's default)
};

struct LoadedTrust {
  icao::TrustStore store;
  std::vector<esign::IccRoot> icc_roots;  ///< the virtual card's TEST component roots
  bool used_default = false;              ///< the default store was loaded (no --trust given)
  bool test_only = false;                 ///< the virtual card's TEST PKI is trusted
  std::string source;                    ///< "default", "given", "virtual-test", "given+virtual-test", "none"
  std::vector<std::string> directories;  ///< directories of the default store that were read
  std::string summary;                   ///< one line for the reports
  std::vector<std::string> warnings;     ///< files skipped, each naming the file
};

/// Loads the trust described by `o`. Errors name the file that failed (InvalidArgument for an
/// unreadable or malformed file, UntrustedDocument for a master list that cannot be anchored).
Result<LoadedTrust> load_trust(const TrustOptions& o);

/// The shipped CSCA directory: $DNIE_TRUST_DIR, else trust/ in the share/dnie directory of the
/// installation the tool runs from (dnie::installed_data_dir(), relocatable), else the build
/// tree's copy. Empty when none exists.
std::string shipped_trust_dir();
/// $XDG_DATA_HOME/dnie/trust, else $HOME/.local/share/dnie/trust (may not exist).
std::string user_trust_dir();

}  // namespace dnie::cli
