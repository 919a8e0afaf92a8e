// SPDX-License-Identifier: Apache-2.0
// Fuzz target: JPEG / JPEG 2000 decoding and PNG export (dnie/icao/biometrics.hpp) with small
// limits, so a decompression bomb is refused before pixels are allocated.
#include "dnie/icao/biometrics.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie::icao;
  DecodeLimits lim;
  lim.max_width = 512;
  lim.max_height = 512;
  auto img = decode_image(input, lim);
  if (!img) return;
  DNIE_FUZZ_ASSERT(img->width <= 512 && img->height <= 512);
  DNIE_FUZZ_ASSERT(img->pixels.size() == static_cast<std::size_t>(img->width) * img->height * img->channels);
  (void)encode_png(*img);
}
