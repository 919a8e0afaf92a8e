// SPDX-License-Identifier: Apache-2.0
// Example: read the holder's identity from a DNIe 3.0.
//
//   read_identity [reader] [CAN]     (defaults: "virtual", $DNIE_CAN or 123456 for the virtual card)
//
// Opens the card, runs PACE with the CAN, reads DG1 (MRZ), DG11 (additional personal details) and
// DG13 (Spanish details) and prints the holder. No verification here: see dnie-verify for that.
// The simulated card is a separate component (dnie::vcard_session): this example links it and
// uses vcard_session::open(), which opens it for a "virtual..." reader and calls Session::open
// for any other. A program for real cards only links dnie::card and calls Session::open.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dnie/card/session.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/mrz.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

int main(int argc, char** argv) {
  dnie::SessionOptions options;
  options.reader = argc > 1 ? argv[1] : "virtual";
  const char* env_can = std::getenv("DNIE_CAN");
  const std::string can = argc > 2 ? argv[2] : env_can ? env_can : "123456";

  auto session = dnie::vcard_session::open(options);
  if (!session) {
    std::fprintf(stderr, "open %s: %s\n", options.reader.c_str(), session.error().to_string().c_str());
    return 2;
  }
  if (auto st = (*session)->pace_can(can); !st) {
    std::fprintf(stderr, "PACE: %s\n", st.error().to_string().c_str());
    return 1;
  }
  auto doc = (*session)->read_document({1, 11, 13});
  if (!doc) {
    std::fprintf(stderr, "read: %s\n", doc.error().to_string().c_str());
    return 1;
  }

  const dnie::Bytes* dg1 = doc->dg(1);
  if (!dg1) {
    std::fprintf(stderr, "DG1 not read\n");
    return 1;
  }
  auto mrz = dnie::icao::parse_dg1(*dg1);
  if (!mrz) {
    std::fprintf(stderr, "DG1: %s\n", mrz.error().to_string().c_str());
    return 1;
  }
  std::printf("MRZ:\n");
  for (const auto& l : mrz->lines()) std::printf("  %s\n", l.c_str());
  std::printf("Surname(s):      %s\n", mrz->primary_identifier.c_str());
  std::printf("Given name(s):   %s\n", mrz->secondary_identifier.c_str());
  std::printf("Document number: %s\n", mrz->document_number.c_str());
  std::printf("DNI:             %s\n", mrz->personal_number().c_str());
  std::printf("Nationality:     %s\n", mrz->nationality.c_str());
  std::printf("Sex:             %s\n", mrz->sex.c_str());
  std::printf("Birth (YYMMDD):  %s\n", mrz->date_of_birth.c_str());
  std::printf("Expiry (YYMMDD): %s\n", mrz->date_of_expiry.c_str());

  if (const dnie::Bytes* dg11 = doc->dg(11)) {
    if (auto d = dnie::icao::parse_dg11(*dg11)) {
      if (d->full_name) std::printf("Full name:       %s\n", d->full_name->c_str());
      if (d->place_of_birth) std::printf("Place of birth:  %s\n", d->place_of_birth->c_str());
      if (d->address) std::printf("Address:         %s\n", d->address->c_str());
    }
  }
  if (const dnie::Bytes* dg13 = doc->dg(13)) {
    if (auto d = dnie::icao::parse_dg13_spain(*dg13)) {
      std::printf("Parents:         %s\n", d->parents.c_str());
      std::printf("Birth town:      %s (%s)\n", d->birth_town.c_str(), d->birth_province.c_str());
      std::printf("Support number:  %s\n", d->idesp.c_str());
    }
  }
  return 0;
}
