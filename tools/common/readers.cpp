// SPDX-License-Identifier: Apache-2.0
#include "readers.hpp"

#include <vector>

#include "dnie/card/session.hpp"

namespace dnie::cli {

Result<std::string> resolve_reader(const std::string& given) {
  if (!given.empty()) return given;
  std::vector<std::string> notes;
  const auto readers = list_readers(false, &notes);
  std::string seen;
  for (const auto& r : readers) {
    if (r.kind != ReaderKind::Pcsc) continue;
    if (r.card_present) return "pcsc:" + r.name;
    seen += (seen.empty() ? "" : ", ") + r.name;
  }
  const std::string how =
      ". Pick a reader with --reader NAME or INDEX (`dnie readers` lists them), or use --reader virtual "
      "for the embedded virtual DNIe (a TEST card, never chosen by default)";
  if (!seen.empty())
    return Error(ErrorCode::NoCard,
                 "no --reader given and no PC/SC reader holds a card (readers: " + seen + ")" + how);
  std::string why;
  for (const auto& n : notes) why += (why.empty() ? "" : "; ") + n;
  return Error(ErrorCode::ReaderNotFound,
               "no --reader given and no PC/SC reader found" + (why.empty() ? "" : " (" + why + ")") + how);
}

}  // namespace dnie::cli
