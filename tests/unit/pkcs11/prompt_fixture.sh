#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A prompt program for the tests (docs/pkcs11.md "Prompt program"): records its arguments in
# $PROMPT_LOG (one line, fields separated by '|') and answers from the environment.
if [ -n "$PROMPT_LOG" ]; then
  for a in "$@"; do printf '%s|' "$a"; done >> "$PROMPT_LOG"
  echo >> "$PROMPT_LOG"
fi
[ -n "$PROMPT_SLEEP" ] && exec sleep "$PROMPT_SLEEP"
case "$1" in
  can) [ -n "$PROMPT_CAN" ] || exit 1; echo "$PROMPT_CAN" ;;
  sign) echo "${PROMPT_SIGN:-no}" ;;
  last-try) echo "${PROMPT_LAST_TRY:-no}" ;;
  *) exit 2 ;;
esac
