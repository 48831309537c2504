#!/bin/bash
# SPDX-License-Identifier: MIT
# A reply to a write means the write is kept. Several clients write as fast as the daemon answers, the
# daemon is killed with SIGKILL mid-stream, and after a restart every write whose reply arrived must be
# there with its value, the revision must not have gone back, and the database must pass
# integrity_check. With Durability=full and =normal (both promise to survive a crash of the daemon;
# power loss, where they differ, cannot be staged here). TAP.
#
# Usage: test-durability.sh CLIENT (the store-client binary)
set -u
. "$(dirname "$0")/lib/world.sh"
CLIENT=${1:?usage: $0 STORE-CLIENT}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }

CLIENTS=4
ROUNDS=2
WRITER_PIDS=()

stop_writers() {
        local pid
        for pid in "${WRITER_PIDS[@]}"; do
                kill -TERM "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        WRITER_PIDS=()
}

world_start_bus || exit 1
trap 'stop_writers; world_stop' EXIT
revision() { busctl --system get-property org.example.Store /org/example/Store org.example.Store.Manager Revision | cut -d' ' -f2; }

for durability in full normal; do
        db=$WORLD_DIR/store-$durability.db
        world_start_daemon --database="$db" --durability="$durability" || exit 1
        for round in $(seq $ROUNDS); do
                what="durability=$durability, crash $round"
                for c in $(seq $CLIENTS); do
                        "$CLIENT" write "$durability-$round-$c" "$WORLD_DIR/acked-$durability-$round-$c" \
                                > "$WORLD_DIR/writer-$durability-$round-$c.out" 2>&1 &
                        WRITER_PIDS+=($!)
                done
                sleep 1.5
                kill -KILL "$WORLD_DAEMON_PID"
                wait "$WORLD_DAEMON_PID" 2>/dev/null
                WORLD_DAEMON_PID=
                # The writers stop at their first failed call: the bus fails the calls in flight.
                for pid in "${WRITER_PIDS[@]}"; do wait "$pid"; done
                WRITER_PIDS=()

                killed_mid_stream=0
                for c in $(seq $CLIENTS); do
                        grep -q "stopped_by=org.freedesktop.DBus.Error" "$WORLD_DIR/writer-$durability-$round-$c.out" &&
                                killed_mid_stream=$((killed_mid_stream + 1))
                done
                if [ $killed_mid_stream -eq $CLIENTS ]; then
                        ok "$what: every client was writing when the daemon was killed"
                else
                        not_ok "$what: every client was writing when the daemon was killed" \
                                "$(cat "$WORLD_DIR"/writer-$durability-$round-*.out)"
                fi

                # The files as the crash left them, checked on a copy so the restart sees them untouched.
                mkdir -p "$WORLD_DIR/copy"
                rm -f "$WORLD_DIR"/copy/*
                cp "$db" "$WORLD_DIR/copy/store.db"
                [ ! -e "$db-wal" ] || cp "$db-wal" "$WORLD_DIR/copy/store.db-wal"
                out=$(sqlite3 "$WORLD_DIR/copy/store.db" "PRAGMA integrity_check" 2>&1)
                if [ "$out" = ok ]; then ok "$what: the database passes integrity_check"; else not_ok "$what: integrity_check" "$out"; fi

                world_start_daemon --database="$db" --durability="$durability" || exit 1
                total_acked=0 total_found=0 lost=0 max_revision=0
                for c in $(seq $CLIENTS); do
                        out=$("$CLIENT" verify "$durability-$round-$c" "$WORLD_DIR/acked-$durability-$round-$c" 2>&1) || lost=1
                        echo "# $what: $(tail -1 <<<"$out")"
                        [ $lost -eq 0 ] || printf '#   %s\n' "$out"
                        acked=$(grep -o 'acknowledged=[0-9]*' <<<"$out" | cut -d= -f2)
                        found=$(grep -o ' found=[0-9]*' <<<"$out" | cut -d= -f2)
                        rev=$(grep -o 'max_revision=[0-9]*' <<<"$out" | cut -d= -f2)
                        total_acked=$((total_acked + ${acked:-0}))
                        total_found=$((total_found + ${found:-0}))
                        [ "${rev:-0}" -le $max_revision ] || max_revision=$rev
                done
                echo "# $what: $total_acked writes acknowledged, $total_found found after the restart"
                if [ $lost -eq 0 ] && [ $total_acked -gt 0 ] && [ $total_found -eq $total_acked ]; then
                        ok "$what: every acknowledged write is there with its value ($total_found of $total_acked)"
                else
                        not_ok "$what: every acknowledged write is there with its value" "found $total_found of $total_acked"
                fi
                now=$(revision)
                if [ "$now" -ge "$max_revision" ]; then
                        ok "$what: the revision did not go back ($now >= $max_revision)"
                else
                        not_ok "$what: the revision did not go back" "now $now, acknowledged up to $max_revision"
                fi
        done
        world_stop_daemon
        out=$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1)
        if [ "$out" = ok ]; then ok "durability=$durability: integrity_check after a clean stop"; else not_ok "durability=$durability: integrity_check after a clean stop" "$out"; fi
done

echo "1..$n"
exit $((failed > 0))
