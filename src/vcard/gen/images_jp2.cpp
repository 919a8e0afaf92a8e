// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/images_jp2.cpp
// Synthetic, deterministic images for DG2 (portrait) and DG7 (signature), encoded as JPEG 2000
// (ISO/IEC 15444-1, JP2 file format) with OpenJPEG into memory. The DNIe stores JP2 files;
// readers find them by the JP2 signature box 00 00 00 0C 6A 50 20 20 (docs/dnie-card.md §6.2).
#include <algorithm>
#include <cmath>
#include <cstring>

#include <openjpeg.h>

#include "vcard/gen/gen_internal.hpp"

namespace dnie::vcard::gen {

namespace {

struct MemStream {
  Bytes data;
  std::size_t pos = 0;
};

OPJ_SIZE_T mem_write(void* buf, OPJ_SIZE_T n, void* user) {
  auto* s = static_cast<MemStream*>(user);
  if (s->pos + n > s->data.size()) s->data.resize(s->pos + n);
  std::memcpy(s->data.data() + s->pos, buf, n);
  s->pos += n;
  return n;
}
OPJ_OFF_T mem_skip(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<MemStream*>(user);
  if (n < 0 && static_cast<std::size_t>(-n) > s->pos) return -1;
  s->pos = static_cast<std::size_t>(static_cast<OPJ_OFF_T>(s->pos) + n);
  if (s->pos > s->data.size()) s->data.resize(s->pos);
  return n;
}
OPJ_BOOL mem_seek(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<MemStream*>(user);
  if (n < 0) return OPJ_FALSE;
  s->pos = static_cast<std::size_t>(n);
  if (s->pos > s->data.size()) s->data.resize(s->pos);
  return OPJ_TRUE;
}

/// Tiny deterministic PRNG for texture (xorshift64*); the image only has to be reproducible.
struct Noise {
  std::uint64_t s;
  explicit Noise(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}
  int next(int range) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return static_cast<int>(((s * 0x2545F4914F6CDD1Dull) >> 33) % static_cast<std::uint64_t>(range));
  }
};

/// Encodes 8-bit planes (1 = gray, 3 = RGB) as JP2 with lossy rate `ratio`.
Result<Bytes> encode_jp2(const std::vector<std::vector<int>>& planes, std::uint32_t w, std::uint32_t h,
                         float ratio) {
  const auto n = static_cast<OPJ_UINT32>(planes.size());
  std::vector<opj_image_cmptparm_t> cp(n);
  for (auto& c : cp) {
    std::memset(&c, 0, sizeof c);
    c.dx = 1;
    c.dy = 1;
    c.w = w;
    c.h = h;
    c.prec = 8;
    c.sgnd = 0;
  }
  opj_image_t* image = opj_image_create(n, cp.data(), n == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
  if (!image) return make_error(ErrorCode::InternalError, "opj_image_create failed");
  image->x0 = 0;
  image->y0 = 0;
  image->x1 = w;
  image->y1 = h;
  for (OPJ_UINT32 i = 0; i < n; ++i)
    std::memcpy(image->comps[i].data, planes[i].data(), planes[i].size() * sizeof(int));

  opj_cparameters_t params;
  opj_set_default_encoder_parameters(&params);
  params.tcp_numlayers = 1;
  params.tcp_rates[0] = ratio;
  params.cp_disto_alloc = 1;
  params.irreversible = 1;
  params.tcp_mct = n == 3 ? 1 : 0;
  params.numresolution = 5;

  Result<Bytes> result = make_error(ErrorCode::InternalError, "JPEG 2000 encoding failed");
  opj_codec_t* codec = opj_create_compress(OPJ_CODEC_JP2);
  opj_stream_t* stream = opj_stream_create(1u << 16, OPJ_FALSE);
  MemStream mem;
  if (codec && stream) {
    opj_stream_set_write_function(stream, mem_write);
    opj_stream_set_skip_function(stream, mem_skip);
    opj_stream_set_seek_function(stream, mem_seek);
    opj_stream_set_user_data(stream, &mem, nullptr);
    if (opj_setup_encoder(codec, &params, image) && opj_start_compress(codec, image, stream) &&
        opj_encode(codec, stream) && opj_end_compress(codec, stream)) {
      result = std::move(mem.data);
    }
  }
  if (stream) opj_stream_destroy(stream);
  if (codec) opj_destroy_codec(codec);
  opj_image_destroy(image);
  return result;
}

int clamp8(double v) { return v < 0 ? 0 : v > 255 ? 255 : static_cast<int>(v); }

}  // namespace

Result<Jp2Image> face_jp2(std::uint64_t seed) {
  constexpr int W = 240, H = 320;
  Noise rnd(seed);
  std::vector<std::vector<int>> px(3, std::vector<int>(W * H));
  const int tone = rnd.next(40);  // skin tone variation
  const double skin[3] = {225.0 - tone, 185.0 - tone, 160.0 - tone};
  const double hair[3] = {60.0 + rnd.next(40), 40.0 + rnd.next(20), 25.0 + rnd.next(15)};
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      // Background: light grey-blue vertical gradient (ICAO plain background).
      double c[3] = {200.0 + y * 0.08, 210.0 + y * 0.06, 225.0 + y * 0.03};
      const double fx = (x - 120) / 70.0, fy = (y - 150) / 95.0;   // face oval
      const double hx = (x - 120) / 84.0, hy = (y - 128) / 100.0;  // hair oval behind it
      const double sx = (x - 120) / 125.0, sy = (y - 345) / 90.0;  // shoulders
      if (sx * sx + sy * sy < 1.0) {
        c[0] = 50;
        c[1] = 60;
        c[2] = 85;
      }
      if (hx * hx + hy * hy < 1.0 && y < 215) {
        for (int k = 0; k < 3; ++k) c[k] = hair[k];
      }
      if (x > 100 && x < 140 && y > 220 && y < 262) {
        for (int k = 0; k < 3; ++k) c[k] = skin[k] - 12;
      }  // neck
      if (fx * fx + fy * fy < 1.0 && !(y < 95 && fy < -0.55)) {
        const double shade = 1.0 - 0.18 * (fx * fx);
        for (int k = 0; k < 3; ++k) c[k] = skin[k] * shade;
        for (int e = -1; e <= 1; e += 2) {  // eyes, brows
          const double ex = (x - (120 + e * 28)) / 13.0, ey = (y - 140) / 7.0;
          if (ex * ex + ey * ey < 1.0) {
            const double ix = (x - (120 + e * 28)) / 5.5, iy = (y - 140) / 5.5;
            const bool iris = ix * ix + iy * iy < 1.0;
            c[0] = iris ? 70 : 240;
            c[1] = iris ? 50 : 240;
            c[2] = iris ? 35 : 235;
          }
          if (y > 122 && y < 127 && std::abs(x - (120 + e * 28)) < 15) {
            for (int k = 0; k < 3; ++k) c[k] = hair[k];
          }
        }
        if (std::abs(x - 120) < 4 && y > 145 && y < 178) {
          for (int k = 0; k < 3; ++k) c[k] -= 15;
        }  // nose
        const double mx = (x - 120) / 22.0, my = (y - 200) / 5.0;
        if (mx * mx + my * my < 1.0) {
          c[0] = 175;
          c[1] = 80;
          c[2] = 85;
        }  // mouth
      }
      const int n = rnd.next(13) - 6;  // sensor-like texture
      for (int k = 0; k < 3; ++k) px[k][y * W + x] = clamp8(c[k] + n);
    }
  }
  // Rate ~14:1 of 230 400 bytes gives a JP2 of about 16 KB.
  DNIE_ASSIGN_OR_RETURN(Bytes jp2, encode_jp2(px, W, H, 14.0f));
  return Jp2Image{std::move(jp2), W, H};
}

Result<Jp2Image> signature_jp2(std::uint64_t seed) {
  constexpr int W = 400, H = 150;
  Noise rnd(seed ^ 0x5157u);
  std::vector<std::vector<int>> px(1, std::vector<int>(W * H, 255));
  const double a1 = 18 + rnd.next(10), a2 = 10 + rnd.next(8), f1 = 0.045 + rnd.next(10) / 1000.0;
  const double f2 = 0.13 + rnd.next(10) / 500.0, ph = rnd.next(628) / 100.0;
  // A pen trace: a loopy curve left to right (x advances, with a small backward oscillation).
  for (int i = 0; i < 6000; ++i) {
    const double t = i / 6000.0;
    const double x = 30 + 330 * t + 14 * std::sin(t * 60 + ph);
    const double y =
        80 + a1 * std::sin(x * f1 + ph) + a2 * std::cos(x * f2) - 20 * std::sin(t * 60 + ph) * (1 - t);
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int xi = static_cast<int>(x) + dx, yi = static_cast<int>(y) + dy;
        if (xi >= 0 && xi < W && yi >= 0 && yi < H) px[0][yi * W + xi] = 20 + 20 * (dx * dx + dy * dy);
      }
  }
  for (int x = 40; x < 360; ++x) px[0][128 * W + x] = std::min(px[0][128 * W + x], 90);  // underline stroke
  // Rate ~20:1 of 60 000 bytes gives about 3 KB.
  DNIE_ASSIGN_OR_RETURN(Bytes jp2, encode_jp2(px, W, H, 20.0f));
  return Jp2Image{std::move(jp2), W, H};
}

}  // namespace dnie::vcard::gen
