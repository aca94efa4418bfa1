#!/usr/bin/env bash
# e2e - the end-to-end suite (tests/e2e/run.sh: real Postfix, real DNS server, referees)
# as one integration test, so `make test` and CI run it. Its own output lists every
# scenario as ok, SKIP (feature not built yet) or FAIL.
exec bash "$(dirname "$0")/../e2e/run.sh" "$@"
