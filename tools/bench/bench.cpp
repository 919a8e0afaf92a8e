// SPDX-License-Identifier: Apache-2.0
// dnie-bench: APDU economy, modeled NFC time and host cost of the SDK's flows, side by side with
// the same work done the way the best-known peer (the official Java library, jmulticard) does it
// (docs/dnie-card.md §3.2, §4.2, §5.2, §7.1: hard-coded PACE, MF→DF→EF re-selection per file, 222-byte
// READ BINARY, a new PACE and both CWA-14890 handshakes per signature), against the virtual card
// with its link model. Prints a table; not part of ctest's pass/fail.
// Usage: dnie-bench [--rate 106|212|424|848] [--rows all|pace|police|certs|sign]
#include <cstring>
#include <functional>
#include <string>
#include <sys/resource.h>
#include <time.h>
#include <vector>

#include <fmt/core.h>

#include "dnie/apdu/status.hpp"
#include "dnie/auth/chip_auth.hpp"
#include "dnie/auth/cwa14890.hpp"
#include "dnie/card/session.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/crypto/x509.hpp"
#include "dnie/esign/esign.hpp"
#include "dnie/esign/keysets.hpp"
#include "dnie/esign/pkcs15.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/verification.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/vcard/virtual_card.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

using namespace dnie;

namespace {

double now_ms(clockid_t c) {
  timespec ts{};
  clock_gettime(c, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
long peak_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

struct Figures {
  std::size_t apdus = 0, bytes = 0;
  double modeled_ms = 0, wall_ms = 0, cpu_ms = 0;
  bool ok = true;
  std::string error;
};

// A session on the virtual card with the link model, and access to the card's modeled clock.
struct Bench {
  std::unique_ptr<Session> s;
  vcard::VirtualTransport* vt = nullptr;
  static Bench open(unsigned rate) {
    Bench b;
    SessionOptions o;
    o.reader = "virtual";
    vcard_session::VirtualCardOptions vc;
    vc.link_model = true;
    vc.bit_rate_kbps = rate;
    o.on_link_opened = [&b](transport::Transport& t) { b.vt = dynamic_cast<vcard::VirtualTransport*>(&t); };
    auto s = vcard_session::open(o, vc);
    if (s) b.s = std::move(s).value();
    return b;
  }
};

Figures measure(Bench& b, const std::function<Status(Session&)>& work) {
  Figures f;
  b.s->reset_stats();
  b.vt->card().reset_modeled_time();
  const double w0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_THREAD_CPUTIME_ID);
  Status st = work(*b.s);
  f.wall_ms = now_ms(CLOCK_MONOTONIC) - w0;
  f.cpu_ms = now_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
  auto stats = b.s->stats();
  f.apdus = stats.apdus;
  f.bytes = stats.bytes_sent + stats.bytes_received;
  f.modeled_ms = b.vt->card().modeled_time_ms();
  if (!st) {
    f.ok = false;
    f.error = st.error().to_string();
  }
  return f;
}

// ---- the peer's way (jmulticard) ------------------------------------------------------------

Status peer_pace(Session& s) {
  // Hard-coded id-PACE-ECDH-GM-AES-CBC-CMAC-128 / brainpoolP256r1; EF.CardAccess is never read.
  static const Bytes kDnieCardAccess = hex_bytes("31143012060A04007F0007020204020202010202010D");
  auth::PaceSelection sel;
  sel.protocol_oid = "0.4.0.127.0.7.2.2.4.2.2";
  sel.parameter_id = 13;
  DNIE_ASSIGN_OR_RETURN(auto pw, auth::PacePassword::can("123456"));
  return s.pace(pw, sel, kDnieCardAccess);
}

// SELECT MF by name, the DF, the EF (no Le), then 222-byte READ BINARY sized from the FCI.
Result<Bytes> peer_read(transport::Transport& t, std::uint16_t df, std::uint16_t ef) {
  auto sel = [&t](const apdu::CommandApdu& c) -> Result<apdu::ResponseApdu> {
    return transport::transceive(t, c);
  };
  DNIE_TRY(sel(apdu::CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File"))));
  if (df) DNIE_TRY(sel(apdu::CommandApdu(0x00, 0xA4, 0x00, 0x00, be_bytes(df, 2))));
  DNIE_ASSIGN_OR_RETURN(auto fci, sel(apdu::CommandApdu(0x00, 0xA4, 0x00, 0x00, be_bytes(ef, 2))));
  if (!fci.ok()) return Error(ErrorCode::NotFound, "peer: file absent");
  const Bytes& d = fci.data();
  std::size_t size = d.size() >= 9 ? static_cast<std::size_t>(d[7] << 8 | d[8]) : 0;  // 6F L 85 0A t fid size
  Bytes out;
  while (out.size() < size) {
    std::size_t n = std::min<std::size_t>(0xDE, size - out.size());
    DNIE_ASSIGN_OR_RETURN(
        auto r,
        transport::transceive(t, apdu::CommandApdu(0x00, 0xB0, static_cast<std::uint8_t>(out.size() >> 8),
                                                   static_cast<std::uint8_t>(out.size()), {}, n)));
    if (r.data().empty()) break;
    append(out, r.data());
  }
  return out;
}

Status peer_police(Session& s, const icao::TrustStore& ts) {
  DNIE_TRY(peer_pace(s));
  icao::LdsContent doc;
  auto& t = s.transport();
  DNIE_ASSIGN_OR_RETURN(doc.com, peer_read(t, 0x3F01, 0x011E));
  DNIE_ASSIGN_OR_RETURN(doc.sod, peer_read(t, 0x3F01, 0x011D));
  for (int dg : {1, 2, 7, 11, 13, 14}) {
    DNIE_ASSIGN_OR_RETURN(doc.dgs[dg], peer_read(t, 0x3F01, icao::dg_fid(dg)));
  }
  icao::PassiveAuthOptions pa;
  pa.trust_store = &ts;
  auto report = s.verify(doc, pa);
  return report.assessment().authenticity == icao::Authenticity::Genuine
             ? ok_status()
             : Status(Error(ErrorCode::VerificationFailed, "verdict"));
}

Status peer_certs(Session& s) {
  // jmulticard's Dnie constructor: IDESP, CDF, PrKDF and the three certificates (docs/dnie-card.md §4.1).
  DNIE_TRY(peer_pace(s));
  auto& t = s.transport();
  DNIE_TRY(peer_read(t, 0, 0x0006));       // IDESP
  DNIE_TRY(peer_read(t, 0x5015, 0x6004));  // CDF (2100 bytes as sized by the FCI)
  DNIE_TRY(peer_read(t, 0x5015, 0x6001));  // PrKDF
  for (int f : {0x7001, 0x7002, 0x7003}) DNIE_TRY(peer_read(t, 0x6061, static_cast<std::uint16_t>(f)));
  return ok_status();
}

// One CWA-14890 handshake as jmulticard runs it (docs/dnie-card.md §4.3 rows 1-10): GET CHIP INFO,
// SELECT MF, SELECT 601F and 222-byte reads of the ICC certificate, then the eight handshake
// APDUs, inside the current channel (§4.2: the card switches keys on success).
Status peer_cwa(Session& s, auth::CwaChannel ch, const std::string& idesp) {
  auto& t = s.transport();
  auto* chan = dynamic_cast<sm::SecureMessagingTransport*>(&t);
  if (chan == nullptr) return Error(ErrorCode::InternalError, "peer: no secure channel");
  DNIE_ASSIGN_OR_RETURN(auto ci, transport::transceive(t, auth::cwa_get_chip_info_command()));
  DNIE_ASSIGN_OR_RETURN(Bytes sn_icc, auth::cwa_parse_chip_info(ci));
  DNIE_ASSIGN_OR_RETURN(Bytes icc_file, peer_read(t, 0, 0x601F));
  DNIE_ASSIGN_OR_RETURN(Bytes icc_der, esign::decompress_certificate(icc_file));
  DNIE_ASSIGN_OR_RETURN(auto icc, crypto::Certificate::parse(icc_der));
  if (icc.public_key().rsa() == nullptr) return Error(ErrorCode::Unsupported, "peer: ICC key");
  static const auto registry = esign::KeySetRegistry::builtin();
  if (!registry) return registry.error();
  DNIE_ASSIGN_OR_RETURN(auto choice, registry->select({icc.issuer().to_string(), "", idesp}));
  DNIE_ASSIGN_OR_RETURN(
      auto engine, auth::CwaEngine::create(ch == auth::CwaChannel::Pin ? *choice.pin : *choice.user, sn_icc,
                                           *icc.public_key().rsa()));
  return auth::cwa_switch_channel(*chan, engine);
}

// jmulticard's NFC signature (docs/dnie-card.md §4.2 order, §4.5, §7.1 "≈ 38 APDUs"): PACE, PIN
// channel, retries query + VERIFY, user channel, SELECT MF, MSE:SET DST, PSO:CDS; every
// signature starts again from PACE. The first one also pays for the Dnie object's constructor
// (IDESP, CDF, PrKDF, the three certificates: §4.1). Not replayed, in the peer's favour: the
// plain SELECT MF it sends after each signature to end the card's SM session (§4.2).
Status peer_sign(Session& s, int n, bool first = true) {
  const Bytes digest_info =
      crypto::digest_info(crypto::HashAlg::Sha256,
                          crypto::hash(crypto::HashAlg::Sha256, ByteView::of("benchmark")))
          .value();
  std::string idesp = "BMP100000";
  for (int i = 0; i < n; ++i) {
    DNIE_TRY(peer_pace(s));
    auto& t = s.transport();
    if (i == 0 && first) {
      DNIE_ASSIGN_OR_RETURN(Bytes id, peer_read(t, 0, 0x0006));
      idesp.assign(id.begin(), id.end());
      DNIE_TRY(peer_read(t, 0x5015, 0x6004));
      DNIE_TRY(peer_read(t, 0x5015, 0x6001));
      for (int f : {0x7001, 0x7002, 0x7003}) DNIE_TRY(peer_read(t, 0x6061, static_cast<std::uint16_t>(f)));
    }
    DNIE_TRY(peer_cwa(s, auth::CwaChannel::Pin, idesp));
    DNIE_TRY(
        esign::pin_verify(s.transport(), SecureBuffer::from_string("12345678")));  // retries query + VERIFY
    DNIE_TRY(peer_cwa(s, auth::CwaChannel::User, idesp));
    auto& u = s.transport();
    DNIE_ASSIGN_OR_RETURN(auto mf, transport::transceive(u, apdu::CommandApdu(0x00, 0xA4, 0x04, 0x00,
                                                                              ByteView::of("Master.File"))));
    DNIE_TRY(apdu::expect_ok(mf, "peer: SELECT MF"));
    DNIE_ASSIGN_OR_RETURN(
        auto mse, transport::transceive(u, apdu::CommandApdu(0x00, 0x22, 0x41, 0xB6, hex_bytes("84020102"))));
    DNIE_TRY(apdu::expect_ok(mse, "peer: MSE:SET DST"));
    DNIE_ASSIGN_OR_RETURN(auto cds, transport::transceive(u, apdu::CommandApdu(0x00, 0x2A, 0x9E, 0x9A,
                                                                               digest_info, apdu::kLeMax)));
    DNIE_TRY(apdu::expect_ok(cds, "peer: PSO:CDS"));
    if (cds.data().size() != 256) return Error(ErrorCode::ProtocolError, "peer: signature size");
  }
  return ok_status();
}

// ---- ours ------------------------------------------------------------------------------------

Status our_police(Session& s, const icao::TrustStore& ts) {
  DNIE_TRY(s.pace_can("123456"));
  DNIE_ASSIGN_OR_RETURN(auto doc, s.read_document({1, 2, 7, 11, 13, 14}));
  icao::PassiveAuthOptions pa;
  pa.trust_store = &ts;
  auto report = s.verify(doc, pa);
  return report.assessment().authenticity == icao::Authenticity::Genuine
             ? ok_status()
             : Status(Error(ErrorCode::VerificationFailed, "verdict"));
}

Status our_sign(Session& s, int n, bool pace_first = true) {
  std::vector<std::uint8_t> digest = crypto::hash(crypto::HashAlg::Sha256, ByteView::of("benchmark"));
  if (pace_first) DNIE_TRY(s.pace_can("123456"));
  DNIE_ASSIGN_OR_RETURN(auto card, s.esign());
  for (int i = 0; i < n; ++i)
    DNIE_TRY(card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, digest,
                             SecureBuffer::from_string("12345678")));
  return ok_status();
}

void print_row(const char* name, const Figures& ours, const Figures& peer) {
  auto cell = [](const Figures& f) {
    return f.ok ? fmt::format("{:>5} {:>7} {:>9.1f} {:>8.1f} {:>8.1f}", f.apdus, f.bytes, f.modeled_ms,
                              f.wall_ms, f.cpu_ms)
                : fmt::format("{:>42}", "failed: " + f.error.substr(0, 34));
  };
  double ratio = peer.ok && peer.modeled_ms > 0 ? ours.modeled_ms / peer.modeled_ms : 0;
  fmt::print("{:<26} | {} | {} | {:>5.2f} {:>5.2f}\n", name, cell(ours), cell(peer),
             peer.ok && peer.apdus ? static_cast<double>(ours.apdus) / static_cast<double>(peer.apdus) : 0.0,
             ratio);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<unsigned> rates{106, 212, 424, 848};
  std::string rows = "all";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rate")) rates = {static_cast<unsigned>(std::atoi(argv[i + 1]))};
    if (!std::strcmp(argv[i], "--rows")) rows = argv[i + 1];
  }
  auto img = vcard::CardImage::load(vcard_session::default_image_dir() + "/genuine.dvc");
  if (!img) {
    fmt::print(stderr, "{}\n", img.error().to_string());
    return 1;
  }
  icao::TrustStore ts;
  (void)ts.add_certificates(img->extras.at("csca.der"), "test CSCA");
  auto want = [&rows](const char* r) { return rows == "all" || rows == r; };

  for (unsigned rate : rates) {
    fmt::print(
        "\nvirtual DNIe 3.0, link model {} kbit/s, frame 256 (card costs: estimates, "
        "src/vcard/link_model.cpp)\n",
        rate);
    fmt::print("{:<26} | {:>5} {:>7} {:>9} {:>8} {:>8} | {:>5} {:>7} {:>9} {:>8} {:>8} | {:>5} {:>5}\n",
               "row", "APDUs", "bytes", "model ms", "wall ms", "CPU ms", "APDUs", "bytes", "model ms",
               "wall ms", "CPU ms", "APDU", "time");
    fmt::print("{:<26} | {:^42} | {:^42} | {:^11}\n", "", "this SDK", "peer flow (jmulticard)", "ratio");
    auto run = [rate](const std::function<Status(Session&)>& w) {
      Bench b = Bench::open(rate);
      if (!b.s || !b.vt) return Figures{0, 0, 0, 0, 0, false, "cannot open the virtual card"};
      return measure(b, w);
    };
    if (want("pace")) print_row("PACE", run([](Session& s) { return s.pace_can("123456"); }), run(peer_pace));
    if (want("police"))
      print_row("police verification", run([&ts](Session& s) { return our_police(s, ts); }),
                run([&ts](Session& s) { return peer_police(s, ts); }));
    if (want("certs"))
      print_row("three certificates", run([](Session& s) -> Status {
                  DNIE_TRY(s.pace_can("123456"));
                  DNIE_ASSIGN_OR_RETURN(auto c, s.esign());
                  DNIE_ASSIGN_OR_RETURN(auto certs, c->certificates());
                  return certs.size() == 3 ? ok_status() : Status(Error(ErrorCode::NotFound, "certificates"));
                }),
                run(peer_certs));
    if (want("sign")) {
      print_row("first signature", run([](Session& s) { return our_sign(s, 1); }),
                run([](Session& s) { return peer_sign(s, 1); }));
      // A further signature in the same session: measure only the second one.
      Bench b = Bench::open(rate);
      Figures further{0, 0, 0, 0, 0, false, "cannot open"}, peer_further = further;
      if (b.s && our_sign(*b.s, 1)) further = measure(b, [](Session& s) { return our_sign(s, 1, false); });
      Bench p = Bench::open(rate);
      if (p.s && peer_sign(*p.s, 1))
        peer_further = measure(p, [](Session& s) { return peer_sign(s, 1, false); });
      print_row("each further signature", further, peer_further);
      print_row("5 signatures", run([](Session& s) { return our_sign(s, 5); }),
                run([](Session& s) { return peer_sign(s, 5); }));
    }
  }
  // Theoretical minimum for the police verification on 256-byte frames (AES SM: 223-byte reads).
  Bench b = Bench::open(424);
  if (b.s && b.s->pace_can("123456")) {
    auto doc = b.s->read_document({1, 2, 7, 11, 13, 14});
    if (doc) {
      std::size_t min = 5 + 1 + 2;  // PACE (MSE + 4 GA), SELECT application, CA (MSE + GA)
      auto add = [&min](std::size_t n) { min += 1 + (n + 222) / 223; };
      add(doc->com.size());
      add(doc->sod.size());
      for (auto& [n, d] : doc->dgs) add(d.size());
      fmt::print(
          "\npolice verification: theoretical minimum {} APDUs (1 SELECT + ceil(size/223) per file, PACE 5, "
          "application SELECT 1, chip authentication 2; EF.CardAccess not needed for a DNIe ATR)\n",
          min);
    }
  }
  fmt::print("peak resident memory: {} KiB\n", peak_kib());
  return 0;
}
