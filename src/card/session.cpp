// SPDX-License-Identifier: Apache-2.0
// Session: one card, one PACE, then everything over the secure channel (ICAO 9303-11 §4.4,
// §6.1–6.2; DNIe eSign over the same channel). Resumes after a reset or tag loss by re-running
// PACE with the kept password and retrying the interrupted file.
#include "dnie/card/session.hpp"

#include <algorithm>

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
// version 2, brainpoolP256r1 (ID 13). dnie3-facts §3.1; ICAO 9303-11 §9.2.1.
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

}  // namespace

struct Session::Impl {
  SessionOptions options;
  detail::OpenedLink link;
  std::unique_ptr<transport::TracingTransport> wire_trace;
  std::unique_ptr<transport::CountingTransport> counter;
  std::unique_ptr<sm::SecureMessagingTransport> sm;
  std::unique_ptr<transport::TracingTransport> plain_trace;
  std::optional<auth::PacePassword> password;  // kept for resumption when allowed (wiped on exit)
  auth::PaceSelection selection;
  Bytes card_access;  // EF.CardAccess, read once per session
  std::optional<auth::PaceResult> pace_result;
  std::optional<esign::EsignCard> esign;

  transport::Transport& base() { return *counter; }
  transport::Transport& top() {
    if (sm && sm->is_secure()) return plain_trace ? static_cast<transport::Transport&>(*plain_trace) : *sm;
    return base();
  }

  Status run_pace(const auth::PacePassword& pw) {
    if (sm && sm->is_secure()) {
      // The card still holds a secure channel (PACE or CWA-14890): reset it rather than let a
      // plain MSE:Set AT end it with 69 87 (dnie3-facts §4.2).
      sm->session().close();
      DNIE_TRY(link.transport->reconnect(true));
    }
    auth::PaceRequest req;
    req.password = pw.clone();
    req.selection = selection;
    std::optional<auth::PaceChannel> channel;
    if (card_access.empty() && options.pace_parameters_from_atr && !selection.protocol_oid &&
        !selection.parameter_id) {
      const auto kind = transport::identify_atr(link.transport->atr()).kind;
      if (kind == transport::CardKind::Dnie3 || kind == transport::CardKind::DnieContactless) {
        req.card_access = Bytes(std::begin(kDnieCardAccess), std::end(kDnieCardAccess));
        const std::size_t before = counter->apdus();
        auto ch = auth::establish_pace(base(), req);
        if (ch) {
          channel = std::move(ch).value();
        } else if (counter->apdus() - before > 1 || !parameters_refused(ch.error())) {
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

  // After a reset or tag loss: reconnect, re-run PACE with the kept password.
  Status reestablish() {
    if (!password)
      return Error(ErrorCode::InvalidState, "the secure channel was lost and no password is kept");
    if (sm) sm->session().close();
    // A reset ends any SM session the card still holds without costing an APDU (the DNIe
    // middleware sends a plain SELECT instead and takes the 69 87; dnie3-facts §4.2).
    auto rc = link.transport->reconnect(true);
    if (!rc) {
      if (rc.error().code == ErrorCode::CardReset) rc = link.transport->reconnect(true);
      if (!rc) return rc;
    }
    log(LogLevel::Info, kComponent, "re-establishing PACE (card reset, tag loss or a new signature)");
    return run_pace(*password);
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
  impl->counter = std::make_unique<transport::CountingTransport>(*bottom);
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
  return ApduStats{m_impl->counter->apdus(), m_impl->counter->bytes_sent(),
                   m_impl->counter->bytes_received()};
}
void Session::reset_stats() noexcept { m_impl->counter->reset_counters(); }
std::unique_ptr<transport::Transaction> Session::exclusive_access() {
  return std::make_unique<transport::Transaction>(*m_impl->link.transport);
}

Status Session::pace(const auth::PacePassword& password, const auth::PaceSelection& selection,
                     ByteView card_access) {
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
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  CardInfo ci;
  ci.reader = m_impl->link.name;
  ci.reader_kind = m_impl->link.kind;
  ci.interface_type = interface_type();
  ci.atr = atr();
  ci.atr_info = transport::identify_atr(ci.atr);
  transport::Transport& t = transport();
  // GET CHIP INFO (dnie3-facts §4.3 step 1).
  if (auto r = transport::transceive(t, apdu::CommandApdu(0x90, 0xB8, 0x00, 0x00, {}, 7)); r && r->ok())
    ci.chip_serial = r->data();
  else
    ci.notes.push_back("chip serial not available");
  // EF 0006 / 2F03 hold plain text (no TLV header): READ BINARY until 62 82 or a short chunk.
  auto read_plain = [&t](std::uint16_t fid) -> Result<Bytes> {
    const std::uint8_t f[2] = {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)};
    DNIE_ASSIGN_OR_RETURN(
        auto sel, transport::transceive(t, apdu::CommandApdu(0x00, 0xA4, 0x00, 0x0C, ByteView(f, 2))));
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
  // Both files are in the MF: select it once (dnie3-facts §2.1, §2.2).
  auto mf = transport::transceive(t, apdu::CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File")));
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
  // A contactless ATR cannot tell a DNIe from a TIE (dnie3-facts §1.2, §7.2); EF 2F03 can.
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
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  icao::LdsReaderOptions lo;
  lo.max_resumes = m_impl->options.max_resumes;
  Impl* impl = m_impl.get();
  lo.on_interrupted = [impl](const Error& e) -> Status {
    log(LogLevel::Warning, kComponent, "read interrupted (" + e.to_string() + "); resuming");
    return impl->reestablish();  // InvalidState when no password is kept
  };
  if (m_impl->esign) m_impl->esign->forget_selection();  // the ICAO application becomes current
  icao::LdsReader reader(m_impl->top(), lo);
  return reader.read_document(dgs, progress);
}

icao::VerificationReport Session::verify(const icao::LdsContent& doc, const icao::PassiveAuthOptions& pa,
                                         bool chip_auth) {
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  icao::VerificationReport report = icao::verify_document(doc, pa);
  const char* id = "chip_authentication";
  const char* what = "Chip Authentication with the DG14 key (the chip holds the private key)";
  if (!chip_auth) return report;
  const Bytes* dg14 = doc.dg(14);
  if (!dg14) {
    report.not_performed(id, what, "DG14 not read");
  } else if (!m_impl->sm || !m_impl->sm->is_secure()) {
    report.not_performed(id, what, "no secure channel (run PACE first)");
  } else if (auto infos = icao::parse_dg14(*dg14); !infos) {
    report.fail(id, what, "DG14 does not parse: " + infos.error().message);
  } else {
    auto r = auth::run_chip_authentication(*m_impl->sm, *infos);
    m_impl->esign.reset();
    icao::record_result(report, id, what, r ? Status() : Status(r.error()));
  }
  return report;
}

Result<esign::EsignCard*> Session::esign() {
  // One PC/SC transaction around the whole sequence: no other process can slip an APDU into it.
  transport::Transaction tx(*m_impl->link.transport);
  if (m_impl->esign) return &*m_impl->esign;
  esign::EsignOptions o = m_impl->options.esign;
  Impl* impl = m_impl.get();
  transport::Transport* link = &impl->base();
  if (impl->sm && impl->sm->is_secure()) {
    o.secure_link = impl->sm.get();
    link = impl->sm.get();
    o.relink = [impl]() -> Result<transport::Transport*> {
      DNIE_TRY(impl->reestablish());
      return static_cast<transport::Transport*>(impl->sm.get());
    };
  }
  DNIE_ASSIGN_OR_RETURN(auto card, esign::EsignCard::open(*link, std::move(o)));
  m_impl->esign.emplace(std::move(card));
  return &*m_impl->esign;
}

}  // namespace dnie
