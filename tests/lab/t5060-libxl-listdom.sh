#!/bin/sh
# A program built on the host against libxen-dev's libxl runs in dom0
# and lists the domains.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
out=$(timeout 30 /usr/lib/xk-lab/bin/lab-listdom) || fail "lab-listdom: $out"
echo "$out"
echo "$out" | grep -q '^0 ' || fail "Domain-0 not listed"
