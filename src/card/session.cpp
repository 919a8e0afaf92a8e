// SPDX-License-Identifier: Apache-2.0
// Session: one card, one PACE, then everything over the secure channel (ICAO 9303-11 §4.4,
// §6.1–6.2; DNIe eSign over the same channel). Resumes after a reset or tag loss by re-running
// PACE with the kept password and retrying the interrupted file.
#include "dnie/card/session.hpp"

#include <algorithm>
#include <atomic>

#include "dnie/apdu/status.hpp"
#include "dnie/auth/chip_auth.hpp"
#include "dnie/bytes/log.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/sod.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/transport/atr.hpp"

#include "session_internal.hpp"

namespace dnie {

namespace {
constexpr const char* kComponent = "session";

// The DNIe's PACEInfo as an EF.CardAccess would carry it: id-PACE-ECDH-GM-AES-CBC-CMAC-128,
// version 2, brainpoolP256r1 (ID 13). docs/dnie-card.md §3.1; ICAO 9303-11 §9.2.1.
constexpr std::uint8_t kDnieCardAccess[] = {0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07,
                                            0x02, 0x02, 0x04, 0x02, 0x02, 0x02, 0x01, 0x02, 0x02, 0x01, 0x0D};

// Whether a PACE failure means "the card refused these parameters" (worth reading EF.CardAccess)
// rather than a wrong password or a lost card.
bool parameters_refused(const Error& e) {
  switch (e.code) {
    case ErrorCode::CardError:
    case ErrorCode::Unsupported:
    case ErrorCode::NotFound:
    case ErrorCode::AccessDenied:
    case ErrorCode::ProtocolError:
      return true;
    default:
      return false;
  }
}

// A plain command answered 69 87 / 69 88: the card still holds a secure channel nobody here
// knows (a previous process, or ours after an error), and the answer ended it (CWA 14890-1 §9.3,
// ICAO 9303-11 §9.8.6.2). End it the way the DNIe middleware does and send the command again,
// once (docs/dnie-card.md). Protected commands pass untouched: their SM errors are the secure
// messaging layer's business.
class StaleChannelGuard final : public transport::ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  Result<apdu::ResponseApdu> transmit(const apdu::CommandApdu& cmd) override {
    auto r = m_inner.transmit(cmd);
    if (!r || (cmd.cla() & 0x0C) != 0) return r;
    if (r->sw() != apdu::sw::kSmObjectsMissing && r->sw() != apdu::sw::kSmObjectsIncorrect) return r;
    log(LogLevel::Info, kComponent,
        "the card still held a secure channel (" + cmd.describe() + " answered " +
            to_hex(be_bytes(r->sw(), 2)) + "); ending it");
    DNIE_TRY(esign::end_card_channel(m_inner));
    ++m_ended;
    return m_inner.transmit(cmd);
  }
  std::size_t ended() const noexcept { return m_ended; }

 private:
  std::size_t m_ended = 0;
};

// Cancellation (Session::cancel): fails the next exchange of the operation in progress with
// Cancelled, before anything is sent; a secure channel then closes (its counter moved) and the
// next operation re-establishes it under the resume policy.
class CancelGate final : public transport::ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  Result<apdu::ResponseApdu> transmit(const apdu::CommandApdu& cmd) override {
    if (m_cancel.load()) return Error(ErrorCode::Cancelled, "cancelled by the application");
    return m_inner.transmit(cmd);
  }
  void cancel() noexcept { m_cancel.store(true); }
  void rearm() noexcept { m_cancel.store(false); }

 private:
  std::atomic<bool> m_cancel{false};
};

}  // namespace

struct Session::Impl {
  SessionOptions options;
  detail::OpenedLink link;
  std::unique_ptr<transport::TracingTransport> wire_trace;
  std::unique_ptr<CancelGate> gate;
  std::unique_ptr<transport::CountingTransport> counter;
  std::unique_ptr<StaleChannelGuard> guard;
  // Created by the first PACE and kept for the session's life: once PACE ran, every command goes
  // through it, and a closed channel refuses to send (nothing falls back to the plain link).
  std::unique_ptr<sm::SecureMessagingTransport> sm;
  std::unique_ptr<transport::TracingTransport> plain_trace;
  std::optional<auth::PacePassword> password;  // kept for resumption when allowed (wiped on exit)
  auth::PaceSelection selection;
  Bytes card_access;  // EF.CardAccess, read once per session
  std::optional<auth::PaceResult> pace_result;
  std::optional<esign::EsignCard> esign;
  std::vector<std::string> reestablished;  // why each automatic re-PACE ran

  ~Impl() {
    // Leave no channel behind for the next process (docs/dnie-card.md): PC/SC resets the card
    // when the handle closes.
    if (sm || esign) link.transport->reset_on_close(true);
  }

  /// The raw link (counted, traced) without the stale-channel guard.
  transport::Transport& raw() { return *counter; }
  /// The plain link for channel set-up (PACE, CWA on contact).
  transport::Transport& base() { return *guard; }
  transport::Transport& top() {
    if (sm) return plain_trace ? static_cast<transport::Transport&>(*plain_trace) : *sm;
    return base();
  }

  Status run_pace(const auth::PacePassword& pw) {
    if (sm && sm->is_secure()) {
      // Our channel is live (PACE or CWA-14890): end it as the peers do, not with a reset
      // (a warm reset can leave a contactless card holding it; docs/dnie-card.md).
      sm->session().close();
      DNIE_TRY(esign::end_card_channel(raw()));
    }
    auth::PaceRequest req;
    req.password = pw.clone();
    req.selection = selection;
    // Parameter policy (ICAO 9303-11 §9.5.1): EF.CardAccess is unauthenticated, so a fake chip
    // could offer weak or crafted groups and recover the password offline. A card that says it
    // is a DNIe gets exactly what a DNIe uses (ECDH brainpoolP256r1, ID 13); other cards
    // standardized IDs of at least 112-bit strength; explicit parameters only by the caller's
    // opt-in (SessionOptions::pace_policy). Nothing derived from the password is sent otherwise.
    const auto kind = transport::identify_atr(link.transport->atr()).kind;
    const bool dnie_atr = kind == transport::CardKind::Dnie3 || kind == transport::CardKind::DnieContactless;
    req.options.policy = options.pace_policy ? *options.pace_policy
                         : dnie_atr          ? auth::PacePolicy::dnie()
                                             : auth::PacePolicy{};
    std::optional<auth::PaceChannel> channel;
    if (card_access.empty() && options.pace_parameters_from_atr && !selection.protocol_oid &&
        !selection.parameter_id) {
      if (dnie_atr) {
        req.card_access = Bytes(std::begin(kDnieCardAccess), std::end(kDnieCardAccess));
        transport::CountingTransport attempt(base());  // did the card get past MSE:Set AT?
        auto ch = auth::establish_pace(attempt, req);
        if (ch) {
          channel = std::move(ch).value();
          // The card accepted them: a later PACE (resume, new signature) uses them again and
          // never falls back to reading EF.CardAccess in plain after a disturbed answer.
          card_access = req.card_access;
        } else if (attempt.apdus() > 1 || !parameters_refused(ch.error())) {
          return std::move(ch).error();  // past MSE:Set AT: a wrong password or a lost card
        } else {
          log(LogLevel::Info, kComponent, "the card refused the DNIe PACE parameters; reading EF.CardAccess");
        }
      }
    }
    if (!channel) {
      if (card_access.empty()) {
        auto ca = auth::read_card_access(base());
        if (ca) card_access = std::move(*ca);  // else: the driver falls back to pinned parameters
      }
      req.card_access = card_access;
      DNIE_ASSIGN_OR_RETURN(auto ch, auth::establish_pace(base(), req));
      channel = std::move(ch);
    }
    auth::PaceChannel& ch = *channel;
    if (sm) {
      sm->replace_session(std::move(ch.session));
    } else {
      sm = std::make_unique<sm::SecureMessagingTransport>(base(), std::move(ch.session));
      if (options.trace)
        plain_trace = std::make_unique<transport::TracingTransport>(*sm, options.trace, "plain");
    }
    log(LogLevel::Info, kComponent, "PACE established: " + ch.result.protocol_oid);
    pace_result = std::move(ch.result);
    return ok_status();
  }

  /// The documented resume policy: re-run PACE with the kept password after the channel was lost
  /// (`why`), counted in stats().reestablished and logged. A lost link is reconnected (the card
  /// was reset or left the field); otherwise the card's channel is ended with a plain SELECT MF.
  Status reestablish(const Error& why) {
    if (!password)
      return Error(ErrorCode::InvalidState, "the secure channel was lost (" + why.to_string() +
                                                ") and no password is kept: run PACE again");
    if (sm) sm->session().close();
    reestablished.push_back(why.to_string());
    log(LogLevel::Warning, kComponent, "re-establishing PACE after: " + why.to_string());
    auto reconnect = [this]() -> Status {
      auto rc = link.transport->reconnect(true);
      if (!rc && rc.error().code == ErrorCode::CardReset) rc = link.transport->reconnect(true);
      return rc;
    };
    if (link_lost(why.code)) {
      DNIE_TRY(reconnect());
    } else if (auto ended = esign::end_card_channel(raw()); !ended) {
      // The link itself is gone (a tag loss that surfaced as an SM failure): reconnect first.
      if (!link_lost(ended.error().code)) return ended;
      DNIE_TRY(reconnect());
    }
    return run_pace(*password);
  }

  /// Before an operation: a channel that failed earlier is re-established under the resume
  /// policy (keep_password) or the operation is refused.
  Status ensure_channel() {
    if (!sm || sm->is_secure()) return ok_status();
    return reestablish(Error(ErrorCode::SecureMessagingError, "the secure channel had failed"));
  }
};

Session::Session(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::open(const SessionOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  DNIE_ASSIGN_OR_RETURN(impl->link, detail::open_link(options));
  if (options.on_link_opened) options.on_link_opened(*impl->link.transport);
  transport::Transport* bottom = impl->link.transport.get();
  if (options.trace) {
    impl->wire_trace = std::make_unique<transport::TracingTransport>(*bottom, options.trace, "wire");
    bottom = impl->wire_trace.get();
  }
  impl->gate = std::make_unique<CancelGate>(*bottom);
  impl->counter = std::make_unique<transport::CountingTransport>(*impl->gate);
  impl->guard = std::make_unique<StaleChannelGuard>(*impl->counter);
  auto info = transport::identify_atr(impl->link.transport->atr());
  if (info.terminated) return Error(ErrorCode::CardTerminated, "the card is terminated (ATR ends 65 81)");
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const SessionOptions& Session::options() const noexcept { return m_impl->options; }
ReaderKind Session::reader_kind() const noexcept { return m_impl->link.kind; }
transport::Interface Session::interface_type() const noexcept {
  return m_impl->link.transport->interface_type();
}
Bytes Session::atr() const { return m_impl->link.transport->atr(); }
bool Session::secure() const noexcept { return m_impl->sm && m_impl->sm->is_secure(); }
const auth::PaceResult* Session::pace_result() const noexcept {
  return m_impl->pace_result ? &*m_impl->pace_result : nullptr;
}
transport::Transport& Session::transport() { return m_impl->top(); }
ApduStats Session::stats() const noexcept {
  ApduStats st;
  st.apdus = m_impl->counter->apdus();
  st.bytes_sent = m_impl->counter->bytes_sent();
  st.bytes_received = m_impl->counter->bytes_received();
  st.reestablished = m_impl->reestablished.size();
  st.stale_channels_ended = m_impl->guard->ended();
  return st;
}
const std::vector<std::string>& Session::reestablish_log() const noexcept { return m_impl->reestablished; }
void Session::reset_stats() noexcept { m_impl->counter->reset_counters(); }
std::unique_ptr<transport::Transaction> Session::exclusive_access() {
  return std::make_unique<transport::Transaction>(*m_impl->link.transport);
}

Status Session::pace(const auth::PacePassword& password, const auth::PaceSelection& selection,
                     ByteView card_access) {
  m_impl->gate->rearm();  // a cancel() applies to the operation in progress only
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  m_impl->selection = selection;
  if (!card_access.empty()) m_impl->card_access = card_access.to_bytes();
  m_impl->esign.reset();
  Status s = m_impl->run_pace(password);
  if (s && m_impl->options.keep_password) m_impl->password = password.clone();
  return s;
}

Status Session::pace_can(std::string_view can) {
  DNIE_ASSIGN_OR_RETURN(auto pw, auth::PacePassword::can(can));
  return pace(pw);
}

Result<CardInfo> Session::info(bool pin_tries) {
  m_impl->gate->rearm();  // a cancel() applies to the operation in progress only
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  CardInfo ci;
  ci.reader = m_impl->link.name;
  ci.reader_kind = m_impl->link.kind;
  ci.interface_type = interface_type();
  ci.atr = atr();
  ci.atr_info = transport::identify_atr(ci.atr);
  DNIE_TRY(m_impl->ensure_channel());
  transport::Transport& t = transport();
  // GET CHIP INFO (docs/dnie-card.md §4.3 step 1).
  if (auto r = transport::transceive(t, apdu::CommandApdu(0x90, 0xB8, 0x00, 0x00, {}, 7)); r && r->ok())
    ci.chip_serial = r->data();
  else
    ci.notes.push_back("chip serial not available");
  // EF 0006 / 2F03 hold plain text (no TLV header): READ BINARY until 62 82 or a short chunk.
  auto read_plain = [&t](std::uint16_t fid) -> Result<Bytes> {
    const std::uint8_t f[2] = {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)};
    // P1=00, P2=00, no Le: the proven clients' form (jmulticard SelectFileByIdApduCommand).
    DNIE_ASSIGN_OR_RETURN(
        auto sel, transport::transceive(t, apdu::CommandApdu(0x00, 0xA4, 0x00, 0x00, ByteView(f, 2))));
    if (!sel.ok()) return Error(ErrorCode::CardError, "SELECT refused").with_sw(sel.sw());
    Bytes out;
    const std::size_t chunk = std::min<std::size_t>(t.limits().max_response_data, 0xDF);
    while (out.size() < 4096) {
      apdu::CommandApdu rb(0x00, 0xB0, static_cast<std::uint8_t>(out.size() >> 8),
                           static_cast<std::uint8_t>(out.size()), {}, chunk);
      DNIE_ASSIGN_OR_RETURN(auto r, transport::transceive(t, rb));
      if (r.sw() != 0x9000 && r.sw() != 0x6282 && r.sw() != 0x6B00)
        return Error(ErrorCode::CardError, "READ BINARY refused").with_sw(r.sw());
      out.insert(out.end(), r.data().begin(), r.data().end());
      if (r.sw() != 0x9000 || r.data().size() < chunk) break;
    }
    return out;
  };
  if (m_impl->esign) m_impl->esign->forget_selection();
  // Both files are in the MF: select it once (docs/dnie-card.md §2.1, §2.2).
  auto mf = transport::transceive(t, esign::select_mf_command());
  auto read_text = [&](std::uint16_t fid, std::string& into) {
    auto r =
        mf && mf->ok() ? read_plain(fid) : Result<Bytes>(Error(ErrorCode::CardError, "SELECT MF refused"));
    if (r) {
      into.assign(r->begin(), r->end());
    } else {
      ci.notes.push_back(icao::file_name(fid) + " not readable" +
                         (secure() ? std::string() : std::string(" without PACE")));
    }
  };
  read_text(0x0006, ci.idesp);
  read_text(0x2F03, ci.version);
  // A contactless ATR cannot tell a DNIe from a TIE (docs/dnie-card.md §1.2, §7.2); EF 2F03 can.
  if (!ci.version.empty() && ci.atr_info.kind != transport::CardKind::Unknown) {
    ci.dnie_confirmed = ci.version.rfind("DNIe ", 0) == 0;
    if (*ci.dnie_confirmed && ci.atr_info.kind == transport::CardKind::DnieContactless) {
      ci.atr_info.description = "DNIe 3.0/4.0 (contactless)";
    } else if (!*ci.dnie_confirmed) {
      ci.atr_info.description =
          "not a DNIe (EF 2F03 names something else: a TIE residence permit or another card)";
      ci.notes.push_back("EF 2F03 does not start with \"DNIe\": the DNIe eSign functions may not apply");
    }
  }
  if (m_impl->esign) ci.generation = m_impl->esign->chip().generation;
  if (pin_tries) {
    auto e = esign();
    if (e) {
      ci.generation = (*e)->chip().generation;
      if (auto n = (*e)->tries_left())
        ci.pin_tries_left = *n;
      else
        ci.notes.push_back("PIN tries: " + n.error().to_string());
    } else {
      ci.notes.push_back("PIN tries: " + e.error().to_string());
    }
  }
  return ci;
}

Result<icao::LdsContent> Session::read_document(const std::vector<int>& dgs,
                                                const icao::FileProgressFn& progress) {
  m_impl->gate->rearm();  // a cancel() applies to the operation in progress only
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  icao::LdsReaderOptions lo;
  lo.max_resumes = m_impl->options.max_resumes;
  Impl* impl = m_impl.get();
  lo.on_interrupted = [impl](const Error& e) -> Status {
    return impl->reestablish(e);  // counted; InvalidState when no password is kept
  };
  DNIE_TRY(m_impl->ensure_channel());
  if (m_impl->esign) m_impl->esign->forget_selection();  // the ICAO application becomes current
  icao::LdsReader reader(m_impl->top(), lo);
  return reader.read_document(dgs, progress);
}

icao::VerificationReport Session::verify(const icao::LdsContent& doc, const icao::PassiveAuthOptions& pa,
                                         bool chip_auth) {
  m_impl->gate->rearm();  // a cancel() applies to the operation in progress only
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  icao::VerificationReport report = icao::verify_document(doc, pa);
  const char* id = "chip_authentication";
  const char* what = "Chip Authentication with the DG14 key (the chip holds the private key)";
  if (chip_auth) {
    const Bytes* dg14 = doc.dg(14);
    if (!dg14) {
      report.not_performed(id, what,
                           doc.unreadable.count(14)
                               ? "DG14 not readable: " + doc.unreadable.at(14).to_string()
                               : std::string("DG14 not read"));
    } else if (report.status("dg14.hash") != icao::CheckStatus::Pass) {
      // ICAO 9303-11 §6.2: the CA key is only as good as DG14's passive authentication.
      report.not_performed(id, what, "DG14 is not authenticated by EF.SOD (dg14.hash did not pass)");
    } else if (!m_impl->sm) {
      report.not_performed(id, what, "no secure channel (run PACE first)");
    } else if (auto st = m_impl->ensure_channel(); !st) {
      report.not_performed(id, what,
                           "the secure channel could not be re-established: " + st.error().to_string());
    } else if (auto infos = icao::parse_dg14(*dg14); !infos) {
      report.fail(id, what, "DG14 does not parse: " + infos.error().message);
    } else if (m_impl->pace_result && m_impl->pace_result->cam) {
      // PACE-CAM already ran: complete it with the DG14 key that EF.SOD vouches for (ICAO
      // 9303-11 §4.4.3.5.2) instead of a second protocol run.
      auto cam = auth::complete_cam(*m_impl->pace_result, *infos);
      if (cam)
        report.pass(id, what, "PACE-CAM: the chip's CA data matches its DG14 key");
      else
        icao::record_result(report, id, what, cam);
    } else {
      auto r = auth::run_chip_authentication(*m_impl->sm, *infos);
      m_impl->esign.reset();
      if (r)
        report.pass(id, what, "protocol " + r->protocol_oid + "; the chip answered under the new keys");
      else
        icao::record_result(report, id, what, Status(r.error()));
    }
  }
  // Every automatic re-PACE of this session, so that a reader of the report sees them
  // (a MAC failure or a tag loss in the middle of a read).
  const auto& again = m_impl->reestablished;
  std::string why = std::to_string(again.size()) + " automatic re-establishment(s) of the secure channel";
  for (const auto& w : again) why += "; " + w;
  report.pass("session.channel", "Secure channel kept for the whole session (re-establishments listed)",
              again.empty() ? std::string("none") : why);
  return report;
}

Result<esign::EsignCard*> Session::esign() {
  m_impl->gate->rearm();  // a cancel() applies to the operation in progress only
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  Impl* impl = m_impl.get();
  DNIE_TRY(impl->ensure_channel());
  if (impl->esign) return &*impl->esign;
  esign::EsignOptions o = impl->options.esign;
  transport::Transport* link = &impl->base();
  if (impl->sm) {
    o.secure_link = impl->sm.get();
    link = impl->sm.get();
    o.relink = [impl]() -> Result<transport::Transport*> {
      DNIE_TRY(impl->reestablish(
          Error(ErrorCode::InvalidState,
                "the eSign side needs a fresh channel (a new signature or PIN operation)")));
      return static_cast<transport::Transport*>(impl->sm.get());
    };
  }
  // Opening reads the chip identity and the ICC chain: resumable like every read (a tag loss
  // on a phone), under the session's resume policy.
  for (int attempt = 0;; ++attempt) {
    auto card = esign::EsignCard::open(*link, o);
    if (card) {
      impl->esign.emplace(std::move(card).value());
      return &*impl->esign;
    }
    const Error e = std::move(card).error();
    const bool resumable = read_resumable(e.code);
    if (!impl->sm || attempt >= impl->options.max_resumes || !resumable) return e;
    DNIE_TRY(impl->reestablish(e));
  }
}

void Session::trust_icc_root(esign::IccRoot root) {
  m_impl->options.esign.extra_icc_roots.push_back(std::move(root));
  m_impl->esign.reset();
}

void Session::cancel() noexcept { m_impl->gate->cancel(); }

}  // namespace dnie
