#!/bin/bash
# SPDX-License-Identifier: MIT
# storectl through polkit: the real polkitd deciding with the project's .policy and .rules, callers
# as the test users of lib/world.sh. Export, Import and Backup carry a file descriptor, and their
# calls wait for polkit's answer and are run again when it comes (auth.c): the descriptor must
# survive that. Runs in a private mount namespace (needs root). TAP output.
#
# Usage: test-storectl-access.sh [STORECTL]
set -u
. "$(dirname "$0")/lib/world.sh"
world_enter_private_mounts "$@"
STORECTL=${1:-$STORED_SOURCE_DIR/build/client/storectl}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# as USER EXPECTED-STATUS NAME ARGS…: storectl as USER exits with this status.
as() {
        local user=$1 want=$2 name=$3 out status
        shift 3
        out=$(cd / && world_as "$user" "$STORECTL" "$@" 2>&1) && status=0 || status=$?
        if [ "$status" = "$want" ]; then ok "$name"; else not_ok "$name" "expected status $want, got $status: $out"; fi
}

world_start_bus || exit 1
world_start_polkit || exit 1
world_start_daemon || exit 1
chmod 755 "$WORLD_DIR"
"$STORECTL" -n tenant-a set data k value-of-a
"$STORECTL" -n tenant-b set data k secret-of-b
printf '{"group":"loaded","key":"k","value":"v"}\n' >"$WORLD_DIR/in.jsonl"
chmod 644 "$WORLD_DIR/in.jsonl"

if "$STORECTL" dump 2>&1 >/dev/null | grep -q NotSupported; then
        skip "storectl through polkit" "this stored does not serve Export/Import/Backup yet"
        echo "1..$n"
        exit 0
fi

# alice is in store-tenant-a, bob in no store group, carol in store-admin.
as alice 0 "store-tenant-a: get in tenant-a (polkit says yes)" -n tenant-a get data k
as alice 0 "store-tenant-a: dump of tenant-a, its descriptor kept while polkit is asked" -n tenant-a dump
out=$(world_as alice "$STORECTL" -n tenant-a dump 2>&1)
if [ "$out" = '{"group":"data","key":"k","value":"value-of-a"}' ]; then ok "…and the dump is tenant-a's, unprefixed"; else
        not_ok "…and the dump is tenant-a's" "got: $out"; fi
as alice 0 "store-tenant-a: load into tenant-a" -n tenant-a load "$WORLD_DIR/in.jsonl"
if [ "$("$STORECTL" get tenant-a:loaded k)" = v ]; then ok "…which root sees as tenant-a:loaded"; else not_ok "…loaded" "missing"; fi
as alice 1 "store-tenant-a: no dump of tenant-b" -n tenant-b dump
as alice 1 "store-tenant-a: no load into tenant-b" -n tenant-b load "$WORLD_DIR/in.jsonl"
as alice 1 "store-tenant-a: no dump of the whole store" dump
as alice 1 "store-tenant-a: no backup" backup -
as bob 1 "a plain uid: no dump of tenant-a" -n tenant-a dump
as bob 0 "a plain uid: its own namespace needs no polkit" --self load "$WORLD_DIR/in.jsonl"
as carol 0 "store-admin: dump of the whole store" dump
as carol 0 "store-admin: namespaces" namespaces
if world_as carol "$STORECTL" backup - >"$WORLD_DIR/carol.db" 2>"$WORLD_DIR/carol.err" &&
        [ "$(sqlite3 "$WORLD_DIR/carol.db" 'PRAGMA integrity_check')" = ok ]; then
        ok "store-admin: backup to standard output, a sound image"
else
        not_ok "store-admin: backup" "$(cat "$WORLD_DIR/carol.err")"
fi
out=$(world_as bob "$STORECTL" -n tenant-b dump 2>&1)
if [[ $out == *"org.freedesktop.DBus.Error.AccessDenied"*"org.example.Store.read"* && $out != *secret-of-b* ]]; then
        ok "a denied dump names the polkit action and shows nothing"
else
        not_ok "a denied dump" "got: $out"
fi

echo "1..$n"
exit $((failed > 0))
