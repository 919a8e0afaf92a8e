/* Compiles the public C header as C99 and exercises it once. */
#include <dnie/c/dnie.h>
#include <stdio.h>

int main(void) {
  const uint8_t data[] = {0x61, 0x5D};
  char out[5];
  size_t n = sizeof out;
  if (dnie_hex_encode(data, sizeof data, out, &n) != DNIE_OK) return 1;
  printf("C header OK: %s %s\n", dnie_version_string(), out);
  return 0;
}
