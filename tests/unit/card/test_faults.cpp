// SPDX-License-Identifier: Apache-2.0
// Fault injection at every APDU of a full document read (PACE + EF.COM, EF.SOD, DG1–DG14):
// the card leaves the field, a response is corrupted on the link, the card times out. Each time
// the session must neither crash nor hang, never hand corrupted data to the caller, and come back
// (new PACE, retry) with the same bytes as an undisturbed read.
#include <doctest/doctest.h>

#include "dnie/card/session.hpp"
#include "dnie/vcard/virtual_card.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "test_support.hpp"

using namespace dnie;

namespace {

enum class Fault { Removed, Corrupted, Timeout };

// A link that misbehaves once, at exchange number `at`.
class FaultyLink final : public transport::Transport {
 public:
  FaultyLink(std::unique_ptr<transport::Transport> inner, std::size_t at, Fault f)
      : m_inner(std::move(inner)), m_at(at), m_fault(f) {}
  Result<apdu::ResponseApdu> transmit(const apdu::CommandApdu& c) override {
    const std::size_t i = m_n++;
    if (i == m_at && m_fault == Fault::Removed)
      return Error(ErrorCode::CardRemoved, "injected: card removed");
    if (i == m_at && m_fault == Fault::Timeout) return Error(ErrorCode::Timeout, "injected: timeout");
    auto r = m_inner->transmit(c);
    if (r && i == m_at && m_fault == Fault::Corrupted) {
      Bytes d = r->data();
      if (!d.empty()) d[d.size() / 2] ^= 0x5A;
      return apdu::ResponseApdu(std::move(d), r->sw() ^ (d.empty() ? 0x0100 : 0));
    }
    return r;
  }
  Bytes atr() const override { return m_inner->atr(); }
  transport::LinkLimits limits() const override { return m_inner->limits(); }
  transport::Interface interface_type() const override { return m_inner->interface_type(); }
  std::string name() const override { return "faulty"; }
  Status reconnect(bool reset) override { return m_inner->reconnect(reset); }
  std::size_t exchanges() const { return m_n; }

 private:
  std::unique_ptr<transport::Transport> m_inner;
  std::size_t m_at;
  Fault m_fault;
  std::size_t m_n = 0;
};

Result<icao::LdsContent> read_with(std::size_t at, Fault f, std::size_t* total = nullptr) {
  SessionOptions o;
  FaultyLink* link = nullptr;
  o.custom_transport = [&]() -> Result<std::unique_ptr<transport::Transport>> {
    auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
    if (!img) return img.error();
    auto vt = std::make_unique<vcard::VirtualTransport>(
        std::make_unique<vcard::VirtualCard>(std::move(img).value()));
    (void)vt->reconnect(true);
    auto fl = std::make_unique<FaultyLink>(std::move(vt), at, f);
    link = fl.get();
    return std::unique_ptr<transport::Transport>(std::move(fl));
  };
  DNIE_ASSIGN_OR_RETURN(auto s, Session::open(o));
  DNIE_TRY(s->pace_can("123456"));
  auto doc = s->read_document();
  if (total && link) *total = link->exchanges();
  return doc;
}

}  // namespace

TEST_CASE("fault at every APDU of a full read: removal, corruption, timeout") {
  std::size_t n = 0;
  auto ref = read_with(static_cast<std::size_t>(-1), Fault::Removed, &n);
  REQUIRE(ref.ok());
  MESSAGE("undisturbed read: " << n << " exchanges");
  int recovered = 0, reported = 0;
  for (Fault f : {Fault::Removed, Fault::Corrupted, Fault::Timeout}) {
    for (std::size_t at = 0; at < n; ++at) {
      CAPTURE(static_cast<int>(f));
      CAPTURE(at);
      auto doc = read_with(at, f);
      if (doc) {
        // Whatever came back must be exactly the card's data.
        CHECK(doc->com == ref->com);
        CHECK(doc->sod == ref->sod);
        CHECK(doc->dgs == ref->dgs);
        ++recovered;
      } else {
        // Only faults during the first PACE (before a password could be kept) may surface.
        ++reported;
        CHECK(at < 8);
      }
    }
  }
  MESSAGE(recovered << " reads recovered with identical data, " << reported
                    << " faults reported during PACE");
}

TEST_CASE("tag loss at every APDU of the eSign side (open and certificates): resumed, same certificates") {
  // A phone's tag loss while the certificates are read must not leave the session unusable: the
  // session re-runs PACE (counted) and reads the file again (docs/api-guide.md, errors).
  auto run = [](std::size_t at, std::size_t* total, std::vector<Bytes>* certs) -> Status {
    SessionOptions o;
    FaultyLink* link = nullptr;
    auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
    if (!img) return img.error();
    auto root = vcard_session::icc_root(*img);
    if (!root) return root.error();
    o.esign.extra_icc_roots.push_back(*root);
    vcard::CardImage image = std::move(img).value();
    o.custom_transport = [&, image]() -> Result<std::unique_ptr<transport::Transport>> {
      auto vt = std::make_unique<vcard::VirtualTransport>(std::make_unique<vcard::VirtualCard>(image));
      (void)vt->reconnect(true);
      auto fl = std::make_unique<FaultyLink>(std::move(vt), at, Fault::Removed);
      link = fl.get();
      return std::unique_ptr<transport::Transport>(std::move(fl));
    };
    DNIE_ASSIGN_OR_RETURN(auto s, Session::open(o));
    DNIE_TRY(s->pace_can("123456"));
    DNIE_ASSIGN_OR_RETURN(auto* e, s->esign());
    DNIE_ASSIGN_OR_RETURN(auto cs, e->certificates());
    if (total && link) *total = link->exchanges();
    for (const auto& c : cs) certs->push_back(c.certificate.der());
    return ok_status();
  };
  std::size_t n = 0;
  std::vector<Bytes> ref;
  REQUIRE(run(static_cast<std::size_t>(-1), &n, &ref).ok());
  REQUIRE(ref.size() == 3);
  int recovered = 0;
  for (std::size_t at = 5; at < n; ++at) {  // after PACE (a PACE failure is reported, not resumed)
    CAPTURE(at);
    std::vector<Bytes> got;
    auto st = run(at, nullptr, &got);
    CHECK_MESSAGE(st.ok(), st.error().to_string());
    if (st) {
      CHECK(got == ref);
      ++recovered;
    }
  }
  MESSAGE((n - 5) << " exchanges after PACE; a tag loss at each: " << recovered
                  << " resumed with the same certificates");
}
