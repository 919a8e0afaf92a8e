// SPDX-License-Identifier: Apache-2.0
#include "vpcd_bridge.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace dnie::tools {

namespace {

bool read_all(int fd, std::uint8_t* p, std::size_t n, std::atomic<bool>& stop) {
  while (n > 0) {
    pollfd pfd{fd, POLLIN, 0};
    int pr = ::poll(&pfd, 1, 200);
    if (stop) return false;
    if (pr == 0) continue;
    if (pr < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    int one = 1;  // re-arm before every read: Linux clears quick-ack mode after a while
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    ssize_t r = ::recv(fd, p, n, 0);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      return false;
    }
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool send_msg(int fd, ByteView msg) {
  Bytes out{static_cast<std::uint8_t>(msg.size() >> 8), static_cast<std::uint8_t>(msg.size())};
  append(out, msg);
  const std::uint8_t* p = out.data();
  std::size_t n = out.size();
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

int connect_to(const std::string& host, std::uint16_t port, int timeout_ms, std::atomic<bool>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!stop) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
      ::close(fd);
      return -1;
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    ::close(fd);
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

}  // namespace

int serve_vpcd(const VpcdCard& card, const std::string& host, std::uint16_t port, std::atomic<bool>& stop,
               int connect_timeout_ms, double max_seconds) {
  int fd = connect_to(host, port, connect_timeout_ms, stop);
  if (fd < 0) return 2;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    if (max_seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > max_seconds)
      break;
    std::uint8_t hdr[2];
    if (!read_all(fd, hdr, 2, stop)) break;
    std::size_t n = static_cast<std::size_t>(hdr[0] << 8 | hdr[1]);
    Bytes msg(n);
    if (n && !read_all(fd, msg.data(), n, stop)) break;
    if (n == 1) {  // control message
      switch (msg[0]) {
        case 0x00:
          card.power_off();
          break;
        case 0x01:
          (void)card.power_on();
          break;
        case 0x02:
          (void)card.reset();
          break;
        case 0x04:
          if (!send_msg(fd, card.atr())) goto done;
          break;
        default:
          break;
      }
      continue;
    }
    Bytes rsp;
    if (n >= 5 && msg[0] == 0xFF && msg[1] == 0xCA && msg[2] == 0x00) {  // PC/SC part 3 GET UID
      rsp = card.uid;
      append(rsp, {0x90, 0x00});
    } else {
      rsp = card.process(msg);
    }
    if (!send_msg(fd, rsp)) break;
  }
done:
  ::close(fd);
  return 0;
}

}  // namespace dnie::tools
