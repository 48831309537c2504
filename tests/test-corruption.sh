#!/bin/bash
# SPDX-License-Identifier: MIT
# A damaged database at start-up: moved aside (never deleted, never changed), said loudly at error
# level with the new path, and the daemon serves a fresh database; or, with OnCorruption=refuse, the
# daemon does not start and leaves the file alone. Failures that are not damage never move a file. TAP.
set -u
. "$(dirname "$0")/lib/world.sh"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }
# check_that NAME 'EXPRESSION': the same for a shell expression (&&, ||, pipes), evaluated here.
check_that() { if eval "$2"; then ok "$1"; else not_ok "$1" "failed: $2"; fi; }

world_start_bus || exit 1
# Log lines carry their level as "<N>", as they do under systemd.
export JOURNAL_STREAM=0:0
DB=$WORLD_DIR/store.db
LOG=$WORLD_DIR/stored.log

call() { busctl --system call org.example.Store /org/example/Store "$@"; }
revision() { busctl --system get-property org.example.Store /org/example/Store org.example.Store.Manager Revision; }
# The moved-aside databases (not their -wal/-shm companions), oldest first.
corrupt_copies() { ls -1 "$DB".corrupt-* 2>/dev/null | grep -Ev -- '-(wal|shm)$' | sort; }
count_copies() { corrupt_copies | grep -c . ; }
fresh_start() { world_stop_daemon; rm -f "$DB" "$DB"-wal "$DB"-shm "$DB".corrupt-*; : > "$LOG"; }
kill_daemon() { kill -KILL "$WORLD_DAEMON_PID"; wait "$WORLD_DAEMON_PID" 2>/dev/null; WORLD_DAEMON_PID=; }

# A store with a few thousand entries spread over many pages, stopped cleanly (WAL folded in).
fill_store() {
        local g i args
        for g in alpha beta gamma delta; do
                args=()
                for i in $(seq 300); do args+=("key-$i" "$(printf "$g-%0500d" "$i")"); done
                call org.example.Store SetAll 'sa{ss}' "$g" 300 "${args[@]}" >/dev/null || return 1
        done
}

# --- a file that is not SQLite at all
printf 'not a database, only text that happens to sit where one should be\n%.0s' $(seq 100) > "$DB"
cp "$DB" "$WORLD_DIR/original-1"
if world_start_daemon; then ok "a file that is not SQLite does not stop the daemon"; else not_ok "a file that is not SQLite does not stop the daemon"; fi
moved=$(corrupt_copies)
check "it is moved aside to <path>.corrupt-<timestamp>" \
        grep -qE "^$DB\.corrupt-[0-9]{8}T[0-9]{6}Z(-[0-9]+)?\$" <<<"$moved"
check "the moved file is byte for byte what was there" cmp -s "$WORLD_DIR/original-1" "$moved"
if grep -F "$moved" "$LOG" | grep -q '^<3>.*damaged'; then
        ok "it is logged at error level with the new path"
else
        not_ok "it is logged at error level with the new path" "log: $(cat "$LOG")"
fi
out=$(call org.example.Store Set sss g k v 2>&1 && call org.example.Store Get ss g k 2>&1)
check "the daemon serves a fresh database" [ "$out" = $'t 1\ns "v"' ]
world_stop_daemon

# Again: an earlier copy is never overwritten, whatever the clock says.
printf 'a second bad file\n' > "$DB"
rm -f "$DB"-wal "$DB"-shm
world_start_daemon >/dev/null 2>&1
check "a second damaged file gets a name of its own" [ "$(count_copies)" -eq 2 ]
check "the first copy is untouched" cmp -s "$WORLD_DIR/original-1" "$moved"
check "the second copy holds the second file" grep -q "a second bad file" $(corrupt_copies | grep -vxF "$moved")

# --- a real database with garbage over one page that start-up never reads
fresh_start
world_start_daemon || exit 1
fill_store || { not_ok "filling the store" "SetAll failed"; exit 1; }
world_stop_daemon
pages=$(sqlite3 "$DB" "SELECT pageno FROM dbstat WHERE name = 'entries' AND pagetype = 'leaf' ORDER BY pageno")
page=$(sed -n "$(( $(wc -l <<<"$pages") / 2 ))p" <<<"$pages")
dd if=/dev/urandom of="$DB" bs=4096 seek=$((page - 1)) count=1 conv=notrunc status=none
cp "$DB" "$WORLD_DIR/original-2"
check "the damage is invisible to the queries of a plain open" \
        [ "$(sqlite3 "$DB" "SELECT value FROM meta WHERE name = 'revision'")" = 4 ]
: > "$LOG"
if world_start_daemon; then ok "a damaged database does not stop the daemon"; else not_ok "a damaged database does not stop the daemon"; fi
moved=$(corrupt_copies)
check "the damaged database is found at start-up and moved aside" [ -n "$moved" ]
check "the moved database is byte for byte what was there" cmp -s "$WORLD_DIR/original-2" "$moved"
check "the moved database really is damaged" [ "$(sqlite3 "$moved" 'PRAGMA quick_check(1)' 2>&1)" != ok ]
check "the log names the new path at error level" grep -q "^<3>.*damaged.*$moved" "$LOG"
out=$(revision 2>&1)
check "the fresh database starts at revision 0" [ "$out" = "t 0" ]
check_that "the fresh database passes integrity_check after use" \
        'call org.example.Store Set sss g k v >/dev/null && [ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ]'
world_stop_daemon

# --- damage with a WAL beside it (a crash after more writes): the WAL goes along, not into the new file
fresh_start
world_start_daemon || exit 1
fill_store || { not_ok "filling the store" "SetAll failed"; exit 1; }
world_stop_daemon
# Picked now: an sqlite3 opened after the crash would fold the WAL into the file.
pages=$(sqlite3 "$DB" "SELECT pageno FROM dbstat WHERE name = 'entries' AND pagetype = 'leaf' ORDER BY pageno")
page=$(sed -n "$(( $(wc -l <<<"$pages") / 2 ))p" <<<"$pages")
world_start_daemon || exit 1
call org.example.Store Set sss epsilon k after-the-restart >/dev/null
kill_daemon
check "after a crash the WAL holds the last write" [ -s "$DB-wal" ]
cp "$DB-wal" "$WORLD_DIR/original-3-wal"
dd if=/dev/urandom of="$DB" bs=4096 seek=$((page - 1)) count=1 conv=notrunc status=none
world_start_daemon >/dev/null 2>&1
moved=$(corrupt_copies)
check "the damaged database is moved aside" [ -n "$moved" ]
check "its WAL is moved aside with it, unchanged" cmp -s "$WORLD_DIR/original-3-wal" "$moved-wal"
out=$(call org.example.Store Count s epsilon 2>&1)
check "the old WAL is not replayed into the fresh database" [ "$out" = "t 0" ]
world_stop_daemon

# --- OnCorruption=refuse: the daemon does not start and touches nothing
for how in option file; do
        fresh_start
        printf 'not a database\n' > "$DB"
        cp "$DB" "$WORLD_DIR/original-4"
        if [ $how = option ]; then
                timeout 30 "$STORED_BINARY" --database="$DB" --on-corruption=refuse 2>"$LOG"
        else
                printf '[Store]\nOnCorruption=refuse\n' > "$WORLD_DIR/refuse.conf"
                timeout 30 "$STORED_BINARY" --config="$WORLD_DIR/refuse.conf" --database="$DB" 2>"$LOG"
        fi
        rc=$?
        check_that "OnCorruption=refuse ($how): the daemon exits with failure" '[ $rc -ne 0 ] && [ $rc -ne 124 ]'
        check "OnCorruption=refuse ($how): the file stays where it is, unchanged" cmp -s "$WORLD_DIR/original-4" "$DB"
        check "OnCorruption=refuse ($how): nothing is moved" [ "$(count_copies)" -eq 0 ]
        check "OnCorruption=refuse ($how): it says why at error level" grep -q '^<3>.*damaged.*OnCorruption=refuse' "$LOG"
done

out=$(timeout 10 "$STORED_BINARY" --database="$DB" --on-corruption=delete 2>&1)
rc=$?
check_that "a bad OnCorruption value is a usage error" '[ $rc -eq 2 ] && grep -q "expected move-aside or refuse" <<<"$out"'

# --- failures that are not damage never move the file
fresh_start
world_start_daemon || exit 1
call org.example.Store Set sss g k v >/dev/null
world_stop_daemon
sqlite3 "$DB" "PRAGMA user_version = 99"
cp "$DB" "$WORLD_DIR/original-5"
timeout 30 "$STORED_BINARY" --database="$DB" 2>"$LOG"
rc=$?
check_that "a database from a newer stored is refused, not moved" \
        '[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ "$(count_copies)" -eq 0 ] && cmp -s "$WORLD_DIR/original-5" "$DB"'

echo "1..$n"
exit $((failed > 0))
