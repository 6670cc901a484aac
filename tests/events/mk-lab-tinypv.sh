#!/bin/sh
# mk-lab-tinypv.sh BUILD-DIR - refresh tests/lab/events-tinypv.b64, the
# lab's copy of xk-tinypv (tests/events/tinypv.c), from a build.  The
# lab's dom0 gets tests/lab/ but no build products of tests/events, so
# the 1 KiB kernel travels as base64; t6900 checks that it matches.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
base64 -w 76 "$1/tests/events/xk-tinypv" >"$top/tests/lab/events-tinypv.b64"
