// SPDX-License-Identifier: Apache-2.0
// The C API against the virtual DNIe: by reader spec, and through the application-supplied
// callback transport routed to an in-process vcard::VirtualCard (the Android/iOS path).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "dnie/c/dnie.h"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/crypto/x509.hpp"
#include "dnie/vcard/virtual_card.hpp"

namespace {

struct Handle {
  dnie_session* s = nullptr;
  ~Handle() { dnie_session_close(s); }
};

std::vector<uint8_t> read_all(dnie_session* s, int (*fn)(dnie_session*, uint8_t*, size_t*)) {
  size_t n = 0;
  REQUIRE(fn(s, nullptr, &n) == DNIE_OK);
  std::vector<uint8_t> b(n);
  REQUIRE(fn(s, b.data(), &n) == DNIE_OK);
  b.resize(n);
  return b;
}

void check_identity(dnie_session* s) {
  dnie_identity id;
  REQUIRE_MESSAGE(dnie_read_identity(s, &id) == DNIE_OK, dnie_last_error_message());
  CHECK(std::string(id.names) == "CARMEN");
  CHECK(std::string(id.surnames) == "ESPAÑOLA ESPAÑOLA");
  CHECK(std::string(id.dni_number) == "99999999R");
  CHECK(std::string(id.nationality) == "ESP");
  CHECK(std::string(id.sex) == "F");
  CHECK(std::string(id.birth_date) == "1980-01-01");
  CHECK(std::strlen(id.document_number) >= 9);
  CHECK(std::strlen(id.expiry_date) == 10);
  CHECK(std::string(id.birth_place).find("MADRID") != std::string::npos);
  CHECK(std::string(id.address).find("AVDA DE MADRID 1") != std::string::npos);
  MESSAGE("identity: " << id.document_number << " " << id.names << " / " << id.surnames << " / "
                       << id.birth_place << " / " << id.address << " / " << id.expiry_date);
}

// The application side of the callback transport: a VirtualCard in the same process.
struct App {
  std::unique_ptr<dnie::vcard::VirtualCard> card;
  std::size_t apdus = 0;
  int fail_after = -1;  // simulate the tag leaving the field
};

int app_transmit(void* user, const uint8_t* cmd, size_t cmd_len, uint8_t* resp, size_t* resp_len) {
  App& a = *static_cast<App*>(user);
  if (a.fail_after >= 0 && a.apdus >= static_cast<std::size_t>(a.fail_after)) return DNIE_ERR_CARD_REMOVED;
  ++a.apdus;
  dnie::Bytes r = a.card->process(dnie::ByteView(cmd, cmd_len));
  if (r.size() > *resp_len) return DNIE_ERR_TRANSPORT;
  std::memcpy(resp, r.data(), r.size());
  *resp_len = r.size();
  return DNIE_OK;
}

size_t app_atr(void* user, uint8_t* buf, size_t cap) {
  dnie::Bytes atr = static_cast<App*>(user)->card->atr();
  if (buf) std::memcpy(buf, atr.data(), atr.size() < cap ? atr.size() : cap);
  return atr.size();
}

int app_reconnect(void* user, int reset) {
  App& a = *static_cast<App*>(user);
  a.fail_after = -1;
  if (reset)
    a.card->reset();
  else
    a.card->power_on();
  return DNIE_OK;
}

}  // namespace

TEST_CASE("open the virtual card, PACE, read the identity, files and photo") {
  Handle h;
  REQUIRE_MESSAGE(dnie_session_open("virtual", &h.s) == DNIE_OK, dnie_last_error_message());
  REQUIRE_MESSAGE(dnie_pace_can(h.s, "123456") == DNIE_OK, dnie_last_error_message());
  check_identity(h.s);
  size_t n = 0;
  REQUIRE(dnie_read_file(h.s, 1, nullptr, &n) == DNIE_OK);
  CHECK(n > 90);
  std::vector<uint8_t> dg1(n);
  CHECK(dnie_read_file(h.s, 1, dg1.data(), &n) == DNIE_OK);
  CHECK(dg1[0] == 0x61);
  size_t small = 4;
  CHECK(dnie_read_file(h.s, 1, dg1.data(), &small) == DNIE_ERR_INVALID_ARGUMENT);
  CHECK(small == n);
  CHECK(dnie_read_file(h.s, DNIE_FILE_SOD, nullptr, &n) == DNIE_OK);
  CHECK(dnie_read_file(h.s, 3, nullptr, &n) == DNIE_ERR_ACCESS_DENIED);
  CHECK(dnie_read_file(h.s, 17, nullptr, &n) == DNIE_ERR_INVALID_ARGUMENT);
  auto png = read_all(h.s, dnie_read_photo_png);
  REQUIRE(png.size() > 8);
  CHECK(std::memcmp(png.data(), "\x89PNG\r\n\x1a\n", 8) == 0);
}

TEST_CASE("wrong CAN, bad handles, NULL-safe close") {
  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  CHECK(dnie_pace_can(h.s, "000000") == DNIE_ERR_WRONG_CAN);
  CHECK(std::strlen(dnie_last_error_message()) > 0);
  CHECK(dnie_pace_can(h.s, "123456") == DNIE_OK);  // the right one still works
  dnie_session_close(nullptr);
  CHECK(dnie_pace_can(nullptr, "123456") == DNIE_ERR_INVALID_ARGUMENT);
  dnie_identity id;
  CHECK(dnie_read_identity(reinterpret_cast<dnie_session*>(&id), &id) == DNIE_ERR_INVALID_ARGUMENT);
  dnie_session* none = nullptr;
  CHECK(dnie_session_open("virtual:no-such-profile", &none) == DNIE_ERR_READER_NOT_FOUND);
  CHECK(none == nullptr);
  CHECK(dnie_session_open_transport(nullptr, nullptr, &none) == DNIE_ERR_INVALID_ARGUMENT);
}

TEST_CASE("certificates parse; the CA certificate has no key") {
  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  for (int key : {DNIE_KEY_AUTH, DNIE_KEY_SIGN, DNIE_KEY_CA}) {
    size_t n = 0;
    REQUIRE_MESSAGE(dnie_certificate(h.s, key, nullptr, &n) == DNIE_OK, dnie_last_error_message());
    std::vector<uint8_t> der(n);
    REQUIRE(dnie_certificate(h.s, key, der.data(), &n) == DNIE_OK);
    auto c = dnie::crypto::Certificate::parse(dnie::ByteView(der.data(), n));
    REQUIRE_MESSAGE(c.ok(), c.error().to_string());
    MESSAGE("certificate " << key << ": " << c->subject().to_string());
  }
  size_t n = 0;
  CHECK(dnie_certificate(h.s, 4, nullptr, &n) == DNIE_ERR_INVALID_ARGUMENT);
}

TEST_CASE("PIN and signatures (needs the virtual card's CWA-14890 side)") {
  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  int tries = -1;
  REQUIRE_MESSAGE(dnie_pin_tries(h.s, &tries) == DNIE_OK, dnie_last_error_message());
  CHECK(tries == 3);
  CHECK(dnie_pin_verify(h.s, "WRONG000", 0) == DNIE_ERR_WRONG_PIN);
  CHECK(dnie_error_tries_left() == 2);
  CHECK(dnie_pin_verify(h.s, "12345678", 0) == DNIE_OK);
  CHECK(dnie_error_tries_left() == -1);

  const std::string msg = "hello from C";
  dnie::Bytes digest = dnie::crypto::hash(dnie::crypto::HashAlg::Sha256, dnie::ByteView::of(msg));
  for (int key : {DNIE_KEY_SIGN, DNIE_KEY_AUTH}) {
    size_t n = 0;
    REQUIRE(dnie_sign_hash(h.s, key, DNIE_HASH_SHA256, digest.data(), digest.size(), "12345678", nullptr,
                           &n) == DNIE_OK);
    CHECK(n == 256);
    std::vector<uint8_t> sig(n);
    REQUIRE_MESSAGE(dnie_sign_hash(h.s, key, DNIE_HASH_SHA256, digest.data(), digest.size(), "12345678",
                                   sig.data(), &n) == DNIE_OK,
                    dnie_last_error_message());
    size_t cn = 0;
    REQUIRE(dnie_certificate(h.s, key, nullptr, &cn) == DNIE_OK);
    std::vector<uint8_t> der(cn);
    REQUIRE(dnie_certificate(h.s, key, der.data(), &cn) == DNIE_OK);
    auto c = dnie::crypto::Certificate::parse(dnie::ByteView(der.data(), cn));
    REQUIRE(c.ok());
    REQUIRE(c->public_key().rsa() != nullptr);
    CHECK(c->public_key()
              .rsa()
              ->verify_pkcs1_v15(dnie::crypto::HashAlg::Sha256, digest, dnie::ByteView(sig.data(), n))
              .ok());
  }
  size_t n = 256;
  std::vector<uint8_t> sig(n);
  CHECK(dnie_sign_hash(h.s, DNIE_KEY_AUTH, DNIE_HASH_SHA256, digest.data(), 20, "12345678", sig.data(), &n) ==
        DNIE_ERR_INVALID_ARGUMENT);
  CHECK(dnie_sign_hash(h.s, DNIE_KEY_CA, DNIE_HASH_SHA256, digest.data(), 32, "12345678", sig.data(), &n) ==
        DNIE_ERR_INVALID_ARGUMENT);
}

TEST_CASE("the last PIN try needs consent") {
  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  CHECK(dnie_pin_verify(h.s, "WRONG000", 0) == DNIE_ERR_WRONG_PIN);
  CHECK(dnie_pin_verify(h.s, "WRONG000", 0) == DNIE_ERR_WRONG_PIN);
  CHECK(dnie_error_tries_left() == 1);
  CHECK(dnie_pin_verify(h.s, "12345678", 0) == DNIE_ERR_LAST_TRY_REFUSED);
  int tries = 0;
  REQUIRE(dnie_pin_tries(h.s, &tries) == DNIE_OK);
  CHECK(tries == 1);
  CHECK(dnie_pin_verify(h.s, "12345678", 1) == DNIE_OK);
  REQUIRE(dnie_pin_tries(h.s, &tries) == DNIE_OK);
  CHECK(tries == 3);
}

#ifdef DNIE_VCARD_IMAGE_DIR
TEST_CASE("callback transport: APDUs routed to an in-process virtual card (the mobile path)") {
  auto img = dnie::vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE(img.ok());
  App app;
  app.card = std::make_unique<dnie::vcard::VirtualCard>(std::move(img).value());
  app.card->power_on();
  dnie_transport_callbacks cb{};
  cb.transmit = app_transmit;
  cb.atr = app_atr;
  cb.interface_contactless = 1;
  cb.reconnect = app_reconnect;
  Handle h;
  REQUIRE_MESSAGE(dnie_session_open_transport(&cb, &app, &h.s) == DNIE_OK, dnie_last_error_message());
  REQUIRE_MESSAGE(dnie_pace_can(h.s, "123456") == DNIE_OK, dnie_last_error_message());
  CHECK(app.apdus >= 4);
  check_identity(h.s);
  const std::size_t before = app.apdus;
  size_t n = 0;
  REQUIRE(dnie_certificate(h.s, DNIE_KEY_AUTH, nullptr, &n) == DNIE_OK);
  CHECK(app.apdus > before);

  SUBCASE("the tag leaves the field during a read: the session resumes") {
    app.fail_after = static_cast<int>(app.apdus + 2);
    REQUIRE_MESSAGE(dnie_read_file(h.s, 2, nullptr, &n) == DNIE_OK, dnie_last_error_message());
    CHECK(n > 1000);
  }
  SUBCASE("a transport failure without recovery is reported") {
    app.fail_after = 0;
    Handle h2;
    REQUIRE(dnie_session_open_transport(&cb, &app, &h2.s) == DNIE_OK);
    cb.reconnect = nullptr;  // the handle keeps its own copy: the reconnect still works there
    CHECK(dnie_pace_can(h2.s, "123456") == DNIE_ERR_CARD_REMOVED);
  }
}

TEST_CASE("callback transport without a reconnect callback: every signature, not only the first") {
  // An app whose transport cannot reset the card (Core NFC, IsoDep): after a signature the spent
  // channel is ended with a plain SELECT MF, as the proven clients do, then PACE runs again.
  auto img = dnie::vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE(img.ok());
  const dnie::Bytes root = img->extras.at("component-root.der");
  App app;
  app.card = std::make_unique<dnie::vcard::VirtualCard>(std::move(img).value());
  app.card->power_on();
  dnie_transport_callbacks cb{};
  cb.transmit = app_transmit;
  cb.atr = app_atr;
  cb.interface_contactless = 1;
  cb.reconnect = nullptr;
  Handle h;
  REQUIRE(dnie_session_open_transport(&cb, &app, &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  // The virtual card's TEST component root, trusted explicitly by the application.
  REQUIRE(dnie_trust_component_root(h.s, root.data(), root.size(), 1) == DNIE_OK);
  const dnie::Bytes digest = dnie::crypto::hash(dnie::crypto::HashAlg::Sha256, dnie::ByteView::of("twice"));
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    std::vector<uint8_t> sig(512);
    size_t n = sig.size();
    CHECK_MESSAGE(dnie_sign_hash(h.s, DNIE_KEY_SIGN, DNIE_HASH_SHA256, digest.data(), digest.size(),
                                 "12345678", sig.data(), &n) == DNIE_OK,
                  dnie_last_error_message());
  }
}

TEST_CASE("dnie_verify: passive + chip authentication with the test CSCA") {
  auto img = dnie::vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE(img.ok());
  const std::string path = "test_c_csca.der";
  {
    std::ofstream f(path, std::ios::binary);
    const auto& der = img->extras.at("csca.der");
    f.write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  }
  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  int verdict = -1;
  size_t n = 0;
  REQUIRE_MESSAGE(dnie_verify(h.s, path.c_str(), &verdict, nullptr, &n) == DNIE_OK,
                  dnie_last_error_message());
  std::string json(n, '\0');
  REQUIRE(dnie_verify(h.s, path.c_str(), &verdict, json.data(), &n) == DNIE_OK);
  MESSAGE(json.c_str());
  CHECK(verdict == DNIE_GENUINE);
  CHECK(json.find("\"verdict\":\"GENUINE\"") != std::string::npos);
  CHECK(dnie_verify(h.s, "/no/such/path", &verdict, nullptr, nullptr) == DNIE_ERR_NOT_FOUND);
  std::remove(path.c_str());
}
#endif

#ifdef DNIE_VCARD_IMAGE_DIR
TEST_CASE("C API against hostile cards: clones are not genuine, impostors never get the PIN") {
  auto img = dnie::vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE(img.ok());
  const std::string path = "test_c_hostile_csca.der";
  {
    std::ofstream f(path, std::ios::binary);
    const auto& der = img->extras.at("csca.der");
    f.write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  }
  for (const char* profile : {"clone-6a82", "clone-6982"}) {
    CAPTURE(profile);
    Handle h;
    REQUIRE(dnie_session_open((std::string("virtual:") + profile).c_str(), &h.s) == DNIE_OK);
    REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
    int verdict = -1;
    REQUIRE_MESSAGE(dnie_verify(h.s, path.c_str(), &verdict, nullptr, nullptr) == DNIE_OK,
                    dnie_last_error_message());
    CHECK(verdict == DNIE_NOT_GENUINE);
  }
  {
    Handle h;  // DG14 withheld: never genuine
    REQUIRE(dnie_session_open("virtual:clone-no-dg14", &h.s) == DNIE_OK);
    REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
    int verdict = -1;
    REQUIRE(dnie_verify(h.s, path.c_str(), &verdict, nullptr, nullptr) == DNIE_OK);
    CHECK(verdict == DNIE_CANNOT_VERIFY);
  }
  for (const char* profile : {"impostor-r1", "impostor-r2", "impostor-test"}) {
    CAPTURE(profile);
    Handle h;
    REQUIRE(dnie_session_open((std::string("virtual:") + profile).c_str(), &h.s) == DNIE_OK);
    REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
    const std::uint8_t digest[32] = {1, 2, 3};
    std::uint8_t sig[512];
    size_t n = sizeof sig;
    CHECK(dnie_sign_hash(h.s, DNIE_KEY_SIGN, DNIE_HASH_SHA256, digest, sizeof digest, "12345678", sig, &n) ==
          DNIE_ERR_UNTRUSTED_DOCUMENT);
  }
  std::remove(path.c_str());
}
#endif

TEST_CASE("C API: reader list, card info, progress and cancel") {
  size_t n = 0;
  REQUIRE(dnie_list_readers(0, nullptr, &n) == DNIE_OK);
  std::string readers(n, '\0');
  REQUIRE(dnie_list_readers(0, readers.data(), &n) == DNIE_OK);
  CHECK(readers.front() == '[');
  CHECK(readers.find("virtual") == std::string::npos);  // the test card is not a reader

  Handle h;
  REQUIRE(dnie_session_open("virtual", &h.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h.s, "123456") == DNIE_OK);
  n = 0;
  REQUIRE(dnie_card_info(h.s, 1, nullptr, &n) == DNIE_OK);
  std::string info(n, '\0');
  REQUIRE_MESSAGE(dnie_card_info(h.s, 1, info.data(), &n) == DNIE_OK, dnie_last_error_message());
  CHECK(info.find("\"dnie_confirmed\":true") != std::string::npos);
  CHECK(info.find("\"pin_tries_left\":3") != std::string::npos);
  CHECK(info.find("\"idesp\":\"BAA") != std::string::npos);

  struct Seen {
    std::vector<std::string> files;
    std::size_t last_done = 0;
  } seen;
  REQUIRE(dnie_set_progress(
              h.s,
              [](void* u, const char* file, size_t done, size_t) {
                auto& s = *static_cast<Seen*>(u);
                if (s.files.empty() || s.files.back() != file) s.files.push_back(file);
                s.last_done = done;
              },
              &seen) == DNIE_OK);
  size_t len = 0;
  REQUIRE(dnie_read_file(h.s, 2, nullptr, &len) == DNIE_OK);
  CHECK(std::find(seen.files.begin(), seen.files.end(), "DG2") != seen.files.end());
  CHECK(seen.last_done > 0);

  // Cancel from another thread: the read in progress fails with DNIE_ERR_CANCELLED, the next
  // operation works (the channel is re-established).
  Handle h2;
  REQUIRE(dnie_session_open("virtual", &h2.s) == DNIE_OK);
  REQUIRE(dnie_pace_can(h2.s, "123456") == DNIE_OK);
  dnie_session* target = h2.s;
  REQUIRE(dnie_set_progress(
              h2.s, [](void* u, const char*, size_t, size_t) { dnie_cancel(static_cast<dnie_session*>(u)); },
              target) == DNIE_OK);
  len = 0;
  CHECK(dnie_read_file(h2.s, 2, nullptr, &len) == DNIE_ERR_CANCELLED);
  REQUIRE(dnie_set_progress(h2.s, nullptr, nullptr) == DNIE_OK);
  CHECK(dnie_read_file(h2.s, 1, nullptr, &len) == DNIE_OK);
  CHECK(dnie_cancel(nullptr) == DNIE_ERR_INVALID_ARGUMENT);
}
