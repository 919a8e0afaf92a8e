// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/data_groups.hpp
// Parsers of the textual and key data groups: DG11 additional personal details (ICAO 9303-10
// §4.7.11), DG12 additional document details (§4.7.12), DG13 in the Spanish layout
// (docs/dnie-card.md §6.2), DG14 SecurityInfos (§4.7.14, parsed by dnie::auth) and DG15 Active
// Authentication public key (§4.7.15). Pure functions on bytes; any malformed input is
// MalformedData. Plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dnie/auth/security_infos.hpp"
#include "dnie/bytes/bytes.hpp"
#include "dnie/crypto/x509.hpp"

namespace dnie::icao {

/// DG11 (tag 6B). Text fields as found (UTF-8 / Latin-1 bytes kept as bytes), '<' kept.
struct Dg11 {
  std::vector<std::uint32_t> tag_list;             ///< 5C
  std::optional<std::string> full_name;            ///< 5F0E "SURNAME1 SURNAME2<<NAME"
  std::vector<std::string> other_names;            ///< A0 { 02 n, 5F0F ... }
  std::optional<std::string> personal_number;      ///< 5F10 (DNIe: the DNI number)
  std::optional<std::string> full_date_of_birth;   ///< 5F2B as YYYYMMDD (ASCII or BCD on the card)
  std::optional<std::string> place_of_birth;       ///< 5F11 "TOWN<PROVINCE"
  std::optional<std::string> address;              ///< 5F42 "STREET<TOWN<PROVINCE"
  std::optional<std::string> telephone;            ///< 5F12
  std::optional<std::string> profession;           ///< 5F13
  std::optional<std::string> title;                ///< 5F14
  std::optional<std::string> personal_summary;     ///< 5F15
  std::optional<Bytes> proof_of_citizenship;       ///< 5F16 (an image)
  std::optional<std::string> other_td_numbers;     ///< 5F17
  std::optional<std::string> custody_information;  ///< 5F18
};
Result<Dg11> parse_dg11(ByteView dg11);

/// DG12 (tag 6C).
struct Dg12 {
  std::vector<std::uint32_t> tag_list;                ///< 5C
  std::optional<std::string> issuing_authority;       ///< 5F19
  std::optional<std::string> date_of_issue;           ///< 5F26 YYYYMMDD
  std::vector<std::string> other_persons;             ///< A0 { 02 n, 5F1A ... }
  std::optional<std::string> endorsements;            ///< 5F1B
  std::optional<std::string> tax_exit_requirements;   ///< 5F1C
  std::optional<Bytes> image_front;                   ///< 5F1D
  std::optional<Bytes> image_rear;                    ///< 5F1E
  std::optional<std::string> personalization_time;    ///< 5F55 YYYYMMDDhhmmss
  std::optional<std::string> personalization_device;  ///< 5F56
};
Result<Dg12> parse_dg12(ByteView dg12);

/// DG13 of the DNIe (tag 6D): 16 text fields in a fixed order (docs/dnie-card.md §6.2), encoded as a
/// SEQUENCE of strings (or, tolerated, as the strings directly inside 6D).
struct Dg13Spain {
  std::vector<std::string> fields;  ///< all fields as found, in order
  std::string first_surname, second_surname, name, dni_number, date_of_birth /*dd MM yyyy*/, nationality,
      date_of_expiry /*dd MM yyyy*/, idesp, sex, birth_town, birth_province, parents /*FATHER / MOTHER*/,
      address, residence_town, residence_province, residence_country;
};
Result<Dg13Spain> parse_dg13_spain(ByteView dg13);

/// DG14 (tag 6E): SecurityInfos (Chip Authentication keys, PACE, TA) — dnie::auth's parser.
Result<auth::SecurityInfos> parse_dg14(ByteView dg14);

/// DG14 ActiveAuthenticationInfo (2.23.136.1.1.5): the ECDSA AA signature algorithm, if any.
std::optional<std::string> active_authentication_signature_oid(const auth::SecurityInfos& dg14);

/// DG15 (tag 6F): the Active Authentication public key (SubjectPublicKeyInfo, RSA or EC).
struct Dg15 {
  Bytes subject_public_key_info;
  std::string description;  ///< "RSA-1024", "EC brainpoolP256r1"
};
Result<Dg15> parse_dg15(ByteView dg15);
Result<crypto::PublicKey> dg15_public_key(const Dg15& dg15);

}  // namespace dnie::icao
