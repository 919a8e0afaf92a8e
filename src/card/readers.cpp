// SPDX-License-Identifier: Apache-2.0
// Reader discovery and reader-spec parsing for Session::open.
#include <cstdio>
#include <cstdlib>

#include "dnie/card/session.hpp"

#include "session_internal.hpp"
#ifdef DNIE_HAVE_PCSC
#include "dnie/transport/pcsc.hpp"
#endif
#ifdef DNIE_HAVE_NFC
#include "dnie/transport/nfc.hpp"
#endif

namespace dnie {

std::string_view reader_kind_name(ReaderKind k) noexcept {
  switch (k) {
    case ReaderKind::Virtual:
      return "virtual";
    case ReaderKind::Pcsc:
      return "pcsc";
    case ReaderKind::Nfc:
      return "nfc";
    case ReaderKind::External:
      return "external";
  }
  return "?";
}

Result<esign::IccRoot> virtual_card_icc_root(const vcard::CardImage& image) {
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

Result<std::vector<holder::TrustedCertificate>> virtual_card_holder_trust(const vcard::CardImage& image) {
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

std::string default_vcard_image_dir() {
  if (const char* e = std::getenv("DNIE_VCARD_IMAGES")) return e;
  // The build tree's images when running from a build, else the installed ones.
  if (FILE* f = std::fopen(DNIE_VCARD_IMAGE_DIR "/genuine.dvc", "rb")) {
    std::fclose(f);
    return DNIE_VCARD_IMAGE_DIR;
  }
  return DNIE_VCARD_INSTALL_DIR;
}

std::vector<ReaderInfo> list_readers(bool include_nfc, std::vector<std::string>* notes) {
  std::vector<ReaderInfo> out;
#ifdef DNIE_HAVE_PCSC
  if (auto ctx = transport::PcscContext::establish()) {
    if (auto states = (*ctx)->reader_states()) {
      for (auto& s : *states) {
        ReaderInfo r;
        r.spec = s.name;
        r.name = s.name;
        r.kind = ReaderKind::Pcsc;
        r.card_present = s.present;
        r.atr = s.atr;
        r.atr_info = transport::identify_atr(s.atr);
        out.push_back(std::move(r));
      }
    } else if (notes) {
      notes->push_back("PC/SC: " + states.error().to_string());
    }
  } else if (notes) {
    notes->push_back("PC/SC: " + ctx.error().to_string());
  }
#else
  if (notes) notes->push_back("PC/SC: not built");
#endif
#ifdef DNIE_HAVE_NFC
  if (include_nfc) {
    if (auto devs = transport::NfcTransport::list_devices()) {
      for (auto& d : *devs) {
        ReaderInfo r;
        r.spec = "nfc:" + d;
        r.name = d;
        r.kind = ReaderKind::Nfc;
        out.push_back(std::move(r));
      }
    } else if (notes) {
      notes->push_back("libnfc: " + devs.error().to_string());
    }
  }
#else
  (void)include_nfc;
#endif
  ReaderInfo v;
  v.spec = "virtual";
  v.name = "virtual DNIe 3.0 (embedded; profiles: virtual:<profile>)";
  v.kind = ReaderKind::Virtual;
  v.card_present = true;
  out.push_back(std::move(v));
  return out;
}

namespace detail {

Result<OpenedLink> open_link(const SessionOptions& o) {
  OpenedLink link;
  const std::string& spec = o.reader;
  auto starts = [&spec](const char* p) { return spec.rfind(p, 0) == 0; };
  if (o.custom_transport) {
    DNIE_ASSIGN_OR_RETURN(link.transport, o.custom_transport());
    if (!link.transport) return Error(ErrorCode::InvalidArgument, "custom_transport returned no transport");
    link.kind = ReaderKind::External;
    link.name = spec.empty() ? link.transport->name() : spec;
    return link;
  }
  if (spec.empty() || starts("virtual")) {
    bool contact = starts("virtual-contact");
    std::string profile = "genuine";
    auto colon = spec.find(':');
    if (colon != std::string::npos) profile = spec.substr(colon + 1);
    const std::string dir = o.vcard_image_dir.empty() ? default_vcard_image_dir() : o.vcard_image_dir;
    auto img = vcard::CardImage::load(dir + "/" + profile + ".dvc");
    if (!img)
      return Error(ErrorCode::ReaderNotFound, "no virtual card image for profile '" + profile + "' in " +
                                                  dir + " (" + img.error().message + ")");
    if (!o.vcard_can.empty()) img->can = o.vcard_can;
    if (!o.vcard_pin.empty()) img->pin = o.vcard_pin;
    vcard::CardOptions co;
    co.contactless = !contact;
    co.state_file = o.vcard_state_file;
    co.link.enabled = o.vcard_link_model;
    co.link.bit_rate_kbps = o.vcard_bit_rate_kbps;
    if (auto root = virtual_card_icc_root(*img)) link.icc_root = std::move(root).value();
    if (auto ht = virtual_card_holder_trust(*img)) link.holder_trust = std::move(ht).value();
    auto card = std::make_unique<vcard::VirtualCard>(std::move(img).value(), co);
    card->power_on();
    link.transport = std::make_unique<vcard::VirtualTransport>(std::move(card));
    link.kind = ReaderKind::Virtual;
    link.name = spec.empty() ? "virtual" : spec;
    return link;
  }
  if (starts("nfc")) {
#ifdef DNIE_HAVE_NFC
    transport::NfcOptions no;
    if (spec.size() > 4) no.connstring = spec.substr(4);
    no.timeout_ms = o.nfc_timeout_ms;
    DNIE_ASSIGN_OR_RETURN(auto t, transport::NfcTransport::open(no));
    link.name = t->name();
    link.transport = std::move(t);
    link.kind = ReaderKind::Nfc;
    return link;
#else
    return Error(ErrorCode::Unsupported, "this build has no libnfc support");
#endif
  }
#ifdef DNIE_HAVE_PCSC
  DNIE_ASSIGN_OR_RETURN(auto ctx, transport::PcscContext::establish());
  std::string name = starts("pcsc:") ? spec.substr(5) : spec;
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    DNIE_ASSIGN_OR_RETURN(auto names, ctx->list_readers());
    std::size_t idx = static_cast<std::size_t>(std::stoul(name));
    if (idx >= names.size())
      return Error(ErrorCode::ReaderNotFound,
                   "no PC/SC reader with index " + name + " (" + std::to_string(names.size()) + " readers)");
    name = names[idx];
  }
  DNIE_ASSIGN_OR_RETURN(auto t, transport::PcscTransport::connect(ctx, name));
  link.transport = std::move(t);
  link.kind = ReaderKind::Pcsc;
  link.name = name;
  return link;
#else
  return Error(ErrorCode::Unsupported, "this build has no PC/SC support");
#endif
}

}  // namespace detail
}  // namespace dnie
