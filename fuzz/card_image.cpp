// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the ".dvc" card image container (CardImage::deserialize, src/vcard/card_image.cpp).
// Any input must give an image or MalformedData; an accepted image must re-serialise to the
// same bytes (the container has exactly one encoding per image).
#include "dnie/vcard/card_image.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  auto img = vcard::CardImage::deserialize(input);
  if (!img) {
    DNIE_FUZZ_ASSERT(img.error().code == ErrorCode::MalformedData);
    return;
  }
  DNIE_FUZZ_ASSERT(img->serialize() == input.to_bytes());
  (void)img->find({0x3F01, 0x011D});
  (void)img->find({0x3F00, 0x5015, 0x6004});
}
