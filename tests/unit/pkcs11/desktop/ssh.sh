#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenSSH: ssh-keygen -D lists nothing while the virtual card is off (the default: a fresh setup
# must not offer a test key whose PIN is public) and the card's keys once it is on; ssh-agent
# loads the module (OpenSSH opens R/W sessions) with the PIN from an askpass program, signs with
# the authentication key, and ssh-keygen verifies the signature.
source "$(dirname "$0")/common.sh"
need ssh-keygen ssh-agent ssh-add setsid

step "virtual card off (default): no keys"
if env -u DNIE_PKCS11_VIRTUAL ssh-keygen -D "$module" > off.txt 2>&1; then :; fi
cat off.txt
! grep -q "ssh-rsa" off.txt || fail "ssh-keygen -D lists keys although the virtual card is off"

step "virtual card on: its keys"
ssh-keygen -D "$module" | tee on.txt
grep -q "ssh-rsa .* KprivAutenticacion" on.txt
grep -q "ssh-rsa .* KprivFirmaDigital" on.txt

step "ssh-agent with the module, PIN from an askpass program"
printf '#!/bin/sh\necho %s\n' "$PIN" > askpass.sh
chmod 700 askpass.sh
ssh-agent -P "$(dirname "$(readlink -f "$module")")/*,$(dirname "$module")/*" -a "$work/agent.sock" -D > agent.log 2>&1 &
agent=$!
cleanup() { kill "$agent" 2>/dev/null || true; }
for _ in $(seq 50); do [ -S "$work/agent.sock" ] && break; sleep 0.1; done
export SSH_AUTH_SOCK=$work/agent.sock
SSH_ASKPASS=$work/askpass.sh SSH_ASKPASS_REQUIRE=force setsid -w ssh-add -s "$module" < /dev/null
ssh-add -L | tee agent-keys.txt
grep "KprivAutenticacion" agent-keys.txt > auth.pub

step "a signature with the authentication key, through the agent"
ssh-keygen -Y sign -f auth.pub -n file data
ssh-keygen -Y check-novalidate -n file -f auth.pub -s data.sig < data
echo; echo "OpenSSH: all checks passed"
