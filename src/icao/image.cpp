// SPDX-License-Identifier: Apache-2.0
// Image decoding (JPEG 2000 via OpenJPEG from memory, JPEG via libjpeg) and export (PNG via
// libpng's simplified API, JPEG via libjpeg) for DG2/DG7 images. Dimensions are checked from the
// headers before any pixel buffer is allocated. libjpeg reports errors by longjmp: those parts
// are written C-style (POD locals, malloc'ed buffers) so no C++ object lives across a setjmp.
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <jpeglib.h>
#include <png.h>

#include <openjpeg.h>

#include "dnie/icao/biometrics.hpp"

#include "icao/internal.hpp"

namespace dnie::icao {

using detail::malformed;
using detail::unsupported;

namespace {

// ---- OpenJPEG from memory ------------------------------------------------------------------
struct MemStream {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos;
};

OPJ_SIZE_T mem_read(void* buf, OPJ_SIZE_T n, void* ud) {
  auto* m = static_cast<MemStream*>(ud);
  if (m->pos >= m->size) return static_cast<OPJ_SIZE_T>(-1);
  const std::size_t k = std::min<std::size_t>(n, m->size - m->pos);
  std::memcpy(buf, m->data + m->pos, k);
  m->pos += k;
  return k;
}

OPJ_OFF_T mem_skip(OPJ_OFF_T n, void* ud) {
  auto* m = static_cast<MemStream*>(ud);
  if (n < 0) return -1;
  const std::size_t left = m->size - m->pos;
  const std::size_t k = static_cast<std::size_t>(n) > left ? left : static_cast<std::size_t>(n);
  m->pos += k;
  return static_cast<OPJ_OFF_T>(k);
}

OPJ_BOOL mem_seek(OPJ_OFF_T n, void* ud) {
  auto* m = static_cast<MemStream*>(ud);
  if (n < 0 || static_cast<std::size_t>(n) > m->size) return OPJ_FALSE;
  m->pos = static_cast<std::size_t>(n);
  return OPJ_TRUE;
}

void opj_quiet(const char*, void*) {}

std::uint8_t clamp8(int v) { return static_cast<std::uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v)); }

// A sample of `prec` bits (signed or not) scaled to 0..255. In 64-bit arithmetic and with the
// precision capped, so a hostile codestream (prec up to 38, extreme samples) cannot overflow.
int to8(const opj_image_comp_t& c, OPJ_INT32 v) {
  const int prec = c.prec < 1 ? 1 : (c.prec > 31 ? 31 : static_cast<int>(c.prec));
  std::int64_t x = v;
  if (c.sgnd) x += std::int64_t{1} << (prec - 1);
  if (prec > 8)
    x /= std::int64_t{1} << (prec - 8);
  else if (prec < 8)
    x *= std::int64_t{1} << (8 - prec);
  return x < 0 ? 0 : (x > 255 ? 255 : static_cast<int>(x));
}

Result<DecodedImage> decode_jpeg2000(ByteView data, bool jp2, const DecodeLimits& limits) {
  MemStream ms{data.data(), data.size(), 0};
  opj_stream_t* s = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
  if (!s) return make_error(ErrorCode::InternalError, "OpenJPEG: no stream");
  opj_stream_set_user_data(s, &ms, nullptr);
  opj_stream_set_user_data_length(s, data.size());
  opj_stream_set_read_function(s, mem_read);
  opj_stream_set_skip_function(s, mem_skip);
  opj_stream_set_seek_function(s, mem_seek);
  opj_codec_t* codec = opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  opj_image_t* img = nullptr;
  auto cleanup = [&] {
    if (img) opj_image_destroy(img);
    if (codec) opj_destroy_codec(codec);
    opj_stream_destroy(s);
  };
  if (!codec) {
    cleanup();
    return make_error(ErrorCode::InternalError, "OpenJPEG: no codec");
  }
  opj_set_error_handler(codec, opj_quiet, nullptr);
  opj_set_warning_handler(codec, opj_quiet, nullptr);
  opj_set_info_handler(codec, opj_quiet, nullptr);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  if (!opj_setup_decoder(codec, &params) || !opj_read_header(s, codec, &img) || !img) {
    cleanup();
    return malformed("JPEG 2000: bad header");
  }
  if (img->x1 <= img->x0 || img->y1 <= img->y0 || img->numcomps == 0 || img->numcomps > 4) {
    cleanup();
    return malformed("JPEG 2000: bad image geometry");
  }
  const std::uint32_t w = img->x1 - img->x0, h = img->y1 - img->y0;
  if (w > limits.max_width || h > limits.max_height) {
    cleanup();
    return unsupported("JPEG 2000: image larger than the decoding limit");
  }
  if (!opj_decode(codec, s, img) || !opj_end_decompress(codec, s)) {
    cleanup();
    return malformed("JPEG 2000: corrupt image data");
  }
  const unsigned nc = img->numcomps >= 3 ? 3u : 1u;
  for (unsigned c = 0; c < nc; ++c) {
    const opj_image_comp_t& comp = img->comps[c];
    if (!comp.data || comp.w == 0 || comp.h == 0 || comp.prec == 0 || comp.prec > 31) {
      cleanup();
      return malformed("JPEG 2000: missing component data");
    }
  }
  DecodedImage out;
  out.width = img->comps[0].w;
  out.height = img->comps[0].h;
  if (out.width > limits.max_width || out.height > limits.max_height) {
    cleanup();
    return unsupported("JPEG 2000: image larger than the decoding limit");
  }
  out.channels = static_cast<std::uint8_t>(nc);
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * nc);
  const bool sycc = img->color_space == OPJ_CLRSPC_SYCC && nc == 3;
  for (std::uint32_t y = 0; y < out.height; ++y) {
    for (std::uint32_t x = 0; x < out.width; ++x) {
      int v[3] = {0, 0, 0};
      for (unsigned c = 0; c < nc; ++c) {
        const opj_image_comp_t& comp = img->comps[c];
        // Subsampled components (e.g. 4:2:0 sYCC): nearest sample.
        const std::uint64_t cx = static_cast<std::uint64_t>(x) * comp.w / out.width;
        const std::uint64_t cy = static_cast<std::uint64_t>(y) * comp.h / out.height;
        v[c] = to8(comp, comp.data[cy * comp.w + cx]);
      }
      std::uint8_t* p = &out.pixels[(static_cast<std::size_t>(y) * out.width + x) * nc];
      if (sycc) {
        const int cb = v[1] - 128, cr = v[2] - 128;
        p[0] = clamp8(v[0] + static_cast<int>(1.402 * cr));
        p[1] = clamp8(v[0] - static_cast<int>(0.344136 * cb + 0.714136 * cr));
        p[2] = clamp8(v[0] + static_cast<int>(1.772 * cb));
      } else {
        for (unsigned c = 0; c < nc; ++c) p[c] = clamp8(v[c]);
      }
    }
  }
  cleanup();
  return out;
}

// ---- libjpeg (C-style because of longjmp) ---------------------------------------------------
struct JpegErr {
  jpeg_error_mgr mgr;
  std::jmp_buf jb;
};

void jpeg_fail(j_common_ptr c) { std::longjmp(reinterpret_cast<JpegErr*>(c->err)->jb, 1); }
void jpeg_silent(j_common_ptr, int) {}

enum JpegStatus { kJpegOk = 0, kJpegCorrupt, kJpegTooLarge, kJpegColour, kJpegNoMemory };

JpegStatus jpeg_decode_c(const std::uint8_t* data, std::size_t n, std::uint32_t maxw, std::uint32_t maxh,
                         std::uint8_t** out, std::uint32_t* w, std::uint32_t* h, int* channels) {
  jpeg_decompress_struct cinfo;
  JpegErr err;
  std::uint8_t* volatile buf = nullptr;
  volatile JpegStatus status = kJpegCorrupt;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  err.mgr.emit_message = jpeg_silent;
  if (setjmp(err.jb)) {
    jpeg_destroy_decompress(&cinfo);
    std::free(buf);
    return status;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(n));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width == 0 || cinfo.image_height == 0 || cinfo.image_width > maxw ||
      cinfo.image_height > maxh) {
    status = kJpegTooLarge;
    jpeg_destroy_decompress(&cinfo);
    return kJpegTooLarge;
  }
  if (cinfo.num_components == 1)
    cinfo.out_color_space = JCS_GRAYSCALE;
  else if (cinfo.num_components == 3)
    cinfo.out_color_space = JCS_RGB;
  else {
    jpeg_destroy_decompress(&cinfo);
    return kJpegColour;
  }
  jpeg_start_decompress(&cinfo);
  const std::size_t stride =
      static_cast<std::size_t>(cinfo.output_width) * static_cast<std::size_t>(cinfo.output_components);
  buf = static_cast<std::uint8_t*>(std::malloc(stride * cinfo.output_height));
  if (!buf) {
    status = kJpegNoMemory;
    jpeg_destroy_decompress(&cinfo);
    return kJpegNoMemory;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = buf + stride * cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  *w = cinfo.output_width;
  *h = cinfo.output_height;
  *channels = cinfo.output_components;
  *out = buf;
  jpeg_destroy_decompress(&cinfo);
  return kJpegOk;
}

bool jpeg_encode_c(const std::uint8_t* pixels, std::uint32_t w, std::uint32_t h, int channels, int quality,
                   unsigned char** out, unsigned long* out_size) {
  jpeg_compress_struct cinfo;
  JpegErr err;
  unsigned char* volatile mem = nullptr;
  unsigned long mem_size = 0;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  err.mgr.emit_message = jpeg_silent;
  if (setjmp(err.jb)) {
    jpeg_destroy_compress(&cinfo);
    std::free(mem);
    return false;
  }
  jpeg_create_compress(&cinfo);
  unsigned char* target = nullptr;
  jpeg_mem_dest(&cinfo, &target, &mem_size);
  cinfo.image_width = w;
  cinfo.image_height = h;
  cinfo.input_components = channels;
  cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  const std::size_t stride = static_cast<std::size_t>(w) * static_cast<std::size_t>(channels);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<std::uint8_t*>(pixels) + stride * cinfo.next_scanline;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  mem = target;
  jpeg_destroy_compress(&cinfo);
  *out = mem;
  *out_size = mem_size;
  return true;
}

Status check_image(const DecodedImage& img) {
  if (img.width == 0 || img.height == 0) return make_error(ErrorCode::InvalidArgument, "empty image");
  if (img.channels != 1 && img.channels != 3 && img.channels != 4)
    return make_error(ErrorCode::InvalidArgument, "image must have 1, 3 or 4 channels");
  if (img.pixels.size() != static_cast<std::size_t>(img.width) * img.height * img.channels)
    return make_error(ErrorCode::InvalidArgument, "pixel buffer size does not match the image");
  return ok_status();
}

}  // namespace

Result<DecodedImage> decode_image(ByteView data, const DecodeLimits& limits) {
  if (data.size() > limits.max_input) return unsupported("image larger than the input limit");
  const ImageFormat f = detect_image_format(data);
  if (f == ImageFormat::Jp2 || f == ImageFormat::J2k)
    return decode_jpeg2000(data, f == ImageFormat::Jp2, limits);
  if (f != ImageFormat::Jpeg) return unsupported("image format not decodable (not JPEG or JPEG 2000)");
  std::uint8_t* buf = nullptr;
  std::uint32_t w = 0, h = 0;
  int ch = 0;
  switch (jpeg_decode_c(data.data(), data.size(), limits.max_width, limits.max_height, &buf, &w, &h, &ch)) {
    case kJpegOk:
      break;
    case kJpegTooLarge:
      return unsupported("JPEG: image size outside the decoding limit");
    case kJpegColour:
      return unsupported("JPEG: colour model not supported (CMYK)");
    case kJpegNoMemory:
      return make_error(ErrorCode::InternalError, "JPEG: out of memory");
    case kJpegCorrupt:
      return malformed("JPEG: corrupt image");
  }
  DecodedImage out;
  out.width = w;
  out.height = h;
  out.channels = static_cast<std::uint8_t>(ch);
  out.pixels.assign(buf, buf + static_cast<std::size_t>(w) * h * static_cast<std::size_t>(ch));
  std::free(buf);
  return out;
}

Result<Bytes> encode_png(const DecodedImage& image) {
  DNIE_TRY(check_image(image));
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = image.width;
  png.height = image.height;
  png.format =
      image.channels == 1 ? PNG_FORMAT_GRAY : (image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA);
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), 0, nullptr) || size == 0) {
    png_image_free(&png);
    return make_error(ErrorCode::InternalError, "PNG: cannot size the output");
  }
  Bytes out(size);
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr)) {
    png_image_free(&png);
    return make_error(ErrorCode::InternalError, "PNG: encoding failed");
  }
  out.resize(size);
  return out;
}

Result<Bytes> encode_jpeg(const DecodedImage& image, int quality) {
  DNIE_TRY(check_image(image));
  if (image.channels == 4) return unsupported("JPEG: no alpha channel");
  if (quality < 1 || quality > 100)
    return make_error(ErrorCode::InvalidArgument, "JPEG quality must be 1..100");
  unsigned char* mem = nullptr;
  unsigned long size = 0;
  if (!jpeg_encode_c(image.pixels.data(), image.width, image.height, image.channels, quality, &mem, &size))
    return make_error(ErrorCode::InternalError, "JPEG: encoding failed");
  Bytes out(mem, mem + size);
  std::free(mem);
  return out;
}

Result<Bytes> convert_image(ByteView data, ImageFormat to, const DecodeLimits& limits) {
  DNIE_ASSIGN_OR_RETURN(DecodedImage img, decode_image(data, limits));
  if (to == ImageFormat::Png) return encode_png(img);
  if (to == ImageFormat::Jpeg) return encode_jpeg(img);
  return unsupported("export only to PNG or JPEG");
}

}  // namespace dnie::icao
