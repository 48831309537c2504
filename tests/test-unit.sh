#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd/stored.service: how exposed `systemd-analyze security` rates it (≤ 1.0 passes), that it
# verifies cleanly, and that its sandbox leaves the daemon what it needs. systemd is not PID 1 here, so
# the settings are read back from the file and the daemon runs under the same confinements rebuilt by
# hand: no network (a new network namespace), every mount read-only but the state directory, /proc
# with only its own processes, the service user without capabilities and with no_new_privs, umask
# 0077, a notify socket with a watchdog. It must then take its name, write its database, tell callers
# apart through the bus driver, ask polkitd, ping the watchdog, and make only system calls that
# SystemCallFilter= allows (checked against an strace of the run). TAP.
#
# Usage: test-unit.sh [CLIENT] (the store-client binary: with it, direct connections are tried too)
set -u
. "$(dirname "$0")/lib/world.sh"
world_enter_private_mounts "$@"
CLIENT=${1:-}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }
# check_that NAME 'EXPRESSION': the same for a shell expression (&&, ||, pipes), evaluated here.
check_that() { if eval "$2"; then ok "$1"; else not_ok "$1" "failed: $2"; fi; }

UNIT=$STORED_SOURCE_DIR/systemd/stored.service
ACTIVATION=$STORED_SOURCE_DIR/dbus/org.example.Store.service
POLICY=$STORED_SOURCE_DIR/polkit/org.example.Store.policy

# setting KEY: the value in [Service] that systemd would use (the last assignment).
setting() {
        awk -v key="$1" '
                /^\[/ { section = $0; next }
                section == "[Service]" && index($0, key "=") == 1 { value = substr($0, length(key) + 2) }
                END { print value }' "$UNIT"
}
# settings KEY: every value of a list setting, one per line, with resets ("KEY=") applied.
settings() {
        awk -v key="$1" '
                /^\[/ { section = $0; next }
                section == "[Service]" && index($0, key "=") == 1 {
                        v = substr($0, length(key) + 2)
                        if (v == "") { n = 0; next }
                        all[n++] = v
                }
                END { for (i = 0; i < n; i++) print all[i] }' "$UNIT"
}

world_start_bus || exit 1

# ---- the score
out=$(systemd-analyze security --offline=true "$UNIT" 2>&1)
score=$(sed -n 's/.*Overall exposure level for stored.service: \([0-9.]*\).*/\1/p' <<<"$out")
echo "# systemd-analyze security --offline=true: overall exposure $score"
grep '✗' <<<"$out" | sed 's/^/#   /'
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.0) }'; then
        ok "systemd-analyze security rates the unit $score (at most 1.0)"
else
        not_ok "systemd-analyze security rates the unit at most 1.0" "got: ${score:-no score}"
fi
# --threshold= counts in tenths: 10 is an exposure of 1.0.
check "systemd-analyze security --threshold=10 accepts it" \
        bash -c 'systemd-analyze security --offline=true --threshold=10 "$1" >/dev/null 2>&1' - "$UNIT"

# ---- the file is valid (with the daemon where this build has it)
mkdir -p "$WORLD_DIR/unit"
sed "s|^ExecStart=.*|ExecStart=$STORED_BINARY|" "$UNIT" > "$WORLD_DIR/unit/stored.service"
out=$(systemd-analyze verify --man=no "$WORLD_DIR/unit/stored.service" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify finds nothing to say"; else not_ok "systemd-analyze verify" "$out"; fi

# ---- settings the daemon depends on, read back
bus_name=$(setting BusName)
check_that "Type=dbus with the name the activation file starts it for" \
        '[ "$(setting Type)" = dbus ] && grep -qx "Name=$bus_name" "$ACTIVATION" &&
                grep -qx "SystemdService=stored.service" "$ACTIVATION"'
user=$(setting User)
check_that "User=$user is the user of the activation file and polkit's owner of the actions" \
        'grep -qx "User=$user" "$ACTIVATION" && grep -q "unix-user:$user" "$POLICY"'
default_db=$("$STORED_BINARY" --help | sed -n 's/.*Database file (default \(.*\)).*/\1/p')
check "StateDirectory=$(setting StateDirectory) holds the default database ($default_db)" \
        [ "$(dirname "$default_db")" = "/var/lib/$(setting StateDirectory)" ]
check_that "ProtectSystem=strict leaves only the state directory writable (no ReadWritePaths=)" \
        '[ "$(setting ProtectSystem)" = strict ] && [ -z "$(settings ReadWritePaths)" ]'
default_socket=$("$STORED_BINARY" --help | sed -n 's/.*(default \(\/run\/[^;)]*\).*/\1/p')
if [ -n "$default_socket" ]; then
        check "RuntimeDirectory=$(setting RuntimeDirectory) holds the default direct socket ($default_socket)" \
                [ "$(dirname "$default_socket")" = "/run/$(setting RuntimeDirectory)" ]
        check_that "no PrivateUsers=: it would show every direct caller's uid (SO_PEERCRED) as nobody" \
                '[ "$(setting PrivateUsers)" != yes ] && [ "$(setting PrivateUsers)" != true ]'
else
        not_ok "stored --help names a default direct socket under /run" "no default found in --help"
fi
check "RestrictAddressFamilies= allows AF_UNIX, the bus's and the notify socket's family, and only it" \
        [ "$(settings RestrictAddressFamilies | tr ' ' '\n' | sort -u | tr '\n' ' ')" = "AF_UNIX " ]
check "PrivateNetwork=yes: the bus is a socket in the file system, reachable from any network namespace" \
        [ "$(setting PrivateNetwork)" = yes ]
check_that "WatchdogSec= is set, with NotifyAccess=main for the pings" \
        '[ -n "$(setting WatchdogSec)" ] && [ "$(setting WatchdogSec)" != 0 ] && [ "$(setting NotifyAccess)" = main ]'
check "Restart=on-failure" [ "$(setting Restart)" = on-failure ]
check "CapabilityBoundingSet= is empty" [ -z "$(settings CapabilityBoundingSet)" ]

# ---- the daemon under the same confinements
world_start_polkit || exit 1
# The bus read its policy before the service user existed here (world_start_polkit adds it).
busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
STATE=$WORLD_DIR/state/stored
RUNTIME=$WORLD_DIR/run/stored
TRACE=$WORLD_DIR/trace
mkdir -p "$STATE" "$RUNTIME" "$TRACE"
chown "$user:$user" "$STATE" "$RUNTIME" "$TRACE"
chmod 0700 "$STATE"
chmod 0755 "$RUNTIME"
daemon_args=(--database="$STATE/store.db")
[ -z "$default_socket" ] || daemon_args+=(--direct-socket="$RUNTIME/private")

# The notify socket, as systemd would listen on it.
/usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
with open(sys.argv[2], "a", buffering=1) as log:
        while True:
                log.write(s.recv(4096).decode(errors="replace").replace("\n", " ") + "\n")
' "$WORLD_DIR/notify" "$WORLD_DIR/notify.log" &
NOTIFY_PID=$!

# The confinements: one script that ends in exec, so the daemon stays a child of this shell (through
# strace, which the stop below handles).
# The daemon is copied where the service user can reach it (the build tree may be in a private home).
cp "$STORED_BINARY" "$WORLD_DIR/stored"
chmod 0755 "$WORLD_DIR/stored"
cat > "$WORLD_DIR/sandbox" <<EOF
#!/bin/bash
set -e
# PrivateNetwork=, PrivateIPC=, PrivateMounts=: the rest runs in namespaces of its own.
if [ -z "\${SANDBOX_INNER:-}" ]; then
        export SANDBOX_INNER=1
        exec unshare --mount --net --ipc --uts --propagation private -- "\$0" "\$@"
fi
[ "\$(readlink /proc/self/ns/mnt)" != "\$(readlink /proc/\$PPID/ns/mnt)" ] || { echo "not in a mount namespace of its own" >&2; exit 1; }
# ProtectSystem=strict: every mount read-only, then the state and runtime directories (and the trace)
# writable.
awk '{ print \$5 }' /proc/self/mountinfo | grep -v '^/\(proc\|sys\|dev\)\(/\|\$\)' | while read -r mp; do
        mount -o remount,bind,ro "\$mp" 2>/dev/null || true
done
for d in "$STATE" "$RUNTIME" "$TRACE"; do mount --bind "\$d" "\$d"; mount -o remount,bind,rw "\$d"; done
# ProtectProc=invisible, ProcSubset=pid.
mount -t proc -o hidepid=invisible,subset=pid proc /proc
umask 0077
# LeakSanitizer (in the sanitizer build) stops the process with ptrace, which strace holds already;
# the other tests look for leaks.
export ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0"
exec setpriv --reuid="$user" --regid="$user" --clear-groups --no-new-privs --bounding-set=-all --inh-caps=-all -- \
        strace -f -qq -o "$TRACE/strace" -- "$WORLD_DIR/stored" "\$@"
EOF
chmod +x "$WORLD_DIR/sandbox"

# The daemon is strace's child; strace ignores SIGTERM while it writes to a file, so stop the daemon.
sandbox_stop() {
        local pid=$WORLD_DAEMON_PID child i
        [ -n "$pid" ] || return 0
        child=$(cat /proc/"$pid"/task/*/children 2>/dev/null)
        [ -z "$child" ] || kill -TERM $child 2>/dev/null
        for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        [ -z "$child" ] || kill -KILL $child 2>/dev/null
        wait "$pid"
        SANDBOX_RC=$?
        WORLD_DAEMON_PID=
}
trap 'sandbox_stop; kill $NOTIFY_PID 2>/dev/null; wait $NOTIFY_PID 2>/dev/null; world_stop' EXIT

export NOTIFY_SOCKET=$WORLD_DIR/notify WATCHDOG_USEC=1000000
real_binary=$STORED_BINARY
STORED_BINARY=$WORLD_DIR/sandbox
if world_start_daemon "${daemon_args[@]}"; then
        ok "in the sandbox the daemon takes $bus_name on the bus"
else
        not_ok "in the sandbox the daemon takes $bus_name on the bus" "$(cat "$WORLD_DIR/stored.log")"
        echo "1..$n"
        exit 1
fi
STORED_BINARY=$real_binary
unset NOTIFY_SOCKET WATCHDOG_USEC

# The confinements are real: look at the daemon from outside.
daemon=$(cat /proc/"$WORLD_DAEMON_PID"/task/*/children 2>/dev/null | tr -d ' ')
status=$(cat /proc/"$daemon"/status 2>/dev/null)
check_that "the daemon runs as $user with no capabilities and no_new_privs" \
        'grep -q "^Uid:[[:space:]]*$(id -u "$user")[[:space:]]" <<<"$status" &&
                grep -q "^CapBnd:[[:space:]]*0000000000000000" <<<"$status" &&
                grep -q "^NoNewPrivs:[[:space:]]*1" <<<"$status"'
check "in a network namespace of its own" [ "$(readlink /proc/"$daemon"/ns/net)" != "$(readlink /proc/self/ns/net)" ]
check_that "with / read-only" 'awk "\$5 == \"/\" { print \$6 }" /proc/"$daemon"/mountinfo | grep -q "^ro"'

S=org.example.Store
NS=/org/example/Store/namespace
call() { local who=$1; shift; world_as "$who" busctl --system call $S "$@"; }
out=$(call root /org/example/Store $S Set sss config theme dark 2>&1) && out=$(call root /org/example/Store $S Get ss config theme 2>&1)
check_that "it writes its database in the state directory" '[ "$out" = "s \"dark\"" ] && [ -s "$STATE/store.db" ]'
check "with UMask=0077 the database is the service user's alone" [ "$(stat -c %a "$STATE/store.db")" = 600 ]
out=$(call bob $NS/self $S Set sss notes k v 2>&1) &&
        out=$(world_as bob busctl --system get-property $S $NS/self $S.Namespace Name 2>&1)
check "it tells callers apart through the bus driver, with other processes hidden from it" \
        [ "$out" = 's "uid-61002"' ]
out=$(call alice $NS/tenant_2da $S Set sss data k v 2>&1)
check "it reaches polkitd over the bus (a member of store-tenant-a writes tenant-a)" grep -q '^t ' <<<"$out"
out=$(SYSTEMD_LOG_LEVEL=debug call bob $NS/tenant_2da $S Get ss data k 2>&1)
check "and polkitd's answer is a no when it should be" grep -q "error-name=org.freedesktop.DBus.Error.AccessDenied" <<<"$out"
if [ -n "$default_socket" ] && [ -n "$CLIENT" ]; then
        # The direct socket: the caller's uid from SO_PEERCRED, polkit asked about the process.
        cp "$CLIENT" "$WORLD_DIR/store-client"
        chmod 0755 "$WORLD_DIR/store-client"
        direct() { local who=$1; shift; world_as "$who" "$WORLD_DIR/store-client" set "unix:path=$RUNTIME/private" "$@" 2>&1; }
        out=$(direct bob $NS/self direct k v) && out=$(call bob $NS/self $S Get ss direct k 2>&1)
        check_that "on the direct socket a caller is known by its own uid" '[ "$out" = "s \"v\"" ]'
        out=$(direct alice $NS/tenant_2da data k3 v3)
        check_that "on the direct socket polkitd decides for the calling process (yes)" 'grep -q "^t " <<<"$out"'
        out=$(direct bob $NS/tenant_2da data k3 v3)
        check_that "on the direct socket polkitd decides for the calling process (no)" \
                'grep -q "^org.freedesktop.DBus.Error.AccessDenied" <<<"$out"'
fi
sleep 2
check "it says READY=1 on the notify socket" grep -q "READY=1" "$WORLD_DIR/notify.log"
pings=$(grep -c "WATCHDOG=1" "$WORLD_DIR/notify.log")
check "it pings the watchdog from its event loop ($pings pings in about 2 s at WatchdogSec=1s)" [ "$pings" -ge 2 ]

sandbox_stop
check "it stops cleanly in the sandbox" [ "$SANDBOX_RC" -eq 0 ]
echo "# $(grep -c . "$TRACE/strace") system calls traced"

# ---- the system calls it made against SystemCallFilter=
declare -A seen_group=()
expand() {
        local item
        for item in "$@"; do
                if [ "${item#@}" != "$item" ]; then
                        [ -z "${seen_group[$item]:-}" ] || continue
                        seen_group[$item]=1
                        expand $(systemd-analyze syscall-filter "$item" | sed -n '2,$p' | grep -v '^ *#' | tr -d ' ')
                else
                        echo "$item"
                fi
        done
}
allowed=() denied=()
for f in $(settings SystemCallFilter | tr ' ' '\n'); do
        if [ "${f#\~}" != "$f" ]; then denied+=("${f#\~}"); else allowed+=("$f"); fi
done
seen_group=()
expand "${allowed[@]}" | sort -u > "$WORLD_DIR/allowed"
seen_group=()
expand "${denied[@]}" | sort -u > "$WORLD_DIR/denied"
comm -23 "$WORLD_DIR/allowed" "$WORLD_DIR/denied" > "$WORLD_DIR/permitted"
sed -n 's/^[0-9]* *\(<\.\.\. \)\{0,1\}\([a-z0-9_]*\)[( ].*/\2/p' "$TRACE/strace" | grep -v '^$' | sort -u > "$WORLD_DIR/used"
# An empty list (strace's format changed, nothing traced) would pass the filter check below.
check_that "the trace shows the calls it served (sendmsg, epoll_wait)" \
        'grep -qx sendmsg "$WORLD_DIR/used" && grep -qx epoll_wait "$WORLD_DIR/used"'
outside=$(comm -23 "$WORLD_DIR/used" "$WORLD_DIR/permitted" | tr '\n' ' ')
echo "# system calls made: $(tr '\n' ' ' < "$WORLD_DIR/used")"
check "every system call it made is one SystemCallFilter= permits" [ -z "$outside" ]
[ -z "$outside" ] || echo "#   outside the filter: $outside"
families=$(grep -o 'socket(AF_[A-Z0-9]*' "$TRACE/strace" | sort -u | tr '\n' ' ')
check "every socket it opened is AF_UNIX ($families)" [ "$families" = "socket(AF_UNIX " ]

echo "1..$n"
exit $((failed > 0))
