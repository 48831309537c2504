#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon under valgrind: no invalid read or write, no use of uninitialised memory, and no memory
# definitely lost by the time it exits, over a representative mix of calls. TAP.
#
#   test-valgrind.sh STORECTL HOSTILE_CLIENT
#
# stored runs on a private bus under `valgrind --leak-check=full --error-exitcode=1
# --errors-for-leak-kinds=definite`, with a direct socket. tests/valgrind-driver.py calls every method
# at the root, in a namespace, in the caller's own namespace and on a direct connection: values, groups,
# TTL expiry by the timer, Render, quotas, the Manager, properties, Export/Import through pipes, Backup,
# Subscribe and the Changed signals, and errors of every kind. Then storectl as root (dump, load,
# backup) and as another uid (its own namespace; the whole store, which polkit, absent here, refuses), a
# subscriber that stops reading until it is cut off with Overflow, and connections that leave while
# subscribed. SIGTERM must then stop the daemon with valgrind's exit status 0. About half a minute.
set -u
. "$(dirname "$0")/lib/world.sh"

STORECTL=${1:?usage: $0 STORECTL HOSTILE_CLIENT}
HOSTILE_CLIENT=${2:?usage: $0 STORECTL HOSTILE_CLIENT}
PYTHON=/usr/bin/python3

if ! command -v valgrind >/dev/null; then
        echo "1..0 # SKIP valgrind is not installed (tools/deps installs it)"
        exit 0
fi

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
check() { # check DESCRIPTION COMMAND…: ok if the command succeeds, its output shown if not
        local what=$1 out
        shift
        if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "$out"; fi
}

STALLED_PID=
stop_stalled() {
        if [ -n "$STALLED_PID" ]; then
                exec {STALLED_IN}>&- 2>/dev/null || true
                kill -TERM "$STALLED_PID" 2>/dev/null || true
                wait "$STALLED_PID" 2>/dev/null || true
                STALLED_PID=
        fi
}

world_start_bus || exit 1
trap 'stop_stalled; world_stop' EXIT
VALGRIND_LOG=$WORLD_DIR/valgrind.log

# The daemon's binary, under valgrind: world_start_daemon runs whatever STORED_BINARY names.
REAL_STORED=$STORED_BINARY
cat > "$WORLD_DIR/stored-under-valgrind" <<EOF
#!/bin/sh
exec valgrind --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite \\
        --show-leak-kinds=definite --num-callers=30 --log-file="$VALGRIND_LOG" "$REAL_STORED" "\$@"
EOF
chmod +x "$WORLD_DIR/stored-under-valgrind"
STORED_BINARY=$WORLD_DIR/stored-under-valgrind
world_start_daemon --direct-socket="$WORLD_DIR/private" --max-value-bytes=64K --default-max-keys=5 \
        --max-unread-signals=50 --log-level=info || { echo "1..0 # SKIP stored did not start under valgrind"; exit 1; }
ok "stored starts under valgrind"

# Every method, every scope, the bus and a direct connection.
while IFS= read -r line; do
        case $line in
        PASS\ *) ok "${line#PASS }" ;;
        FAIL\ *) not_ok "${line#FAIL }" ;;
        *) echo "# $line" ;;
        esac
done < <("$PYTHON" "$(dirname "$0")/valgrind-driver.py" "$WORLD_DIR/private" 2>&1; echo "PASS the driver ran to its end (exit status $?)")

# storectl: dump, load, backup as root; another uid in its own namespace and where it may not go.
if "$STORECTL" dump > "$WORLD_DIR/dump.jsonl" 2>"$WORLD_DIR/dump.err" && [ -s "$WORLD_DIR/dump.jsonl" ]; then
        ok "storectl dump"
else
        not_ok "storectl dump" "$(cat "$WORLD_DIR/dump.err")"
fi
check "storectl load" "$STORECTL" load "$WORLD_DIR/dump.jsonl"
check "storectl backup" "$STORECTL" backup "$WORLD_DIR/backup.db"
check "another uid writes and reads its own namespace" \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$STORECTL" --self set notes todo milk
check "another uid reads its own namespace" \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$STORECTL" --self get notes todo
if out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$STORECTL" get notes todo 2>&1); then
        not_ok "another uid is refused the whole store (no polkit here)" "$out"
elif grep -q "AccessDenied" <<<"$out"; then
        ok "another uid is refused the whole store (no polkit here)"
else
        not_ok "another uid is refused the whole store (no polkit here)" "$out"
fi

# A subscriber that stops reading: cut off with Overflow once 50 signals are unread.
coproc STALLED { "$HOSTILE_CLIENT" subscribe-stall; }
STALLED_PID=$STALLED_PID
STALLED_IN=${STALLED[1]}
read -r -t 30 status <&"${STALLED[0]}"
if [ "$status" = "subscribed " ] || [ "$status" = subscribed ]; then ok "a subscriber that will not read subscribes"; else not_ok "a subscriber that will not read subscribes" "$status"; fi
for i in $(seq 120); do
        busctl --system call org.example.Store /org/example/Store org.example.Store Set sss overflow "k$i" v >/dev/null || break
        [ $((i % 10)) -eq 0 ] && grep -q "Ending the subscriptions" "$WORLD_DIR/stored.log" && break
done
for i in $(seq 100); do grep -q "Ending the subscriptions" "$WORLD_DIR/stored.log" && break; sleep 0.1; done
if grep -q "Ending the subscriptions" "$WORLD_DIR/stored.log"; then ok "the subscriber that does not read is cut off"; else not_ok "the subscriber that does not read is cut off" "$(tail -5 "$WORLD_DIR/stored.log")"; fi
stop_stalled

# SIGTERM: a clean stop, and valgrind's verdict in the exit status.
kill -TERM "$WORLD_DAEMON_PID"
wait "$WORLD_DAEMON_PID"
rc=$?
WORLD_DAEMON_PID=
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|in use at exit" "$VALGRIND_LOG" |
        sed 's/^==[0-9]*== */# valgrind: /'
if [ $rc -eq 0 ]; then
        ok "valgrind's exit status is 0: no memory error, nothing definitely lost"
else
        not_ok "valgrind's exit status is 0: no memory error, nothing definitely lost (it is $rc)" \
                "$(grep -v "^==[0-9]*== *$" "$VALGRIND_LOG" | tail -80)"
fi
grep -q "Received Terminated, stopping" "$WORLD_DIR/stored.log" && ok "the daemon stopped on SIGTERM" ||
        not_ok "the daemon stopped on SIGTERM" "$(tail -5 "$WORLD_DIR/stored.log")"

echo "1..$n"
[ $failed -eq 0 ]
