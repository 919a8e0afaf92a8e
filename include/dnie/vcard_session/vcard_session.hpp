// SPDX-License-Identifier: Apache-2.0
// File: dnie/vcard_session/vcard_session.hpp
// The virtual DNIe 3.0 as a reader for the session (level 85, target dnie::vcard_session). It is a
// component of its own, above dnie::card: Session::open never opens a simulated card, and an
// application reaches it only by linking dnie::vcard_session and calling it with a "virtual..."
// reader spec. The tools, the examples, the tests, the C API (libdnie.so: spec "virtual...") and
// the PKCS#11 module (`virtual = on`) plug it in through SessionOptions::custom_transport.
//
// Reader specs: "virtual" / "virtual:<profile>" (contactless), "virtual-contact[:<profile>]" (the
// contact interface). The card is <image dir>/<profile>.dvc (docs/virtual-card.md).
//
// Trust: a virtual card carries TEST PKIs. attach() adds the image's TEST component root to
// options.esign.extra_icc_roots, so that the eSign side of that session accepts the card's ICC
// chain (opening the virtual card is the caller's explicit choice of a test card), and offers its
// TEST holder PKI in options.offered_holder_trust and its CA's CRL in options.offered_holder_crls,
// which only callers who opt in use.
//
// Ownership: attach() stores the image in the options' custom_transport; each Session::open makes
// a fresh card from it. Thread safety: the functions may be called from any thread; the options
// they fill follow SessionOptions' rules.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/card/session.hpp"
#include "dnie/esign/keysets.hpp"
#include "dnie/holder/trust.hpp"
#include "dnie/vcard/card_image.hpp"

namespace dnie::vcard_session {

/// The simulated card's settings (not the reader spec).
struct VirtualCardOptions {
  std::string image_dir;         ///< empty: default_image_dir()
  std::string can, pin;          ///< override the image's CAN / PIN
  std::string state_file;        ///< persist the card's PIN counter in this file
  bool link_model = false;       ///< account modeled NFC time (benchmarks)
  unsigned bit_rate_kbps = 424;  ///< link model bit rate (106, 212, 424, 848)
};

struct VirtualSpec {
  std::string profile = "genuine";
  bool contact = false;  ///< "virtual-contact": the contact interface (contactless otherwise)
};

/// The profile and interface named by `spec`; nullopt when `spec` does not name the virtual card.
std::optional<VirtualSpec> parse_spec(std::string_view spec);
inline bool is_virtual_spec(std::string_view spec) { return parse_spec(spec).has_value(); }

/// Where the card images are: $DNIE_VCARD_IMAGES; else vcard/ in the share/dnie directory found
/// next to the library or program (dnie::installed_data_dir(), so a relocated install works);
/// else the build tree's images (running from a build); else the configured install directory.
std::string default_image_dir();

/// The TEST component root of an image (the anchor of its ICC chain), for
/// EsignOptions::extra_icc_roots. NotFound when the image carries none.
Result<esign::IccRoot> icc_root(const vcard::CardImage& image);

/// The TEST holder PKI of an image (AC RAIZ DNIE 2 TEST as a test_only anchor, its AC DNIE 00x
/// TEST as an intermediate), for holder::ValidationOptions::extra with allow_test_roots.
Result<std::vector<holder::TrustedCertificate>> holder_trust(const vcard::CardImage& image);

/// The CRL of the image's TEST holder CA (the extra "dnie-ca.crl", DER; RFC 5280 §5), named
/// "dnie-ca.crl (virtual card <profile>)" for reports, for holder::ValidationOptions::crls.
/// NotFound when the image carries none (images made before the generator issued CRLs).
Result<holder::EvidenceFile> holder_crl(const vcard::CardImage& image);

/// Points `options` at the virtual card named by `spec`: custom_transport (a fresh card from the
/// image at every open), custom_kind = ReaderKind::Virtual, reader = spec (its display name) and
/// the trust hints above. InvalidArgument when `spec` is not a virtual spec; ReaderNotFound when
/// the image cannot be loaded (the message names the file and DNIE_VCARD_IMAGES).
Status attach(SessionOptions& options, std::string_view spec, const VirtualCardOptions& card = {});

/// The same for an image the caller built or modified (tests). `name` is the display name.
Status attach_image(SessionOptions& options, vcard::CardImage image, bool contact = false,
                    const VirtualCardOptions& card = {}, std::string name = "virtual");

/// Session::open, on the virtual card when options.reader names it (attach first), otherwise
/// exactly Session::open(options).
Result<std::unique_ptr<Session>> open(SessionOptions options, const VirtualCardOptions& card = {});

/// dnie::list_readers() followed by the virtual card ("virtual", always present).
std::vector<ReaderInfo> list_readers(bool include_nfc = true, std::vector<std::string>* notes = nullptr);

}  // namespace dnie::vcard_session
