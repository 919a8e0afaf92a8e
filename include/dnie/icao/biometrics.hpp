// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/biometrics.hpp
// DG2 (face, ICAO 9303-10 §4.7.2) and DG7 (displayed signature, §4.7.7) containers and the images
// inside them, and image decoding/export (JPEG via libjpeg, JPEG 2000 via OpenJPEG, PNG via
// libpng). DG2 holds a Biometric Information Group Template 7F61 { 02 count, 7F60 { A1 BHT,
// 5F2E|7F2E BDB } ... } whose BDB is an ISO/IEC 19794-5 facial record ("FAC\0"), or, in newer
// documents, an ISO/IEC 39794-5 DER record; the image is found in either. Decoding is capped in
// pixels (decompression bombs) and input size. Pure functions; plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/bytes.hpp"

namespace dnie::icao {

enum class ImageFormat { Unknown, Jpeg, Jp2, J2k, Png };
std::string_view image_format_name(ImageFormat f) noexcept;  ///< "JPEG", "JPEG 2000 (JP2)"...
std::string_view image_mime_type(ImageFormat f) noexcept;    ///< "image/jpeg", "image/jp2"...
/// By signature: FF D8 FF (JPEG), 00 00 00 0C 6A 50 20 20 (JP2), FF 4F FF 51 (J2K codestream), PNG.
ImageFormat detect_image_format(ByteView data) noexcept;

/// One biometric image with what the container says about it.
struct BiometricImage {
  ImageFormat format = ImageFormat::Unknown;
  Bytes data;               ///< the encoded image (JPEG / JP2 / J2K)
  std::string container;    ///< "ISO/IEC 19794-5:2005", "ISO/IEC 39794-5", "raw"
  std::uint16_t width = 0;  ///< from the container (0 if unknown)
  std::uint16_t height = 0;
  std::uint8_t gender = 0;  ///< 19794-5: 0 unspecified, 1 male, 2 female, 3 unknown
  std::uint8_t eye_colour = 0;
  std::uint8_t hair_colour = 0;
  std::uint8_t face_image_type = 0;  ///< 0 basic, 1 full frontal, 2 token frontal
  std::uint8_t image_data_type = 0;  ///< 0 JPEG, 1 JPEG 2000
  std::uint16_t feature_points = 0;
  Bytes biometric_header;  ///< raw A1 BHT content (format owner/type etc.)
};

/// DG2 (tag 75): every face image.
Result<std::vector<BiometricImage>> parse_dg2(ByteView dg2);
/// DG7 (tag 67): every displayed signature/mark image (5F43).
Result<std::vector<BiometricImage>> parse_dg7(ByteView dg7);
/// An ISO/IEC 19794-5:2005 facial record ("FAC\0" "010\0" ...); each facial image.
Result<std::vector<BiometricImage>> parse_iso19794_5(ByteView record);

/// 8-bit pixels, interleaved (1 = grey, 3 = RGB, 4 = RGBA), rows top to bottom.
struct DecodedImage {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint8_t channels = 0;
  Bytes pixels;
};

struct DecodeLimits {
  std::uint32_t max_width = 4096;
  std::uint32_t max_height = 4096;
  std::size_t max_input = 8u << 20;
};

/// Decodes JPEG or JPEG 2000 (JP2 or J2K), checking dimensions before allocating.
/// MalformedData on corrupt input, Unsupported on other formats or limits exceeded.
Result<DecodedImage> decode_image(ByteView data, const DecodeLimits& limits = {});
Result<Bytes> encode_png(const DecodedImage& image);
Result<Bytes> encode_jpeg(const DecodedImage& image, int quality = 90);
/// decode_image then encode to PNG or JPEG.
Result<Bytes> convert_image(ByteView data, ImageFormat to, const DecodeLimits& limits = {});

}  // namespace dnie::icao
