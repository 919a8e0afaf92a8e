// SPDX-License-Identifier: Apache-2.0
// File: tools/dnie-vcard/vcard_source.hpp
// Where a tool gets its virtual card from: an image file (--image), or a profile name whose image
// is found in $DNIE_VCARD_IMAGES, else share/dnie/vcard of the installation the tool runs from
// (dnie::installed_data_dir()), else the build tree (DNIE_VCARD_IMAGE_DIR); with optional CAN/PIN
// overrides.
#pragma once

#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

#include "dnie/bytes/paths.hpp"
#include "dnie/vcard/card_image.hpp"

namespace dnie::tools {

struct VcardSource {
  std::string image_file;
  std::string profile = "genuine";
  std::string can, pin;

  void add_options(CLI::App& app) {
    app.add_option("--image", image_file, "Virtual card image file (.dvc)");
    app.add_option("--profile", profile,
                   "Virtual card profile (genuine, altered-dg, cloned-chip, expired, "
                   "untrusted-csca, terminated, blocked-pin, r1, r2, revoked)");
    app.add_option("--card-can", can, "Override the virtual card's CAN");
    app.add_option("--card-pin", pin, "Override the virtual card's PIN");
  }

  static std::string image_dir() {
    if (const char* e = std::getenv("DNIE_VCARD_IMAGES"); e && *e) return e;
    if (const std::string data = installed_data_dir(); !data.empty()) return data + "/vcard";
#ifdef DNIE_VCARD_IMAGE_DIR
    return DNIE_VCARD_IMAGE_DIR;
#else
    return "vcard";
#endif
  }

  Result<vcard::CardImage> load() const {
    const std::string path = image_file.empty() ? image_dir() + "/" + profile + ".dvc" : image_file;
    auto img = vcard::CardImage::load(path);
    if (!img) return std::move(img).error().context("loading virtual card " + path);
    if (!can.empty()) img->can = can;
    if (!pin.empty()) img->pin = pin;
    return img;
  }
};

}  // namespace dnie::tools
