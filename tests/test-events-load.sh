#!/bin/bash
# SPDX-License-Identifier: MIT
# Change events under load (tests/events-load.c) on a private bus with its own daemon. TAP.
#
#   test-events-load.sh EVENTS_LOAD_BINARY
#
# The CI variant: 100 subscribed connections, 1 000 changes, seconds (one round, and a bound that lets a
# reader on a busy machine fall 400 changes behind before it counts as not reading). STORED_LOAD_FULL=1:
# 1 000 connections, 10 000 changes in three rounds: about 25 minutes on two shared cores, nearly all
# of it in dbus-daemon, which looks through every match rule of the interface for each signal, unicast
# or not (run meson test with --timeout-multiplier=20). STORED_LOAD_READERS, STORED_LOAD_CHANGES,
# STORED_LOAD_ROUNDS, STORED_LOAD_PROCESSES and STORED_LOAD_BOUND override either variant's figures;
# STORED_LOAD_LOCAL_FILTER=1 makes the readers filter locally instead of with match rules, which shows
# what those rules cost the bus.
set -u
. "$(dirname "$0")/lib/world.sh"

load=${1:?usage: test-events-load.sh EVENTS_LOAD_BINARY}
if [ "${STORED_LOAD_FULL:-0}" != 0 ]; then
        readers=1000 changes=10000 rounds=3 processes=4 bound=1000 timeout=3600
else
        readers=100 changes=1000 rounds=1 processes=2 bound=400 timeout=120
fi
readers=${STORED_LOAD_READERS:-$readers}
changes=${STORED_LOAD_CHANGES:-$changes}
rounds=${STORED_LOAD_ROUNDS:-$rounds}
processes=${STORED_LOAD_PROCESSES:-$processes}
bound=${STORED_LOAD_BOUND:-$bound}
extra=()
[ "${STORED_LOAD_LOCAL_FILTER:-0}" = 0 ] || extra+=(--local-filter)

world_start_bus || { echo "1..0 # SKIP no bus"; exit 1; }
# The writer's rate is the figure: durability=normal keeps fsync out of it.
world_start_daemon --durability=normal --max-unread-signals="$bound" --log-level=info || exit 1

"$load" --readers="$readers" --changes="$changes" --rounds="$rounds" --processes="$processes" --bound="$bound" \
        --timeout="$timeout" "${extra[@]}"
rc=$?
grep -v "^stored: \(Store\|Serving\|Ending the subscriptions\)" "$WORLD_DIR/stored.log" | sed 's/^/# stored: /'
exit $rc
