#!/bin/sh
# Not part of the suite: crashes dom0 to check that tests/lab/run fails
# this test, restarts the lab and goes on (XK_LAB_TESTS='x9999*').
echo c >/proc/sysrq-trigger
