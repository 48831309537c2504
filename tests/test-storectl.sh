#!/bin/bash
# SPDX-License-Identifier: MIT
# storectl against the daemon on a private system bus: every command in plain and --json output, as
# root and as an unprivileged uid in its own namespace (--self); exit statuses; the progress display on
# a terminal and its silence in a pipe; dump | load into an empty store; a backup taken while a writer
# runs; import-go-store from go-store files built by hand; a caller that never reads. TAP output.
#
# Usage: test-storectl.sh [STORECTL]   (default: build/client/storectl of the source tree)
set -u
. "$(dirname "$0")/lib/world.sh"
STORECTL=${1:-$STORED_SOURCE_DIR/build/client/storectl}
PY=/usr/bin/python3

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

OUT= ERR= RC=
# run COMMAND…: captures stdout, stderr and the exit status.
run() {
        OUT=$("$@" 2>"$WORLD_DIR/stderr") && RC=0 || RC=$?
        ERR=$(cat "$WORLD_DIR/stderr")
}
storectl() { "$STORECTL" "$@"; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$STORECTL" "$@"; }

# expect NAME WANT-STDOUT COMMAND…: exit status 0 and exactly this output.
expect() {
        local name=$1 want=$2
        shift 2
        run "$@"
        if [ "$RC" = 0 ] && [ "$OUT" = "$want" ]; then ok "$name"; else
                not_ok "$name" "expected: [$want] (status 0)" "got:      [$OUT] (status $RC) $ERR"; fi
}
# expect_status NAME STATUS STDERR-PART COMMAND…: fails with this exit status and says this.
expect_status() {
        local name=$1 status=$2 part=$3
        shift 3
        run "$@"
        if [ "$RC" = "$status" ] && grep -qF -- "$part" <<<"$ERR"; then ok "$name"; else
                not_ok "$name" "expected status $status and \"$part\"" "got status $RC: $ERR"; fi
}
# expect_json NAME PYTHON-EXPRESSION COMMAND…: the output is one JSON document d for which it holds.
expect_json() {
        local name=$1 check=$2
        shift 2
        run "$@"
        if [ "$RC" = 0 ] && $PY -c "import json,sys; d=json.loads(sys.stdin.read()); sys.exit(0 if ($check) else 1)" <<<"$OUT"
        then ok "$name"; else not_ok "$name" "expected JSON with: $check" "got (status $RC): $OUT $ERR"; fi
}
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "failed: $2"; fi; }

export STORED_TRANSFER_TIMEOUT_SEC=3 # a caller that stops reading is dropped after 3 s, not 30
world_start_bus || exit 1
world_start_daemon || exit 1

# ---- one entry ----
expect "set is quiet" "" storectl set config theme dark
expect "get prints the value" "dark" storectl get config theme
expect_json "get --json" 'd == {"group":"config","key":"theme","value":"dark"}' storectl get --json config theme
expect_json "set --json gives the revision" 'd["revision"] == 2' storectl --json set config font mono
expect_json "options may come between the arguments" 'd["value"] == "mono"' storectl get config --json font
expect "…and before the command" "" storectl --ttl=1h set session token abc
expect_json "set --ttl=1h sets a deadline an hour away" \
        'd["expires_usec"] - d["modified_usec"] == 3600 * 10**6' storectl stat --json session token
expect "set --ttl accepts systemd durations" "" storectl set --ttl="1h 30min 5s" session long x
expect_json "…and sends them in microseconds" \
        'd["expires_usec"] - d["modified_usec"] == (5400 + 5) * 10**6' storectl --json stat session long
run storectl stat session token
check "stat shows version, revision, modified and expiry" \
        '[[ $RC = 0 && $OUT == *"Version: 1"* && $OUT == *"Revision: "* && $OUT == *"Modified: "* && $OUT =~ Expires:\ .*\(in\ (1h|59min\ 59s)\) ]]'
run storectl stat config theme
check "stat of a key without TTL says never" '[[ $OUT == *"Expires: never"* ]]'
printf '\000\001\002binary\377' >"$WORLD_DIR/blob.in"
expect "set-bytes from a file" "" storectl set-bytes blobs b1 "$WORLD_DIR/blob.in"
expect "set-bytes from standard input" "" sh -c "'$STORECTL' set-bytes blobs b2 <'$WORLD_DIR/blob.in'"
storectl get-bytes blobs b1 "$WORLD_DIR/blob.out"
check "get-bytes to a file gives the same bytes" 'cmp -s "$WORLD_DIR/blob.in" "$WORLD_DIR/blob.out"'
storectl get-bytes blobs b2 >"$WORLD_DIR/blob.out2"
check "get-bytes to standard output gives the same bytes" 'cmp -s "$WORLD_DIR/blob.in" "$WORLD_DIR/blob.out2"'
expect_json "get-bytes --json is base64" 'd["value_base64"] == "AAECYmluYXJ5/w=="' storectl get-bytes --json blobs b1
expect_status "get of a binary value is NotText" 1 "org.example.Store.Error.NotText" storectl get blobs b1
expect "delete" "" storectl delete config font
expect_status "get of a missing key exits 4 and names NotFound" 4 \
        "Get failed: org.example.Store.Error.NotFound: No key font in group config" storectl get config font
expect_status "stat of a missing key exits 4" 4 "org.example.Store.Error.NotFound" storectl stat config font
expect_json "delete --json of a missing key gives the current revision" 'd["revision"] > 0' \
        storectl --json delete config font

# ---- groups ----
storectl set pool port 3333 && storectl set pool host pool.example.org && storectl set pool "a key" "a value"
expect "list is sorted by key, key=value" $'a key=a value\nhost=pool.example.org\nport=3333' storectl list pool
expect_json "list --json" 'd == {"group":"pool","entries":{"a key":"a value","host":"pool.example.org","port":"3333"}}' \
        storectl list --json pool
expect "count GROUP" "3" storectl count pool
expect "count without a group counts the whole scope" "8" storectl count
expect "count --prefix" "3" storectl count --prefix=po
expect_json "count --json" 'd == {"count": 3}' storectl --json count pool
expect "groups" $'blobs\nconfig\npool\nsession' storectl groups
expect "groups PREFIX" $'pool' storectl groups po
expect_json "groups --json" 'd == ["blobs","config","pool","session"]' storectl groups --json
expect "render TEMPLATE GROUP" "pool.example.org:3333" storectl render '{{ .host }}:{{ .port }}' pool
printf '{{ range $k, $v := . }}{{ $k }};{{ end }}' >"$WORLD_DIR/tmpl"
expect "render --file=FILE GROUP" "a key;host;port;" storectl render --file="$WORLD_DIR/tmpl" pool
expect "render --file=- reads standard input" "3333" sh -c "echo -n '{{ .port }}' | '$STORECTL' render --file=- pool"
expect_json "render --json" 'd == {"output": "3333"}' storectl --json render '{{ .port }}' pool
expect_status "a broken template is a Template error" 1 "org.example.Store.Error.Template" storectl render '{{ .x' pool
storectl set --ttl=500ms short k v
sleep 0.7
expect "purge prints how many it removed" "0" storectl purge # the expiry timer got there first
expect_json "purge --json" 'd == {"removed": 0}' storectl purge --json
expect "delete-group" "" storectl delete-group pool
expect "count of a deleted group" "0" storectl count pool

# ---- namespaces and quotas ----
expect "--namespace writes into the namespace" "" storectl --namespace=tenant-a set prefs color blue
expect "…which is group N:g at the root" "blue" storectl get tenant-a:prefs color
expect "-n is --namespace" "color=blue" storectl -n tenant-a list prefs
expect_status "an invalid namespace name is InvalidNamespace" 1 "org.example.Store.Error.InvalidNamespace" \
        storectl --namespace='no spaces' get a b
run storectl namespaces
check "namespaces shows a table with a header" '[[ $RC = 0 && $OUT == "NAMESPACE"*"KEYS"*"GROUPS"*"BYTES"* && $OUT == *"tenant-a"*" 1 "*" 1 "*"9B"* ]]'
expect_json "namespaces --json" 'd == [{"name":"tenant-a","keys":1,"groups":1,"bytes":9}]' storectl namespaces --json
expect_json "quota NS --max-keys= sets one field and keeps the others" \
        'd["max_keys"] == 2 and d["max_groups"] == 1000 and d["keys"] == 1 and d["namespace"] == "tenant-a"' \
        storectl quota tenant-a --max-keys=2 --json
run storectl quota tenant-a --max-bytes=1M
check "quota shows limits and usage" '[[ $RC = 0 && $OUT == *"Keys: 1 of 2"* && $OUT == *"Groups: 1 of 1000"* && $OUT == *"Bytes: 9B of 1.0M"* ]]'
storectl -n tenant-a set prefs size 10
expect_status "a write over the quota is QuotaExceeded" 1 "org.example.Store.Error.QuotaExceeded" \
        storectl -n tenant-a set prefs third x
expect_json "quota --namespace= is the same as the argument; unlimited is 0" 'd["max_keys"] == 0' \
        storectl --namespace=tenant-a --json quota --max-keys=unlimited

# ---- bash completion (completion/storectl), asking this daemon ----
# complete LINE: what the completion offers at the end of LINE, one per line.
complete_line() {
        COMP_LINE=$1 COMP_POINT=${#1} COMP_WORDS=() COMP_CWORD=0
        COMPREPLY=()
        _storectl
        printf '%s\n' "${COMPREPLY[@]}"
}
. "$STORED_SOURCE_DIR/completion/storectl"
check "completion: commands" '[[ "$(complete_line "storectl ")" == *$'"'"'\nimport-go-store\n'"'"'* ]]'
expect "completion: a command's prefix" $'delete\ndelete-group' complete_line "storectl del"
expect "completion: options" "--namespace=" complete_line "storectl --nam"
expect "completion: groups from the daemon" $'blobs\nconfig\nsession\ntenant-a:prefs' complete_line "storectl get "
expect "completion: keys of the group" "theme" complete_line "storectl get config "
expect "completion: after a colon, the rest of the group" "prefs" complete_line "storectl list tenant-a:"
expect "completion: in the scope the line picks" "prefs" complete_line "storectl -n tenant-a list "
expect "completion: namespaces (readline replaces what follows the =)" "tenant-a" complete_line "storectl --namespace=ten"

# ---- usage errors: exit status 2 ----
expect_status "no command" 2 "Missing command" storectl
expect_status "an unknown command" 2 'Unknown command "frobnicate"' storectl frobnicate
expect_status "too few arguments" 2 "Too few arguments for get" storectl get config
expect_status "too many arguments" 2 "Too many arguments for get" storectl get a b c
expect_status "an unknown option" 2 "Unknown option" storectl --frobnicate get a b
expect_status "an option that does not apply" 2 "--ttl= does not apply to get" storectl get --ttl=5s a b
expect_status "a bad duration" 2 "Invalid duration for --ttl=: 5 parsecs" storectl set --ttl="5 parsecs" a b c
expect_status "a zero TTL" 2 "--ttl= must be above 0" storectl set --ttl=0 a b c
expect_status "--namespace with --self" 2 "give one" storectl --namespace=a --self get a b
expect_status "--namespace with backup" 2 "do not apply to backup" storectl --namespace=a backup /dev/null
expect_status "a bad size" 2 "Invalid size for --max-bytes=" storectl quota tenant-a --max-bytes=lots
run storectl --help
check "--help lists every command" '[[ $RC = 0 && $OUT == *"import-go-store FILE"* && $OUT == *"Exit status: 0 success, 1 failure, 2 usage error, 4 not found"* ]]'
expect "--version" "storectl $("$STORED_BINARY" --version | cut -d' ' -f2)" storectl --version

# ---- another bus, no bus ----
expect "--address= reaches the daemon on another bus" "dark" \
        env -u DBUS_SYSTEM_BUS_ADDRESS "$STORECTL" --address="$DBUS_SYSTEM_BUS_ADDRESS" get config theme
expect_status "no bus is a failure, status 1" 1 "Cannot connect to the system bus" \
        env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORLD_DIR/no-such-socket" "$STORECTL" get a b

# ---- an unprivileged uid in its own namespace ----
expect "nobody: set --self" "" nobody --self set notes k v
expect "nobody: get --self" "v" nobody --self get notes k
expect_json "nobody: get --self --json" 'd["value"] == "v"' nobody --json --self get notes k
expect "nobody: set --ttl --self" "" nobody --self set --ttl=1h notes t x
expect_json "nobody: stat --self --json" 'd["version"] == 1 and d["expires_usec"] > 0' nobody --self stat --json notes t
expect "nobody: list --self" $'k=v\nt=x' nobody --self list notes
expect "nobody: count --self" "2" nobody --self count notes
expect "nobody: groups --self are unprefixed" "notes" nobody --self groups
expect "nobody: render --self" "v" nobody --self render '{{ .k }}' notes
expect "nobody: set-bytes and get-bytes --self" "$(cat "$WORLD_DIR/blob.in" | base64)" \
        sh -c "setpriv --reuid=65534 --regid=65534 --clear-groups -- '$STORECTL' --self set-bytes notes bin <'$WORLD_DIR/blob.in' &&
               setpriv --reuid=65534 --regid=65534 --clear-groups -- '$STORECTL' --self get-bytes notes bin | base64"
expect "nobody: delete --self" "" nobody --self delete notes bin
expect "nobody: purge --self" "0" nobody --self purge
run nobody --self quota
check "nobody: quota --self shows its own namespace" '[[ $RC = 0 && $OUT == "Namespace: uid-65534"* ]]'
expect "…which root sees as group uid-65534:notes" "v" storectl get uid-65534:notes k
expect_status "nobody: the root object is AccessDenied, status 1" 1 "org.freedesktop.DBus.Error.AccessDenied" \
        nobody get config theme
expect_status "nobody: another namespace is AccessDenied" 1 "AccessDenied" nobody -n tenant-a get prefs color
expect_status "nobody: namespaces is AccessDenied" 1 "AccessDenied" nobody namespaces
expect_status "nobody: setting a quota is AccessDenied" 1 "AccessDenied" nobody quota uid-65534 --max-keys=1

# ---- dump and load ----
if storectl dump >/dev/null 2>"$WORLD_DIR/stderr" || ! grep -q NotSupported "$WORLD_DIR/stderr"; then
        dump_served=1
else
        dump_served=0
fi
if [ "$dump_served" = 0 ]; then
        for t in backup-denied dump load round-trip bad-line progress backup go-store stalled-reader nobody-dump; do
                skip "$t" "this stored does not serve Export/Import/Backup yet"
        done
        world_stop
        echo "1..$n"
        exit $((failed > 0))
fi

expect_status "nobody: backup is AccessDenied" 1 "Backup failed: org.freedesktop.DBus.Error.AccessDenied" \
        nobody backup /tmp/stored-test-no-backup
check "…and leaves no file behind" '! ls /tmp/stored-test-no-backup* >/dev/null 2>&1'

run storectl dump
check "dump writes JSON Lines, groups then keys" '[[ $RC = 0 && $(head -1 <<<"$OUT") == "{\"group\":\"blobs\",\"key\":\"b1\",\"value_base64\":\"AAECYmluYXJ5/w==\"}" ]]'
check "dump keeps each deadline" 'grep -q "\"group\":\"session\",\"key\":\"token\",\"value\":\"abc\",\"expires_usec\":[0-9]*}" <<<"$OUT"'
expect "dump GROUP keeps only that group" '{"group":"config","key":"theme","value":"dark"}' storectl dump config
expect_json "dump --json is one array" 'len(d) == 1 and d[0]["value"] == "dark"' storectl dump --json config
expect "dump --namespace is unprefixed" $'{"group":"prefs","key":"color","value":"blue"}\n{"group":"prefs","key":"size","value":"10"}' \
        storectl dump -n tenant-a
run nobody --self dump
check "nobody: dump --self, unprefixed" '[[ $RC = 0 && $(head -1 <<<"$OUT") == "{\"group\":\"notes\",\"key\":\"k\",\"value\":\"v\"}" && $(wc -l <<<"$OUT") = 2 ]]'
printf '{"group":"loaded","key":"a","value":"1"}\n{"group":"loaded","key":"b","value_base64":"AAE="}\n' >"$WORLD_DIR/small.jsonl"
expect "nobody: load --self from a file" "" nobody --self load "$WORLD_DIR/small.jsonl"
expect "…into its own namespace" "2" nobody --self count loaded
expect_json "load --json from standard input gives the count" 'd == {"imported": 2}' \
        sh -c "'$STORECTL' --json -n tenant-b load <'$WORLD_DIR/small.jsonl'"

# A bad line: the error names it, nothing is written.
revision=$(busctl --system get-property org.example.Store /org/example/Store org.example.Store.Manager Revision)
printf '{"group":"bad","key":"a","value":"1"}\n\n{"group":"bad","key":"b","value":2}\n' >"$WORLD_DIR/bad.jsonl"
expect_status "load of a bad line names the line and the reason" 1 \
        'Import failed: org.freedesktop.DBus.Error.InvalidArgs: line 3: "value" must be a string' \
        storectl load "$WORLD_DIR/bad.jsonl"
expect "…and writes nothing" "0" storectl count bad
expect "…not even a revision" "$revision" busctl --system get-property org.example.Store /org/example/Store org.example.Store.Manager Revision
expect_status "load over the quota writes nothing" 1 "QuotaExceeded" \
        sh -c "printf '{\"group\":\"prefs\",\"key\":\"x\",\"value\":\"1\"}\n' | '$STORECTL' -n tenant-a quota --max-keys=2 >/dev/null &&
               printf '{\"group\":\"prefs\",\"key\":\"x\",\"value\":\"1\"}\n' | '$STORECTL' -n tenant-a load"

# The round trip: everything, binary values and deadlines included, into an empty store.
storectl dump >"$WORLD_DIR/dump1"
world_stop_daemon
world_start_daemon --database="$WORLD_DIR/empty.db" || exit 1
expect "a new store is empty" "" storectl dump
storectl load <"$WORLD_DIR/dump1"
storectl dump >"$WORLD_DIR/dump2"
check "dump | load into an empty store reproduces it exactly (binary values and TTLs too)" \
        'cmp -s "$WORLD_DIR/dump1" "$WORLD_DIR/dump2" && [ "$(wc -l <"$WORLD_DIR/dump1")" -gt 10 ]'
expect "…the binary value reads back the same" "$(base64 <"$WORLD_DIR/blob.in")" sh -c "'$STORECTL' get-bytes blobs b1 | base64"

# Progress: on a terminal while a long load runs, nothing when piped.
$PY -c '
import json
for i in range(60000):
    print(json.dumps({"group": "big%d" % (i % 30), "key": "k%06d" % i, "value": "v" * 40}))' >"$WORLD_DIR/big.jsonl"
run storectl load "$WORLD_DIR/big.jsonl"
check "load in a pipe is silent" '[ "$RC" = 0 ] && [ -z "$OUT$ERR" ]'
storectl delete-group big0
run script -qec "'$STORECTL' load '$WORLD_DIR/big.jsonl'" /dev/null
check "load on a terminal shows progress and a summary" \
        '[[ $RC = 0 && $OUT == *"Loading: "*" of 60000 entries"* && $OUT == *"Imported 60000 entries from"* ]]'

# A backup while a writer runs: a consistent image with everything committed before it ended.
( i=0; while [ ! -e "$WORLD_DIR/stop-writer" ]; do i=$((i + 1)); "$STORECTL" set writer "k$i" "v$i" || exit 1; done; echo "$i" >"$WORLD_DIR/writes" ) &
writer=$!
sleep 0.3
run storectl backup "$WORLD_DIR/backup.db"
check "backup succeeds while a writer runs" '[ "$RC" = 0 ] && [ -z "$OUT" ]'
touch "$WORLD_DIR/stop-writer"
wait "$writer"
check "…and the writer never failed" '[ $? = 0 ] && [ "$(cat "$WORLD_DIR/writes")" -gt 0 ]'
check "the image passes PRAGMA integrity_check" '[ "$(sqlite3 "$WORLD_DIR/backup.db" "PRAGMA integrity_check")" = ok ]'
check "the image holds the data" '[ "$(sqlite3 "$WORLD_DIR/backup.db" "SELECT count(*) FROM entries WHERE CAST(grp AS TEXT) LIKE '"'big%'"'")" = 60000 ]'
check "…and writes made while it was taken" '[ "$(sqlite3 "$WORLD_DIR/backup.db" "SELECT count(*) FROM entries WHERE CAST(grp AS TEXT) = '"'writer'"'")" -gt 0 ]'
check "the image is the file's own, mode 0600" '[ "$(stat -c %a "$WORLD_DIR/backup.db")" = 600 ]'
expect_json "backup --json names the file and its size" 'd["file"].endswith("backup2.db") and d["bytes"] > 0' \
        storectl backup --json "$WORLD_DIR/backup2.db"
check "no scratch files are left beside it" '[ -z "$(ls "$WORLD_DIR" | grep "backup.*\.db\.")" ]'

# import-go-store: go-store's schemas, built by hand.
now_ms=$(($(date +%s) * 1000))
sqlite3 "$WORLD_DIR/go-entries.db" "
        CREATE TABLE entries (group_name TEXT NOT NULL, entry_key TEXT NOT NULL, entry_value TEXT NOT NULL,
                expires_at INTEGER, PRIMARY KEY (group_name, entry_key));
        INSERT INTO entries VALUES ('cfg', 'a', '1', NULL), ('cfg', 'b', '2', $((now_ms + 3600000))),
                ('cfg', 'gone', 'x', $((now_ms - 1000))), ('tenant-c:prefs', 'k', 'v', NULL);"
sqlite3 "$WORLD_DIR/go-kv.db" "CREATE TABLE kv (grp TEXT, key TEXT, value TEXT, PRIMARY KEY (grp, key));
        INSERT INTO kv VALUES ('legacy', 'z', 'zz'), ('legacy', 'y', 'yy');"
sqlite3 "$WORLD_DIR/go-both.db" "
        CREATE TABLE entries (group_name TEXT NOT NULL, entry_key TEXT NOT NULL, entry_value TEXT NOT NULL,
                expires_at INTEGER, PRIMARY KEY (group_name, entry_key));
        CREATE TABLE kv (grp TEXT, key TEXT, value TEXT, PRIMARY KEY (grp, key));
        INSERT INTO entries VALUES ('g', 'a', 'from-entries', NULL), ('g', 'old', 'x', $((now_ms - 1)));
        INSERT INTO kv VALUES ('g', 'a', 'from-kv'), ('g', 'b', 'only-in-kv'), ('g', 'old', 'kv-too');"
chmod 644 "$WORLD_DIR"/go-*.db
expect_json "import-go-store: the entries schema, expired rows left out" \
        'd == {"imported": 3, "from_entries": 3, "from_kv": 0, "expired": 1}' storectl --json import-go-store "$WORLD_DIR/go-entries.db"
expect "…with their values" $'a=1\nb=2' storectl list cfg
run storectl stat --json cfg b
check "…and their deadlines (ms → µs)" '[[ $OUT == *"\"expires_usec\":$(( (now_ms + 3600000) * 1000 ))"* ]]'
expect "…a go-store namespace group lands in that namespace" "v" storectl -n tenant-c get prefs k
expect "import-go-store: the legacy kv schema" "" storectl import-go-store "$WORLD_DIR/go-kv.db"
expect "…with its values" $'y=yy\nz=zz' storectl list legacy
expect_json "import-go-store: both tables, entries first, kv only for keys entries lacks" \
        'd["imported"] == 2 and d["from_kv"] == 1 and d["expired"] == 1' \
        storectl import-go-store --json --namespace=migrated "$WORLD_DIR/go-both.db"
expect "…into --namespace" $'{"group":"g","key":"a","value":"from-entries"}\n{"group":"g","key":"b","value":"only-in-kv"}' \
        storectl --namespace=migrated dump
expect "nobody: import-go-store --self" "" nobody --self import-go-store "$WORLD_DIR/go-kv.db"
expect "…into its own namespace" "zz" nobody --self get legacy z
expect_status "import-go-store of a stored database says it is not go-store's" 1 "its entries table is not go-store's" \
        storectl import-go-store "$WORLD_DIR/backup.db"
expect_status "import-go-store of a missing file" 1 "Cannot open" storectl import-go-store "$WORLD_DIR/nothing.db"

# A caller that passes a pipe and never reads: others are served meanwhile, and it is dropped.
$PY - "$WORLD_DIR/stalled.out" <<'EOF' &
import dbus, os, sys
bus = dbus.SystemBus()
store = dbus.Interface(bus.get_object("org.example.Store", "/org/example/Store"), "org.example.Store")
r, w = os.pipe()  # r is never read
try:
    store.Export(dbus.types.UnixFd(w), timeout=60)
    result = "replied"
except dbus.exceptions.DBusException as e:
    result = e.get_dbus_name() + ": " + e.get_dbus_message()
open(sys.argv[1], "w").write(result)
EOF
stalled=$!
sleep 1
expect "a stalled Export does not stop the daemon serving others" "dark" timeout 5 "$STORECTL" get config theme
wait "$stalled"
check "the stalled Export is dropped with a Timeout error" \
        'grep -q "^org.freedesktop.DBus.Error.Timeout: Nothing moved through the file descriptor for 3 s; Export abandoned" "$WORLD_DIR/stalled.out"'

# ---- watch: events from another process, as they happen ----
storectl set watched theme light >/dev/null
# Started directly (not through the shell functions), so that $! is storectl itself and gets SIGINT.
"$STORECTL" watch watched > "$WORLD_DIR/watch-plain" 2>&1 &
w1=$!
"$STORECTL" watch --json --type=delete > "$WORLD_DIR/watch-json" 2>&1 &
w2=$!
"$STORECTL" watch --replay watched > "$WORLD_DIR/watch-replay" 2>&1 &
w3=$!
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$STORECTL" --self watch notes > "$WORLD_DIR/watch-self" 2>&1 &
w4=$!
sleep 1
storectl set watched theme dark >/dev/null
storectl set elsewhere k v >/dev/null
storectl delete watched theme >/dev/null
storectl --namespace=uid-65534 set notes n1 v1 >/dev/null
sleep 0.5
kill -INT $w1 $w2 $w3 $w4
wait $w1; rc1=$?
wait $w2 $w3 $w4 || true
check "watch exits 0 on SIGINT" '[ $rc1 -eq 0 ]'
check "watch GROUP prints the group's changes in order, and nothing else" \
        '[ "$(cut -d" " -f2- "$WORLD_DIR/watch-plain")" = "$(printf "set watched theme dark\ndelete watched theme dark")" ]'
check "watch --type=delete --json prints only deletes, as JSON lines" \
        '[ "$(wc -l < "$WORLD_DIR/watch-json")" -eq 1 ] && $PY -c "import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d[\"type\"]==\"delete\" and d[\"group\"]==\"watched\" and d[\"value\"]==\"dark\"" "$WORLD_DIR/watch-json"'
check "watch --replay prints the group first, then the changes after it" \
        '[ "$(head -1 "$WORLD_DIR/watch-replay")" = "0 set watched theme light" ] && [ "$(wc -l < "$WORLD_DIR/watch-replay")" -eq 3 ]'
check "an unprivileged watch --self sees its own namespace, unprefixed" \
        '[ "$(cut -d" " -f2- "$WORLD_DIR/watch-self")" = "set notes n1 v1" ]'
expect_status "watch --replay needs a group" 2 "--replay needs a GROUP" storectl watch --replay
expect_status "an unprivileged watch of the whole store is denied" 1 "AccessDenied" nobody watch

world_stop
echo "1..$n"
exit $((failed > 0))
