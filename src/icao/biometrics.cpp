// SPDX-License-Identifier: Apache-2.0
// DG2 / DG7 containers: ICAO 9303-10 §4.7.2 (Biometric Information Template, ISO/IEC 7816-11)
// and §4.7.7; ISO/IEC 19794-5:2005 §5 facial record; ISO/IEC 39794-5 records are searched for
// their image object.
#include "dnie/icao/biometrics.hpp"

#include <cstring>

#include "dnie/bytes/tlv.hpp"

#include "icao/internal.hpp"

namespace dnie::icao {

using detail::malformed;

std::string_view image_format_name(ImageFormat f) noexcept {
  switch (f) {
    case ImageFormat::Jpeg:
      return "JPEG";
    case ImageFormat::Jp2:
      return "JPEG 2000 (JP2)";
    case ImageFormat::J2k:
      return "JPEG 2000 (codestream)";
    case ImageFormat::Png:
      return "PNG";
    case ImageFormat::Unknown:
      break;
  }
  return "unknown";
}

std::string_view image_mime_type(ImageFormat f) noexcept {
  switch (f) {
    case ImageFormat::Jpeg:
      return "image/jpeg";
    case ImageFormat::Jp2:
      return "image/jp2";
    case ImageFormat::J2k:
      return "image/j2k";
    case ImageFormat::Png:
      return "image/png";
    case ImageFormat::Unknown:
      break;
  }
  return "application/octet-stream";
}

namespace {
const std::uint8_t kJp2Sig[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};
const std::uint8_t kJ2kSig[] = {0xFF, 0x4F, 0xFF, 0x51};
const std::uint8_t kJpegSig[] = {0xFF, 0xD8, 0xFF};
const std::uint8_t kPngSig[] = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};

bool has_prefix(ByteView d, const std::uint8_t* sig, std::size_t n) {
  return d.size() >= n && std::memcmp(d.data(), sig, n) == 0;
}
}  // namespace

ImageFormat detect_image_format(ByteView d) noexcept {
  if (has_prefix(d, kJp2Sig, 8)) return ImageFormat::Jp2;  // JMC's 8-byte test (docs/dnie-card.md §6.2)
  if (has_prefix(d, kJ2kSig, sizeof kJ2kSig)) return ImageFormat::J2k;
  if (has_prefix(d, kJpegSig, sizeof kJpegSig)) return ImageFormat::Jpeg;
  if (has_prefix(d, kPngSig, sizeof kPngSig)) return ImageFormat::Png;
  return ImageFormat::Unknown;
}

namespace {

// First offset where an image signature starts, or npos.
std::size_t find_image(ByteView d) {
  for (std::size_t i = 0; i + 4 <= d.size(); ++i)
    if (detect_image_format(d.subview(i)) != ImageFormat::Unknown) return i;
  return std::string::npos;
}

// ISO/IEC 39794-5 (DER) and other containers: the first primitive object holding an image.
bool find_image_object(ByteView content, int depth, ByteView& out) {
  if (depth > 12) return false;
  tlv::Reader r(content);
  while (!r.empty()) {
    auto e = r.next();
    if (!e) return false;
    if (e->constructed()) {
      if (find_image_object(e->value, depth + 1, out)) return true;
    } else if (detect_image_format(e->value) != ImageFormat::Unknown) {
      out = e->value;
      return true;
    }
  }
  return false;
}

Status image_from_bdb(ByteView bdb, bool constructed, ByteView bht, std::vector<BiometricImage>& out) {
  if (!constructed && bdb.size() >= 8 && std::memcmp(bdb.data(), "FAC\0", 4) == 0 &&
      std::memcmp(bdb.data() + 4, "010\0", 4) == 0) {
    DNIE_ASSIGN_OR_RETURN(auto faces, parse_iso19794_5(bdb));
    for (auto& f : faces) {
      f.biometric_header = bht.to_bytes();
      out.push_back(std::move(f));
    }
    return ok_status();
  }
  BiometricImage img;
  img.biometric_header = bht.to_bytes();
  ByteView data;
  if (constructed && find_image_object(bdb, 0, data)) {
    img.container = "ISO/IEC 39794-5";
  } else {
    // Other record versions (19794-5:2011 "030"): locate the image by its signature.
    std::size_t at = find_image(bdb);
    if (at == std::string::npos) return malformed("biometric data block without a JPEG/JPEG 2000 image");
    data = bdb.subview(at);
    img.container = bdb.size() >= 4 && std::memcmp(bdb.data(), "FAC\0", 4) == 0 ? "ISO/IEC 19794-5" : "raw";
  }
  img.format = detect_image_format(data);
  img.data = data.to_bytes();
  out.push_back(std::move(img));
  return ok_status();
}

}  // namespace

// ISO/IEC 19794-5:2005 §5.4 (record header), §5.5 (facial information), §5.7 (image information).
Result<std::vector<BiometricImage>> parse_iso19794_5(ByteView record) {
  BufferReader r(record);
  auto magic = r.take(4);
  auto version = r.take(4);
  if (!magic || std::memcmp(magic->data(), "FAC\0", 4) != 0) return malformed("19794-5: no 'FAC' header");
  if (!version || std::memcmp(version->data(), "010\0", 4) != 0)
    return malformed("19794-5: unsupported version");
  auto rec_len = r.u32_be();
  auto count = r.u16_be();
  if (!rec_len || !count) return malformed("19794-5: truncated header");
  if (*rec_len < 14 || *rec_len > record.size()) return malformed("19794-5: record length out of range");
  if (*count == 0) return malformed("19794-5: no facial image");
  BufferReader body(record.subview(14, *rec_len - 14));
  std::vector<BiometricImage> out;
  for (unsigned i = 0; i < *count; ++i) {
    const std::size_t start = body.position();
    auto block_len = body.u32_be();
    auto npoints = body.u16_be();
    if (!block_len || !npoints) return malformed("19794-5: truncated facial information");
    BiometricImage img;
    img.container = "ISO/IEC 19794-5:2005";
    img.feature_points = *npoints;
    auto fi = body.take(14);  // gender, eye, hair, mask(3), expression(2), pose(3), uncertainty(3)
    if (!fi) return malformed("19794-5: truncated facial information");
    img.gender = (*fi)[0];
    img.eye_colour = (*fi)[1];
    img.hair_colour = (*fi)[2];
    if (!body.take(std::size_t{8} * *npoints)) return malformed("19794-5: truncated feature points");
    auto ii = body.take(12);
    if (!ii) return malformed("19794-5: truncated image information");
    img.face_image_type = (*ii)[0];
    img.image_data_type = (*ii)[1];
    img.width = static_cast<std::uint16_t>(((*ii)[2] << 8) | (*ii)[3]);
    img.height = static_cast<std::uint16_t>(((*ii)[4] << 8) | (*ii)[5]);
    const std::size_t used = body.position() - start;
    if (*block_len < used) return malformed("19794-5: facial block length too small");
    auto data = body.take(*block_len - used);
    if (!data) return malformed("19794-5: image data truncated");
    if (data->empty()) return malformed("19794-5: empty image");
    img.data = data->to_bytes();
    img.format = detect_image_format(img.data);
    if (img.format == ImageFormat::Unknown) return malformed("19794-5: image is neither JPEG nor JPEG 2000");
    out.push_back(std::move(img));
  }
  return out;
}

// ICAO 9303-10 §4.7.2.1: 75 { 7F61 { 02 n, 7F60 { A1 BHT, 5F2E|7F2E BDB } × n } }.
Result<std::vector<BiometricImage>> parse_dg2(ByteView dg2) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, detail::outer(dg2, 0x75, "DG2"));
  auto group = tlv::find(top.value, 0x7F61);
  if (!group) return malformed("DG2: no biometric information group template (7F61)");
  std::vector<BiometricImage> out;
  tlv::Reader r(group->value);
  while (!r.empty()) {
    auto e = r.next();
    if (!e) return malformed("DG2: " + e.error().message);
    if (e->tag != 0x7F60) continue;
    ByteView bht;
    bool found = false;
    tlv::Reader br(e->value);
    while (!br.empty()) {
      auto b = br.next();
      if (!b) return malformed("DG2: " + b.error().message);
      if (b->tag == 0xA1 || b->tag == 0xA2) bht = b->value;
      if (b->tag == 0x5F2E || b->tag == 0x7F2E) {
        auto img = image_from_bdb(b->value, b->tag == 0x7F2E, bht, out);
        if (!img) return malformed("DG2: " + img.error().message);
        found = true;
      }
    }
    if (!found) return malformed("DG2: biometric information template without data block");
  }
  if (out.empty()) return malformed("DG2: no face image");
  return out;
}

// ICAO 9303-10 §4.7.7: 67 { 02 n, 5F43 image × n }.
Result<std::vector<BiometricImage>> parse_dg7(ByteView dg7) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, detail::outer(dg7, 0x67, "DG7"));
  std::vector<BiometricImage> out;
  tlv::Reader r(top.value);
  while (!r.empty()) {
    auto e = r.next();
    if (!e) return malformed("DG7: " + e.error().message);
    if (e->tag != 0x5F43) continue;
    BiometricImage img;
    img.container = "raw";
    img.data = e->value.to_bytes();
    img.format = detect_image_format(img.data);
    if (img.data.empty()) return malformed("DG7: empty image");
    out.push_back(std::move(img));
  }
  if (out.empty()) return malformed("DG7: no displayed image (5F43)");
  return out;
}

}  // namespace dnie::icao
