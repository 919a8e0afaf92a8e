// SPDX-License-Identifier: Apache-2.0
// Shared rig of the eSign end-to-end tests: a virtual DNIe 3.0 from the build's card images,
// PACE with the CAN over a counting link, the SDK's EsignCard with a relink callback that
// resets the card and re-runs PACE (docs/dnie-card.md §4.2: a fresh base link per signature).
#pragma once

#include <memory>
#include <string>

#include "dnie/auth/cwa14890.hpp"
#include "dnie/auth/pace.hpp"
#include "dnie/esign/esign.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/transport/transport.hpp"
#include "dnie/vcard/virtual_card.hpp"

#include "test_support.hpp"

namespace dnie::test {

inline std::string image_path(const std::string& profile) {
  return std::string(DNIE_VCARD_IMAGE_DIR) + "/" + profile + ".dvc";
}

inline vcard::CardImage load_image(const std::string& profile) {
  auto img = vcard::CardImage::load(image_path(profile));
  REQUIRE_MESSAGE(img.ok(), profile << ": " << img.error().to_string());
  return std::move(img).value();
}

inline SecureBuffer pin_of(const char* s) { return SecureBuffer::from_string(s); }

/// The image's TEST component root, as an application that chose to trust the virtual card
/// passes it (EsignOptions::extra_icc_roots).
inline esign::IccRoot test_root(const vcard::CardImage& image) {
  auto cert = crypto::Certificate::parse(image.extras.at("component-root.der"));
  REQUIRE(cert.ok());
  esign::IccRoot r;
  r.id = "test-root-of-" + image.profile;
  r.generation = image.generation == vcard::Generation::R2 ? "r2" : "r1";
  r.test_only = true;
  r.modulus = cert->public_key().rsa()->modulus();
  r.exponent = cert->public_key().rsa()->exponent();
  return r;
}

/// VirtualCard → VirtualTransport → CountingTransport → (PACE) SecureMessagingTransport.
struct Rig {
  std::unique_ptr<vcard::VirtualCard> card;
  std::unique_ptr<vcard::VirtualTransport> vt;
  std::unique_ptr<transport::CountingTransport> link;
  std::unique_ptr<sm::SecureMessagingTransport> smt;
  int paces = 0;

  explicit Rig(const std::string& profile, bool contactless = true, vcard::CardOptions o = {}) {
    o.contactless = contactless;
    card = std::make_unique<vcard::VirtualCard>(load_image(profile), o);
    vt = std::make_unique<vcard::VirtualTransport>(*card);
    link = std::make_unique<transport::CountingTransport>(*vt);
  }

  Bytes card_access;  ///< EF.CardAccess, read once and reused (as an application caches it)

  Status pace() {
    smt.reset();
    if (card_access.empty()) {
      DNIE_ASSIGN_OR_RETURN(card_access, auth::read_card_access(*link));
    }
    auth::PaceRequest req;
    req.card_access = card_access;
    req.password = auth::PacePassword::can("123456").value();
    auto ch = auth::establish_pace(*link, req);
    if (!ch) return std::move(ch).error();
    smt = std::make_unique<sm::SecureMessagingTransport>(*link, std::move(ch->session));
    ++paces;
    return ok_status();
  }

  /// End the card's channel and re-run PACE (what an application does between signatures on
  /// NFC, as the proven clients do: a plain SELECT MF, then PACE; a reset does not reach a
  /// contactless card's channel).
  Result<transport::Transport*> relink() {
    smt.reset();
    DNIE_TRY(esign::end_card_channel(*link));
    DNIE_TRY(pace());
    return static_cast<transport::Transport*>(smt.get());
  }

  esign::EsignOptions options() {
    esign::EsignOptions o;
    o.relink = [this]() { return relink(); };
    o.extra_icc_roots.push_back(test_root(card->image()));
    return o;
  }

  Result<esign::EsignCard> open_nfc() {
    DNIE_TRY(pace());
    return esign::EsignCard::open(*smt, options());
  }
};

}  // namespace dnie::test
