/* A plain C program using libdnie.so through pkg-config. */
#include <dnie/c/dnie.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  const uint8_t data[] = {0x90, 0x00};
  char hex[8];
  size_t n = sizeof hex;
  if (!dnie_supports_api(DNIE_C_API_VERSION)) return 1;
  if (dnie_hex_encode(data, sizeof data, hex, &n) != DNIE_OK || strcmp(hex, "9000") != 0) return 2;
  n = 2;
  if (dnie_hex_encode(data, sizeof data, hex, &n) != DNIE_ERR_INVALID_ARGUMENT || n != 5) return 3;
  printf("C consumer: libdnie %s, API %u, %s = \"%s\"\n", dnie_version_string(), (unsigned)dnie_api_version(),
         dnie_error_name(DNIE_ERR_WRONG_PIN), dnie_error_hint(DNIE_ERR_WRONG_PIN));
  return 0;
}
