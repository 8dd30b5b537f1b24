#!/bin/bash
# Unit and round-trip tests of the format code and the dump engine
# (tests/unit/writer_test.c, in-memory partition, no devices).
. "$(dirname "$0")/lib.sh"
[ -x "$B/tests/writer_test" ] || { fail "writer_test built"; exit 1; }
"$B/tests/writer_test"
