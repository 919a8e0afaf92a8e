// SPDX-License-Identifier: Apache-2.0
// dnie-verify --offline DIR: passive authentication (ICAO 9303-11 §5.1) of a saved dump, the
// files `dnie read --raw DIR` and `dnie-verify --raw DIR` write. What the card alone can prove —
// that the chip is the original (chip authentication, §6.2) — is reported as not performed.
#include <chrono>
#include <filesystem>

#include "dnie/crypto/hash.hpp"

#include "files.hpp"
#include "run.hpp"
#include "text.hpp"

namespace dnie::verify {

namespace {

constexpr std::size_t kMaxFile = std::size_t{1} << 20;  // a DNIe data group is at most ~20 KB

const char* kCaWhat = "Chip Authentication proves the chip is genuine";
const char* kCaWhy =
    "not possible offline: chip authentication is a live challenge answered with the chip's private "
    "key (ICAO 9303-11 §6.2). The dump holds no transcript (neither `dnie read --raw` nor "
    "`dnie-verify --raw` records one), and a recorded transcript could be replayed, so it could "
    "not prove that this chip was present. Passive authentication alone cannot tell a clone from "
    "the original.";

}  // namespace

Result<Evidence> verify_offline(const OfflineOptions& o) {
  namespace fs = std::filesystem;
  Evidence ev;
  ev.mode = "offline";
  ev.offline_dir = o.dir;
  ev.reader = "offline:" + o.dir;
  ev.reader_kind = "saved files";
  ev.trust_summary = o.trust_summary;
  ev.now = o.now != 0 ? o.now : icao::unix_now();
  ev.now_overridden = o.now != 0;
  std::error_code ec;
  if (!fs::is_directory(o.dir, ec))
    return Error(ErrorCode::InvalidArgument, "--offline " + cli::for_terminal(o.dir) + ": not a directory");

  const auto t0 = std::chrono::steady_clock::now();
  icao::LdsContent doc;
  std::string loaded;
  auto load = [&](const std::string& name, Bytes& into, bool required) -> Status {
    const std::string path = o.dir + "/" + name;
    if (!fs::exists(path, ec)) {
      if (required)
        return Error(ErrorCode::InvalidArgument,
                     cli::for_terminal(path) + ": missing (a dump written by `dnie read --raw DIR` has it)");
      return ok_status();
    }
    DNIE_ASSIGN_OR_RETURN(into, cli::read_input_file(path, kMaxFile));
    ev.offline_files.push_back({name, into.size(), to_hex(crypto::hash(crypto::HashAlg::Sha256, into))});
    loaded += (loaded.empty() ? "" : " ") + name;
    return ok_status();
  };
  DNIE_TRY(load("EF_COM.bin", doc.com, false));
  DNIE_TRY(load("EF_SOD.bin", doc.sod, true));
  for (int n = 1; n <= 16; ++n) {
    Bytes b;
    DNIE_TRY(load("DG" + std::to_string(n) + ".bin", b, false));
    if (!b.empty()) {
      doc.dgs[n] = std::move(b);
      ev.dgs_read.push_back(n);
    }
  }
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ev.steps.push_back({"load", "Load saved files", "ok", load_ms, loaded});

  icao::PassiveAuthOptions pa;
  pa.trust_store = o.trust;
  pa.now = ev.now;
  const auto t1 = std::chrono::steady_clock::now();
  ev.report = icao::verify_document(doc, pa);
  const double pa_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
  ev.steps.push_back({"pa", "Passive authentication", "ok", pa_ms,
                      std::to_string(ev.report.count(icao::CheckStatus::Fail)) + " failed, " +
                          std::to_string(ev.report.count(icao::CheckStatus::Pass)) + " passed"});
  ev.report.not_performed("chip_authentication", kCaWhat, kCaWhy);
  ev.steps.push_back({"ca", "Chip authentication", "skipped", 0, "needs the card"});
  ev.report.not_performed("icc.chain", "ICC component certificate chain (EF 601F ← EF 6020 ← component root)",
                          "needs the card: EF 601F and EF 6020 are not part of the dump");
  ev.steps.push_back({"esign", "eSign open (ICC component chain)", "skipped", 0, "needs the card"});
  ev.report.not_performed("certificates.serial",
                          "Holder certificates' serialNumber equals the DNI in DG1/DG11/DG13",
                          "needs the card: the holder certificates are not part of the dump");
  ev.steps.push_back({"certificates", "Holder certificates", "skipped", 0, "needs the card"});
  ev.holder_note = "not validated: the holder certificates are not part of the dump (needs the card)";

  ev.offline_repeated = {
      "the hash of every saved data group against EF.SOD",
      "the EF.SOD signature, the DS certificate and its chain to a trusted CSCA (with the trust store "
      "given now)",
      "the MRZ check digits and the agreement of DG1 with DG11 and DG13",
      "the expiry of the document (at --now, or today)"};
  ev.offline_not_repeated = {
      "chip authentication: that the chip is the original and was present (a live challenge to the chip; "
      "see the chip_authentication check)",
      "the ICC component chain and the holder certificates (eSign application, not in the dump)",
      "data groups the dump does not hold (DG3 needs EAC; a dump of some groups only)"};
  detail::collect_holder(ev, doc, nullptr);
  ev.document = std::move(doc);
  ev.decision = decide(ev.report, std::nullopt);
  return ev;
}

}  // namespace dnie::verify
