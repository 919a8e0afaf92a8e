// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/card_image.cpp
// CardImage file-tree lookup and the ".dvc" container.
//
// Container (BER-TLV, ISO/IEC 7816-4 §5.2 / X.690 definite lengths, every field present, in
// this order; the parser rejects anything else):
//   E0 image {
//     80 magic "DNIeVCARD"          81 version (1 byte, = 1)
//     82 profile (UTF-8)            83 seed (8 bytes BE)          84 generation (00 r1, 01 r2)
//     85 contact ATR                86 contactless ATR            87 historical bytes
//     88 chip serial                89 UID                        8A terminated (00/01)
//     8B CAN                        8C PIN                        8D PIN max tries (1 byte)
//     8E PIN tries left (1 byte)    8F CA private key             90 CA parameter ID (1 byte)
//     91 CA key ID (1 byte)         92 ICC private key            93 auth private key
//     94 sign private key           95 CV root modulus            96 CV root exponent
//     A0 { file }                   the MF
//     A1 { E1 { 80 name, 81 value } ... }   extras, names strictly increasing
//   }
//   file = E2 { 80 FID (2) 81 type (1) 82 DF name 83 AID 84 content 85 ACL (5) 86 read rule (1)
//               A7 { file ... } }   children only for DFs; depth ≤ 8
#include "dnie/vcard/card_image.hpp"

#include <fstream>
#include <iterator>

#include "dnie/bytes/tlv.hpp"

namespace dnie::vcard {

namespace {

constexpr std::string_view kMagic = "DNIeVCARD";
constexpr std::uint8_t kVersion = 2;  // 2: hostile behaviours (97)
constexpr int kMaxDepth = 8;
constexpr std::size_t kMaxFileSize = 64u << 20;

Bytes str_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes u8(int v) { return Bytes{static_cast<std::uint8_t>(v)}; }

Bytes encode_file(const VFile& f) {
  Bytes body;
  tlv::append(body, 0x80, be_bytes(f.fid, 2));
  tlv::append(body, 0x81, u8(static_cast<int>(f.type)));
  tlv::append(body, 0x82, str_bytes(f.df_name));
  tlv::append(body, 0x83, f.aid);
  tlv::append(body, 0x84, f.content);
  tlv::append(body, 0x85, f.acl);
  tlv::append(body, 0x86, u8(f.read_rule));
  Bytes kids;
  for (const auto& c : f.children) append(kids, encode_file(c));
  tlv::append(body, 0xA7, kids);
  return tlv::encode(0xE2, body);
}

Error bad(const std::string& what) { return make_error(ErrorCode::MalformedData, "card image: " + what); }

Result<std::uint8_t> one_byte(tlv::Reader& r, std::uint32_t tag) {
  DNIE_ASSIGN_OR_RETURN(auto t, r.expect(tag));
  if (t.value.size() != 1) return bad("field " + to_hex(be_bytes(tag, 1)) + " must be 1 byte");
  return t.value[0];
}

Result<Bytes> blob(tlv::Reader& r, std::uint32_t tag) {
  DNIE_ASSIGN_OR_RETURN(auto t, r.expect(tag));
  return t.value.to_bytes();
}

Result<std::string> text(tlv::Reader& r, std::uint32_t tag) {
  DNIE_ASSIGN_OR_RETURN(auto t, r.expect(tag));
  return std::string(t.value.begin(), t.value.end());
}

Result<VFile> decode_file(const tlv::Tlv& t, int depth) {
  if (t.tag != 0xE2) return bad("file element expected");
  if (depth > kMaxDepth) return bad("file tree too deep");
  tlv::Reader r(t.value, tlv::Mode::Der);
  VFile f;
  DNIE_ASSIGN_OR_RETURN(auto fid, r.expect(0x80));
  if (fid.value.size() != 2) return bad("FID must be 2 bytes");
  f.fid = static_cast<std::uint16_t>(be_value(fid.value));
  DNIE_ASSIGN_OR_RETURN(auto type, one_byte(r, 0x81));
  switch (type) {
    case 0x01:
      f.type = FileType::Transparent;
      break;
    case 0x15:
      f.type = FileType::KeyEf;
      break;
    case 0x24:
      f.type = FileType::CompressedCert;
      break;
    case 0x38:
      f.type = FileType::Df;
      break;
    default:
      return bad("unknown file type");
  }
  DNIE_ASSIGN_OR_RETURN(f.df_name, text(r, 0x82));
  DNIE_ASSIGN_OR_RETURN(f.aid, blob(r, 0x83));
  DNIE_ASSIGN_OR_RETURN(f.content, blob(r, 0x84));
  DNIE_ASSIGN_OR_RETURN(f.acl, blob(r, 0x85));
  if (f.acl.size() != 5) return bad("ACL must be 5 bytes");
  DNIE_ASSIGN_OR_RETURN(auto rule, one_byte(r, 0x86));
  if (rule > 2) return bad("read rule out of range");
  f.read_rule = rule;
  DNIE_ASSIGN_OR_RETURN(auto kids, r.expect(0xA7));
  if (!r.empty()) return bad("trailing data in file element");
  if (f.type != FileType::Df && !kids.value.empty()) return bad("EF with children");
  tlv::Reader kr(kids.value, tlv::Mode::Der);
  while (!kr.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto kt, kr.next());
    DNIE_ASSIGN_OR_RETURN(auto child, decode_file(kt, depth + 1));
    f.children.push_back(std::move(child));
  }
  return f;
}

template <typename F>
F* find_in(F* node, std::initializer_list<std::uint16_t> path) {
  auto it = path.begin();
  if (it != path.end() && *it == 0x3F00) ++it;  // a leading MF FID is accepted
  for (; it != path.end(); ++it) {
    F* next = nullptr;
    for (auto& c : node->children)
      if (c.fid == *it) {
        next = &c;
        break;
      }
    if (!next) return nullptr;
    node = next;
  }
  return node;
}

}  // namespace

const VFile* CardImage::find(std::initializer_list<std::uint16_t> path) const { return find_in(&mf, path); }
VFile* CardImage::find_mut(std::initializer_list<std::uint16_t> path) { return find_in(&mf, path); }

Bytes CardImage::serialize() const {
  Bytes b;
  tlv::append(b, 0x80, ByteView::of(kMagic));
  tlv::append(b, 0x81, u8(kVersion));
  tlv::append(b, 0x82, str_bytes(profile));
  tlv::append(b, 0x83, be_bytes(seed, 8));
  tlv::append(b, 0x84, u8(generation == Generation::R2 ? 1 : 0));
  tlv::append(b, 0x85, atr_contact);
  tlv::append(b, 0x86, atr_contactless);
  tlv::append(b, 0x87, historical_bytes);
  tlv::append(b, 0x88, chip_serial);
  tlv::append(b, 0x89, uid);
  tlv::append(b, 0x8A, u8(terminated ? 1 : 0));
  tlv::append(b, 0x8B, str_bytes(can));
  tlv::append(b, 0x8C, str_bytes(pin));
  tlv::append(b, 0x8D, u8(pin_max_tries));
  tlv::append(b, 0x8E, u8(pin_tries_left));
  tlv::append(b, 0x8F, ca_private_key);
  tlv::append(b, 0x90, u8(ca_param_id));
  tlv::append(b, 0x91, u8(ca_key_id));
  tlv::append(b, 0x92, icc_private_key);
  tlv::append(b, 0x93, auth_private_key);
  tlv::append(b, 0x94, sign_private_key);
  tlv::append(b, 0x95, cvc_root_modulus);
  tlv::append(b, 0x96, cvc_root_exponent);
  {
    Bytes h;
    tlv::append(h, 0x80, be_bytes(hostile.plain_sw_after_ca, 2));
    Bytes w;
    for (auto f : hostile.withhold) append(w, be_bytes(f, 2));
    tlv::append(h, 0x81, w);
    tlv::append(b, 0xB7, h);
  }
  tlv::append(b, 0xA0, encode_file(mf));
  Bytes ex;
  for (const auto& [name, value] : extras) {
    Bytes e;
    tlv::append(e, 0x80, str_bytes(name));
    tlv::append(e, 0x81, value);
    tlv::append(ex, 0xE1, e);
  }
  tlv::append(b, 0xA1, ex);
  return tlv::encode(0xE0, b);
}

Result<CardImage> CardImage::deserialize(ByteView data) {
  auto top = tlv::parse_single(data, tlv::Mode::Der);
  if (!top) return bad(top.error().message);
  if (top->tag != 0xE0) return bad("not a card image");
  tlv::Reader r(top->value, tlv::Mode::Der);
  CardImage img;
  auto body = [&]() -> Status {
    DNIE_ASSIGN_OR_RETURN(auto magic, r.expect(0x80));
    if (magic.value != ByteView::of(kMagic)) return bad("bad magic");
    DNIE_ASSIGN_OR_RETURN(auto version, one_byte(r, 0x81));
    if (version != kVersion) return bad("unsupported version " + std::to_string(version));
    DNIE_ASSIGN_OR_RETURN(img.profile, text(r, 0x82));
    DNIE_ASSIGN_OR_RETURN(auto seed, r.expect(0x83));
    if (seed.value.size() != 8) return bad("seed must be 8 bytes");
    img.seed = be_value(seed.value);
    DNIE_ASSIGN_OR_RETURN(auto gen, one_byte(r, 0x84));
    if (gen > 1) return bad("bad generation");
    img.generation = gen ? Generation::R2 : Generation::R1;
    DNIE_ASSIGN_OR_RETURN(img.atr_contact, blob(r, 0x85));
    DNIE_ASSIGN_OR_RETURN(img.atr_contactless, blob(r, 0x86));
    DNIE_ASSIGN_OR_RETURN(img.historical_bytes, blob(r, 0x87));
    DNIE_ASSIGN_OR_RETURN(img.chip_serial, blob(r, 0x88));
    DNIE_ASSIGN_OR_RETURN(img.uid, blob(r, 0x89));
    if (img.atr_contact.size() > 33 || img.atr_contactless.size() > 33 || img.historical_bytes.size() > 15)
      return bad("ATR too long");
    DNIE_ASSIGN_OR_RETURN(auto term, one_byte(r, 0x8A));
    if (term > 1) return bad("bad terminated flag");
    img.terminated = term == 1;
    DNIE_ASSIGN_OR_RETURN(img.can, text(r, 0x8B));
    DNIE_ASSIGN_OR_RETURN(img.pin, text(r, 0x8C));
    DNIE_ASSIGN_OR_RETURN(auto max_tries, one_byte(r, 0x8D));
    DNIE_ASSIGN_OR_RETURN(auto left, one_byte(r, 0x8E));
    if (max_tries > 15 || left > max_tries) return bad("bad PIN counters");
    img.pin_max_tries = max_tries;
    img.pin_tries_left = left;
    DNIE_ASSIGN_OR_RETURN(img.ca_private_key, blob(r, 0x8F));
    DNIE_ASSIGN_OR_RETURN(auto param, one_byte(r, 0x90));
    img.ca_param_id = param;
    DNIE_ASSIGN_OR_RETURN(img.ca_key_id, one_byte(r, 0x91));
    DNIE_ASSIGN_OR_RETURN(img.icc_private_key, blob(r, 0x92));
    DNIE_ASSIGN_OR_RETURN(img.auth_private_key, blob(r, 0x93));
    DNIE_ASSIGN_OR_RETURN(img.sign_private_key, blob(r, 0x94));
    DNIE_ASSIGN_OR_RETURN(img.cvc_root_modulus, blob(r, 0x95));
    DNIE_ASSIGN_OR_RETURN(img.cvc_root_exponent, blob(r, 0x96));
    {
      DNIE_ASSIGN_OR_RETURN(auto h, r.expect(0xB7));
      tlv::Reader hr(h.value, tlv::Mode::Der);
      DNIE_ASSIGN_OR_RETURN(auto sw, hr.expect(0x80));
      if (sw.value.size() != 2) return bad("bad hostile status word");
      img.hostile.plain_sw_after_ca = static_cast<std::uint16_t>(be_value(sw.value));
      DNIE_ASSIGN_OR_RETURN(auto w, hr.expect(0x81));
      if (w.value.size() % 2 != 0 || w.value.size() > 64) return bad("bad hostile file list");
      for (std::size_t i = 0; i < w.value.size(); i += 2)
        img.hostile.withhold.push_back(static_cast<std::uint16_t>((w.value[i] << 8) | w.value[i + 1]));
      if (!hr.empty()) return bad("trailing data in hostile behaviours");
    }
    DNIE_ASSIGN_OR_RETURN(auto mf, r.expect(0xA0));
    DNIE_ASSIGN_OR_RETURN(auto mf_tlv, tlv::parse_single(mf.value, tlv::Mode::Der));
    DNIE_ASSIGN_OR_RETURN(img.mf, decode_file(mf_tlv, 0));
    if (img.mf.type != FileType::Df || img.mf.fid != 0x3F00) return bad("root is not the MF 3F00");
    DNIE_ASSIGN_OR_RETURN(auto ex, r.expect(0xA1));
    if (!r.empty()) return bad("trailing data");
    tlv::Reader er(ex.value, tlv::Mode::Der);
    std::string prev;
    bool first = true;
    while (!er.empty()) {
      DNIE_ASSIGN_OR_RETURN(auto e, er.expect(0xE1));
      tlv::Reader ir(e.value, tlv::Mode::Der);
      DNIE_ASSIGN_OR_RETURN(auto name, text(ir, 0x80));
      DNIE_ASSIGN_OR_RETURN(auto value, blob(ir, 0x81));
      if (!ir.empty()) return bad("trailing data in extra");
      if (!first && name <= prev) return bad("extras not strictly ordered");
      first = false;
      prev = name;
      img.extras.emplace(name, std::move(value));
    }
    return ok_status();
  };
  Status st = body();
  if (!st) {
    Error e = std::move(st).error();
    if (e.code != ErrorCode::MalformedData) return bad(e.message);
    return e;
  }
  return img;
}

Status CardImage::save(const std::string& path) const {
  Bytes b = serialize();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return make_error(ErrorCode::InvalidArgument, "cannot create " + path);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  f.close();
  if (!f) return make_error(ErrorCode::InternalError, "cannot write " + path);
  return ok_status();
}

Result<CardImage> CardImage::load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error(ErrorCode::NotFound, "cannot open " + path);
  Bytes b;
  char buf[65536];
  while (f) {
    f.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(f.gcount());
    b.insert(b.end(), buf, buf + n);
    if (b.size() > kMaxFileSize) return make_error(ErrorCode::MalformedData, "card image too large: " + path);
  }
  if (f.bad()) return make_error(ErrorCode::InternalError, "cannot read " + path);
  return deserialize(b);
}

}  // namespace dnie::vcard
