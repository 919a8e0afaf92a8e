// SPDX-License-Identifier: Apache-2.0
// The virtual DNIe as a session reader (dnie/vcard_session/vcard_session.hpp).
#include "dnie/vcard_session/vcard_session.hpp"

#include <cstdlib>
#include <filesystem>

#include "dnie/bytes/paths.hpp"
#include "dnie/vcard/virtual_card.hpp"

namespace dnie::vcard_session {

namespace {

bool is_file(const std::string& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

bool is_dir(const std::string& p) {
  std::error_code ec;
  return !p.empty() && std::filesystem::is_directory(p, ec);
}

}  // namespace

std::optional<VirtualSpec> parse_spec(std::string_view spec) {
  VirtualSpec v;
  std::string_view rest;
  if (spec.rfind("virtual-contact", 0) == 0) {
    v.contact = true;
    rest = spec.substr(15);
  } else if (spec.rfind("virtual", 0) == 0) {
    rest = spec.substr(7);
  } else {
    return std::nullopt;
  }
  if (rest.empty()) return v;
  if (rest.front() != ':') return std::nullopt;  // "virtualfoo" is a PC/SC reader name
  rest.remove_prefix(1);
  if (!rest.empty()) v.profile = std::string(rest);
  return v;
}

std::string default_image_dir() {
  if (const char* e = std::getenv("DNIE_VCARD_IMAGES"); e && *e) return e;
  if (const std::string data = installed_data_dir(); !data.empty() && is_dir(data + "/vcard"))
    return data + "/vcard";
  // Running from a build tree: the images vcard_images made there.
  if (is_file(DNIE_VCARD_BUILD_DIR "/genuine.dvc")) return DNIE_VCARD_BUILD_DIR;
  return DNIE_VCARD_INSTALL_DIR;
}

Result<esign::IccRoot> icc_root(const vcard::CardImage& image) {
  auto it = image.extras.find("component-root.der");
  if (it == image.extras.end()) return Error(ErrorCode::NotFound, "the image carries no component root");
  DNIE_ASSIGN_OR_RETURN(auto cert, crypto::Certificate::parse(it->second));
  const crypto::RsaPublicKey* k = cert.public_key().rsa();
  if (k == nullptr) return Error(ErrorCode::Unsupported, "the image's component root is not RSA");
  esign::IccRoot r;
  r.id = "virtual-card-test-root-" + std::string(image.generation == vcard::Generation::R2 ? "r2" : "r1");
  r.generation = image.generation == vcard::Generation::R2 ? "r2" : "r1";
  r.test_only = true;
  r.modulus = k->modulus();
  r.exponent = k->exponent();
  r.provenance = "virtual card image (profile " + image.profile + "): " + cert.subject().to_string();
  return r;
}

Result<std::vector<holder::TrustedCertificate>> holder_trust(const vcard::CardImage& image) {
  auto root = image.extras.find("dnie-root.der");
  auto ca = image.extras.find("dnie-ca.der");
  if (root == image.extras.end() || ca == image.extras.end())
    return Error(ErrorCode::NotFound, "the image carries no holder PKI (dnie-root.der, dnie-ca.der)");
  DNIE_ASSIGN_OR_RETURN(auto root_cert, crypto::Certificate::parse(root->second));
  DNIE_ASSIGN_OR_RETURN(auto ca_cert, crypto::Certificate::parse(ca->second));
  const std::string from = "virtual card image (profile " + image.profile + ")";
  return std::vector<holder::TrustedCertificate>{
      {std::move(root_cert), "TEST root of the " + from, true, true},
      {std::move(ca_cert), "TEST CA of the " + from, false, false}};
}

Result<holder::EvidenceFile> holder_crl(const vcard::CardImage& image) {
  auto crl = image.extras.find("dnie-ca.crl");
  if (crl == image.extras.end())
    return Error(ErrorCode::NotFound, "the image carries no CRL of its holder CA (dnie-ca.crl)");
  return holder::EvidenceFile{"dnie-ca.crl (virtual card " + image.profile + ")", crl->second};
}

Status attach_image(SessionOptions& o, vcard::CardImage image, bool contact, const VirtualCardOptions& card,
                    std::string name) {
  if (!card.can.empty()) image.can = card.can;
  if (!card.pin.empty()) image.pin = card.pin;
  vcard::CardOptions co;
  co.contactless = !contact;
  co.state_file = card.state_file;
  co.link.enabled = card.link_model;
  co.link.bit_rate_kbps = card.bit_rate_kbps;
  if (auto root = icc_root(image)) o.esign.extra_icc_roots.push_back(std::move(root).value());
  if (auto ht = holder_trust(image)) o.offered_holder_trust = std::move(ht).value();
  o.offered_holder_crls.clear();
  if (auto crl = holder_crl(image)) o.offered_holder_crls.push_back(std::move(crl).value());
  // Shared and read-only: every open makes its own card (and the options stay copyable).
  auto shared = std::make_shared<const vcard::CardImage>(std::move(image));
  o.custom_transport = [shared, co]() -> Result<std::unique_ptr<transport::Transport>> {
    auto vc = std::make_unique<vcard::VirtualCard>(*shared, co);
    vc->power_on();
    return std::unique_ptr<transport::Transport>(std::make_unique<vcard::VirtualTransport>(std::move(vc)));
  };
  o.custom_kind = ReaderKind::Virtual;
  o.reader = std::move(name);
  return ok_status();
}

Status attach(SessionOptions& o, std::string_view spec, const VirtualCardOptions& card) {
  auto v = parse_spec(spec);
  if (!v)
    return Error(ErrorCode::InvalidArgument,
                 "'" + std::string(spec) +
                     "' is not a virtual card spec (virtual[:profile], virtual-contact[:profile])");
  const std::string dir = card.image_dir.empty() ? default_image_dir() : card.image_dir;
  const std::string path = dir + "/" + v->profile + ".dvc";
  auto img = vcard::CardImage::load(path);
  if (!img)
    return Error(ErrorCode::ReaderNotFound,
                 "no virtual card image for profile '" + v->profile + "': " + path + " (" +
                     img.error().message + "; set DNIE_VCARD_IMAGES to the directory of the .dvc images)");
  return attach_image(o, std::move(img).value(), v->contact, card, std::string(spec));
}

Result<std::unique_ptr<Session>> open(SessionOptions options, const VirtualCardOptions& card) {
  if (!options.custom_transport && is_virtual_spec(options.reader)) {
    const std::string spec = options.reader;
    DNIE_TRY(attach(options, spec, card));
  }
  return Session::open(options);
}

std::vector<ReaderInfo> list_readers(bool include_nfc, std::vector<std::string>* notes) {
  std::vector<ReaderInfo> out = dnie::list_readers(include_nfc, notes);
  ReaderInfo v;
  v.spec = "virtual";
  v.name = "virtual DNIe 3.0 (simulated; profiles: virtual:<profile>)";
  v.kind = ReaderKind::Virtual;
  v.card_present = true;
  out.push_back(std::move(v));
  return out;
}

}  // namespace dnie::vcard_session
