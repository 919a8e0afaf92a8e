// SPDX-License-Identifier: Apache-2.0
// Reader discovery and reader-spec parsing for Session::open. No spec opens a simulated card:
// the virtual DNIe is dnie::vcard_session's (through SessionOptions::custom_transport).
#include <charconv>
#include <cstring>

#include "dnie/card/session.hpp"

#include "session_internal.hpp"
#ifdef DNIE_HAVE_PCSC
#include "dnie/transport/pcsc.hpp"
#endif
#ifdef DNIE_HAVE_NFC
#include "dnie/transport/nfc.hpp"
#endif

namespace dnie {

std::string_view reader_kind_name(ReaderKind k) noexcept {
  switch (k) {
    case ReaderKind::Virtual:
      return "virtual";
    case ReaderKind::Pcsc:
      return "pcsc";
    case ReaderKind::Nfc:
      return "nfc";
    case ReaderKind::External:
      return "external";
  }
  return "?";
}

std::vector<ReaderInfo> list_readers(bool include_nfc, std::vector<std::string>* notes) {
  std::vector<ReaderInfo> out;
#ifdef DNIE_HAVE_PCSC
  if (auto ctx = transport::PcscContext::establish()) {
    if (auto states = (*ctx)->reader_states()) {
      for (auto& s : *states) {
        ReaderInfo r;
        r.spec = s.name;
        r.name = s.name;
        r.kind = ReaderKind::Pcsc;
        r.card_present = s.present;
        r.atr = s.atr;
        r.atr_info = transport::identify_atr(s.atr);
        out.push_back(std::move(r));
      }
    } else if (notes) {
      notes->push_back("PC/SC: " + states.error().to_string());
    }
  } else if (notes) {
    notes->push_back("PC/SC: " + ctx.error().to_string());
  }
#else
  if (notes) notes->push_back("PC/SC: not built");
#endif
#ifdef DNIE_HAVE_NFC
  if (include_nfc) {
    if (auto devs = transport::NfcTransport::list_devices()) {
      for (auto& d : *devs) {
        ReaderInfo r;
        r.spec = "nfc:" + d;
        r.name = d;
        r.kind = ReaderKind::Nfc;
        out.push_back(std::move(r));
      }
    } else if (notes) {
      notes->push_back("libnfc: " + devs.error().to_string());
    }
  }
#else
  (void)include_nfc;
#endif
  return out;
}

namespace detail {

std::optional<std::size_t> parse_reader_index(std::string_view text) noexcept {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::size_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;  // out of range
  return v;
}

namespace {

bool names_virtual_card(const std::string& spec) {
  for (const char* p : {"virtual-contact", "virtual"})
    if (spec.rfind(p, 0) == 0 && (spec.size() == std::strlen(p) || spec[std::strlen(p)] == ':')) return true;
  return false;
}

#ifdef DNIE_HAVE_PCSC
// The first PC/SC reader with a card in it ("" as reader spec).
Result<std::string> first_reader_with_card(transport::PcscContext& ctx) {
  auto states = ctx.reader_states();
  if (!states)
    return Error(ErrorCode::ReaderNotFound,
                 "no reader given and no PC/SC reader with a card: " + states.error().to_string());
  std::string seen;
  for (const auto& s : *states) {
    if (s.present) return s.name;
    seen += (seen.empty() ? "" : ", ") + s.name;
  }
  return Error(ErrorCode::ReaderNotFound,
               states->empty() ? "no reader given and pcscd lists no reader (connect one, or name one: "
                                 "a PC/SC name or index, nfc[:connstring])"
                               : "no reader given and no card in any PC/SC reader (" + seen +
                                     "): put the card on a reader, or name the reader");
}
#endif

}  // namespace

Result<OpenedLink> open_link(const SessionOptions& o) {
  OpenedLink link;
  const std::string& spec = o.reader;
  auto starts = [&spec](const char* p) { return spec.rfind(p, 0) == 0; };
  if (o.custom_transport) {
    DNIE_ASSIGN_OR_RETURN(link.transport, o.custom_transport());
    if (!link.transport) return Error(ErrorCode::InvalidArgument, "custom_transport returned no transport");
    link.kind = o.custom_kind;
    link.name = spec.empty() ? link.transport->name() : spec;
    return link;
  }
  if (names_virtual_card(spec))
    return Error(ErrorCode::Unsupported,
                 "reader '" + spec +
                     "' is the virtual (simulated) card, which is not part of the SDK's session: a program "
                     "that wants it links dnie::vcard_session and opens it with vcard_session::open()");
  if (starts("nfc")) {
#ifdef DNIE_HAVE_NFC
    transport::NfcOptions no;
    if (spec.size() > 4) no.connstring = spec.substr(4);
    no.timeout_ms = o.nfc_timeout_ms;
    DNIE_ASSIGN_OR_RETURN(auto t, transport::NfcTransport::open(no));
    link.name = t->name();
    link.transport = std::move(t);
    link.kind = ReaderKind::Nfc;
    return link;
#else
    return Error(ErrorCode::Unsupported, "this build has no libnfc support");
#endif
  }
#ifdef DNIE_HAVE_PCSC
  auto established = transport::PcscContext::establish();
  if (!established && spec.empty())
    return Error(ErrorCode::ReaderNotFound,
                 "no reader given and no PC/SC reader with a card: " + established.error().to_string());
  DNIE_ASSIGN_OR_RETURN(auto ctx, std::move(established));
  std::string name = starts("pcsc:") ? spec.substr(5) : spec;
  if (name.empty()) {
    DNIE_ASSIGN_OR_RETURN(name, first_reader_with_card(*ctx));
  } else if (name.find_first_not_of("0123456789") == std::string::npos) {
    DNIE_ASSIGN_OR_RETURN(auto names, ctx->list_readers());
    const auto idx = parse_reader_index(name);  // nullopt: too large for any reader list
    if (!idx || *idx >= names.size())
      return Error(ErrorCode::ReaderNotFound,
                   "no PC/SC reader with index " + name + " (" + std::to_string(names.size()) + " readers)");
    name = names[*idx];
  }
  DNIE_ASSIGN_OR_RETURN(auto t, transport::PcscTransport::connect(ctx, name));
  link.transport = std::move(t);
  link.kind = ReaderKind::Pcsc;
  link.name = name;
  return link;
#else
  if (spec.empty())
    return Error(ErrorCode::ReaderNotFound, "no reader given (this build has no PC/SC support)");
  return Error(ErrorCode::Unsupported, "this build has no PC/SC support");
#endif
}

}  // namespace detail
}  // namespace dnie
