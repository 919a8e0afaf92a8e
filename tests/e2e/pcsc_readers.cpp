// SPDX-License-Identifier: Apache-2.0
// End-to-end through the real pcscd + vpcd + dnie-vcard: discovery, insertion and removal,
// ATR recognition, plain reads over contact, a reset by another process, and transactions that
// keep another process out of a multi-APDU sequence.
#include <atomic>
#include <chrono>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "dnie/apdu/status.hpp"
#include "dnie/icao/lds.hpp"
#include "dnie/transport/atr.hpp"
#include "dnie/transport/pcsc.hpp"

#include "e2e_support.hpp"

using namespace dnie;
using namespace dnie::transport;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<PcscContext> context() {
  auto c = PcscContext::establish();
  REQUIRE_MESSAGE(c.ok(), c.error().to_string());
  return *c;
}

// Waits until the reader reports `present` (generous: the CI machine runs other tests at once).
void wait_present(PcscContext&, bool present, e2e::Child* card = nullptr) {
  const std::string why = e2e::wait_card(present, 30s, card);
  REQUIRE_MESSAGE(why.empty(), why);
}

// Starts dnie-vcard once the reader is empty (a previous card may still be noticed as present for
// up to one 400 ms vpcd poll) and waits until pcscd sees the new card.
std::unique_ptr<e2e::Child> start_card(PcscContext& ctx, const std::string& profile, bool contact) {
  wait_present(ctx, false);
  auto c = std::make_unique<e2e::Child>(e2e::vcard_args(profile, contact));
  wait_present(ctx, true, c.get());
  return c;
}

Bytes read_file_plain(Transport& t, std::uint16_t fid) {
  auto sel = transceive(t, CommandApdu(0x00, 0xA4, 0x00, 0x00, be_bytes(fid, 2)));
  REQUIRE(sel.ok());
  REQUIRE_MESSAGE(sel->ok(), apdu::sw_meaning(sel->sw()));
  auto rd = transceive(t, CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 256));
  REQUIRE(rd.ok());
  REQUIRE(apdu::is_success_or_warning(rd->sw()));
  return rd->data();
}

}  // namespace

TEST_CASE("discovery, ATR recognition and plain contact reads") {
  auto ctx = context();
  auto readers = ctx->list_readers();
  REQUIRE(readers.ok());
  bool found = false;
  for (auto& r : *readers) found |= r == e2e::kReader0;
  REQUIRE_MESSAGE(found, "vpcd reader missing: is vsmartcard-vpcd installed?");
  auto card = start_card(*ctx, "genuine", /*contact=*/true);
  auto t = PcscTransport::connect(ctx, e2e::kReader0);
  REQUIRE_MESSAGE(t.ok(), t.error().to_string());
  auto info = identify_atr((*t)->atr());
  CHECK(info.kind == CardKind::Dnie3);
  CHECK((*t)->interface_type() == Interface::Contact);
  // SELECT MF by name "Master.File" (docs/dnie-card.md §2.1), then IDESP and the version string.
  auto mf = transceive(**t, CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File")));
  REQUIRE(mf.ok());
  CHECK(mf->ok());
  Bytes idesp = read_file_plain(**t, 0x0006);
  CHECK(idesp.size() == 9);
  Bytes version = read_file_plain(**t, 0x2F03);
  CHECK(std::string(version.begin(), version.end()).rfind("DNIe ", 0) == 0);
}

TEST_CASE("removal and insertion are noticed; a removed card fails with CardRemoved") {
  auto ctx = context();
  auto card = start_card(*ctx, "genuine", false);
  auto t = PcscTransport::connect(ctx, e2e::kReader0);
  REQUIRE(t.ok());
  CHECK(identify_atr((*t)->atr()).kind == CardKind::DnieContactless);
  CHECK((*t)->interface_type() == Interface::Contactless);
  card.reset();  // the card leaves the field
  wait_present(*ctx, false);
  auto r = (*t)->transmit(CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8));
  REQUIRE_FALSE(r.ok());
  CHECK((r.error().code == ErrorCode::CardRemoved || r.error().code == ErrorCode::NoCard));
  auto again = start_card(*ctx, "genuine", false);
  auto t2 = PcscTransport::connect(ctx, e2e::kReader0);
  REQUIRE(t2.ok());
  auto ch = (*t2)->transmit(CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8));
  REQUIRE(ch.ok());
  CHECK(ch->data().size() == 8);
}

TEST_CASE("a reset by another process surfaces once as CardReset, then the card works again") {
  auto ctx = context();
  auto card = start_card(*ctx, "genuine", true);
  auto t = PcscTransport::connect(ctx, e2e::kReader0);
  REQUIRE(t.ok());
  pid_t pid = ::fork();
  if (pid == 0) {  // another process resets the card
    auto c2 = PcscContext::establish();
    if (!c2) ::_exit(2);
    auto t2 = PcscTransport::connect(*c2, e2e::kReader0);
    if (!t2) ::_exit(3);
    ::_exit((*t2)->reconnect(true).ok() ? 0 : 4);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  REQUIRE(WIFEXITED(st));
  REQUIRE(WEXITSTATUS(st) == 0);
  auto r = (*t)->transmit(CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::CardReset);
  auto r2 = (*t)->transmit(CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8));
  REQUIRE_MESSAGE(r2.ok(), r2.error().to_string());
  CHECK(r2->ok());
}

TEST_CASE("a transaction keeps another process out until it ends") {
  auto ctx = context();
  auto card = start_card(*ctx, "genuine", true);
  auto t = PcscTransport::connect(ctx, e2e::kReader0);
  REQUIRE(t.ok());
  REQUIRE((*t)->begin_transaction().ok());
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    auto c2 = PcscContext::establish();
    if (!c2) ::_exit(2);
    auto t2 = PcscTransport::connect(*c2, e2e::kReader0);
    if (!t2) ::_exit(3);
    Transaction tx(**t2);  // blocks while the parent holds its transaction
    auto r = (*t2)->transmit(CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8));
    char c = r && r->ok() ? 'y' : 'n';
    if (::write(fds[1], &c, 1) != 1) ::_exit(5);
    ::_exit(0);
  }
  ::close(fds[1]);
  // While we hold the transaction, our own multi-APDU sequence runs undisturbed.
  for (int i = 0; i < 5; ++i) CHECK((*t)->transmit(CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8))->ok());
  std::this_thread::sleep_for(300ms);
  fd_set set;
  FD_ZERO(&set);
  FD_SET(fds[0], &set);
  timeval tv{0, 0};
  CHECK(::select(fds[0] + 1, &set, nullptr, nullptr, &tv) == 0);  // the other process is still waiting
  (*t)->end_transaction();
  char c = 0;
  CHECK(::read(fds[0], &c, 1) == 1);
  CHECK(c == 'y');
  int st = 0;
  if (::waitpid(pid, &st, WNOHANG) == 0) {  // never leave the helper process behind
    std::this_thread::sleep_for(200ms);
    if (::waitpid(pid, &st, WNOHANG) == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
    }
  }
  ::close(fds[0]);
}

TEST_CASE("a wait for insertion ends with Cancelled when another thread calls cancel()") {
  auto ctx = context();
  wait_present(*ctx, false);
  Result<bool> waited = Error(ErrorCode::InternalError, "not run");
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    waited = ctx->wait_for_change(e2e::kReader0, false, 60s);
    done = true;
  });
  // SCardCancel only ends a wait already in progress: repeat until the thread has returned.
  for (int i = 0; i < 100 && !done; ++i) {
    std::this_thread::sleep_for(100ms);
    ctx->cancel();
  }
  waiter.join();
  REQUIRE_FALSE(waited.ok());
  CHECK(waited.error().code == ErrorCode::Cancelled);
}

namespace {
// A contact T=1 ATR (TD1 81, TD2 01, TCK) whose historical bytes announce extended Lc/Le
// (ISO/IEC 7816-4 §8.1.1.2.7: category 00, card capabilities 73 00 00 40, status 00 90 00). Not a
// DNIe ATR: the real card's historical bytes are proprietary and announce nothing (docs/dnie-card.md
// §1.1, §5.2).
const char* const kExtendedAtr =
    "3B888101"
    "0073000040009000"
    "AB";

Bytes read_icc_certificate(Transport& t, std::size_t le) {
  REQUIRE(transceive(t, CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File")))->ok());
  auto sel = transceive(t, CommandApdu(0x00, 0xA4, 0x00, 0x0C, hex_bytes("601F")));
  REQUIRE(sel.ok());
  REQUIRE(sel->ok());
  auto rd = transceive(t, CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, le));
  REQUIRE(rd.ok());
  CHECK(apdu::is_success_or_warning(rd->sw()));
  return rd->data();
}
}  // namespace

TEST_CASE("extended length through pcscd: used when the ATR announces it, dropped and remembered on 67 00") {
  auto ctx = context();
  Bytes whole;
  {
    wait_present(*ctx, false);
    auto args = e2e::vcard_args("genuine", true);
    args.insert(args.end(), {"--atr", kExtendedAtr, "--extended-length"});
    e2e::Child card(args);
    wait_present(*ctx, true, &card);
    auto t = PcscTransport::connect(ctx, e2e::kReader0);
    REQUIRE_MESSAGE(t.ok(), t.error().to_string());
    REQUIRE((*t)->limits().extended_length);
    // One READ BINARY with an extended Le carries the whole ICC certificate (> 256 bytes).
    CountingTransport counted(**t);
    whole = read_icc_certificate(counted, 65536);
    CHECK(whole.size() > 256);
    CHECK(counted.apdus() == 3);  // SELECT MF, SELECT 601F, READ BINARY: no 61xx chaining
  }
  {
    // The same ATR, but this card answers 67 00 to extended APDUs: the transport drops them and
    // remembers it for this ATR; the ICAO reader asks again with a short Le.
    wait_present(*ctx, false);
    auto args = e2e::vcard_args("genuine", true);
    args.insert(args.end(), {"--atr", kExtendedAtr});
    e2e::Child card(args);
    wait_present(*ctx, true, &card);
    auto t = PcscTransport::connect(ctx, e2e::kReader0);
    REQUIRE(t.ok());
    CHECK((*t)->limits().extended_length);  // not refused yet
    REQUIRE(transceive(**t, CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File")))->ok());
    REQUIRE(transceive(**t, CommandApdu(0x00, 0xA4, 0x00, 0x0C, hex_bytes("601F")))->ok());
    auto cert = icao::read_selected_ef(**t, {}, {});
    REQUIRE_MESSAGE(cert.ok(), cert.error().to_string());
    CHECK(*cert == Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cert->size())));
    CHECK((*t)->extended_refused());
    CHECK_FALSE((*t)->limits().extended_length);
    auto again = PcscTransport::connect(ctx, e2e::kReader0);  // remembered per ATR in this process
    REQUIRE(again.ok());
    CHECK((*again)->extended_refused());
    CHECK_FALSE((*again)->limits().extended_length);
  }
}
