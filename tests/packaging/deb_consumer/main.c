/* SPDX-License-Identifier: Apache-2.0
 * A C program built against an unpacked Debian package (tests/packaging/deb.sh) with its
 * pkg-config file: libdnie.so opens the virtual card only when asked for it by name, and finds
 * the card images relative to itself (the package was unpacked away from /usr). */
#include <dnie/c/dnie.h>
#include <stdio.h>

int main(void) {
  dnie_session* s = NULL;
  dnie_identity id;
  int rc = dnie_session_open(NULL, &s); /* the first PC/SC reader with a card: none here */
  if (rc != DNIE_ERR_READER_NOT_FOUND || s != NULL) {
    fprintf(stderr, "open(NULL): %s, expected DNIE_ERR_READER_NOT_FOUND\n", dnie_error_name(rc));
    return 1;
  }
  rc = dnie_session_open("virtual", &s);
  if (rc != DNIE_OK) {
    fprintf(stderr, "open(virtual): %s: %s\n", dnie_error_name(rc), dnie_last_error_message());
    return 2;
  }
  rc = dnie_pace_can(s, "123456");
  if (rc == DNIE_OK) rc = dnie_read_identity(s, &id);
  if (rc != DNIE_OK) {
    fprintf(stderr, "PACE / identity: %s: %s\n", dnie_error_name(rc), dnie_last_error_message());
    dnie_session_close(s);
    return 3;
  }
  printf("C consumer (libdnie %s): %s %s, DNI %s\n", dnie_version_string(), id.names, id.surnames,
         id.dni_number);
  dnie_session_close(s);
  return 0;
}
