// SPDX-License-Identifier: Apache-2.0
// OpenSC as an outside client of the virtual card: the real pcscd (vpcd) serves `dnie-vcard
// --contact`, and OpenSC's own tools read it the way they read a real DNIe (docs/dnie-card.md
// §10.6): opensc-tool (driver "dnie"), dnie-tool (IDESP 0006, version 2F03, GET CHIP INFO),
// pkcs15-tool (its DNIe emulation: TokenInfo, ODF, AODF, PrKDF, CDF, compressed certificates)
// and the OpenSC PKCS#11 module. Everything is checked against the card image.
//
// Not reachable: OpenSC's CWA-14890 channel. It verifies EF 6020 against the production
// component roots compiled into cwa-dnie.c; the virtual card's chain leads to a test root, so a
// login stops there ("Cannot verify icc Sub-CA certificate", as a real r2 card did before OpenSC
// knew its root: OpenSC issue 2105). The test asserts exactly that point: the component
// certificates are read, the root generation is recognised, and no VERIFY is ever sent.
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "dnie/crypto/x509.hpp"
#include "dnie/vcard/card_image.hpp"

#include "e2e_support.hpp"

using namespace dnie;
using namespace std::chrono_literals;

namespace {

const std::string kState = DNIE_E2E_STATE;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Run {
  int status = -1;  ///< exit code; -1 when killed or not started
  std::string out, err, debug;
};

/// Runs an OpenSC tool with OPENSC_CONF pointing to a configuration in the build tree (debug 9
/// into its own file, no file cache) and a private HOME; kills it after 60 s.
Run run(const std::string& name, std::vector<std::string> argv) {
  static int n = 0;
  const std::string dir = kState + "/opensc";
  ::mkdir(dir.c_str(), 0755);
  ::mkdir((dir + "/home").c_str(), 0755);
  const std::string tag = dir + "/" + std::to_string(++n) + "-" + name;
  const std::string conf = dir + "/opensc.conf";
  {
    std::ofstream c(conf, std::ios::trunc);
    c << "app default {\n  debug = 9;\n  debug_file = " << tag << ".debug.log;\n"
      << "  framework pkcs15 {\n    use_file_cache = no;\n  }\n}\n";
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("OPENSC_CONF", conf.c_str(), 1);
    ::setenv("HOME", (dir + "/home").c_str(), 1);
    ::setenv("XDG_CACHE_HOME", (dir + "/home").c_str(), 1);
    ::unsetenv("OPENSC_DEBUG");
    const int o = ::open((tag + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open((tag + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) ::_exit(126);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  Run r;
  int st = 0;
  bool done = false;
  for (int i = 0; i < 600 && !done; ++i) {
    done = ::waitpid(pid, &st, WNOHANG) == pid;
    if (!done) std::this_thread::sleep_for(100ms);
  }
  if (!done) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
  } else if (WIFEXITED(st)) {
    r.status = WEXITSTATUS(st);
  }
  r.out = slurp(tag + ".out");
  r.err = slurp(tag + ".err");
  r.debug = slurp(tag + ".debug.log");
  return r;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

/// The command APDUs in an OpenSC debug log ("Outgoing APDU (N bytes):" and hex dump lines).
std::vector<Bytes> outgoing_apdus(const std::string& log) {
  std::vector<Bytes> out;
  std::istringstream in(log);
  std::string line;
  const std::regex head(R"(^Outgoing APDU \((\d+) bytes\):)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, head)) continue;
    const std::size_t n = std::stoul(m[1]);
    Bytes apdu;
    while (apdu.size() < n && std::getline(in, line)) {
      std::istringstream hex(line.substr(0, 48));
      std::string byte;
      while (apdu.size() < n && hex >> byte && byte.size() == 2)
        apdu.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
    }
    out.push_back(std::move(apdu));
  }
  return out;
}

/// A certificate as OpenSC shows it: "02 10 <serial>" in pkcs15-tool, the serial in hex in
/// pkcs11-tool, and the CN with every non-ASCII byte as \xHH in pkcs11-tool's subject line.
struct Expected {
  std::string label;
  crypto::Certificate cert;
  std::string encoded_serial() const {
    std::string s =
        "02 " + to_hex(Bytes{static_cast<std::uint8_t>(cert.serial().size())}) + " " + to_hex(cert.serial());
    return s;
  }
  std::string cn_escaped() const {
    std::string out;
    for (unsigned char ch : cert.subject().get("CN")) {
      if (ch < 0x80) {
        out += static_cast<char>(ch);
      } else {
        out += "\\x" + to_hex(Bytes{ch});
      }
    }
    return out;
  }
};

crypto::Certificate cert_of(const vcard::CardImage& img, const std::string& extra) {
  auto c = crypto::Certificate::parse(img.extras.at(extra));
  REQUIRE_MESSAGE(c.ok(), extra << ": " << c.error().to_string());
  return std::move(c).value();
}

Bytes der_from_pem(const std::string& pem) {
  const auto b = pem.find("-----BEGIN CERTIFICATE-----");
  const auto e = pem.find("-----END CERTIFICATE-----");
  if (b == std::string::npos || e == std::string::npos) return {};
  static const std::string abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  Bytes out;
  unsigned acc = 0;
  int bits = 0;
  for (std::size_t i = b + 27; i < e; ++i) {
    const auto v = abc.find(pem[i]);
    if (v == std::string::npos) continue;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string file_text(const vcard::CardImage& img, std::uint16_t fid) {
  const vcard::VFile* f = img.find({fid});
  REQUIRE(f != nullptr);
  return std::string(f->content.begin(), f->content.end());
}

void wait_reader(bool present, e2e::Child* card = nullptr) {
  const std::string why = e2e::wait_card(present, 30s, card);  // generous: CI runs other tests at once
  REQUIRE_MESSAGE(why.empty(), why);
}

}  // namespace

TEST_CASE("OpenSC reads dnie-vcard --contact through pcscd like a DNIe, up to its CWA channel") {
  const std::string dir = DNIE_VCARD_IMAGE_DIR;
  auto loaded = vcard::CardImage::load(dir + "/genuine.dvc");
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().to_string());
  const vcard::CardImage& img = *loaded;
  const std::vector<Expected> certs{{"CertAutenticacion", cert_of(img, "auth-cert.der")},
                                    {"CertFirmaDigital", cert_of(img, "sign-cert.der")},
                                    {"CertCAIntermediaDGP", cert_of(img, "dnie-ca.der")}};
  const std::string dni = certs[0].cert.subject().get("serialNumber");
  REQUIRE(dni.size() == 9);

  wait_reader(false);
  e2e::Child card(e2e::vcard_args("genuine", true));
  wait_reader(true, &card);

  SUBCASE("opensc-tool: the DNIe driver by its ATR") {
    const Run a = run("opensc-tool-a", {OPENSC_TOOL, "-a"});
    REQUIRE_MESSAGE(a.status == 0, a.err);
    std::string atr;
    for (std::size_t i = 0; i < img.atr_contact.size(); ++i)
      atr += (i ? ":" : "") + to_hex(Bytes{img.atr_contact[i]});
    for (auto& ch : atr) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK_MESSAGE(has(a.out, atr), a.out);
    const Run n = run("opensc-tool-n", {OPENSC_TOOL, "-n"});
    REQUIRE_MESSAGE(n.status == 0, n.err);
    CHECK_MESSAGE(has(n.out, "dnie\n"), n.out);
  }

  SUBCASE("dnie-tool: IDESP (0006), version (2F03), chip serial (90 B8), holder data (CDF)") {
    const Run r = run("dnie-tool", {DNIE_TOOL, "-i", "-V", "-s", "-d"});
    REQUIRE_MESSAGE(r.status == 0, r.err << r.out);
    CHECK_MESSAGE(has(r.out, "IDESP:\t " + file_text(img, 0x0006) + "\n"), r.out);
    CHECK_MESSAGE(has(r.out, "DNIe Version:  " + file_text(img, 0x2F03) + "\n"), r.out);
    CHECK_MESSAGE(has(r.out, "Serial number: " + to_hex(img.chip_serial) + "\n"), r.out);
    CHECK_MESSAGE(has(r.out, "DNIe Number:   " + dni + "\n"), r.out);
    // Everything it read came in plain: the public files need no channel on contact (§9).
    for (const Bytes& c : outgoing_apdus(r.debug)) CHECK_MESSAGE((c[0] & 0x0C) == 0, to_hex(c));
  }

  SUBCASE("pkcs15-tool: TokenInfo, the PIN object, both keys and the three certificates") {
    const Run r = run("pkcs15-tool-D", {PKCS15_TOOL, "-D"});
    REQUIRE_MESSAGE(r.status == 0, r.err << r.out);
    CHECK(has(r.out, "Manufacturer ID: DGP-FNMT"));
    std::string serial = to_hex(img.chip_serial);  // the 7 chip-serial bytes, lower-case hex here
    for (auto& ch : serial) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK_MESSAGE(has(r.out, "Serial number  : " + serial + "\n"), r.out);
    CHECK(has(r.out, "PIN [PIN1]"));
    CHECK(has(r.out, "Private RSA Key [KprivAutenticacion]"));
    CHECK(has(r.out, "Private RSA Key [KprivFirmaDigital]"));
    CHECK(has(r.out, "Path           : 3f003f110101"));
    CHECK(has(r.out, "Path           : 3f003f110102"));
    CHECK(has(r.out, "Key ref        : 2 (0x02)"));
    CHECK(has(r.out, "ModLength      : 2048"));
    for (std::size_t i = 0; i < certs.size(); ++i) {
      CAPTURE(certs[i].label);
      const auto at = r.out.find("X.509 Certificate [" + certs[i].label + "]");
      REQUIRE(at != std::string::npos);
      const std::string block = r.out.substr(at, r.out.find("\n\n", at) - at);
      CHECK(has(block, "Path           : 3f006061700" + std::to_string(i + 1)));
      CHECK_MESSAGE(has(block, "Encoded serial : " + certs[i].encoded_serial()), block);
      // The certificate itself, decompressed by OpenSC from the 8-byte header format (§2.3).
      std::smatch m;
      REQUIRE(std::regex_search(block, m, std::regex(R"(ID\s+: ([0-9a-f]+))")));
      const Run pem = run("read-certificate", {PKCS15_TOOL, "--read-certificate", m[1].str()});
      REQUIRE_MESSAGE(pem.status == 0, pem.err);
      CHECK(der_from_pem(pem.out) == certs[i].cert.der());
    }
  }

  SUBCASE("OpenSC PKCS#11 module: certificates and public keys without a login") {
    const Run r = run("pkcs11-tool-O", {PKCS11_TOOL, "--module", OPENSC_PKCS11, "-O"});
    REQUIRE_MESSAGE(r.status == 0, r.err << r.out);
    for (const auto& c : certs) {
      CAPTURE(c.label);
      const auto at = r.out.find("label:      " + c.label + "\n  subject:");
      REQUIRE_MESSAGE(at != std::string::npos, r.out);
      const std::string block = r.out.substr(at, r.out.find("Public Key Object", at) - at);
      CHECK_MESSAGE(has(block, "CN=" + c.cn_escaped()), block);
      CHECK_MESSAGE(has(block, "serial:     " + to_hex(c.cert.serial())), block);
    }
    CHECK(has(r.out, "serialNumber=" + dni));
    CHECK(has(r.out, "Public Key Object; RSA 2048 bits"));
  }

  SUBCASE("a login stops at OpenSC's component roots: the chain is read, no VERIFY is sent") {
    const Run r = run("pkcs11-tool-login", {PKCS11_TOOL, "--module", OPENSC_PKCS11, "--login", "--pin",
                                            std::string(img.pin.begin(), img.pin.end()), "-O"});
    CHECK(r.status != 0);
    CHECK_MESSAGE(has(r.debug, "Cannot verify icc Sub-CA certificate"), r.err);
    CHECK(has(r.debug, "assigning old data channel configuration"));  // r1: AC RAIZ COMPONENTES
    bool read_6020 = false, read_601f = false;
    for (const Bytes& c : outgoing_apdus(r.debug)) {
      if (c.size() == 7 && c[1] == 0xA4) read_6020 |= c[5] == 0x60 && c[6] == 0x20;
      if (c.size() == 7 && c[1] == 0xA4) read_601f |= c[5] == 0x60 && c[6] == 0x1F;
      CHECK_MESSAGE(c[1] != 0x20, "VERIFY sent: " << to_hex(c));  // the PIN never leaves
      CHECK_MESSAGE(c[1] != 0x22, "MSE sent: " << to_hex(c));     // nor does the handshake start
      CHECK_MESSAGE((c[0] & 0x0C) == 0, "SM command: " << to_hex(c));
    }
    CHECK(read_6020);
    CHECK(read_601f);
  }

  SUBCASE("r2: OpenSC recognises the second component root by the name of EF 6020's issuer") {
    card.stop();
    wait_reader(false);
    e2e::Child r2(e2e::vcard_args("r2", true));
    wait_reader(true, &r2);
    const Run r = run("pkcs11-tool-login-r2", {PKCS11_TOOL, "--module", OPENSC_PKCS11, "--login", "--pin",
                                               std::string(img.pin.begin(), img.pin.end()), "-O"});
    CHECK(r.status != 0);
    CHECK_MESSAGE(has(r.debug, "assigning new data channel configuration"), r.err);
    CHECK(has(r.debug, "Cannot verify icc Sub-CA certificate"));
    for (const Bytes& c : outgoing_apdus(r.debug)) CHECK_MESSAGE(c[1] != 0x20, to_hex(c));
    r2.stop();
    wait_reader(false);
  }
}
