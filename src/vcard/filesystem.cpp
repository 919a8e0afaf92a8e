// SPDX-License-Identifier: Apache-2.0
// File system commands: SELECT (ISO/IEC 7816-4 §11.2.2) and READ BINARY (§11.3.3) over the
// CardImage tree, with the DNIe's FCI (docs/dnie-card.md §2.1) and access rules (§4.1, brief):
//   contactless: every EF except EF.CardAccess (011C) and EF.ATR/INFO (2F01) needs PACE SM;
//   contact: MF-level files are readable in plain, DF 3F01 (ICAO) needs PACE SM;
//   read_rule 1 (PKCS#15, certificates): public (plain on contact); read_rule 2 (DG3) and key
//   EFs: never (69 82).
#include <algorithm>

#include "vcard/engine.hpp"

namespace dnie::vcard {

namespace {
constexpr std::uint16_t kMf = 0x3F00;
constexpr std::uint16_t kIcaoDf = 0x3F01;

bool is_df(const VFile& f) { return f.type == FileType::Df; }

/// Path MF..target (inclusive) of `target` below `root`; false if absent.
bool path_to(const VFile& root, const VFile* target, std::vector<const VFile*>& out) {
  out.push_back(&root);
  if (&root == target) return true;
  for (const auto& ch : root.children)
    if (path_to(ch, target, out)) return true;
  out.pop_back();
  return false;
}

const VFile* child(const VFile& df, std::uint16_t fid) {
  for (const auto& ch : df.children)
    if (ch.fid == fid) return &ch;
  return nullptr;
}

/// First DF in the tree whose DF name or AID equals `name` (SELECT by name, P1 = 04).
const VFile* by_name(const VFile& root, ByteView name) {
  if (is_df(root)) {
    if (!root.df_name.empty() && ByteView::of(root.df_name) == name) return &root;
    if (!root.aid.empty() && ByteView(root.aid) == name) return &root;
  }
  for (const auto& ch : root.children)
    if (const VFile* f = by_name(ch, name)) return f;
  return nullptr;
}
}  // namespace

Bytes VirtualCard::Impl::fci(const VFile& f) const {
  // 6F L [84 <DF name>] 85 0A <type> <FID:2> <size:2> <ACL:5>. The MF answers SELECT
  // "Master.File" with 27 bytes on a real DNIe 3.0 (61 1B, OpenSC issue 810): 84 0B "Master.File"
  // and the 85 0A descriptor fit exactly. Key EFs other than the PIN file would carry a 13-byte
  // descriptor on the real card; its extra bytes are unknown, so the 10-byte form is used.
  const std::size_t size = std::min<std::size_t>(f.content.size(), 0xFFFF);
  Bytes d{static_cast<std::uint8_t>(f.type), static_cast<std::uint8_t>(f.fid >> 8),
          static_cast<std::uint8_t>(f.fid), static_cast<std::uint8_t>(size >> 8),
          static_cast<std::uint8_t>(size)};
  Bytes acl = f.acl;
  acl.resize(5, 0);
  append(d, acl);
  Bytes body;
  if (!f.df_name.empty()) {
    body.push_back(0x84);
    body.push_back(static_cast<std::uint8_t>(f.df_name.size()));
    append(body, ByteView::of(f.df_name));
  }
  append(body, {0x85, 0x0A});
  append(body, d);
  Bytes out{0x6F, static_cast<std::uint8_t>(body.size())};
  append(out, body);
  return out;
}

Reply VirtualCard::Impl::cmd_select(const Command& c) {
  // P2: 00 FCI, 04 FCP (the DNIe answers its FCI either way), 0C no response data.
  if (c.p2 != 0x00 && c.p2 != 0x04 && c.p2 != 0x0C) return sw_reply(csw::kIncorrectP1P2);
  if (c.p2 == 0x0C && options.refuse_select_p2_0c) return sw_reply(csw::kIncorrectP1P2);
  const VFile* cur = current_df();
  const VFile* target = nullptr;
  auto fid_of = [&](std::size_t i) { return static_cast<std::uint16_t>((c.data[i] << 8) | c.data[i + 1]); };
  switch (c.p1) {
    case 0x00: {  // MF, DF or EF by file identifier
      if (c.data.empty()) {
        target = &image.mf;  // 00 A4 00 00 without data selects the MF
        break;
      }
      if (c.data.size() != 2) return sw_reply(csw::kWrongLength);
      const std::uint16_t fid = fid_of(0);
      if (fid == kMf) {
        target = &image.mf;
      } else if (fid == cur->fid) {
        target = cur;
      } else if ((target = child(*cur, fid)) == nullptr && session.df_path.size() >= 2) {
        target = child(*session.df_path[session.df_path.size() - 2], fid);  // sibling
      }
      break;
    }
    case 0x01:    // child DF
    case 0x02: {  // EF under the current DF
      if (c.data.size() != 2) return sw_reply(csw::kWrongLength);
      target = child(*cur, fid_of(0));
      if (target && is_df(*target) != (c.p1 == 0x01)) target = nullptr;
      break;
    }
    case 0x03:  // parent DF
      if (!c.data.empty()) return sw_reply(csw::kWrongLength);
      if (session.df_path.size() < 2) return sw_reply(csw::kFileNotFound);
      target = session.df_path[session.df_path.size() - 2];
      break;
    case 0x04:  // DF name ("Master.File") or AID (A0000002471001 → DF 3F01)
      if (c.data.empty() || c.data.size() > 16) return sw_reply(csw::kWrongLength);
      target = by_name(image.mf, c.data);
      break;
    case 0x08:    // path from the MF
    case 0x09: {  // path from the current DF
      if (c.data.empty() || c.data.size() % 2 != 0) return sw_reply(csw::kWrongLength);
      std::size_t i = 0;
      const VFile* at = c.p1 == 0x08 ? &image.mf : cur;
      if (c.p1 == 0x08 && fid_of(0) == kMf) i = 2;
      for (; at && i < c.data.size(); i += 2) at = is_df(*at) ? child(*at, fid_of(i)) : nullptr;
      target = at;
      break;
    }
    default:
      return sw_reply(csw::kIncorrectP1P2);
  }
  if (target == nullptr) return sw_reply(csw::kFileNotFound);
  // Hostile clone (tests only): it pretends the file does not exist (docs/security.md).
  for (auto fid : image.hostile.withhold)
    if (target->fid == fid) return sw_reply(csw::kFileNotFound);

  std::vector<const VFile*> path;
  if (!path_to(image.mf, target, path)) return sw_reply(csw::kFileNotFound);
  if (is_df(*target)) {
    session.df_path = std::move(path);
    session.current_ef = nullptr;
  } else {
    path.pop_back();
    session.df_path = std::move(path);
    session.current_ef = target;
  }
  cost(cost::file_read(0));
  // The DNIe returns its FCI even when the command has no Le, also under SM (docs/dnie-card.md §2.1).
  if (c.p2 == 0x0C) return sw_reply(csw::kOk);
  return Reply{fci(*target), csw::kOk};
}

bool VirtualCard::Impl::may_read(const VFile& f, std::uint16_t* sw) const {
  *sw = csw::kSecurity;
  if (f.type == FileType::KeyEf || f.read_rule >= 2) return false;  // never readable
  bool in_icao = false;
  for (const VFile* d : session.df_path)
    if (d->fid == kIcaoDf) in_icao = true;
  if (options.contactless) {
    const bool free_file = !in_icao && (f.fid == 0x011C || f.fid == 0x2F01);
    if (!free_file && !pace_sm()) return false;
  } else if (in_icao && !pace_sm()) {
    return false;
  }
  // read_rule 1 (the PKCS#15 files, certificates): public. Contactless, PACE is needed as for
  // every file; on contact they are read in plain, as both proven clients do (jmulticard
  // Dnie3.needsPinForLoadingCerts() is false; OpenSC reads the CDF without SM).
  *sw = csw::kOk;
  return true;
}

Reply VirtualCard::Impl::cmd_read_binary(const Command& c) {
  if (!c.data.empty()) return sw_reply(csw::kWrongLength);
  const VFile* ef = nullptr;
  std::size_t offset = 0;
  if (c.p1 & 0x80) {
    // Short EF identifier (P1 = 100x xxxx, P2 = offset): EF 01xx has SFI xx for the ICAO files
    // (DG1..DG16 = 01..10, EF.CardAccess 1C, EF.SOD 1D, EF.COM 1E). The current DF is searched,
    // then the MF (EF.CardAccess is read by SFI before any application is selected).
    if ((c.p1 & 0x60) != 0 || (c.p1 & 0x1F) == 0) return sw_reply(csw::kIncorrectP1P2);
    const std::uint16_t fid = static_cast<std::uint16_t>(0x0100 | (c.p1 & 0x1F));
    std::vector<const VFile*> path = session.df_path;
    ef = child(*current_df(), fid);
    if (ef == nullptr) {
      ef = child(image.mf, fid);
      path.assign(1, &image.mf);
    }
    if (ef == nullptr || is_df(*ef)) return sw_reply(csw::kFileNotFound);
    session.df_path = std::move(path);
    session.current_ef = ef;
    offset = c.p2;
  } else {
    // 15-bit offset (P1 b8 = 0): offsets up to 32767 (docs/dnie-card.md §5.2).
    ef = session.current_ef;
    if (ef == nullptr) return sw_reply(csw::kNoCurrentEf);
    offset = (std::size_t{c.p1} << 8) | c.p2;
  }
  std::uint16_t sw = csw::kOk;
  if (!may_read(*ef, &sw)) return sw_reply(sw);
  const std::size_t size = ef->content.size();
  if (offset > size) return sw_reply(csw::kWrongP1P2);  // offset beyond the end of the EF

  // Ne: Le 00 (or no Le) means "as much as available" up to 256 (65536 extended). Under SM the
  // amount is capped so the protected response fits max_response (223 bytes with AES and 256,
  // as real chips answer); an explicit larger Le is honoured and the response chained (61xx).
  std::size_t ne = c.ne ? *c.ne : 256;
  const bool as_much = !c.ne || c.ne_max;
  if (as_much && c.secure) ne = std::min(ne, sm.max_plain(options.max_response));
  const std::size_t n = std::min(ne, size - offset);
  Bytes data(ef->content.begin() + static_cast<std::ptrdiff_t>(offset),
             ef->content.begin() + static_cast<std::ptrdiff_t>(offset + n));
  cost(cost::file_read(n));
  // 62 82: end of file reached before Ne bytes (only when the terminal named an exact Le).
  return Reply{std::move(data), (!as_much && n < ne) ? csw::kEof : csw::kOk};
}

}  // namespace dnie::vcard
