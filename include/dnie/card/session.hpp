// SPDX-License-Identifier: Apache-2.0
// File: dnie/card/session.hpp
// The SDK's front door (level 80): find readers, open a card by a reader spec, run PACE once,
// then read the ICAO document, verify it (passive + chip authentication), and use the eSign
// side (certificates, PIN, signatures) without repeating handshakes.
//
// Reader specs: a PC/SC reader name ("pcsc:<name>" or the bare name), a PC/SC reader index ("0",
// "1"...), "nfc:<libnfc connstring>" / "nfc" (first libnfc device), or "" (the first PC/SC reader
// with a card in it). The session never opens a simulated card: the virtual DNIe ("virtual[:profile]")
// is a separate component, dnie::vcard_session (dnie/vcard_session/vcard_session.hpp), that a
// program links and asks for explicitly; it plugs in through SessionOptions::custom_transport.
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
#include "dnie/holder/validation.hpp"
#include "dnie/icao/lds.hpp"
#include "dnie/icao/verification.hpp"
#include "dnie/transport/atr.hpp"
#include "dnie/transport/transport.hpp"

namespace dnie {

/// Virtual: the simulated card of dnie::vcard_session (through custom_transport).
enum class ReaderKind { Virtual, Pcsc, Nfc, External };
/// "virtual", "pcsc", "nfc", "external" (SessionOptions::custom_transport)
std::string_view reader_kind_name(ReaderKind k) noexcept;

struct ReaderInfo {
  std::string spec;  ///< what to pass to Session::open
  std::string name;  ///< human-readable
  ReaderKind kind = ReaderKind::Pcsc;
  bool card_present = false;
  Bytes atr;
  transport::AtrInfo atr_info;
};

/// PC/SC readers (if pcscd runs) and libnfc devices (when `include_nfc`); the virtual card only
/// through vcard_session::list_readers(). Never fails: unavailable back-ends are skipped; `notes`
/// says why.
std::vector<ReaderInfo> list_readers(bool include_nfc = true, std::vector<std::string>* notes = nullptr);

struct SessionOptions {
  /// Reader spec (see the top of this file). Empty: the first PC/SC reader with a card in it;
  /// ReaderNotFound when there is none (the message lists the readers seen and why).
  std::string reader;
  bool keep_password = true;  ///< allow transparent re-PACE after a reset / tag loss
  int max_resumes = 3;        ///< per operation
  /// When the ATR says DNIe 3.0/4.0 (or a contactless DNIe/TIE), start PACE with the DNIe's
  /// parameters (GM, AES-128, brainpoolP256r1: docs/dnie-card.md §3.1, the ones the official
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
  /// Application-supplied link (the C API's callback transport: Android IsoDep, iOS Core NFC;
  /// the virtual card of dnie::vcard_session). When set it is called once by open() instead of
  /// parsing `reader` (then only a display name); the session owns the returned transport.
  std::function<Result<std::unique_ptr<transport::Transport>>()> custom_transport;
  /// What reader_kind() reports for a custom_transport link.
  ReaderKind custom_kind = ReaderKind::External;
  /// Holder-certificate anchors offered by whoever supplied the link (vcard_session: the virtual
  /// card's TEST PKI). The session never uses them; a caller that chooses to trust them passes
  /// them on (holder::ValidationOptions::extra with allow_test_roots). Read them back through
  /// Session::options().
  std::vector<holder::TrustedCertificate> offered_holder_trust;
  /// Revocation evidence offered the same way (vcard_session: the CRL of the virtual card's TEST
  /// holder CA, DER). A hint like offered_holder_trust: the session never uses it; a caller that
  /// trusts the offered anchors passes it on (holder::ValidationOptions::crls). It proves
  /// nothing by itself: a CRL counts only once its signature verifies with the certificate's
  /// issuer on a trusted path.
  std::vector<holder::EvidenceFile> offered_holder_crls;
};

struct CardInfo {
  std::string reader;
  ReaderKind reader_kind = ReaderKind::Pcsc;
  transport::Interface interface_type = transport::Interface::Unknown;
  Bytes atr;
  transport::AtrInfo atr_info;
  Bytes chip_serial;    ///< GET CHIP INFO (7 bytes), if available
  std::string idesp;    ///< support number (EF 0006), if readable
  std::string version;  ///< EF 2F03 version string, if readable
  /// Whether EF 2F03 names a DNIe ("DNIe …", docs/dnie-card.md §1.1): true; false when it names
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
