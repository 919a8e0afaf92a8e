// SPDX-License-Identifier: Apache-2.0
// PACE driver: EF.CardAccess, protocol choice, engine over a Transport (ICAO 9303-11 §4.4.1).
#include <algorithm>

#include "dnie/apdu/status.hpp"
#include "dnie/auth/pace.hpp"
#include "dnie/bytes/tlv.hpp"

#include "auth/engine_driver.hpp"

namespace dnie::auth {

namespace {

constexpr std::size_t kMaxCardAccess = 32 * 1024;

bool readable(std::uint16_t sw) { return sw == apdu::sw::kOk || sw == apdu::sw::kEndOfFileWarning; }

/// Status words after which the short-EF READ BINARY is retried with SELECT by FID.
bool try_select_instead(std::uint16_t sw) {
  return sw == apdu::sw::kFileNotFound || sw == apdu::sw::kIncorrectP1P2 || sw == apdu::sw::kWrongP1P2 ||
         sw == apdu::sw::kFunctionNotSupported || sw == apdu::sw::kReferenceNotFound || sw == 0x6981 ||
         sw == apdu::sw::kCommandNotAllowed || sw == apdu::sw::kInsNotSupported || sw == apdu::sw::kWrongData;
}

}  // namespace

Result<Bytes> read_card_access(transport::Transport& t) {
  // ICAO 9303-10 §3.11.2: EF.CardAccess, FID 011C, short EF identifier 1C.
  apdu::CommandApdu by_sfi(0x00, 0xB0, 0x80 | 0x1C, 0x00);
  by_sfi.set_le(apdu::kLeMax);
  DNIE_ASSIGN_OR_RETURN(auto r, transport::transceive(t, by_sfi, false));
  if (!readable(r.sw())) {
    if (!try_select_instead(r.sw())) return apdu::sw_error(r.sw(), "reading EF.CardAccess");
    const std::uint8_t fid[2] = {0x01, 0x1C};
    apdu::CommandApdu select(0x00, 0xA4, 0x00, 0x0C, ByteView(fid, 2));
    DNIE_ASSIGN_OR_RETURN(auto sel, transport::transceive(t, select, false));
    if (sel.sw() == apdu::sw::kIncorrectP1P2 || sel.sw() == apdu::sw::kFunctionNotSupported) {
      // P2=0C refused: the form of the proven DNIe clients, P2=00 (docs/dnie-card.md §2.1).
      select.set_p2(0x00);
      DNIE_ASSIGN_OR_RETURN(sel, transport::transceive(t, select, false));
    }
    if (!sel.ok()) return apdu::sw_error(sel.sw(), "selecting EF.CardAccess");
    apdu::CommandApdu rb(0x00, 0xB0, 0x00, 0x00);
    rb.set_le(apdu::kLeMax);
    DNIE_ASSIGN_OR_RETURN(r, transport::transceive(t, rb, false));
    if (!readable(r.sw())) return apdu::sw_error(r.sw(), "reading EF.CardAccess");
  }
  Bytes content = r.data();
  if (content.empty()) return make_error(ErrorCode::MalformedData, "EF.CardAccess is empty");
  // The file may be longer than one READ BINARY: size it from its TLV header.
  DNIE_ASSIGN_OR_RETURN(auto hdr, tlv::parse_header(content));
  if (hdr.total_size > kMaxCardAccess)
    return make_error(ErrorCode::MalformedData, "EF.CardAccess is too large");
  while (content.size() < hdr.total_size) {
    const std::size_t off = content.size();
    apdu::CommandApdu more(0x00, 0xB0, static_cast<std::uint8_t>(off >> 8), static_cast<std::uint8_t>(off));
    more.set_le(std::min<std::size_t>(hdr.total_size - off, 256) % 256);
    DNIE_ASSIGN_OR_RETURN(auto rr, transport::transceive(t, more, false));
    if (!readable(rr.sw())) return apdu::sw_error(rr.sw(), "reading EF.CardAccess");
    if (rr.data().empty()) break;
    append(content, rr.data());
  }
  if (content.size() < hdr.total_size)
    return make_error(ErrorCode::MalformedData, "EF.CardAccess is truncated");
  content.resize(hdr.total_size);
  return content;
}

Result<PaceOutcome> run_pace(transport::Transport& t, PaceEngine& engine) {
  // GA steps 1-3 carry CLA 10 themselves (ICAO 9303-11 §4.4.4.2).
  return detail::drive_engine(t, engine, 6, "PACE", [&engine] { return engine.take_outcome(); });
}

Result<PaceChannel> establish_pace(transport::Transport& t, const PaceRequest& request) {
  std::optional<PaceChoice> choice;
  Bytes card_access = request.card_access;
  if (card_access.empty()) {
    auto read = read_card_access(t);
    if (read) {
      card_access = std::move(read).value();
    } else {
      const ErrorCode c = read.error().code;
      const bool card_said_no = c == ErrorCode::NotFound || c == ErrorCode::AccessDenied ||
                                c == ErrorCode::CardError || c == ErrorCode::Unsupported;
      if (!(card_said_no && request.allow_pinned_without_card_access && request.selection.protocol_oid &&
            request.selection.parameter_id))
        return std::move(read).error().context("PACE");
      DNIE_ASSIGN_OR_RETURN(
          auto c2, pace_choice_for(*request.selection.protocol_oid, *request.selection.parameter_id));
      choice = std::move(c2);
    }
  }
  if (!choice) {
    DNIE_ASSIGN_OR_RETURN(auto infos, parse_card_access(card_access));
    DNIE_ASSIGN_OR_RETURN(auto c3, choose_pace(infos, request.selection, request.options.policy));
    choice = std::move(c3);
  }
  DNIE_ASSIGN_OR_RETURN(auto engine,
                        PaceEngine::create(*choice, request.password.clone(), request.options.clone()));
  DNIE_ASSIGN_OR_RETURN(auto outcome, run_pace(t, engine));
  DNIE_ASSIGN_OR_RETURN(auto session, outcome.make_session());
  return PaceChannel{std::move(outcome.result), std::move(session)};
}

}  // namespace dnie::auth
