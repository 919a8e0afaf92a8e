// SPDX-License-Identifier: Apache-2.0
// File: dnie/vcard/card_image.hpp
// The content of a virtual DNIe 3.0: its file tree, keys, passwords and identity bytes. The
// content generator (dnie/vcard/generator.hpp) produces it from a seed; the card engine
// (dnie/vcard/virtual_card.hpp) serves it. It serialises to a single file (".dvc") so that
// dnie-vcard, the CLI and the tests can share the images generated at build time.
// Plain value; not thread-safe to mutate.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/bytes.hpp"

namespace dnie::vcard {

/// FCI file types of the DNIe (docs/dnie-card.md §2.1).
enum class FileType : std::uint8_t { Transparent = 0x01, KeyEf = 0x15, CompressedCert = 0x24, Df = 0x38 };

struct VFile {
  std::uint16_t fid = 0;
  FileType type = FileType::Transparent;
  std::string df_name;      ///< DF name for SELECT by name (e.g. "Master.File"), may be empty
  Bytes aid;                ///< application identifier (e.g. ICAO A0000002471001), may be empty
  Bytes content;            ///< EF bytes as stored (already compressed / padded)
  Bytes acl = Bytes(5, 0);  ///< the 5 ACL bytes of the 85 0A FCI
  /// Access rule for reading, beyond the ACL bytes: 0 always, 1 secure messaging required,
  /// 2 never (e.g. DG3 answers 69 82).
  int read_rule = 0;
  std::vector<VFile> children;  ///< for DFs
};

/// Which CWA-14890 generation the card belongs to (selects component CA and key set).
enum class Generation { R1, R2 };

/// Attacks the test suite plays with the virtual card (docs/security.md): behaviours a genuine
/// DNIe never shows. All off by default.
struct HostileBehaviour {
  /// After the chip-authentication key switch, every command gets this plain status word (no
  /// secure messaging): a clone without the CA key that cannot MAC. 0 = off.
  std::uint16_t plain_sw_after_ca = 0;
  /// SELECT of these file identifiers answers 6A 82 (inside SM, so authenticated): a clone that
  /// withholds a file, e.g. DG14 (010E) whose key it lacks.
  std::vector<std::uint16_t> withhold;
  bool any() const noexcept { return plain_sw_after_ca != 0 || !withhold.empty(); }
};

struct CardImage {
  std::string profile = "genuine";  ///< genuine, altered-dg, cloned-chip, expired, untrusted-csca,
                                    ///< terminated, blocked-pin, r1, r2, revoked ...
  std::uint64_t seed = 0;
  Generation generation = Generation::R1;
  Bytes atr_contact;        ///< 20-byte contact ATR (byte 15 = 04)
  Bytes atr_contactless;    ///< PC/SC contactless ATR (3B 88 80 01 ...)
  Bytes historical_bytes;   ///< ATS historical bytes for ISO 14443-4
  Bytes chip_serial;        ///< 7 bytes (GET CHIP INFO)
  Bytes uid;                ///< 4-byte PUPI / UID for the NFC path
  bool terminated = false;  ///< life cycle terminated (ATR ends 65 81, commands fail)

  std::string can = "123456";
  std::string pin = "12345678";
  int pin_max_tries = 3;
  int pin_tries_left = 3;

  VFile mf;  ///< root: FID 3F00, name "Master.File"

  // ---- key material held by the chip (DER or raw), never readable through APDUs ----
  /// Chip Authentication private key matching DG14: EC scalar (or DH exponent), with the ICAO
  /// standardized parameter ID. Empty for a cloned chip (DG14 key without its private key).
  Bytes ca_private_key;
  int ca_param_id = 13;
  std::uint8_t ca_key_id = 0;  ///< keyId in DG14 (0 = none)
  Bytes icc_private_key;       ///< RSA-1024 component key (PKCS#1 DER), key ref 02 1F
  Bytes auth_private_key;      ///< RSA-2048 KprivAutenticacion (PKCS#1 DER), key ref 01
  Bytes sign_private_key;      ///< RSA-2048 KprivFirmaDigital (PKCS#1 DER), key ref 02
  /// Public key of the CV root (key ref 02 0F) the card uses to open C_CV_CA: modulus, exponent.
  Bytes cvc_root_modulus, cvc_root_exponent;

  HostileBehaviour hostile;  ///< test attacks (hostile profiles); none on a genuine card

  /// Extra named blobs for tests and tools (e.g. the holder's certificates, the CSCA, keys of
  /// the test terminal set). Not visible to APDUs.
  std::map<std::string, Bytes> extras;

  /// Finds a file by path of FIDs from the MF (e.g. {0x3F01, 0x0101}); nullptr if absent.
  const VFile* find(std::initializer_list<std::uint16_t> path) const;
  VFile* find_mut(std::initializer_list<std::uint16_t> path);

  /// Serialises to / from the ".dvc" container (a BER-TLV tree; see card_image.cpp).
  Bytes serialize() const;
  static Result<CardImage> deserialize(ByteView data);
  Status save(const std::string& path) const;
  static Result<CardImage> load(const std::string& path);
};

}  // namespace dnie::vcard
