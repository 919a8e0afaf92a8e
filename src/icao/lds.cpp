// SPDX-License-Identifier: Apache-2.0
// LDS file map, EF.COM and the file reader (ICAO 9303-10 §3.10, §4.6; ISO/IEC 7816-4 §11.2
// READ BINARY, §11.1.1 SELECT).
#include "dnie/icao/lds.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "dnie/apdu/status.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/icao/sod.hpp"

#include "icao/internal.hpp"

namespace dnie::icao {

using detail::malformed;

namespace {
// ICAO 9303-10 §4.6.1 Table 34 (DG1..DG16).
constexpr std::uint8_t kDgTags[16] = {0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68,
                                      0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70};
}  // namespace

std::uint8_t dg_tag(int dg) noexcept { return dg >= 1 && dg <= 16 ? kDgTags[dg - 1] : 0; }

int dg_from_tag(std::uint32_t tag) noexcept {
  for (int i = 0; i < 16; ++i)
    if (kDgTags[i] == tag) return i + 1;
  return 0;
}

std::string file_name(std::uint16_t fid) {
  if (fid == kFidCom) return "EF.COM";
  if (fid == kFidSod) return "EF.SOD";
  if (fid >= 0x0101 && fid <= 0x0110) return "DG" + std::to_string(fid - 0x0100);
  char buf[16];
  std::snprintf(buf, sizeof buf, "EF %04X", static_cast<unsigned>(fid));
  return buf;
}

// ICAO 9303-10 §4.6.1: 60 { 5F01 "0107", 5F36 "040000", 5C <tags> }.
Result<EfCom> parse_com(ByteView ef_com) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, detail::outer(ef_com, kTagCom, "EF.COM"));
  EfCom com;
  tlv::Reader r(top.value);
  bool have_list = false;
  while (!r.empty()) {
    auto e = r.next();
    if (!e) return malformed("EF.COM: " + e.error().message);
    if (e->tag == 0x5F01)
      com.lds_version = detail::text(e->value);
    else if (e->tag == 0x5F36)
      com.unicode_version = detail::text(e->value);
    else if (e->tag == 0x5C) {
      have_list = true;
      for (std::uint8_t t : e->value) {
        int dg = dg_from_tag(t);
        if (dg == 0) return malformed("EF.COM: unknown tag in the tag list");
        com.data_groups.push_back(dg);
      }
    }
  }
  if (!have_list) return malformed("EF.COM: no tag list (5C)");
  return com;
}

namespace {

using apdu::CommandApdu;
using apdu::ResponseApdu;

struct Chunk {
  Bytes data;
  bool eof = false;
};

// READ BINARY (B0, 15-bit offset or SFI in P1) or, past 32767, READ BINARY B1 with an offset DO 54
// (ISO/IEC 7816-4 §11.2.3).
Result<Chunk> read_chunk(transport::Transport& t, std::size_t offset, std::size_t le, int sfi) {
  CommandApdu cmd;
  bool odd = false;
  if (sfi >= 0) {
    cmd = CommandApdu(0x00, 0xB0, static_cast<std::uint8_t>(0x80 | sfi), 0x00, ByteView(), le);
  } else if (offset <= 0x7FFF) {
    cmd = CommandApdu(0x00, 0xB0, static_cast<std::uint8_t>(offset >> 8), static_cast<std::uint8_t>(offset),
                      ByteView(), le);
  } else {
    odd = true;
    Bytes off = be_bytes(offset, offset > 0xFFFFFF ? 4 : 3);
    cmd = CommandApdu(0x00, 0xB1, 0x00, 0x00, tlv::encode(0x54, off), le);
  }
  auto rr = transport::transceive(t, cmd);
  // An extended Le refused by the reader (Unsupported) or the card (67 00): the transport now
  // offers short APDUs only, so ask again for at most 256 bytes.
  if (le > 256 && !t.limits().extended_length &&
      ((!rr && rr.error().code == ErrorCode::Unsupported) || (rr && rr->sw() == apdu::sw::kWrongLength)))
    return read_chunk(t, offset, std::min<std::size_t>(256, t.limits().max_response_data), sfi);
  DNIE_ASSIGN_OR_RETURN(ResponseApdu r, std::move(rr));
  Chunk c;
  if (r.sw() == apdu::sw::kWrongP1P2) {  // 6B00: offset beyond the end of the EF
    c.eof = true;
    return c;
  }
  if (r.sw() != apdu::sw::kOk && r.sw() != apdu::sw::kEndOfFileWarning)
    return apdu::sw_error(r.sw(), "READ BINARY");
  c.eof = r.sw() == apdu::sw::kEndOfFileWarning;
  if (odd && !r.data().empty()) {
    auto d = tlv::parse_first(r.data());
    if (!d || d->tag != 0x53) return malformed("READ BINARY (B1): no data object 53");
    c.data = d->value.to_bytes();
  } else {
    c.data = r.data();
  }
  return c;
}

std::size_t chunk_size(const transport::Transport& t, const ReadOptions& o) {
  const transport::LinkLimits lim = t.limits();
  std::size_t n = lim.max_response_data;
  if (!lim.extended_length) n = std::min<std::size_t>(n, 256);
  if (o.max_chunk != 0) n = std::min(n, o.max_chunk);
  return std::min<std::size_t>(n, 65536);
}

// Reads a whole EF whose content is one BER-TLV object; `sfi` >= 0 reads the first chunk with a
// short EF identifier.
Result<Bytes> read_object(transport::Transport& t, const ProgressFn& progress, const ReadOptions& o,
                          int sfi) {
  const std::size_t chunk = chunk_size(t, o);
  if (chunk < 8) return make_error(ErrorCode::InvalidState, "READ BINARY: link too small");
  Bytes local;
  Bytes& out = o.resume ? *o.resume : local;  // every chunk lands here at once (resumable)
  bool eof = false;
  if (out.empty() || !tlv::parse_header(out)) {
    out.clear();
    DNIE_ASSIGN_OR_RETURN(Chunk first, read_chunk(t, 0, chunk, sfi));
    out = std::move(first.data);
    eof = first.eof;
  }
  if (out.empty()) return malformed("EF is empty");
  auto hdr = tlv::parse_header(out);
  if (!hdr) return malformed("EF does not start with a TLV header: " + hdr.error().message);
  const std::size_t total = hdr->total_size;
  if (total > o.max_file_size) return malformed("EF larger than the allowed maximum");
  if (out.size() > total) out.resize(total);  // padding after the object
  if (progress) progress(out.size(), total);
  while (out.size() < total) {
    if (eof) return malformed("EF shorter than its TLV length");
    const std::size_t want = std::min(chunk_size(t, o), total - out.size());  // the link may have shrunk
    DNIE_ASSIGN_OR_RETURN(Chunk c, read_chunk(t, out.size(), want, -1));
    if (c.data.empty()) return malformed("EF shorter than its TLV length");
    if (c.data.size() > want) c.data.resize(want);
    append(out, c.data);
    eof = c.eof;
    if (progress) progress(out.size(), total);
  }
  return Bytes(out);
}

Status select_ef(transport::Transport& t, std::uint16_t fid, std::uint8_t p1, std::uint8_t p2) {
  const std::uint8_t f[2] = {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)};
  CommandApdu cmd(0x00, 0xA4, p1, p2, ByteView(f, 2));
  DNIE_ASSIGN_OR_RETURN(ResponseApdu r, transport::transceive(t, cmd));
  if (r.sw() == apdu::sw::kOk) return ok_status();
  return apdu::sw_error(r.sw(), "SELECT " + file_name(fid));
}

Error with_context(Error e, std::uint16_t fid) {
  e.context(file_name(fid));
  return e;
}

bool is_card_status(const Error& e) { return e.sw != 0 && e.code != ErrorCode::SecureMessagingError; }

}  // namespace

Result<Bytes> read_selected_ef(transport::Transport& t, const ProgressFn& progress,
                               const ReadOptions& options) {
  return read_object(t, progress, options, -1);
}

Result<Bytes> read_ef(transport::Transport& t, std::uint16_t fid, const ProgressFn& progress,
                      const ReadOptions& options) {
  const bool sfi_ok = (fid & 0xFFE0) == 0x0100 && (fid & 0x1F) != 0;
  if (options.use_short_ef && sfi_ok) {
    auto r = read_object(t, progress, options, fid & 0x1F);
    if (r || !is_card_status(r.error()) || r.error().sw == apdu::sw::kSecurityStatusNotSatisfied) {
      if (!r) return with_context(std::move(r).error(), fid);
      return r;
    }
    // The card refused the short EF identifier: SELECT as usual.
  }
  DNIE_TRY(select_ef(t, fid, options.select_p1, options.select_p2));
  auto r = read_object(t, progress, options, -1);
  if (!r) return with_context(std::move(r).error(), fid);
  return r;
}

// ---- LdsReader ------------------------------------------------------------------------------

namespace {
/// Status words with which a card refuses the economical SELECT form (P2=0C, or the AID): the
/// reader then uses the proven clients' form (docs/dnie-card.md §2.1).
bool form_refused(std::uint16_t sw) {
  return sw == apdu::sw::kIncorrectP1P2 || sw == apdu::sw::kFunctionNotSupported ||
         sw == apdu::sw::kInsNotSupported || sw == apdu::sw::kWrongLength;
}
}  // namespace

Status LdsReader::select_application() {
  if (m_selected) return ok_status();
  if (!m_peer_form) {
    if (m_options.select_by_aid) {
      CommandApdu cmd(0x00, 0xA4, 0x04, 0x0C, icao_aid());
      DNIE_ASSIGN_OR_RETURN(apdu::ResponseApdu r, transport::transceive(m_t, cmd));
      if (r.ok()) {
        m_selected = true;
        return ok_status();
      }
      if (r.sw() != apdu::sw::kFileNotFound && !form_refused(r.sw()))
        return apdu::sw_error(r.sw(), "SELECT eMRTD application");
    }
    // DNIe route (docs/dnie-card.md §2.2): the DF 3F01 by FID.
    Status st = select_ef(m_t, kFidDf, 0x00, 0x0C);
    if (st || !form_refused(st.error().sw)) {
      if (st) m_selected = true;
      return st;
    }
    m_peer_form = true;
  }
  // The proven clients' form (jmulticard AbstractIso7816FourCard / SelectFileByIdApduCommand):
  // SELECT MF by name, then 3F01, each with P1=00, P2=00, no Le; the EFs follow the same way.
  DNIE_ASSIGN_OR_RETURN(
      apdu::ResponseApdu mf,
      transport::transceive(m_t, CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File"))));
  DNIE_TRY(apdu::expect_ok(mf, "SELECT MF"));
  DNIE_TRY(select_ef(m_t, kFidDf, 0x00, 0x00));
  m_selected = true;
  return ok_status();
}

Result<Bytes> LdsReader::read_file(std::uint16_t fid, const ProgressFn& progress) {
  Bytes partial;  // what was read before an interruption: a retry continues at its end
  ReadOptions ro = m_options.read;
  ro.resume = &partial;
  for (int attempt = 0;; ++attempt) {
    Status sel = select_application();
    if (m_peer_form) {
      ro.select_p1 = 0x00;
      ro.select_p2 = 0x00;
    }
    Result<Bytes> r = sel ? read_ef(m_t, fid, progress, ro) : Result<Bytes>(sel.error());
    if (!r && !m_peer_form && form_refused(r.error().sw) && partial.empty()) {
      // The card refuses the economical EF select: the peers' form from here on.
      m_peer_form = true;
      m_selected = false;
      --attempt;
      continue;
    }
    if (r || !m_options.on_interrupted || !read_resumable(r.error().code) || attempt >= m_options.max_resumes)
      return r;
    m_selected = false;
    DNIE_TRY(m_options.on_interrupted(r.error()));
  }
}

Result<LdsContent> LdsReader::read_document(const std::vector<int>& wanted, const FileProgressFn& progress) {
  for (int attempt = 0;; ++attempt) {  // a card without the eMRTD application is an error
    Status sel = select_application();
    if (sel) break;
    if (!m_options.on_interrupted || !read_resumable(sel.error().code) || attempt >= m_options.max_resumes)
      return std::move(sel).error();
    DNIE_TRY(m_options.on_interrupted(sel.error()));
  }
  LdsContent doc;
  auto prog = [&](std::uint16_t fid) -> ProgressFn {
    if (!progress) return {};
    return [&progress, fid](std::size_t d, std::size_t n) { progress(fid, d, n); };
  };
  auto optional_file = [&](std::uint16_t fid, Bytes& into) -> Status {
    auto r = read_file(fid, prog(fid));
    if (r) {
      into = std::move(*r);
      return ok_status();
    }
    if (r.error().code == ErrorCode::NotFound) return ok_status();
    return std::move(r).error();
  };
  DNIE_TRY(optional_file(kFidCom, doc.com));
  DNIE_TRY(optional_file(kFidSod, doc.sod));

  std::set<int> dgs(wanted.begin(), wanted.end());
  if (wanted.empty()) {
    if (!doc.com.empty())
      if (auto com = parse_com(doc.com)) dgs.insert(com->data_groups.begin(), com->data_groups.end());
    if (!doc.sod.empty())
      if (auto sod = parse_sod(doc.sod))
        for (const auto& h : sod->lds.hashes) dgs.insert(h.number);
  }
  for (int dg : dgs) {
    if (dg < 1 || dg > 16) continue;
    auto r = read_file(dg_fid(dg), prog(dg_fid(dg)));
    if (r) {
      doc.dgs[dg] = std::move(*r);
      continue;
    }
    Error e = std::move(r).error();
    if (e.code == ErrorCode::AccessDenied) {
      Error u(ErrorCode::AccessDenied,
              dg == 3 || dg == 4 ? "not readable (needs EAC)" : "not readable (access denied)");
      u.with_sw(e.sw);
      doc.unreadable[dg] = u;
    } else if (e.code == ErrorCode::NotFound) {
      doc.unreadable[dg] = Error(ErrorCode::NotFound, "absent");
    } else if (is_card_status(e) || e.code == ErrorCode::MalformedData) {
      doc.unreadable[dg] = e;
    } else {
      return e;  // transport, SM: the channel is gone
    }
  }
  return doc;
}

}  // namespace dnie::icao
