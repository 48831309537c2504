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

world_stop_daemon() {
        if [ -n "$WORLD_DAEMON_PID" ]; then
                kill -TERM "$WORLD_DAEMON_PID" 2>/dev/null
                wait "$WORLD_DAEMON_PID" 2>/dev/null
                WORLD_DAEMON_PID=
        fi
}

world_stop() {
        local pid
        world_stop_daemon
        for pid in "$WORLD_POLKIT_PID" "$WORLD_BUS_PID"; do
                [ -n "$pid" ] || continue
                kill -TERM "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
        done
        WORLD_POLKIT_PID=
        WORLD_BUS_PID=
        [ -n "$WORLD_DIR" ] && rm -rf "$WORLD_DIR"
        WORLD_DIR=
}

# Starts dbus-daemon (type system, the project's policy) with its socket in a new temp directory.
world_start_bus() {
        trap world_stop EXIT
        trap 'exit 130' INT TERM
        WORLD_DIR=$(mktemp -d -t stored-world-XXXXXX)
        chmod 755 "$WORLD_DIR"   # other uids (setpriv clients) reach the socket
        sed -e "s|@RUNTIME_DIR@|$WORLD_DIR|" -e "s|@SOURCE_DIR@|$STORED_SOURCE_DIR|" \
                "$STORED_SOURCE_DIR/tests/bus/system-bus.conf.in" > "$WORLD_DIR/bus.conf"
        dbus-daemon --nofork --config-file="$WORLD_DIR/bus.conf" 2>"$WORLD_DIR/bus.log" &
        WORLD_BUS_PID=$!
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORLD_DIR/system_bus_socket"
        local i
        for i in $(seq 500); do
                [ -S "$WORLD_DIR/system_bus_socket" ] && return 0
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
