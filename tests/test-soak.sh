#!/bin/bash
# SPDX-License-Identifier: MIT
# A soak on a private bus: tests/soak-client.c runs 50 clients of mixed Get/Set/SetWithTTL/Delete/
# Subscribe across 10 namespaces against one daemon, checks every answer, reads every key back at the
# end, samples the daemon's RSS and prints latency percentiles. Then the daemon must stop cleanly and
# its database pass integrity_check. TAP.
#
#   test-soak.sh SOAK_CLIENT
#
# SOAK_SECONDS sets the length (60 by default, for CI); by hand: SOAK_SECONDS=600 meson test -C build
# soak -v --timeout-multiplier=5. SOAK_CLIENTS, SOAK_NAMESPACES, SOAK_KEYS and SOAK_SEED change the mix;
# SOAK_DURABILITY (full, the default, or normal) the daemon's durability.
set -u
. "$(dirname "$0")/lib/world.sh"

CLIENT=${1:?usage: $0 SOAK_CLIENT}
seconds=${SOAK_SECONDS:-60}

world_start_bus || exit 1
world_start_daemon --durability="${SOAK_DURABILITY:-full}" --direct-socket= || exit 1

"$CLIENT" --seconds="$seconds" --clients="${SOAK_CLIENTS:-50}" --namespaces="${SOAK_NAMESPACES:-10}" \
        --keys="${SOAK_KEYS:-64}" --daemon-pid="$WORLD_DAEMON_PID" ${SOAK_SEED:+--seed="$SOAK_SEED"} |
        sed '/^1\.\./d' > "$WORLD_DIR/soak.tap"
rc=${PIPESTATUS[0]}
cat "$WORLD_DIR/soak.tap"
n=$(grep -c '^\(not \)\?ok ' "$WORLD_DIR/soak.tap")
failed=$([ "$rc" -eq 0 ] && echo 0 || echo 1)

# A clean stop, and a sound database.
kill -TERM "$WORLD_DAEMON_PID"
wait "$WORLD_DAEMON_PID"
status=$?
WORLD_DAEMON_PID=
n=$((n + 1))
if [ $status -eq 0 ]; then echo "ok $n - the daemon stops cleanly after the soak"; else echo "not ok $n - the daemon stops cleanly after the soak (status $status)"; failed=1; fi
n=$((n + 1))
check=$(sqlite3 "$WORLD_DIR/store.db" "PRAGMA integrity_check" 2>&1)
if [ "$check" = ok ]; then echo "ok $n - the database passes integrity_check ($(stat -c %s "$WORLD_DIR/store.db") bytes)"; else echo "not ok $n - integrity_check: $check"; failed=1; fi
grep -v "^stored: \(Store\|Serving\|Received\)" "$WORLD_DIR/stored.log" | head -20 | sed "s/^/# /"
echo "1..$n"
exit $failed
