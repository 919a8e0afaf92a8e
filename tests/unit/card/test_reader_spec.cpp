// SPDX-License-Identifier: Apache-2.0
// What a reader spec opens. The session (dnie::card) and the C API never open the simulated card
// unless it is asked for by name; an empty spec means the first PC/SC reader with a card (here:
// none, pcscd is pointed at a socket that does not exist, so the machine's readers are never
// touched). The virtual card is dnie::vcard_session's, reached only through its functions.
#include <cstdlib>

#include <doctest/doctest.h>

#include "dnie/bytes/paths.hpp"
#include "dnie/c/dnie.h"
#include "dnie/card/session.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "card/session_internal.hpp"
#include "test_support.hpp"

using namespace dnie;

namespace {

// Before main: libpcsclite reads PCSCLITE_CSOCK_NAME once, at its first connection.
const bool kNoPcscd = [] {
  ::setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/dnie-test-no-pcscd", 1);
  return true;
}();

bool contains(const std::string& s, std::string_view what) { return s.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("the session: an empty spec is the first PC/SC reader with a card, never the virtual card") {
  REQUIRE(kNoPcscd);
  SessionOptions o;
  CHECK(o.reader.empty());  // the default
  auto s = Session::open(o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::ReaderNotFound);
  CHECK(contains(s.error().message, "no reader given"));
  CHECK_FALSE(contains(s.error().message, "virtual"));
  for (const auto& r : list_readers(false)) CHECK(r.kind != ReaderKind::Virtual);
}

TEST_CASE("the session: a virtual spec alone opens nothing (the component is separate)") {
  for (const char* spec : {"virtual", "virtual:genuine", "virtual-contact", "virtual-contact:r2"}) {
    CAPTURE(spec);
    SessionOptions o;
    o.reader = spec;
    auto s = Session::open(o);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::Unsupported);
    CHECK(contains(s.error().message, "vcard_session"));
  }
}

TEST_CASE("the session: a reader index never throws, whatever its size or form") {
  using detail::parse_reader_index;
  CHECK(parse_reader_index("0") == std::size_t{0});
  CHECK(parse_reader_index("17") == std::size_t{17});
  CHECK(parse_reader_index("007") == std::size_t{7});
  CHECK(parse_reader_index("18446744073709551615") == std::size_t{18446744073709551615ull});
  // std::stoul threw std::out_of_range here, inside the exception-free core.
  for (const char* bad : {"18446744073709551616", "99999999999999999999999999999999999999", "", "-1", "+1",
                          " 1", "1 ", "0x10", "1e3", "reader 2"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_reader_index(bad).has_value());
  }
}

TEST_CASE("vcard_session: spec parsing") {
  auto v = vcard_session::parse_spec("virtual");
  REQUIRE(v);
  CHECK(v->profile == "genuine");
  CHECK_FALSE(v->contact);
  v = vcard_session::parse_spec("virtual-contact:expired");
  REQUIRE(v);
  CHECK(v->profile == "expired");
  CHECK(v->contact);
  CHECK(vcard_session::parse_spec("virtual:r2")->profile == "r2");
  for (const char* other : {"", "0", "pcsc:virtual", "virtualbox reader", "nfc", "Virtual"})
    CHECK_FALSE(vcard_session::is_virtual_spec(other));
}

TEST_CASE("vcard_session: opens the virtual card only when asked, with its TEST trust hints") {
  vcard_session::VirtualCardOptions vc;
  vc.image_dir = DNIE_VCARD_IMAGE_DIR;
  SessionOptions o;
  o.reader = "virtual";
  auto s = vcard_session::open(o, vc);
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
  CHECK((*s)->reader_kind() == ReaderKind::Virtual);
  CHECK((*s)->options().reader == "virtual");
  REQUIRE((*s)->options().offered_holder_trust.size() == 2);
  CHECK((*s)->options().offered_holder_trust[0].test_only);
  // The CRL of the TEST holder CA, offered with it (a hint: the session never uses it).
  REQUIRE((*s)->options().offered_holder_crls.size() == 1);
  CHECK((*s)->options().offered_holder_crls[0].name == "dnie-ca.crl (virtual card genuine)");
  CHECK_FALSE((*s)->options().offered_holder_crls[0].data.empty());
  REQUIRE((*s)->options().esign.extra_icc_roots.size() == 1);
  CHECK((*s)->options().esign.extra_icc_roots[0].test_only);
  CHECK((*s)->pace_can("123456").ok());

  // Any other spec goes to Session::open unchanged (no virtual fallback).
  SessionOptions other;
  auto e = vcard_session::open(other, vc);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == ErrorCode::ReaderNotFound);

  // A profile without an image: ReaderNotFound naming the file and DNIE_VCARD_IMAGES.
  SessionOptions missing;
  auto st = vcard_session::attach(missing, "virtual:no-such-profile", vc);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::ReaderNotFound);
  CHECK(contains(st.error().message, "no-such-profile.dvc"));
  CHECK(contains(st.error().message, "DNIE_VCARD_IMAGES"));
  CHECK(vcard_session::attach(missing, "0", vc).error().code == ErrorCode::InvalidArgument);

  bool listed = false;
  for (const auto& r : vcard_session::list_readers(false)) listed = listed || r.kind == ReaderKind::Virtual;
  CHECK(listed);
}

TEST_CASE("the C API: NULL is the first PC/SC reader with a card; the virtual card only by name") {
  dnie_session* s = nullptr;
  CHECK(dnie_session_open(nullptr, &s) == DNIE_ERR_READER_NOT_FOUND);
  CHECK(s == nullptr);
  CHECK(dnie_session_open("", &s) == DNIE_ERR_READER_NOT_FOUND);
  CHECK(s == nullptr);
  ::setenv("DNIE_VCARD_IMAGES", DNIE_VCARD_IMAGE_DIR, 1);
  REQUIRE(dnie_session_open("virtual", &s) == DNIE_OK);
  CHECK(dnie_pace_can(s, "123456") == DNIE_OK);
  dnie_session_close(s);
  ::unsetenv("DNIE_VCARD_IMAGES");
}

TEST_CASE("data directories: environment first") {
  ::setenv("DNIE_DATA_DIR", "/opt/somewhere/share/dnie", 1);
  CHECK(installed_data_dir() == "/opt/somewhere/share/dnie");
  ::unsetenv("DNIE_DATA_DIR");
  // A build tree has no share/dnie next to the program: nothing is found there.
  CHECK(installed_data_dir().empty());
  ::setenv("DNIE_VCARD_IMAGES", "/tmp/images", 1);
  CHECK(vcard_session::default_image_dir() == "/tmp/images");
  ::unsetenv("DNIE_VCARD_IMAGES");
  CHECK(vcard_session::default_image_dir() == DNIE_VCARD_IMAGE_DIR);  // the build tree's images
}
