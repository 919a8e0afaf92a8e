// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/lds.hpp
// The ICAO Logical Data Structure (ICAO 9303-10 §3, §4.6): file identifiers and tags of EF.COM,
// EF.SOD and DG1–DG16, the EF.COM parser, and the reader that fetches them in the fewest APDUs:
// one SELECT of the application, one SELECT per file (or none with short EF identifiers), READ
// BINARY chunks as large as the (secure-messaging) link carries, the file length taken from the
// TLV header of the first chunk.
// Ownership: LdsReader holds a non-owning reference to its Transport, which must outlive it and
// may be a SecureMessagingTransport whose keys change underneath (chip authentication).
// Thread safety: none (one reader per card channel).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/bytes.hpp"
#include "dnie/transport/transport.hpp"

namespace dnie::icao {

/// eMRTD application identifier (ICAO 9303-10 §3.10.1).
inline const Bytes& icao_aid() {
  static const Bytes aid = {0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};
  return aid;
}

constexpr std::uint16_t kFidCom = 0x011E;  ///< EF.COM (SFI 1E)
constexpr std::uint16_t kFidSod = 0x011D;  ///< EF.SOD (SFI 1D)
constexpr std::uint16_t kFidDf = 0x3F01;   ///< the DNIe's ICAO DF (docs/dnie-card.md §2.2)
constexpr std::uint8_t kTagCom = 0x60;
constexpr std::uint8_t kTagSod = 0x77;

/// FID of DGn (0x0101..0x0110, SFI n); 0 for n outside 1..16.
constexpr std::uint16_t dg_fid(int dg) noexcept {
  return dg >= 1 && dg <= 16 ? static_cast<std::uint16_t>(0x0100 + dg) : 0;
}
/// Application tag of DGn (ICAO 9303-10 §4.6.1 Table 34): 61, 75, 63, 76, 65 ... 70; 0 if none.
std::uint8_t dg_tag(int dg) noexcept;
/// DG number for a tag (0x61 → 1, 0x75 → 2 ...); 0 if the tag is not a DG tag.
int dg_from_tag(std::uint32_t tag) noexcept;
/// "EF.COM", "EF.SOD", "DG1" ... for a FID; "EF 1234" otherwise.
std::string file_name(std::uint16_t fid);

/// EF.COM (ICAO 9303-10 §4.6.1): 60 { 5F01 LDS version "0107", 5F36 Unicode version, 5C tags }.
struct EfCom {
  std::string lds_version;       ///< "0107" (may be empty)
  std::string unicode_version;   ///< "040000" (may be empty)
  std::vector<int> data_groups;  ///< DG numbers from the tag list, in file order
};
Result<EfCom> parse_com(ByteView ef_com);

/// Progress of one file: bytes read so far and total size (0 while unknown).
using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

struct ReadOptions {
  /// Largest READ BINARY Le; 0 = the transport's limits().max_response_data (223 under PACE
  /// AES SM over 256-byte frames; larger with extended length).
  std::size_t max_chunk = 0;
  /// Files larger than this (from their TLV header) are MalformedData (decompression-bomb and
  /// runaway-read guard). DG2 of passports is typically 15–30 KB.
  std::size_t max_file_size = 1u << 20;
  /// SELECT with P1=02 (EF under the current DF, ICAO) or P1=00 (the DNIe also accepts it).
  std::uint8_t select_p1 = 0x02;
  /// P2=0C (no FCI, the economical ICAO form) or 00 (FCI: the form of the proven DNIe clients).
  std::uint8_t select_p2 = 0x0C;
  /// Read with a short EF identifier (READ BINARY P1 = 80|SFI): saves the SELECT. Falls back to
  /// SELECT when the card rejects it. Off by default ([U] on the DNIe).
  bool use_short_ef = false;
  /// Resumable reads: when set, the bytes read so far are kept here (in/out). A read that finds
  /// it non-empty continues at its end instead of offset 0, so a file interrupted by tag loss is
  /// not read twice (the caller re-establishes the channel and calls again with the same buffer).
  Bytes* resume = nullptr;
};

/// Reads the transparent EF `fid` of the currently selected DF: SELECT (00 A4 P1 0C 02 FID),
/// then READ BINARY in maximal chunks up to the length of the TLV object at offset 0.
/// 62 82 (end of file) and 6B 00 (offset beyond the end) end the read. Errors: NotFound (6A82),
/// AccessDenied (6982: e.g. the DNIe's DG3, which needs EAC), MalformedData (bad header, file
/// larger than max_file_size or shorter than its header), transport/SM errors as they come.
Result<Bytes> read_ef(transport::Transport& t, std::uint16_t fid, const ProgressFn& progress = {},
                      const ReadOptions& options = {});
/// Reads the current EF after a SELECT done by the caller (same chunking rules).
Result<Bytes> read_selected_ef(transport::Transport& t, const ProgressFn& progress = {},
                               const ReadOptions& options = {});

/// What LdsReader::read_document() collected.
struct LdsContent {
  Bytes com;                        ///< EF.COM (empty if absent)
  Bytes sod;                        ///< EF.SOD (empty if absent)
  std::map<int, Bytes> dgs;         ///< data groups read, by number
  std::map<int, Error> unreadable;  ///< data groups present but not read, with the reason
  bool has(int dg) const { return dgs.count(dg) != 0; }
  const Bytes* dg(int n) const {
    auto it = dgs.find(n);
    return it == dgs.end() ? nullptr : &it->second;
  }
};

/// Per-file progress of a document read.
using FileProgressFn = std::function<void(std::uint16_t fid, std::size_t done, std::size_t total)>;

struct LdsReaderOptions {
  ReadOptions read;
  /// Select the application by AID (00 A4 04 0C 07 A0000002471001); on 6A82 fall back to the
  /// DF 3F01 by FID (DNIe path). False: select 3F01 directly.
  bool select_by_aid = true;
  /// Start with the proven DNIe clients' SELECT form (MF by name, 3F01, EF; P1=00, P2=00). Off:
  /// the economical form first (AID / P2=0C), and the peers' form once the card refuses it
  /// (6A 86, 6A 81, 6D 00, 67 00; docs/dnie-card.md §2.1).
  bool peer_select_form = false;
  /// Resumable reads: called when a read fails on the link or the secure channel (card removed
  /// or reset, timeout, SM failure). Return ok after re-establishing the channel to continue the
  /// interrupted file at the offset where it stopped; return an error to give up with it.
  std::function<Status(const Error&)> on_interrupted;
  int max_resumes = 3;  ///< per file
};

class LdsReader {
 public:
  explicit LdsReader(transport::Transport& t, LdsReaderOptions options = {})
      : m_t(t), m_options(options), m_peer_form(options.peer_select_form) {}

  /// Selects the ICAO application once; later calls return at once until invalidate().
  Status select_application();
  /// Forgets the selection (after a reset or a new secure channel on another DF).
  void invalidate() noexcept { m_selected = false; }

  /// Reads one EF of the application (selecting it first if needed).
  Result<Bytes> read_file(std::uint16_t fid, const ProgressFn& progress = {});
  Result<Bytes> read_dg(int dg, const ProgressFn& progress = {}) { return read_file(dg_fid(dg), progress); }

  /// Reads EF.COM, EF.SOD and data groups. `wanted` empty = every DG listed in EF.COM or hashed
  /// in EF.SOD (the union; the DNIe lists fewer in EF.COM than it hashes). A DG that answers
  /// 69 82 / 6A 82 lands in `unreadable` ("not readable (needs EAC)", "absent") instead of
  /// failing the read; transport and SM errors abort it.
  Result<LdsContent> read_document(const std::vector<int>& wanted = {}, const FileProgressFn& progress = {});

  transport::Transport& transport() noexcept { return m_t; }

 private:
  transport::Transport& m_t;
  LdsReaderOptions m_options;
  bool m_selected = false;
  bool m_peer_form = false;  ///< the card refused the economical SELECT form
};

}  // namespace dnie::icao
