/* SPDX-License-Identifier: Apache-2.0
 * read_identity: open a DNIe, run PACE with the CAN, print the holder's identity, the
 * certificates' sizes and the PIN tries left — through the C API only (libdnie.so).
 *
 *   read_identity [reader-spec [CAN]]     default: "virtual" (the virtual card, by name), 123456
 *
 * The CAN is the 6-digit number printed on the front of the card; it may also be given in the
 * DNIE_CAN environment variable. */
#include <dnie/c/dnie.h>
#include <stdio.h>
#include <stdlib.h>

static int report(const char* what, int rc) {
  fprintf(stderr, "%s: %s (%d): %s\n  %s\n", what, dnie_error_name(rc), rc, dnie_last_error_message(),
          dnie_error_hint(rc));
  return 1;
}

int main(int argc, char** argv) {
  const char* reader = argc > 1 ? argv[1] : "virtual";
  const char* can = argc > 2 ? argv[2] : getenv("DNIE_CAN");
  dnie_session* s = NULL;
  dnie_identity id;
  int rc, tries = -1, key;
  size_t n;

  if (!can) can = "123456";
  rc = dnie_session_open(reader, &s);
  if (rc != DNIE_OK) return report("open", rc);
  rc = dnie_pace_can(s, can);
  if (rc != DNIE_OK) {
    dnie_session_close(s);
    return report("PACE", rc);
  }
  rc = dnie_read_identity(s, &id);
  if (rc != DNIE_OK) {
    dnie_session_close(s);
    return report("read identity", rc);
  }
  printf("Document:     %s\n", id.document_number);
  printf("DNI:          %s\n", id.dni_number);
  printf("Name:         %s\n", id.names);
  printf("Surnames:     %s\n", id.surnames);
  printf("Sex:          %s\n", id.sex);
  printf("Nationality:  %s\n", id.nationality);
  printf("Born:         %s in %s\n", id.birth_date, id.birth_place);
  printf("Address:      %s\n", id.address);
  printf("Expires:      %s\n", id.expiry_date);

  for (key = DNIE_KEY_AUTH; key <= DNIE_KEY_CA; ++key) {
    n = 0;
    rc = dnie_certificate(s, key, NULL, &n);
    if (rc != DNIE_OK) {
      dnie_session_close(s);
      return report("certificate", rc);
    }
    printf("Certificate %d: %u bytes of DER\n", key, (unsigned)n);
  }
  rc = dnie_pin_tries(s, &tries);
  if (rc == DNIE_OK)
    printf("PIN tries left: %d\n", tries);
  else
    printf("PIN tries left: unknown (%s)\n", dnie_error_name(rc));
  dnie_session_close(s);
  return 0;
}
