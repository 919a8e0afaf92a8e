// SPDX-License-Identifier: Apache-2.0
// DG11 (ICAO 9303-10 §4.7.11), DG12 (§4.7.12), DG13 Spanish layout (docs/dnie-card.md §6.2), DG14
// (§4.7.14) and DG15 (§4.7.15) parsers.
#include "dnie/icao/data_groups.hpp"

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

#include "icao/internal.hpp"

namespace dnie::icao {

using detail::malformed;
using detail::text;

namespace {

Result<std::vector<std::uint32_t>> tag_list(ByteView v) {
  // 5C: concatenated tags (1 or 2 bytes each, 5Fxx).
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < v.size();) {
    std::uint32_t t = v[i++];
    if ((t & 0x1F) == 0x1F) {
      if (i >= v.size()) return malformed("tag list truncated");
      t = (t << 8) | v[i++];
    }
    out.push_back(t);
  }
  return out;
}

// Date as YYYYMMDD: ASCII digits, or 4 bytes of BCD (JMC hex-dumps it, docs/dnie-card.md §6.2).
std::string date_text(ByteView v) {
  if (v.size() == 4) {
    std::string s;
    bool bcd = true;
    for (std::uint8_t b : v) {
      if ((b >> 4) > 9 || (b & 0x0F) > 9) bcd = false;
      s.push_back(static_cast<char>('0' + (b >> 4)));
      s.push_back(static_cast<char>('0' + (b & 0x0F)));
    }
    if (bcd) return s;
  }
  return text(v);
}

// A0 { 02 count, <tag> name ... } (other names / other persons).
Result<std::vector<std::string>> name_list(ByteView v, std::uint32_t tag) {
  std::vector<std::string> out;
  tlv::Reader r(v);
  while (!r.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv e, r.next());
    if (e.tag == tag) out.push_back(text(e.value));
  }
  return out;
}

}  // namespace

Result<Dg11> parse_dg11(ByteView dg11) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, detail::outer(dg11, 0x6B, "DG11"));
  Dg11 d;
  tlv::Reader r(top.value);
  while (!r.empty()) {
    auto e = r.next();
    if (!e) return malformed("DG11: " + e.error().message);
    switch (e->tag) {
      case 0x5C: {
        auto l = tag_list(e->value);
        if (!l) return malformed("DG11: " + l.error().message);
        d.tag_list = std::move(*l);
        break;
      }
      case 0x5F0E:
        d.full_name = text(e->value);
        break;
      case 0xA0: {
        auto n = name_list(e->value, 0x5F0F);
        if (!n) return malformed("DG11: bad other names: " + n.error().message);
        d.other_names = std::move(*n);
        break;
      }
      case 0x5F0F:
        d.other_names.push_back(text(e->value));
        break;
      case 0x5F10:
        d.personal_number = text(e->value);
        break;
      case 0x5F2B:
        d.full_date_of_birth = date_text(e->value);
        break;
      case 0x5F11:
        d.place_of_birth = text(e->value);
        break;
      case 0x5F42:
        d.address = text(e->value);
        break;
      case 0x5F12:
        d.telephone = text(e->value);
        break;
      case 0x5F13:
        d.profession = text(e->value);
        break;
      case 0x5F14:
        d.title = text(e->value);
        break;
      case 0x5F15:
        d.personal_summary = text(e->value);
        break;
      case 0x5F16:
        d.proof_of_citizenship = e->value.to_bytes();
        break;
      case 0x5F17:
        d.other_td_numbers = text(e->value);
        break;
      case 0x5F18:
        d.custody_information = text(e->value);
        break;
      default:
        break;  // unknown tags are tolerated
    }
  }
  return d;
}

Result<Dg12> parse_dg12(ByteView dg12) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, detail::outer(dg12, 0x6C, "DG12"));
  Dg12 d;
  tlv::Reader r(top.value);
  while (!r.empty()) {
    auto e = r.next();
    if (!e) return malformed("DG12: " + e.error().message);
    switch (e->tag) {
      case 0x5C: {
        auto l = tag_list(e->value);
        if (!l) return malformed("DG12: " + l.error().message);
        d.tag_list = std::move(*l);
        break;
      }
      case 0x5F19:
        d.issuing_authority = text(e->value);
        break;
      case 0x5F26:
        d.date_of_issue = date_text(e->value);
        break;
      case 0xA0: {
        auto n = name_list(e->value, 0x5F1A);
        if (!n) return malformed("DG12: bad other persons: " + n.error().message);
        d.other_persons = std::move(*n);
        break;
      }
      case 0x5F1A:
        d.other_persons.push_back(text(e->value));
        break;
      case 0x5F1B:
        d.endorsements = text(e->value);
        break;
      case 0x5F1C:
        d.tax_exit_requirements = text(e->value);
        break;
      case 0x5F1D:
        d.image_front = e->value.to_bytes();
        break;
      case 0x5F1E:
        d.image_rear = e->value.to_bytes();
        break;
      case 0x5F55: {
        // YYYYMMDDhhmmss, ASCII or 7 bytes of BCD.
        std::string s;
        bool bcd = e->value.size() == 7;
        for (std::uint8_t b : e->value) {
          if ((b >> 4) > 9 || (b & 0x0F) > 9) bcd = false;
          s.push_back(static_cast<char>('0' + (b >> 4)));
          s.push_back(static_cast<char>('0' + (b & 0x0F)));
        }
        d.personalization_time = bcd ? s : text(e->value);
        break;
      }
      case 0x5F56:
        d.personalization_device = text(e->value);
        break;
      default:
        break;
    }
  }
  return d;
}

Result<Dg13Spain> parse_dg13_spain(ByteView dg13) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, detail::outer(dg13, 0x6D, "DG13"));
  auto items = tlv::parse_all(top.value);
  if (!items) return malformed("DG13: " + items.error().message);
  std::vector<tlv::Tlv> elems = std::move(*items);
  if (elems.size() == 1 && elems[0].tag == asn1::kSequence) {
    auto inner = tlv::parse_all(elems[0].value);
    if (!inner) return malformed("DG13: " + inner.error().message);
    elems = std::move(*inner);
  }
  Dg13Spain d;
  for (const auto& e : elems) {
    if (e.constructed()) return malformed("DG13: a field is not a string");
    if (e.tag_class() == 0) {
      auto s = asn1::string_value(e);
      if (!s) return malformed("DG13: " + s.error().message);
      d.fields.push_back(std::move(*s));
    } else {
      d.fields.push_back(text(e.value));  // [U] inner tags: keep the bytes as text
    }
  }
  if (d.fields.size() < 9) return malformed("DG13: fewer fields than the Spanish layout has");
  std::string* named[] = {&d.first_surname,    &d.second_surname, &d.name,
                          &d.dni_number,       &d.date_of_birth,  &d.nationality,
                          &d.date_of_expiry,   &d.idesp,          &d.sex,
                          &d.birth_town,       &d.birth_province, &d.parents,
                          &d.address,          &d.residence_town, &d.residence_province,
                          &d.residence_country};
  for (std::size_t i = 0; i < d.fields.size() && i < 16; ++i) *named[i] = d.fields[i];
  return d;
}

Result<auth::SecurityInfos> parse_dg14(ByteView dg14) {
  auto r = auth::parse_dg14(dg14);
  if (!r) return malformed("DG14: " + r.error().message);
  return r;
}

std::optional<std::string> active_authentication_signature_oid(const auth::SecurityInfos& dg14) {
  // ActiveAuthenticationInfo ::= SEQUENCE { id-icao-mrtd-security-aaProtocolObject, version,
  // signatureAlgorithm OBJECT IDENTIFIER } (ICAO 9303-11 §9.2.6).
  for (const auto& o : dg14.other) {
    if (o.protocol_oid != "2.23.136.1.1.5") continue;
    auto seq = tlv::parse_single(o.raw);
    if (!seq) continue;
    tlv::Reader r(seq->value);
    auto oid = r.next();
    auto ver = r.next();
    auto alg = r.next();
    if (!oid || !ver || !alg || alg->tag != asn1::kOid) continue;
    auto s = asn1::oid_to_string(alg->value);
    if (s) return *s;
  }
  return std::nullopt;
}

Result<Dg15> parse_dg15(ByteView dg15) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, detail::outer(dg15, 0x6F, "DG15"));
  auto spki = tlv::parse_first(top.value);
  if (!spki || spki->tag != asn1::kSequence) return malformed("DG15: no SubjectPublicKeyInfo");
  Dg15 d;
  d.subject_public_key_info = spki->raw.to_bytes();
  auto key = crypto::PublicKey::from_spki(d.subject_public_key_info);
  if (!key) return malformed("DG15: " + key.error().message);
  d.description = key->description();
  return d;
}

Result<crypto::PublicKey> dg15_public_key(const Dg15& dg15) {
  return crypto::PublicKey::from_spki(dg15.subject_public_key_info);
}

}  // namespace dnie::icao
