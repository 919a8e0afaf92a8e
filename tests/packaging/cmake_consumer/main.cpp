// A downstream project using the installed SDK through find_package(dnie).
#include <cstdio>

#include "dnie/apdu/apdu.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/version.hpp"

int main() {
  dnie::apdu::CommandApdu select(0x00, 0xA4, 0x04, 0x00, dnie::hex_bytes("A0000002471001"));
  auto enc = select.encode();
  auto s = dnie::sm::SmSession::create(dnie::sm::Suite::Aes, dnie::SecureBuffer(dnie::Bytes(16, 1)),
                                       dnie::SecureBuffer(dnie::Bytes(16, 2)),
                                       dnie::SecureBuffer(dnie::Bytes(16, 0)));
  if (!enc || !s) return 1;
  std::printf("find_package consumer: dnie %s, %s, SM chunk %zu\n", DNIE_VERSION_STRING,
              dnie::to_hex(*enc).c_str(), s->max_plain_response(256));
  return 0;
}
