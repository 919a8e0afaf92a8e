// SPDX-License-Identifier: Apache-2.0
// dnie-bench-pace: host CPU time per PACE (terminal side only) for brainpoolP256r1 with Generic
// Mapping, Integrated Mapping and Chip Authentication Mapping, against the virtual DNIe.
// Host CPU = this thread's CPU time for the whole PACE minus the CPU time spent inside the
// virtual card (measured around each card call), so the card's own work is not counted.
// Usage: dnie-bench-pace [sessions=200]
#include <cstdlib>
#include <string>
#include <time.h>
#include <vector>

#include <fmt/core.h>

#include "dnie/auth/pace.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/card/session.hpp"
#include "dnie/transport/scripted.hpp"
#include "dnie/vcard/virtual_card.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

using namespace dnie;

namespace {
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
double wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 200;
  auto base = vcard::CardImage::load(vcard_session::default_image_dir() + "/genuine.dvc");
  if (!base) {
    fmt::print(stderr, "{}\n", base.error().to_string());
    return 1;
  }
  struct Row {
    const char* name;
    const char* oid;
  };
  const Row rows[] = {{"ECDH-GM AES-128 brainpoolP256r1 (DNIe)", "0.4.0.127.0.7.2.2.4.2.2"},
                      {"ECDH-IM AES-128 brainpoolP256r1", "0.4.0.127.0.7.2.2.4.4.2"},
                      {"ECDH-CAM AES-128 brainpoolP256r1", "0.4.0.127.0.7.2.2.4.6.2"}};
  fmt::print("{:<42} {:>8} {:>14} {:>14} {:>12}\n", "PACE (terminal side, host)", "sessions", "host CPU ms",
             "card CPU ms", "APDUs");
  for (const Row& r : rows) {
    vcard::CardImage img = *base;
    Bytes ca = asn1::set({asn1::sequence(
        {asn1::oid(r.oid), asn1::integer(std::int64_t{2}), asn1::integer(std::int64_t{13})})});
    img.find_mut({0x011C})->content = ca;
    vcard::VirtualCard card(img);
    double card_cpu = 0;
    std::size_t apdus = 0;
    transport::FunctionTransport t(
        [&](ByteView cmd) -> Result<Bytes> {
          ++apdus;
          double c0 = thread_cpu_ms();
          Bytes out = card.process(cmd);
          card_cpu += thread_cpu_ms() - c0;
          return out;
        },
        card.atr(), transport::LinkLimits{});
    auto pw = auth::PacePassword::can("123456").value();
    double total = 0;
    int ok = 0;
    const double w0 = wall_ms();
    for (int i = 0; i < n; ++i) {
      card.power_on();
      auth::PaceRequest req;
      req.password = pw.clone();
      req.card_access = ca;
      double c0 = thread_cpu_ms();
      auto ch = auth::establish_pace(t, req);
      total += thread_cpu_ms() - c0;
      ok += ch.ok();
    }
    const double wall = wall_ms() - w0;
    fmt::print("{:<42} {:>8} {:>14.3f} {:>14.3f} {:>12.1f}   ({} ok, {:.1f} ms wall per session)\n", r.name,
               n, (total - card_cpu) / n, card_cpu / n, static_cast<double>(apdus) / n, ok, wall / n);
  }
  return 0;
}
