// SPDX-License-Identifier: Apache-2.0
// dnie-vectors: replays published worked examples (ICAO 9303-11 App. D.4, the BSI EAC worked
// example, real-chip AES traces) through the SDK's secure messaging and crypto, printing each
// step and whether it matches byte for byte. Used by `tools/bootstrap.sh demo` until the CLI
// exists, and handy to show what the SDK is checked against.
// Usage: dnie-vectors <vectors-dir>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "dnie/crypto/hash.hpp"
#include "dnie/sm/secure_messaging.hpp"

#include "crypto/cipher.hpp"

using namespace dnie;
using nlohmann::json;

namespace {
int g_pass = 0, g_fail = 0;

json load(const std::string& dir, const std::string& name) {
  std::ifstream f(dir + "/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return json::parse(ss.str());
}

Bytes hx(const json& j) { return hex_bytes(j.get<std::string>()); }

void report(const std::string& what, const std::string& got, const std::string& want) {
  bool ok = got == want;
  (ok ? g_pass : g_fail)++;
  fmt::print("  [{}] {}\n", ok ? "ok" : "MISMATCH", what);
  if (!ok) fmt::print("        got  {}\n        want {}\n", got, want);
}

sm::SmSession session(sm::Suite s, const Bytes& kenc, const Bytes& kmac, const Bytes& ssc) {
  return sm::SmSession::create(s, SecureBuffer(kenc), SecureBuffer(kmac), SecureBuffer(ssc)).value();
}

void icao_d4(const std::string& dir) {
  auto v = load(dir, "sm_3des_appendix_d4.json");
  fmt::print("ICAO Doc 9303-11 Appendix D.4 — 3DES secure messaging (retail MAC, 8-byte SSC)\n");
  auto s = session(sm::Suite::Des3, hx(v["parameters"]["KS_enc"]), hx(v["parameters"]["KS_mac"]),
                   hx(v["parameters"]["SSC_initial"]));
  for (const auto& st : v["steps"]) {
    auto cmd = apdu::CommandApdu::parse(hx(st["unprotected_command"])).value();
    auto w = s.wrap(cmd).value();
    report(st["step"].get<std::string>() + ": protected command", to_hex(w.encode().value()),
           st["protected_command_apdu"].get<std::string>());
    auto r = s.unwrap(apdu::ResponseApdu::parse(hx(st["protected_response_apdu"])).value());
    report(st["step"].get<std::string>() + ": response MAC checked, data decrypted",
           r ? to_hex(r->data()) : r.error().to_string(), st["decrypted_response_data"].get<std::string>());
  }
}

void bsi_aes(const std::string& dir) {
  auto v = load(dir, "bsi_eac_worked_example_ecdh.json");
  auto sm = v["secure_messaging_after_pace"];
  fmt::print("BSI Worked Example for EAC — first AES-protected command after PACE\n");
  auto s = session(sm::Suite::Aes, hx(v["pace"]["KS_enc"]), hx(v["pace"]["KS_mac"]), Bytes(16, 0));
  auto w = s.wrap(apdu::CommandApdu::parse(hx(sm["unprotected_command"])).value()).value();
  report("MSE:Set DST protected with AES-CBC + CMAC", to_hex(w.encode().value()),
         sm["protected_command"].get<std::string>());
  auto r = s.unwrap(apdu::ResponseApdu::parse(hx(sm["protected_response"])).value());
  report("response MAC verified", r ? "9000" : r.error().to_string(), "9000");
}

void real_chip(const std::string& dir) {
  auto v = load(dir, "sm_aes_real_chip_traces.json")["vectors"]["aes128_post_pace_cam_reads_DE"];
  fmt::print("Real chip (German ID card) — AES-128 reads of EF.CardSecurity after PACE-CAM\n");
  auto s = session(sm::Suite::Aes, hx(v["KS_enc"]), hx(v["KS_mac"]), hx(v["SSC_initial_after_PACE"]));
  int n = 0;
  for (const auto& st : v["steps"]) {
    auto w = s.wrap(apdu::CommandApdu::parse(hx(st["unprotected_command"])).value()).value();
    report(fmt::format("step {}: protected command", ++n), to_hex(w.encode().value()),
           st["protected_command"].get<std::string>());
    auto r = s.unwrap(apdu::ResponseApdu::parse(hx(st["protected_response"])).value());
    report(fmt::format("step {}: decrypted response", n), r ? to_hex(r->data()) : r.error().to_string(),
           st["decrypted_response_data"].get<std::string>());
  }
}

void kdf(const std::string& dir) {
  auto v = load(dir, "kdf_vectors.json");
  fmt::print("ICAO 9303-11 §9.7.1 key derivation function\n");
  for (const auto& k : v["vectors"]) {
    const std::string cipher = k["cipher"].get<std::string>();
    const int bits = k["key_bits"].get<int>();
    Bytes in = hx(k["K"]);
    if (k.contains("nonce")) append(in, hx(k["nonce"]));  // CA v2: K ‖ r_PICC ‖ counter
    append(in, be_bytes(k["counter"].get<std::uint32_t>(), 4));
    Bytes h =
        crypto::hash(cipher == "AES" && bits > 128 ? crypto::HashAlg::Sha256 : crypto::HashAlg::Sha1, in);
    h.resize(cipher == "AES" ? static_cast<std::size_t>(bits / 8) : 16);  // 3DES: K1‖K2 (112 bits + parity)
    if (cipher != "AES") crypto::adjust_des_parity(h);
    report(k["name"].get<std::string>(), to_hex(h), k["expected"].get<std::string>());
  }
}
}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "tests/data/vectors";
  icao_d4(dir);
  bsi_aes(dir);
  real_chip(dir);
  kdf(dir);
  fmt::print("\n{} passed, {} failed\n", g_pass, g_fail);
  return g_fail == 0 ? 0 : 1;
}
