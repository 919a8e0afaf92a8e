// SPDX-License-Identifier: Apache-2.0
// File: dnie/card/session.hpp
// The SDK's front door (level 80): find readers, open a card by a reader spec, run PACE once,
// then read the ICAO document, verify it (passive + chip authentication), and use the eSign
// side (certificates, PIN, signatures) without repeating handshakes.
//
// Reader specs: "virtual" / "virtual:<profile>" (the embedded virtual DNIe 3.0, contactless;
// "virtual-contact[:<profile>]" for the contact interface), a PC/SC reader name ("pcsc:<name>"
// or the bare name), a PC/SC reader index ("0", "1"...), or "nfc:<libnfc connstring>" /
// "nfc" (first libnfc device).
//
// The secure channel (docs/security.md): once PACE ran, every command goes through it and every
// answer used is MAC-verified. When the channel fails (a MAC error, a plain status word, a lost
// tag) nothing falls back to the plain link: the only plain commands the session then sends are
// those that end the card's channel and open a new one (SELECT MF, MSE:Set AT, GENERAL
// AUTHENTICATE). The resume policy: with `keep_password` (default), an interrupted read or the
// next operation re-runs PACE with the kept password, at most `max_resumes` times per file;
// every such re-establishment is counted (stats().reestablished), logged, explained in
// reestablish_log() and listed in the verification report ("session.channel"). Without it,
// operations on a lost channel fail with InvalidState until the caller runs pace() again.
//
// Ownership: a Session owns its transports, secure channel and eSign state. When `keep_password`
// is set it also keeps the PACE password (wiped on destruction). On destruction a session that
// set up a channel asks the link to reset the card (PC/SC: SCARD_RESET_CARD) so that no channel
// outlives it; a channel left by someone else is ended at the start (stats().stale_channels_ended).
// Thread safety: one Session per thread; different Sessions are independent. cancel() is the
// one call another thread may make.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnie/apdu/trace.hpp"
#include "dnie/auth/pace.hpp"
#include "dnie/esign/esign.hpp"
#include "dnie/holder/trust.hpp"
#include "dnie/icao/lds.hpp"
#include "dnie/icao/verification.hpp"
#include "dnie/transport/atr.hpp"
#include "dnie/transport/transport.hpp"
#include "dnie/vcard/card_image.hpp"

namespace dnie {

enum class ReaderKind { Virtual, Pcsc, Nfc, External };
/// "virtual", "pcsc", "nfc", "external" (SessionOptions::custom_transport)
std::string_view reader_kind_name(ReaderKind k) noexcept;

struct ReaderInfo {
  std::string spec;  ///< what to pass to Session::open
  std::string name;  ///< human-readable
  ReaderKind kind = ReaderKind::Virtual;
  bool card_present = false;
  Bytes atr;
  transport::AtrInfo atr_info;
};

/// PC/SC readers (if pcscd runs), libnfc devices (when `include_nfc`) and the virtual card.
/// Never fails: unavailable back-ends are skipped; `notes` says why.
std::vector<ReaderInfo> list_readers(bool include_nfc = true, std::vector<std::string>* notes = nullptr);

/// Directory of the virtual card images (.dvc): $DNIE_VCARD_IMAGES, else the build/install one.
std::string default_vcard_image_dir();

/// The TEST component root of a virtual card image (the anchor of its ICC chain), as a root to
/// pass in EsignOptions::extra_icc_roots when the caller chooses to trust a virtual card.
Result<esign::IccRoot> virtual_card_icc_root(const vcard::CardImage& image);

/// The TEST holder PKI of a virtual card image (AC RAIZ DNIE 2 TEST as a test_only anchor, its
/// AC DNIE 00x TEST as an intermediate), for a caller that chooses to trust the virtual card's
/// holder certificates (holder::ValidationOptions::extra with allow_test_roots).
Result<std::vector<holder::TrustedCertificate>> virtual_card_holder_trust(const vcard::CardImage& image);

struct SessionOptions {
  std::string reader = "virtual";
  std::string vcard_image_dir;         ///< empty: default_vcard_image_dir()
  std::string vcard_can, vcard_pin;    ///< override the virtual card's CAN / PIN
  std::string vcard_state_file;        ///< persist the virtual card's PIN counter
  bool vcard_link_model = false;       ///< account modeled NFC time in the virtual card (benchmarks)
  unsigned vcard_bit_rate_kbps = 424;  ///< link model bit rate (106, 212, 424, 848)
  bool keep_password = true;           ///< allow transparent re-PACE after a reset / tag loss
  int max_resumes = 3;                 ///< per operation
  /// When the ATR says DNIe 3.0/4.0 (or a contactless DNIe/TIE), start PACE with the DNIe's
  /// parameters (GM, AES-128, brainpoolP256r1: dnie3-facts §3.1, the ones the official
  /// middleware hard-codes) instead of reading EF.CardAccess first: one APDU less per session.
  /// If the card refuses them at MSE:Set AT, EF.CardAccess is read and PACE runs again.
  bool pace_parameters_from_atr = true;
  /// PACE parameter policy (auth::PacePolicy). Unset: exactly the DNIe's parameters (ECDH
  /// brainpoolP256r1, ID 13) for a card whose ATR says DNIe, otherwise standardized IDs of at
  /// least 112-bit strength (no DH-1024, no 192-bit curves) and no explicit parameters.
  std::optional<auth::PacePolicy> pace_policy;
  apdu::TraceSink trace;      ///< redacted APDU trace ("plain" inside SM, "wire" outside)
  esign::EsignOptions esign;  ///< key sets, ICC chain policy (relink is set by the session)
  int nfc_timeout_ms = 3000;
  /// Called once with the raw link right after it is opened (diagnostics, fault injection in
  /// tests: e.g. dynamic_cast to vcard::VirtualTransport and set_fault_hook).
  std::function<void(transport::Transport&)> on_link_opened;
  /// Application-supplied link (the C API's callback transport: Android IsoDep, iOS Core NFC).
  /// When set it is called once by open() instead of parsing `reader` (then only a display
  /// name); the session owns the returned transport (ReaderKind::External).
  std::function<Result<std::unique_ptr<transport::Transport>>()> custom_transport;
};

struct CardInfo {
  std::string reader;
  ReaderKind reader_kind = ReaderKind::Virtual;
  transport::Interface interface_type = transport::Interface::Unknown;
  Bytes atr;
  transport::AtrInfo atr_info;
  Bytes chip_serial;    ///< GET CHIP INFO (7 bytes), if available
  std::string idesp;    ///< support number (EF 0006), if readable
  std::string version;  ///< EF 2F03 version string, if readable
  /// Whether EF 2F03 names a DNIe ("DNIe …", dnie3-facts §1.1): true; false when it names
  /// something else (a TIE residence permit shares the contactless ATR, §1.2, §7.2); unset when
  /// it could not be read (contactless without PACE). atr_info.description is refined to match.
  std::optional<bool> dnie_confirmed;
  std::string generation;             ///< "r1" / "r2" once the eSign side was opened
  std::optional<int> pin_tries_left;  ///< only when asked (needs the PIN channel)
  std::vector<std::string> notes;     ///< what could not be read and why
};

struct ApduStats {
  std::size_t apdus = 0, bytes_sent = 0, bytes_received = 0;
  /// Automatic re-establishments of the secure channel (re-PACE after a tag loss, a reset, a
  /// secure-messaging failure, or for a new signature); Session::reestablish_log() says why.
  std::size_t reestablished = 0;
  /// Secure channels the card still held when the session started (another process's, or one
  /// left in a reader) that were ended with a plain SELECT MF.
  std::size_t stale_channels_ended = 0;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> open(const SessionOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const SessionOptions& options() const noexcept;
  ReaderKind reader_kind() const noexcept;
  transport::Interface interface_type() const noexcept;
  Bytes atr() const;
  /// The virtual card's TEST holder PKI (virtual_card_holder_trust) when this session opened the
  /// virtual card; empty for any other reader. Trusting it stays the caller's decision.
  const std::vector<holder::TrustedCertificate>& virtual_holder_trust() const noexcept;

  /// PACE (ICAO 9303-11 §4.4) with the CAN, MRZ, PIN or PUK; parameters from EF.CardAccess
  /// unless pinned in `selection` or known from the ATR (SessionOptions::pace_parameters_from_atr).
  /// Replaces any previous secure channel. EF.CardAccess is read at most once per session and
  /// reused when PACE is re-established; a caller that already holds it may pass it in
  /// `card_access` (then it is not read at all).
  Status pace(const auth::PacePassword& password, const auth::PaceSelection& selection = {},
              ByteView card_access = {});
  Status pace_can(std::string_view can);
  bool secure() const noexcept;
  const auth::PaceResult* pace_result() const noexcept;

  /// Card identity: ATR, chip serial, IDESP, version; PIN tries when `pin_tries` (spends none).
  Result<CardInfo> info(bool pin_tries = false);

  /// Reads EF.COM, EF.SOD and the data groups (all listed ones when `dgs` is empty), in the
  /// fewest APDUs, re-establishing PACE and retrying the interrupted file if the card was reset
  /// or left the field (when keep_password). DG3 and other protected groups are reported in
  /// LdsContent::unreadable.
  Result<icao::LdsContent> read_document(const std::vector<int>& dgs = {},
                                         const icao::FileProgressFn& progress = {});

  /// Passive authentication of `doc` plus Chip Authentication v1 with its DG14 (when present and
  /// `chip_auth`), recorded as the "chip_authentication" check. The secure channel continues
  /// under the chip-authentication keys.
  icao::VerificationReport verify(const icao::LdsContent& doc, const icao::PassiveAuthOptions& pa = {},
                                  bool chip_auth = true);

  /// The eSign side over the current channel (opened on first use and cached).
  Result<esign::EsignCard*> esign();
  /// Cancels the operation in progress, from any thread: its next exchange fails with Cancelled
  /// before anything is sent (an APDU already on the link completes). A secure channel then
  /// closes; the next operation re-establishes it (resume policy). Operations started after the
  /// cancelled one run normally.
  void cancel() noexcept;
  /// Trusts one more ICC component root for this session (the caller's explicit choice, e.g. a
  /// test card's root: docs/keysets.md); the eSign side is opened again on next use.
  void trust_icc_root(esign::IccRoot root);

  /// The transport to talk through now (the secure channel when established).
  transport::Transport& transport();
  ApduStats stats() const noexcept;
  /// Why each automatic re-establishment ran (in order); never reset.
  const std::vector<std::string>& reestablish_log() const noexcept;
  /// Exclusive access to the card across processes (PC/SC transaction) while the returned object
  /// lives. The session's own operations (pace, info, read_document, verify, esign) each hold one
  /// already; hold this around a sequence of EsignCard calls (e.g. verify PIN then sign).
  std::unique_ptr<transport::Transaction> exclusive_access();
  void reset_stats() noexcept;

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace dnie
