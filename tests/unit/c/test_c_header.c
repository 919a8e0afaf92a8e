/* Compiles the public C header as C99 and exercises it once. */
#include <dnie/c/dnie.h>
#include <stdio.h>

int main(void) {
  const uint8_t data[] = {0x61, 0x5D};
  char out[5];
  size_t n = sizeof out;
  dnie_transport_callbacks cb = {0};
  dnie_identity id;
  dnie_session* s = NULL;
  if (dnie_hex_encode(data, sizeof data, out, &n) != DNIE_OK) return 1;
  dnie_session_close(NULL);
  if (dnie_session_open_transport(&cb, NULL, &s) != DNIE_ERR_INVALID_ARGUMENT || s != NULL) return 2;
  if (dnie_read_identity(NULL, &id) != DNIE_ERR_INVALID_ARGUMENT) return 3;
  if (dnie_error_tries_left() != -1) return 4;
  printf("C header OK: %s %s\n", dnie_version_string(), out);
  return 0;
}
