// SPDX-License-Identifier: Apache-2.0
// Shared rig of the holder tests: the virtual card's TEST holder PKI (AC RAIZ DNIE 2 TEST → AC
// DNIE 00x TEST → holder certificates; src/vcard/gen/pki.cpp) with the TEST CA key re-derived
// from the seed (vcard::gen::key_set), written to a scratch directory where the openssl command
// line issues CRLs, responder certificates and OCSP responses — an implementation nobody here
// wrote — and runs `openssl ocsp` as a local responder, started and stopped by PID.
#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "dnie/bytes/asn1.hpp"
#include "dnie/crypto/x509.hpp"
#include "dnie/holder/validation.hpp"
#include "dnie/vcard/card_image.hpp"

#include "test_support.hpp"
#include "vcard/gen/gen_internal.hpp"

namespace dnie::test {

namespace fs = std::filesystem;

inline vcard::CardImage load_holder_image(const std::string& profile) {
  auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/" + profile + ".dvc");
  REQUIRE_MESSAGE(img.ok(), profile << ": " << img.error().to_string());
  return std::move(img).value();
}

inline crypto::Certificate extra_cert(const vcard::CardImage& img, const char* name) {
  auto c = crypto::Certificate::parse(img.extras.at(name));
  REQUIRE(c.ok());
  return std::move(c).value();
}

/// A file's text, "" when unreadable; never asserts (safe inside doctest messages, which are
/// evaluated while the reporter holds its lock).
inline std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline void write_file(const fs::path& p, ByteView b) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
inline void write_text(const fs::path& p, const std::string& s) { write_file(p, ByteView::of(s)); }

/// Runs a shell command; its output goes to `log`. Returns the exit status.
inline int sh(const std::string& cmd, const fs::path& log) {
  const std::string full = "(" + cmd + ") >>" + log.string() + " 2>&1";
  const int rc = std::system(full.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline bool have_openssl() { return std::system("openssl version >/dev/null 2>&1") == 0; }

/// YYMMDDHHMMSSZ (openssl index.txt and -crl_lastupdate/-crl_nextupdate).
inline std::string openssl_time(std::int64_t t) {
  const std::string iso = asn1::format_time(t);  // YYYY-MM-DDTHH:MM:SSZ
  return iso.substr(2, 2) + iso.substr(5, 2) + iso.substr(8, 2) + iso.substr(11, 2) + iso.substr(14, 2) +
         iso.substr(17, 2) + "Z";
}

inline std::int64_t clock_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// A free TCP port on the loopback interface (bound, read back, released).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

/// A child process, SIGTERM then SIGKILL by PID and reaped when the object dies.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const fs::path& log) {
    m_pid = ::fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Process() { stop(); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  void stop() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
        m_pid = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
  }

 private:
  pid_t m_pid = -1;
};

/// A loopback server that accepts connections into its backlog and never answers (a responder
/// that hangs).
class SilentServer {
 public:
  SilentServer() {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(m_fd, 8) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    m_port = ntohs(a.sin_port);
  }
  ~SilentServer() { ::close(m_fd); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  int port() const { return m_port; }

 private:
  int m_fd = -1;
  int m_port = 0;
};

/// The TEST holder PKI of one card image, as files an openssl CA can use.
struct TestPki {
  vcard::CardImage image;
  crypto::Certificate root, ca, auth, sign;
  fs::path dir;
  int m_serial = 0;

  explicit TestPki(const std::string& profile = "genuine", const std::string& tag = "pki")
      : image(load_holder_image(profile)),
        root(extra_cert(image, "dnie-root.der")),
        ca(extra_cert(image, "dnie-ca.der")),
        auth(extra_cert(image, "auth-cert.der")),
        sign(extra_cert(image, "sign-cert.der")) {
    dir = fs::temp_directory_path() / ("dnie-holder-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto keys = vcard::gen::key_set(image.seed);
    REQUIRE(keys.ok());
    const auto key_der = (*keys)->dnie_ca->to_der();
    write_text(dir / "ca.key", crypto::pem_encode("RSA PRIVATE KEY", key_der.view()));
    fs::permissions(dir / "ca.key", fs::perms::owner_read | fs::perms::owner_write);
    write_text(dir / "ca.pem", ca.to_pem());
    write_text(dir / "root.pem", root.to_pem());
    write_text(dir / "auth.pem", auth.to_pem());
    write_text(dir / "sign.pem", sign.to_pem());
    write_text(dir / "crlnumber", "1000\n");
    write_text(dir / "index.txt.attr", "unique_subject = no\n");
    write_text(dir / "openssl.cnf",
               "[ ca ]\ndefault_ca = test\n[ test ]\ndatabase = " + (dir / "index.txt").string() +
                   "\ncrlnumber = " + (dir / "crlnumber").string() +
                   "\ndefault_md = sha256\ndefault_crl_days = 7\n"
                   "[ ocsp ]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n"
                   "extendedKeyUsage = OCSPSigning\n"
                   "[ plain ]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n");
    set_index({});
  }
  ~TestPki() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  fs::path log() const { return dir / "openssl.log"; }
  std::string p(const std::string& name) const { return (dir / name).string(); }

  /// One index.txt line (openssl ca / ocsp): V (valid) or R with a revocation time and reason.
  struct Entry {
    const crypto::Certificate* cert;
    std::int64_t revoked_at = 0;  ///< 0: valid
    std::string reason = "keyCompromise";
  };
  void set_index(const std::vector<Entry>& entries) {
    std::string text;
    for (const auto& e : entries) {
      text += e.revoked_at ? "R\t" : "V\t";
      text += openssl_time(e.cert->not_after()) + "\t";
      if (e.revoked_at) text += openssl_time(e.revoked_at) + (e.reason.empty() ? "" : "," + e.reason);
      text += "\t" + to_hex(e.cert->serial()) + "\tunknown\t/CN=holder-" + to_hex(e.cert->serial()) + "\n";
    }
    write_text(dir / "index.txt", text);
  }

  /// A CRL from the current index, signed by `key` (default: the TEST CA key) as `cert`.
  Bytes crl(const std::string& extra = {}, const std::string& key = "ca.key",
            const std::string& cert = "ca.pem") {
    const std::string out = p("crl.pem");
    REQUIRE_MESSAGE(sh("openssl ca -batch -config " + p("openssl.cnf") + " -gencrl -keyfile " + p(key) +
                           " -cert " + p(cert) + " -out " + out + " " + extra,
                       log()) == 0,
                    slurp(log()));
    return read_file(out);
  }

  /// A responder certificate issued by the TEST CA (`profile`: "ocsp" with id-kp-OCSPSigning,
  /// "plain" without), or self-signed under `subject` when `self_signed`.
  void make_responder(const std::string& name, const std::string& profile, bool self_signed = false,
                      const std::string& subject = "/C=ES/O=TEST/CN=OCSP RESPONDER TEST") {
    const std::string key = p(name + ".key"), pem = p(name + ".pem");
    if (self_signed) {
      REQUIRE(sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -subj '" + subject +
                     "' -days 30 -sha256 -out " + pem,
                 log()) == 0);
      return;
    }
    REQUIRE(sh("openssl req -new -newkey rsa:2048 -nodes -keyout " + key + " -subj '" + subject + "' -out " +
                   p(name + ".csr") + " && openssl x509 -req -in " + p(name + ".csr") + " -CA " +
                   p("ca.pem") + " -CAkey " + p("ca.key") + " -set_serial " +
                   std::to_string(4096 + m_serial++) + " -days 30 -sha256 -extfile " + p("openssl.cnf") +
                   " -extensions " + profile + " -out " + pem,
               log()) == 0);
  }

  /// An OCSP response file about `cert` from the current index, signed as `signer`/`key`.
  Bytes ocsp_file(const std::string& cert, const std::string& signer = "ca.pem",
                  const std::string& key = "ca.key", const std::string& extra = "-ndays 1") {
    const std::string req = p("req.der"), resp = p("resp.der");
    REQUIRE(sh("openssl ocsp -no_nonce -issuer " + p("ca.pem") + " -cert " + p(cert) + " -reqout " + req,
               log()) == 0);
    REQUIRE_MESSAGE(
        sh("openssl ocsp -index " + p("index.txt") + " -CA " + p("ca.pem") + " -rsigner " + p(signer) +
               " -rkey " + p(key) + " -reqin " + req + " -respout " + resp + " " + extra,
           log()) == 0,
        slurp(log()));
    return read_file(resp);
  }

  /// Validation options trusting this card's TEST root (the caller's opt-in), with its TEST CA
  /// as an intermediate (as read from the card).
  holder::ValidationOptions options() const {
    holder::ValidationOptions o;
    o.extra.push_back({root, "virtual card TEST root", true, true});
    o.extra.push_back({ca, "virtual card TEST CA", false, false});
    o.allow_test_roots = true;
    return o;
  }
};

/// `openssl ocsp` serving the index of `pki` on a free port, signed as `signer`/`key`.
class OcspResponder {
 public:
  OcspResponder(const TestPki& pki, const std::string& signer = "ca.pem", const std::string& key = "ca.key",
                std::vector<std::string> extra = {"-nmin", "60"}) {
    m_port = free_port();
    std::vector<std::string> argv = {"openssl", "ocsp",          "-index",   pki.p("index.txt"),
                                     "-CA",     pki.p("ca.pem"), "-rsigner", pki.p(signer),
                                     "-rkey",   pki.p(key),      "-port",    std::to_string(m_port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    // Ready when it says so: a probe connection would wedge the single-threaded responder.
    const fs::path log = pki.dir / ("responder-" + std::to_string(m_port) + ".log");
    m_proc = std::make_unique<Process>(argv, log);
    auto ready = [&log] {
      std::ifstream f(log);
      std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      return text.find("waiting for OCSP client connections") != std::string::npos;
    };
    for (int i = 0; i < 250 && !ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE_MESSAGE(ready(), "openssl ocsp did not start: " << slurp(log));
  }
  int port() const { return m_port; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/"; }

 private:
  int m_port = 0;
  std::unique_ptr<Process> m_proc;
};

/// An HttpPost that sends every request to `url` instead of the certificate's (ocsp.dnie.test
/// does not resolve), through the real libcurl client; records what it was asked.
struct Redirect {
  std::string url;
  std::vector<std::string> asked;
  holder::HttpPost post() {
    return [this](const std::string& u, std::string_view ct, ByteView body, const holder::HttpLimits& l) {
      asked.push_back(u);
      return holder::curl_http_post(url, ct, body, l);
    };
  }
};

}  // namespace dnie::test
