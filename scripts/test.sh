#!/usr/bin/env bash
# The test suite in three passes (`make test` runs this after setting up):
# - `province`: the hub's province run (a 10-minute station outage, mostly waiting), alone in the background from
#   the start, so its wait overlaps the other two passes instead of adding to them;
# - every test not marked `realtime` or `province`, on $TEST_WORKERS workers, a file per worker at a time (module
#   fixtures are built once): most of the suite waits on audio, subprocesses and tmux, not on the two cores;
# - the `realtime` tests one at a time, because their millisecond measurements at the sink lose to busy neighbours.
# Every pass always runs; the exit status is the worst of them, and a pass that collects no test (pytest's 5)
# passes unless no pass collects any.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
WORKERS=${TEST_WORKERS:-4}
# shellcheck disable=SC2206
ARGS=(${PYTEST_ARGS:-})

province_log=$(mktemp)
"$VENV/pytest" -q -n 0 -m province "${ARGS[@]}" >"$province_log" 2>&1 &
province_pid=$!

parallel=0; serial=0; province=0
"$VENV/pytest" -q -n "$WORKERS" --dist loadfile --durations=15 -m "not realtime and not province" "${ARGS[@]}" || parallel=$?
"$VENV/pytest" -q -n 0 --durations=15 -m realtime "${ARGS[@]}" || serial=$?
wait "$province_pid" || province=$?
echo "--- province pass (run in the background) ---"
cat "$province_log"
rm -f "$province_log"
echo "make test: parallel pass exit $parallel, realtime pass exit $serial, province pass exit $province"

codes=("$parallel" "$serial" "$province")
empty=0; worst=0
for code in "${codes[@]}"; do
    if [ "$code" -eq 5 ]; then empty=$((empty + 1)); elif [ "$code" -gt "$worst" ]; then worst=$code; fi
done
if [ "$empty" -eq "${#codes[@]}" ]; then exit 5; fi
exit "$worst"
