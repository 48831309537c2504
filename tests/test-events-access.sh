#!/bin/bash
# SPDX-License-Identifier: MIT
# Who hears which changes: subscribers as other uids (setpriv), with the real polkitd evaluating the
# project's own .policy and .rules (see tests/lib/world.sh and test-access.sh), and a subscriber that
# leaves the bus. TAP.
#
# The clients are small libdbus programs (python3-dbus), one process per connection, driven through a
# pair of FIFOs: each command is a line, each answer ends with a line "end". Every client records every
# org.example.Store signal its connection receives, whatever its match rules, so "nothing arrives"
# means the daemon sent nothing, not that a filter dropped it. `sync` makes a round trip to the daemon
# first: the daemon sends a connection its signals before any later reply to it, and the bus keeps
# that order, so after it every signal due has arrived.
set -u
. "$(dirname "$0")/lib/world.sh"
world_enter_private_mounts "$@"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }

NS=/org/example/Store/namespace
ROOT=/org/example/Store

# ---- the clients ----

declare -A CLIENT_IN CLIENT_OUT CLIENT_PID
REPLY_LINES=()

write_client_program() {
        cat >"$WORLD_DIR/client.py" <<'EOF'
import sys
import dbus
import dbus.lowlevel
import dbus.mainloop.glib
from gi.repository import GLib

IFACE = 'org.example.Store'
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SystemBus()
events = []


def on_message(connection, message):
    if isinstance(message, dbus.lowlevel.SignalMessage) and message.get_interface() == IFACE:
        args = [str(a) for a in message.get_args_list()]
        events.append('\t'.join([message.get_path(), message.get_member()] + args))
    return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED


bus.add_message_filter(on_message)


def store(path):
    return bus.get_object('org.example.Store', path, introspect=False)


def dispatch():
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass


def answer(*lines):
    for line in lines:
        print(line)
    print('end', flush=True)


# Between commands nothing reads the connection: a client that is sent no `sync` does not read.
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    command, args = words[0], words[1:]
    try:
        if command == 'name':
            answer(bus.get_unique_name())
        elif command in ('subscribe', 'unsubscribe'):
            getattr(store(args[0]), command.capitalize())(dbus_interface=IFACE)
            answer('ok')
        elif command == 'match':
            bus.add_match_string(' '.join(args))
            answer('ok')
        elif command == 'set':
            answer(str(store(args[0]).Set(args[1], args[2], args[3], dbus_interface=IFACE)))
        elif command == 'set-all':
            entries = dict(a.split('=', 1) for a in args[2:])
            answer(str(store(args[0]).SetAll(args[1], entries, dbus_interface=IFACE, signature='sa{ss}')))
        elif command == 'delete':
            answer(str(store(args[0]).Delete(args[1], args[2], dbus_interface=IFACE)))
        elif command == 'delete-group':
            answer(str(store(args[0]).DeleteGroup(args[1], dbus_interface=IFACE)))
        elif command == 'set-many':
            revision = 0
            for i in range(int(args[2])):
                revision = store(args[0]).Set(args[1], 'k%d' % i, 'v%d' % i, dbus_interface=IFACE)
            answer(str(revision))
        elif command == 'sync':
            store('/org/example/Store').Ping(dbus_interface='org.freedesktop.DBus.Peer')
            dispatch()
            answer(*events)
            events.clear()
        elif command == 'subscribe-and-leave':
            # Asks and leaves the bus at once, before any answer: the daemon may still be asking polkit.
            bus.send_message(dbus.lowlevel.MethodCallMessage('org.example.Store', args[0], IFACE, 'Subscribe'))
            bus.flush()
            answer('ok')
            break
        elif command == 'quit':
            answer()
            break
        else:
            answer('error unknown-command')
    except dbus.exceptions.DBusException as e:
        answer('error ' + (e.get_dbus_name() or str(e)))
EOF
        chmod a+r "$WORLD_DIR/client.py"
}

# client_start NAME USER: a new connection as USER.
client_start() {
        local name=$1 user=$2 d=$WORLD_DIR/clients/$1 fd
        mkdir -p "$d"
        mkfifo "$d/in" "$d/out"
        world_as "$user" /usr/bin/python3 -u "$WORLD_DIR/client.py" <"$d/in" >"$d/out" 2>"$d/err" &
        CLIENT_PID[$name]=$!
        exec {fd}>"$d/in"
        CLIENT_IN[$name]=$fd
        exec {fd}<"$d/out"
        CLIENT_OUT[$name]=$fd
}

# client_send NAME COMMAND…, then client_receive NAME.
client_send() {
        local name=$1
        shift
        echo "$*" >&"${CLIENT_IN[$name]}"
}

client_receive() {
        local name=$1 line
        REPLY_LINES=()
        while IFS= read -r -t 60 line <&"${CLIENT_OUT[$name]}"; do
                [ "$line" = end ] && return 0
                REPLY_LINES+=("$line")
        done
        echo "# client $name did not answer: $(cat "$WORLD_DIR/clients/$name/err")"
        return 1
}

# client NAME COMMAND…: sends the command; the answer's lines land in REPLY_LINES.
client() {
        client_send "$@" && client_receive "$1"
}

client_stop() {
        local name=$1
        [ -n "${CLIENT_PID[$name]:-}" ] || return 0
        local in=${CLIENT_IN[$name]} out=${CLIENT_OUT[$name]}
        client "$name" quit >/dev/null 2>&1 || kill "${CLIENT_PID[$name]}" 2>/dev/null
        exec {in}>&- {out}<&-
        wait "${CLIENT_PID[$name]}" 2>/dev/null
        unset "CLIENT_PID[$name]"
}

# After a command that ends the client (subscribe-and-leave): only close and wait.
client_reap() {
        local name=$1 in=${CLIENT_IN[$1]} out=${CLIENT_OUT[$1]}
        exec {in}>&- {out}<&-
        wait "${CLIENT_PID[$name]}" 2>/dev/null
        unset "CLIENT_PID[$name]"
}

clients_stop_all() {
        local name
        for name in "${!CLIENT_PID[@]}"; do
                kill "${CLIENT_PID[$name]}" 2>/dev/null
                wait "${CLIENT_PID[$name]}" 2>/dev/null
        done
        CLIENT_PID=()
}

# expect NAME DESCRIPTION COMMAND… -- EXPECTED_LINE…: the answer is exactly those lines.
expect() {
        local name=$1 description=$2 args=() want=()
        shift 2
        while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
        shift
        want=("$@")
        if ! client "$name" "${args[@]}"; then
                not_ok "$description" "no answer"
        elif [ "$(printf '%s\n' "${REPLY_LINES[@]}")" = "$(printf '%s\n' "${want[@]}")" ]; then
                ok "$description"
        else
                not_ok "$description" "expected:" "${want[@]}" "got:" "${REPLY_LINES[@]}"
        fi
}

# expect_signals NAME DESCRIPTION EXPECTED…: a sync shows exactly these signals (path, member and
# the first four arguments of Changed, or the revision of Overflow), in this order.
expect_signals() {
        local name=$1 description=$2 got=() line
        shift 2
        if ! client "$name" sync; then
                not_ok "$description" "no answer"
                return
        fi
        for line in "${REPLY_LINES[@]}"; do
                got+=("$(cut -f1-6 <<<"$line")")
        done
        if [ "$(printf '%s\n' "${got[@]}")" = "$(printf '%s\n' "$@")" ]; then
                ok "$description"
        else
                not_ok "$description" "expected:" "$@" "got:" "${got[@]}"
        fi
}

tab() { local IFS=$'\t'; echo "$*"; }

world_start_bus || exit 1
trap 'clients_stop_all; world_stop' EXIT
trap '' PIPE # a client that died is a failed test, not the end of the script
world_start_polkit || exit 1
world_start_daemon --log-level=info --max-unread-signals=100 || exit 1
write_client_program

client_start root root
client_start alice alice
client_start bob bob
client_start carol carol
client_start bystander bob

# ---- who may subscribe where ----

expect bob "a plain uid may subscribe to its self namespace" subscribe $NS/self -- ok
expect bob "a plain uid may subscribe to its namespace by name" subscribe $NS/uid_2d61002 -- ok
expect bob "a plain uid may not subscribe to another namespace" subscribe $NS/tenant_2db -- \
        "error org.freedesktop.DBus.Error.AccessDenied"
expect bob "a plain uid may not subscribe to another uid's namespace" subscribe $NS/uid_2d61001 -- \
        "error org.freedesktop.DBus.Error.AccessDenied"
expect bob "a plain uid may not subscribe to the root object" subscribe $ROOT -- \
        "error org.freedesktop.DBus.Error.AccessDenied"
expect alice "a member of store-tenant-a may subscribe to tenant-a" subscribe $NS/tenant_2da -- ok
expect alice "a member of store-tenant-a may not subscribe to tenant-b" subscribe $NS/tenant_2db -- \
        "error org.freedesktop.DBus.Error.AccessDenied"
expect alice "a member of store-tenant-a may not subscribe to the root object" subscribe $ROOT -- \
        "error org.freedesktop.DBus.Error.AccessDenied"
expect carol "store-admin may subscribe to the root object" subscribe $ROOT -- ok

# ---- match rules naming what one may not read ----

CHANGED="type='signal',interface='org.example.Store',member='Changed'"
for c in bob alice bystander; do
        client $c match "$CHANGED,arg0='data'" >/dev/null
        client $c match "$CHANGED,arg0='tenant-b:data'" >/dev/null
        client $c match "$CHANGED,path='$NS/tenant_2db'" >/dev/null
        client $c match "$CHANGED" >/dev/null
        # Asking the bus for other connections' messages: the system bus policy refuses it.
        client $c match "eavesdrop='true',$CHANGED" >/dev/null
done
client alice sync >/dev/null # what subscribing to tenant-a may have brought is not the point here

client root set $NS/tenant_2db data k secret-of-b >/dev/null
client root set-all $NS/tenant_2db data j=more k=another-secret >/dev/null
client root set $ROOT tenant-b:data k2 secret-at-root >/dev/null
client root delete $NS/tenant_2db data j >/dev/null
client root set $NS/uid_2d61001 data k secret-of-alice >/dev/null
client root set $NS/tenant_2da data k value-of-a >/dev/null
client root set $NS/uid_2d61002 data k value-of-bob >/dev/null
client root delete-group $NS/tenant_2db data >/dev/null

expect_signals bob "a plain uid subscribed to its own namespace, with match rules for tenant-b, hears only its own" \
        "$(tab $NS/uid_2d61002 Changed data k set value-of-bob)"
expect_signals alice "a member of store-tenant-a, with match rules for tenant-b, hears only tenant-a" \
        "$(tab $NS/tenant_2da Changed data k set value-of-a)"
expect_signals bystander "a connection that never subscribed hears nothing, whatever its match rules"
expect_signals carol "store-admin at the root hears every namespace, groups prefixed" \
        "$(tab $ROOT Changed tenant-b:data k set secret-of-b)" \
        "$(tab $ROOT Changed tenant-b:data j set more)" \
        "$(tab $ROOT Changed tenant-b:data k set another-secret)" \
        "$(tab $ROOT Changed tenant-b:data k2 set secret-at-root)" \
        "$(tab $ROOT Changed tenant-b:data j delete more)" \
        "$(tab $ROOT Changed uid-61001:data k set secret-of-alice)" \
        "$(tab $ROOT Changed tenant-a:data k set value-of-a)" \
        "$(tab $ROOT Changed uid-61002:data k set value-of-bob)" \
        "$(tab $ROOT Changed tenant-b:data '' delete_group '')"

# One Unsubscribe ends the subscription that `self` and the name share.
expect bob "a plain uid may unsubscribe from its self namespace" unsubscribe $NS/self -- ok
client root set $NS/uid_2d61002 data k after-unsubscribe >/dev/null
expect_signals bob "after one Unsubscribe a plain uid hears nothing"
expect bob "a plain uid subscribes again" subscribe $NS/self -- ok

# ---- polkit changes its mind ----

# Any change of polkit's rules ends the subscriptions polkit allowed, with Overflow: the daemon
# cannot tell what the new rules say about a subscriber until it asks again. Subscriptions of a
# caller's own namespace never depended on polkit and go on.
RULES=$WORLD_DIR/polkit/etc-rules.d
cat >"$RULES/10-deny-alice.rules" <<'EOF'
// Withdraws what the shipped rules give alice through store-tenant-a.
polkit.addRule(function(action, subject) {
        if (action.id.indexOf("org.example.Store.") == 0 && subject.user == "alice")
                return polkit.Result.NO;
});
EOF
chmod a+r "$RULES/10-deny-alice.rules"

# polkitd notices the file by itself (inotify) and says Changed on the bus.
overflow_seen() { # NAME: waits until the client's connection got Overflow
        local i line
        for i in $(seq 100); do
                client "$1" sync || return 1
                for line in "${REPLY_LINES[@]}"; do
                        [[ $line == *$'\t'Overflow$'\t'* ]] && { OVERFLOW_LINE=$line; return 0; }
                done
                sleep 0.1
        done
        return 1
}
OVERFLOW_LINE=
if overflow_seen alice; then
        ok "when polkit's rules change, a subscriber polkit let in gets Overflow"
else
        not_ok "when polkit's rules change, a subscriber polkit let in gets Overflow" "no Overflow within 10 s"
fi
if [ "$(cut -f1 <<<"$OVERFLOW_LINE")" = "$NS/tenant_2da" ]; then
        ok "the Overflow comes from the object alice subscribed to"
else
        not_ok "the Overflow comes from the object alice subscribed to" "got: $OVERFLOW_LINE"
fi
OVERFLOW_LINE=
if overflow_seen carol; then
        ok "when polkit's rules change, store-admin at the root gets Overflow too"
else
        not_ok "when polkit's rules change, store-admin at the root gets Overflow too" "no Overflow within 10 s"
fi

client root set $NS/tenant_2da data k after-withdrawal >/dev/null
client root set $NS/uid_2d61002 data k still-bob >/dev/null
expect_signals alice "after polkit withdrew it, a subscriber hears nothing of tenant-a"
expect_signals bob "a subscription to one's own namespace survives polkit's change" \
        "$(tab $NS/uid_2d61002 Changed data k set still-bob)"
expect alice "after polkit withdrew it, Subscribe to tenant-a is AccessDenied" subscribe $NS/tenant_2da -- \
        "error org.freedesktop.DBus.Error.AccessDenied"

rm -f "$RULES/10-deny-alice.rules"
resubscribed=
for i in $(seq 100); do
        client alice subscribe $NS/tenant_2da
        [ "${REPLY_LINES[*]}" = ok ] && { resubscribed=1; break; }
        sleep 0.1
done
if [ -n "$resubscribed" ]; then
        ok "once polkit allows it again, Subscribe to tenant-a works"
else
        not_ok "once polkit allows it again, Subscribe to tenant-a works" "last answer: ${REPLY_LINES[*]}"
fi
client alice sync >/dev/null
client root set $NS/tenant_2da data k back-again >/dev/null
expect_signals alice "and tenant-a's changes reach alice again" "$(tab $NS/tenant_2da Changed data k set back-again)"

# ---- a subscriber that leaves the bus ----

# The daemon must forget it. Seen from outside: were it remembered, the changes it can no longer
# read would pile up past --max-unread-signals=100 and the daemon would log that it ends its
# subscriptions. A subscriber that stays but never reads shows that the log line does appear.
client_start leaver bob
client_start sleeper bob
client leaver name && LEAVER=${REPLY_LINES[0]}
client sleeper name && SLEEPER=${REPLY_LINES[0]}
client leaver subscribe $NS/self >/dev/null
client sleeper subscribe $NS/self >/dev/null
client_stop leaver
for i in $(seq 500); do
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s "$LEAVER" \
                2>/dev/null | grep -q false && break
        sleep 0.01
done
client root set-many $NS/uid_2d61002 many 300 >/dev/null
if grep -qF "Ending the subscriptions of $SLEEPER:" "$WORLD_DIR/stored.log"; then
        ok "a subscriber that stays and never reads is cut off (and the daemon logs it)"
else
        not_ok "a subscriber that stays and never reads is cut off (and the daemon logs it)" \
                "$(grep -c . "$WORLD_DIR/stored.log") log lines, none about $SLEEPER"
fi
if grep -qF "Ending the subscriptions of $LEAVER:" "$WORLD_DIR/stored.log"; then
        not_ok "a subscriber that left the bus is forgotten" "$(grep -F "$LEAVER:" "$WORLD_DIR/stored.log")"
else
        ok "a subscriber that left the bus is forgotten"
fi
client sleeper sync
if [[ ${REPLY_LINES[-1]} == *$'\t'Overflow$'\t'* ]] && [ "${#REPLY_LINES[@]}" -le 102 ]; then
        ok "the subscriber that never read finds Overflow after at most the bound"
else
        not_ok "the subscriber that never read finds Overflow after at most the bound" \
                "${#REPLY_LINES[@]} signals, the last: ${REPLY_LINES[-1]:-none}"
fi

# The same for subscribers that leave while the daemon is still deciding (asking the bus for their uid,
# or polkit for an answer): none of them may end up subscribed.
LEAVERS=()
for i in $(seq 10); do
        for who in alice bob carol; do
                client_start "quick-$who-$i" $who
                client "quick-$who-$i" name && LEAVERS+=("${REPLY_LINES[0]}")
        done
        client "quick-alice-$i" subscribe-and-leave $NS/tenant_2da >/dev/null
        client "quick-bob-$i" subscribe-and-leave $NS/self >/dev/null
        client "quick-carol-$i" subscribe-and-leave $ROOT >/dev/null
done
for who in alice bob carol; do
        for i in $(seq 10); do
                client_reap "quick-$who-$i"
        done
done
for name in "${LEAVERS[@]}"; do
        for i in $(seq 500); do
                busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s \
                        "$name" 2>/dev/null | grep -q false && break
                sleep 0.01
        done
done
client root set-many $NS/tenant_2da quick 150 >/dev/null
client root set-many $NS/uid_2d61002 quick 150 >/dev/null
client root set-many $ROOT quick 150 >/dev/null
kept=()
for name in "${LEAVERS[@]}"; do
        grep -qF "Ending the subscriptions of $name:" "$WORLD_DIR/stored.log" && kept+=("$name")
done
if [ "${#LEAVERS[@]}" -eq 30 ] && [ "${#kept[@]}" -eq 0 ]; then
        ok "subscribers that leave before their Subscribe is decided are forgotten"
else
        not_ok "subscribers that leave before their Subscribe is decided are forgotten" \
                "${#LEAVERS[@]} leavers, kept by the daemon: ${kept[*]}"
fi

# ---- without polkitd ----

world_stop_polkit
client_start alice2 alice
expect alice2 "without polkitd a member of store-tenant-a may not subscribe to tenant-a" subscribe $NS/tenant_2da -- \
        "error org.freedesktop.DBus.Error.AccessDenied"
expect alice2 "without polkitd a uid may still subscribe to its own namespace" subscribe $NS/self -- ok

echo "1..$n"
exit $((failed > 0))
