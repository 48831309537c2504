# SPDX-License-Identifier: MIT
# The private bus world for shell tests and the demo: source this file, then call world_start_bus and
# world_start_daemon. Every process is a child of the calling shell, and world_stop (installed as an
# EXIT trap) stops and waits for each of them on every exit path.
#
# Needs: STORED_SOURCE_DIR (the source tree) and STORED_BINARY (the daemon), or defaults from the
# location of this file and build/service/stored.

: "${STORED_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${STORED_BINARY:=$STORED_SOURCE_DIR/build/service/stored}"

WORLD_DIR=
WORLD_BUS_PID=
WORLD_DAEMON_PID=
WORLD_POLKIT_PID=

# Stopping must work in scripts with `set -e`: a child killed by SIGTERM makes `wait` return 143.
world_stop_daemon() {
        if [ -n "$WORLD_DAEMON_PID" ]; then
                kill -TERM "$WORLD_DAEMON_PID" 2>/dev/null || true
                wait "$WORLD_DAEMON_PID" 2>/dev/null || true
                WORLD_DAEMON_PID=
        fi
}

world_stop() {
        local pid
        world_stop_daemon
        for pid in "$WORLD_POLKIT_PID" "$WORLD_BUS_PID"; do
                [ -n "$pid" ] || continue
                kill -TERM "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        WORLD_POLKIT_PID=
        WORLD_BUS_PID=
        [ -z "$WORLD_DIR" ] || rm -rf "$WORLD_DIR"
        WORLD_DIR=
}

# Test users, known only inside the private mount namespace (see world_start_polkit):
#   alice  61001  member of store-tenant-a
#   bob    61002  no store group
#   carol  61003  member of store-admin
WORLD_USERS="alice:61001 bob:61002 carol:61003"
WORLD_GROUPS="store-tenant-a:62001:alice store-admin:62002:carol"

# Re-executes the calling script, once, in a private mount namespace: polkitd reads fixed paths, and
# bind mounts there give it the project's actions, rules and test users without touching the
# machine. `exec` keeps the same process, so nothing is orphaned. WORLD_SCRIPT names the script when
# $0 no longer does (a relative $0 after a cd).
world_enter_private_mounts() {
        if [ -z "${WORLD_PRIVATE_MOUNTS:-}" ]; then
                export WORLD_PRIVATE_MOUNTS=1
                exec unshare --mount --propagation private -- "${WORLD_SCRIPT:-$0}" "$@"
        fi
}

# Starts the real polkitd on the private bus with the project's .policy and .rules installed where
# polkitd looks, and the test users in /etc/passwd and /etc/group. Needs world_enter_private_mounts.
world_start_polkit() {
        local d=$WORLD_DIR/polkit u g name id members i
        [ -n "${WORLD_PRIVATE_MOUNTS:-}" ] || { echo "world_start_polkit needs world_enter_private_mounts" >&2; return 1; }
        mkdir -p "$d/actions" "$d/rules.d" "$d/etc-rules.d"
        cp "$STORED_SOURCE_DIR/polkit/org.example.Store.policy" "$d/actions/"
        cp "$STORED_SOURCE_DIR/polkit/org.example.Store.rules" "$d/rules.d/50-org.example.Store.rules"
        cp /etc/passwd "$d/passwd"
        cp /etc/group "$d/group"
        grep -q '^stored:' "$d/passwd" || echo "stored:x:61000:61000:stored:/var/lib/stored:/usr/sbin/nologin" >> "$d/passwd"
        grep -q '^stored:' "$d/group" || echo "stored:x:61000:" >> "$d/group"
        for u in $WORLD_USERS; do
                name=${u%%:*} id=${u##*:}
                echo "$name:x:$id:$id:test user:/nonexistent:/usr/sbin/nologin" >> "$d/passwd"
                echo "$name:x:$id:" >> "$d/group"
        done
        for g in $WORLD_GROUPS; do
                IFS=: read -r name id members <<<"$g"
                echo "$name:x:$id:$members" >> "$d/group"
        done
        chmod -R a+rX "$d"
        mount --bind "$d/actions" /usr/share/polkit-1/actions
        mount --bind "$d/rules.d" /usr/share/polkit-1/rules.d
        mount --bind "$d/etc-rules.d" /etc/polkit-1/rules.d
        mount --bind "$d/passwd" /etc/passwd
        mount --bind "$d/group" /etc/group

        /usr/lib/polkit-1/polkitd --no-debug >"$WORLD_DIR/polkitd.log" 2>&1 &
        WORLD_POLKIT_PID=$!
        for i in $(seq 1000); do
                world_name_has_owner org.freedesktop.PolicyKit1 && return 0
                kill -0 "$WORLD_POLKIT_PID" 2>/dev/null || break
                sleep 0.01
        done
        echo "polkitd did not start: $(cat "$WORLD_DIR/polkitd.log")" >&2
        return 1
}

world_stop_polkit() {
        if [ -n "$WORLD_POLKIT_PID" ]; then
                kill -TERM "$WORLD_POLKIT_PID" 2>/dev/null || true
                wait "$WORLD_POLKIT_PID" 2>/dev/null || true
                WORLD_POLKIT_PID=
        fi
}

# world_as USER COMMAND…: runs COMMAND as a test user (or "nobody"), with that user's groups.
world_as() {
        local name=$1 uid
        shift
        uid=$(id -u "$name") || return 1
        setpriv --reuid="$uid" --regid="$(id -g "$name")" --init-groups -- "$@"
}

# True once something listens on the unix socket $1: dbus-daemon creates the file (bind) a moment
# before it listens, and a client connecting in between is refused.
world_socket_accepts() {
        [ -S "$1" ] && /usr/bin/python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' \
                "$1" 2>/dev/null
}

# Starts dbus-daemon (type system, the project's policy) with its socket in a new temp directory.
world_start_bus() {
        trap world_stop EXIT
        trap 'exit 130' INT TERM HUP # the EXIT trap runs on these too (a closed terminal sends HUP)
        WORLD_DIR=$(mktemp -d -t stored-world-XXXXXX)
        chmod 755 "$WORLD_DIR"   # other uids (setpriv clients) reach the socket
        sed -e "s|@RUNTIME_DIR@|$WORLD_DIR|" -e "s|@SOURCE_DIR@|$STORED_SOURCE_DIR|" \
                "$STORED_SOURCE_DIR/tests/bus/system-bus.conf.in" > "$WORLD_DIR/bus.conf"
        dbus-daemon --nofork --config-file="$WORLD_DIR/bus.conf" 2>"$WORLD_DIR/bus.log" &
        WORLD_BUS_PID=$!
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORLD_DIR/system_bus_socket"
        local i
        for i in $(seq 500); do
                world_socket_accepts "$WORLD_DIR/system_bus_socket" && return 0
                sleep 0.01
        done
        echo "bus did not start: $(cat "$WORLD_DIR/bus.log")" >&2
        return 1
}

world_name_has_owner() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s "$1" 2>/dev/null | grep -q true
}

# world_start_daemon [ARGS…]: stored on the bus, database in the world directory unless ARGS say else.
world_start_daemon() {
        "$STORED_BINARY" --database="$WORLD_DIR/store.db" "$@" 2>>"$WORLD_DIR/stored.log" &
        WORLD_DAEMON_PID=$!
        local i
        for i in $(seq 1000); do
                world_name_has_owner org.example.Store && return 0
                kill -0 "$WORLD_DAEMON_PID" 2>/dev/null || break
                sleep 0.01
        done
        echo "stored did not start: $(cat "$WORLD_DIR/stored.log")" >&2
        return 1
}
