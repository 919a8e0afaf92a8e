// SPDX-License-Identifier: Apache-2.0
// DG2/DG7 containers and image decoding: a small JPEG 2000 image is made with OpenJPEG here,
// wrapped in an ISO/IEC 19794-5 record inside DG2, parsed, decoded and exported.
#include <cstring>

#include <openjpeg.h>

#include "dnie/bytes/tlv.hpp"
#include "dnie/icao/biometrics.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::icao;

namespace {

struct OutBuf {
  Bytes data;
  std::size_t pos = 0;
};
OPJ_SIZE_T w_write(void* buf, OPJ_SIZE_T n, void* ud) {
  auto* o = static_cast<OutBuf*>(ud);
  if (o->pos + n > o->data.size()) o->data.resize(o->pos + n);
  std::memcpy(o->data.data() + o->pos, buf, n);
  o->pos += n;
  return n;
}
OPJ_OFF_T w_skip(OPJ_OFF_T n, void* ud) {
  auto* o = static_cast<OutBuf*>(ud);
  o->pos += static_cast<std::size_t>(n);
  if (o->pos > o->data.size()) o->data.resize(o->pos);
  return n;
}
OPJ_BOOL w_seek(OPJ_OFF_T n, void* ud) {
  static_cast<OutBuf*>(ud)->pos = static_cast<std::size_t>(n);
  return OPJ_TRUE;
}

// A w×h RGB gradient encoded losslessly as JP2 (jp2 = true) or a raw J2K codestream.
Bytes make_jpeg2000(std::uint32_t w, std::uint32_t h, bool jp2) {
  opj_image_cmptparm_t cp[3];
  std::memset(cp, 0, sizeof cp);
  for (auto& c : cp) {
    c.dx = c.dy = 1;
    c.w = w;
    c.h = h;
    c.prec = 8;
    c.sgnd = 0;
  }
  opj_image_t* img = opj_image_create(3, cp, OPJ_CLRSPC_SRGB);
  REQUIRE(img != nullptr);
  img->x1 = w;
  img->y1 = h;
  for (std::uint32_t i = 0; i < w * h; ++i) {
    img->comps[0].data[i] = static_cast<OPJ_INT32>((i % w) * 255 / w);
    img->comps[1].data[i] = static_cast<OPJ_INT32>((i / w) * 255 / h);
    img->comps[2].data[i] = 128;
  }
  opj_cparameters_t p;
  opj_set_default_encoder_parameters(&p);
  p.tcp_numlayers = 1;
  p.tcp_rates[0] = 0;
  p.cp_disto_alloc = 1;
  p.numresolution = 3;
  opj_codec_t* codec = opj_create_compress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  REQUIRE(opj_setup_encoder(codec, &p, img));
  OutBuf out;
  opj_stream_t* s = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_FALSE);
  opj_stream_set_user_data(s, &out, nullptr);
  opj_stream_set_write_function(s, w_write);
  opj_stream_set_skip_function(s, w_skip);
  opj_stream_set_seek_function(s, w_seek);
  const bool ok = opj_start_compress(codec, img, s) && opj_encode(codec, s) && opj_end_compress(codec, s);
  opj_stream_destroy(s);
  opj_destroy_codec(codec);
  opj_image_destroy(img);
  REQUIRE(ok);
  return out.data;
}

Bytes u16(std::uint16_t v) { return be_bytes(v, 2); }
Bytes u32(std::uint32_t v) { return be_bytes(v, 4); }

// ISO/IEC 19794-5:2005 record with one face image (as the virtual card builds it).
Bytes facial_record(ByteView image, std::uint16_t w, std::uint16_t h, std::uint8_t data_type) {
  const auto block = static_cast<std::uint32_t>(20 + 12 + image.size());
  Bytes r = {'F', 'A', 'C', 0, '0', '1', '0', 0};
  append(r, u32(14 + block));
  append(r, u16(1));
  append(r, u32(block));
  append(r, u16(0));
  append(r, {0x02, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  append(r, {0x01, data_type});
  append(r, u16(w));
  append(r, u16(h));
  append(r, {0x01, 0x02, 0, 0, 0, 0});
  append(r, image);
  return r;
}

Bytes dg2_of(ByteView bdb, std::uint32_t bdb_tag = 0x5F2E) {
  Bytes bht = tlv::encode(0xA1, concat({tlv::encode(0x80, Bytes{1, 1}), tlv::encode(0x81, Bytes{2}),
                                        tlv::encode(0x87, Bytes{1, 1}), tlv::encode(0x88, Bytes{0, 8})}));
  Bytes bit = tlv::encode(0x7F60, concat({bht, tlv::encode(bdb_tag, bdb)}));
  return tlv::encode(0x75, tlv::encode(0x7F61, concat({tlv::encode(0x02, Bytes{1}), bit})));
}

bool png_size(ByteView png, std::uint32_t& w, std::uint32_t& h) {
  if (png.size() < 24 || detect_image_format(png) != ImageFormat::Png) return false;
  w = static_cast<std::uint32_t>(be_value(png.subview(16, 4)));
  h = static_cast<std::uint32_t>(be_value(png.subview(20, 4)));
  return true;
}

}  // namespace

TEST_CASE("DG2 with a JP2 face in a 19794-5 record: parse, decode, export PNG and JPEG") {
  Bytes jp2 = make_jpeg2000(40, 30, true);
  CHECK(detect_image_format(jp2) == ImageFormat::Jp2);
  auto faces = parse_dg2(dg2_of(facial_record(jp2, 40, 30, 1)));
  REQUIRE(faces.ok());
  REQUIRE(faces->size() == 1);
  const BiometricImage& f = faces->front();
  CHECK(f.container == "ISO/IEC 19794-5:2005");
  CHECK(f.format == ImageFormat::Jp2);
  CHECK(f.width == 40);
  CHECK(f.height == 30);
  CHECK(f.gender == 2);
  CHECK(f.image_data_type == 1);
  CHECK(f.data == jp2);
  CHECK_FALSE(f.biometric_header.empty());

  auto img = decode_image(f.data);
  REQUIRE(img.ok());
  CHECK(img->width == 40);
  CHECK(img->height == 30);
  CHECK(img->channels == 3);
  // Lossless: pixel (39, 29) is (39*255/40, 29*255/30, 128).
  const std::uint8_t* px = &img->pixels[(29 * 40 + 39) * 3];
  CHECK(px[0] == 39 * 255 / 40);
  CHECK(px[1] == 29 * 255 / 30);
  CHECK(px[2] == 128);

  auto png = encode_png(*img);
  REQUIRE(png.ok());
  std::uint32_t w = 0, h = 0;
  REQUIRE(png_size(*png, w, h));
  CHECK(w == 40);
  CHECK(h == 30);
  auto jpeg = convert_image(f.data, ImageFormat::Jpeg);
  REQUIRE(jpeg.ok());
  CHECK(detect_image_format(*jpeg) == ImageFormat::Jpeg);
  auto back = decode_image(*jpeg);
  REQUIRE(back.ok());
  CHECK(back->width == 40);
  CHECK(back->height == 30);
  auto png2 = convert_image(*jpeg, ImageFormat::Png);
  REQUIRE(png2.ok());
}

TEST_CASE("J2K codestream, DG7 and an ISO 39794-style constructed block") {
  Bytes j2k = make_jpeg2000(17, 9, false);
  CHECK(detect_image_format(j2k) == ImageFormat::J2k);
  auto img = decode_image(j2k);
  REQUIRE(img.ok());
  CHECK(img->width == 17);
  CHECK(img->height == 9);

  Bytes dg7 = tlv::encode(0x67, concat({tlv::encode(0x02, Bytes{1}), tlv::encode(0x5F43, j2k)}));
  auto sig = parse_dg7(dg7);
  REQUIRE(sig.ok());
  REQUIRE(sig->size() == 1);
  CHECK(sig->front().format == ImageFormat::J2k);

  // 7F2E: a DER record with the image in a nested primitive object.
  Bytes rec =
      tlv::encode(0xA1, concat({tlv::encode(0x80, Bytes{0}), tlv::encode(0xA2, tlv::encode(0x80, j2k))}));
  auto faces = parse_dg2(dg2_of(rec, 0x7F2E));
  REQUIRE(faces.ok());
  CHECK(faces->front().container == "ISO/IEC 39794-5");
  CHECK(faces->front().data == j2k);
}

TEST_CASE("decoding limits and corrupt images") {
  Bytes jp2 = make_jpeg2000(40, 30, true);
  DecodeLimits small;
  small.max_width = 32;
  CHECK(decode_image(jp2, small).error().code == ErrorCode::Unsupported);
  Bytes cut(jp2.begin(), jp2.begin() + 60);
  CHECK_FALSE(decode_image(cut).ok());
  Bytes bad = jp2;
  for (std::size_t i = 200; i < bad.size(); ++i) bad[i] = 0xFF;
  CHECK_FALSE(decode_image(bad).ok());
  CHECK(decode_image(hex_bytes("FFD8FF00")).error().code == ErrorCode::MalformedData);
  CHECK(decode_image(hex_bytes("00112233")).error().code == ErrorCode::Unsupported);
  DecodedImage empty;
  CHECK(encode_png(empty).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("malformed biometric containers are MalformedData") {
  Bytes jp2 = make_jpeg2000(8, 8, true);
  Bytes rec = facial_record(jp2, 8, 8, 1);
  Bytes short_rec(rec.begin(), rec.end() - 10);  // record length larger than the data
  CHECK(parse_dg2(dg2_of(short_rec)).error().code == ErrorCode::MalformedData);
  Bytes bad_block = rec;
  bad_block[14] = bad_block[15] = bad_block[16] = 0;
  bad_block[17] = 0x05;  // facial block length smaller than its fixed fields
  CHECK(parse_dg2(dg2_of(bad_block)).error().code == ErrorCode::MalformedData);
  Bytes zero = rec;
  zero[13] = 0;  // no facial images
  CHECK(parse_dg2(dg2_of(zero)).error().code == ErrorCode::MalformedData);
  Bytes notimg = facial_record(hex_bytes("0102030405"), 8, 8, 1);
  CHECK(parse_dg2(dg2_of(notimg)).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg2(hex_bytes("7500")).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg2(hex_bytes("75047F610100")).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg2(tlv::encode(0x75, tlv::encode(0x7F61, tlv::encode(0x7F60, Bytes{})))).error().code ==
        ErrorCode::MalformedData);
  CHECK(parse_dg7(hex_bytes("6703020101")).error().code == ErrorCode::MalformedData);
  CHECK(parse_iso19794_5(hex_bytes("464143003031")).error().code == ErrorCode::MalformedData);
}
