#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A representative mix of calls for test-valgrind.sh: every method of org.example.Store and the Manager,
TTL expiry by the timer, namespaces and quotas, Render, Subscribe with the Changed signals it brings,
errors of every kind, and the same over a direct (peer-to-peer) connection.

    valgrind-driver.py DIRECT_SOCKET_PATH

Prints one line per check, "PASS what" or "FAIL what: detail"; the shell script numbers them as TAP.
The daemon runs with --max-value-bytes=64K --default-max-keys=5 (see test-valgrind.sh)."""

import os
import sys
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

NAME = "org.example.Store"
ROOT = "/org/example/Store"
NS = "/org/example/Store/namespace/"
STORE = "org.example.Store"
MANAGER = "org.example.Store.Manager"
NAMESPACE = "org.example.Store.Namespace"
PROPERTIES = "org.freedesktop.DBus.Properties"


def report(good, what, detail=""):
    print(("PASS " if good else "FAIL ") + what + ("" if good or not detail else ": " + str(detail)), flush=True)


class Client:
    def __init__(self, address, p2p=False):
        flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        if not p2p:
            flags |= Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
        self.conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
        self.p2p = p2p
        self.signals = []
        self.conn.signal_subscribe(None if p2p else NAME, STORE, None, None, None, Gio.DBusSignalFlags.NONE,
                                   self._on_signal)

    def _on_signal(self, conn, sender, path, interface, member, params):
        self.signals.append((path, member, params.unpack()))

    def call(self, path, interface, method, signature=None, args=(), fds=None):
        """Returns (error name or "", reply values)."""
        params = GLib.Variant("(" + signature + ")", args) if signature is not None else None
        destination = None if self.p2p else NAME
        try:
            if fds is not None:
                reply, _ = self.conn.call_with_unix_fd_list_sync(destination, path, interface, method, params, None,
                                                                 Gio.DBusCallFlags.NONE, 30000,
                                                                 Gio.UnixFDList.new_from_array(fds), None)
            else:
                reply = self.conn.call_sync(destination, path, interface, method, params, None,
                                            Gio.DBusCallFlags.NONE, 30000, None)
            return "", reply.unpack() if reply is not None else ()
        except GLib.Error as e:
            return Gio.DBusError.get_remote_error(e) or e.message, None

    def expect(self, what, error, path, interface, method, signature=None, args=(), fds=None):
        got, reply = self.call(path, interface, method, signature, args, fds)
        report(got == error, what, "got %r, expected %r" % (got or "success", error or "success"))
        return reply

    def wait_signals(self, count, seconds=10.0):
        context = GLib.MainContext.default()
        deadline = time.monotonic() + seconds
        while len(self.signals) < count and time.monotonic() < deadline:
            context.iteration(False) or time.sleep(0.01)
        return self.signals


def values_and_groups(c, path, where):
    c.expect(where + ": Set", "", path, STORE, "Set", "sss", ("config", "theme", "dark"))
    reply = c.expect(where + ": Get", "", path, STORE, "Get", "ss", ("config", "theme"))
    report(reply == ("dark",), where + ": Get returns the value", reply)
    c.expect(where + ": SetBytes", "", path, STORE, "SetBytes", "ssayt", ("blobs", "raw", b"\x00\x01\xff", 0))
    c.expect(where + ": GetBytes", "", path, STORE, "GetBytes", "ss", ("blobs", "raw"))
    c.expect(where + ": Get of a binary value is NotText", "org.example.Store.Error.NotText", path, STORE, "Get",
             "ss", ("blobs", "raw"))
    c.expect(where + ": SetAll", "", path, STORE, "SetAll", "sa{ss}", ("pool", {"host": "h", "port": "1"}))
    c.expect(where + ": GetAll", "", path, STORE, "GetAll", "s", ("pool",))
    c.expect(where + ": GetPage", "", path, STORE, "GetPage", "stt", ("pool", 1, 10))
    c.expect(where + ": Count", "", path, STORE, "Count", "s", ("pool",))
    c.expect(where + ": CountAll", "", path, STORE, "CountAll", "s", ("",))
    c.expect(where + ": Groups", "", path, STORE, "Groups", "s", ("",))
    c.expect(where + ": Set a list", "", path, STORE, "Set", "sss", ("list", "l", "a,b  c"))
    c.expect(where + ": GetSplit", "", path, STORE, "GetSplit", "sss", ("list", "l", ","))
    c.expect(where + ": GetFields", "", path, STORE, "GetFields", "ss", ("list", "l"))
    c.expect(where + ": Stat", "", path, STORE, "Stat", "ss", ("config", "theme"))
    c.expect(where + ": Snapshot", "", path, STORE, "Snapshot", "s", ("pool",))
    c.expect(where + ": Render", "", path, STORE, "Render", "ss", ("{{.host}}:{{.port}}", "pool"))
    c.expect(where + ": Render error", "org.example.Store.Error.Template", path, STORE, "Render", "ss",
             ("{{if}}", "pool"))
    c.expect(where + ": Render of a binary group is NotText", "org.example.Store.Error.NotText", path, STORE,
             "Render", "ss", ("{{.raw}}", "blobs"))
    c.expect(where + ": Get of a missing key", "org.example.Store.Error.NotFound", path, STORE, "Get", "ss",
             ("config", "nope"))
    c.expect(where + ": Set over the value limit", "org.example.Store.Error.TooLarge", path, STORE, "Set", "sss",
             ("config", "big", "x" * (64 * 1024 + 1)))
    c.expect(where + ": SetWithTTL of 0", "org.freedesktop.DBus.Error.InvalidArgs", path, STORE, "SetWithTTL",
             "ssst", ("config", "t", "v", 0))
    c.expect(where + ": wrong signature", "org.freedesktop.DBus.Error.InvalidArgs", path, STORE, "Get", "s",
             ("config",))
    c.expect(where + ": unknown method", "org.freedesktop.DBus.Error.UnknownMethod", path, STORE, "Frobnicate")
    c.expect(where + ": Delete", "", path, STORE, "Delete", "ss", ("config", "theme"))
    c.expect(where + ": DeleteGroup", "", path, STORE, "DeleteGroup", "s", ("pool",))
    c.expect(where + ": PurgeExpired", "", path, STORE, "PurgeExpired")


def export_import(c, path, where):
    read_end, write_end = os.pipe()
    reply = c.expect(where + ": Export to a pipe", "", path, STORE, "Export", "h", (0,), fds=[write_end])
    data = b""
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        data += chunk
    os.close(read_end)
    report(reply is not None and data.count(b"\n") == reply[0], where + ": the dump has a line per entry",
           (reply, data[:200]))
    read_end, write_end = os.pipe()
    os.write(write_end, data + b'{"group":"imported","key":"k","value":"v","expires_usec":1}\n')
    os.close(write_end)
    c.expect(where + ": Import from a pipe", "", path, STORE, "Import", "h", (0,), fds=[read_end])
    read_end, write_end = os.pipe()
    os.write(write_end, b'{"group":"g"}\n')
    os.close(write_end)
    c.expect(where + ": Import of a bad line", "org.freedesktop.DBus.Error.InvalidArgs", path, STORE, "Import", "h",
             (0,), fds=[read_end])


def main():
    direct_socket = sys.argv[1]
    bus = Client(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    tenant = NS + "tenant_2da"

    # The whole store, a namespace, and the caller's own.
    values_and_groups(bus, ROOT, "root")
    values_and_groups(bus, tenant, "namespace")
    bus.expect("self: Set", "", NS + "self", STORE, "Set", "sss", ("notes", "todo", "milk"))
    export_import(bus, ROOT, "root")
    export_import(bus, tenant, "namespace")

    # Manager and properties.
    bus.expect("GetNamespace", "", ROOT, MANAGER, "GetNamespace", "s", ("tenant-a",))
    bus.expect("GetNamespace of an invalid name", "org.example.Store.Error.InvalidNamespace", ROOT, MANAGER,
               "GetNamespace", "s", ("no such",))
    bus.expect("ListNamespaces", "", ROOT, MANAGER, "ListNamespaces")
    bus.expect("SetQuota", "", ROOT, MANAGER, "SetQuota", "sttt", ("tenant-b", 2, 10, 0))
    bus.expect("GetQuota", "", ROOT, MANAGER, "GetQuota", "s", ("tenant-b",))
    for i in range(2):
        bus.expect("Set within the quota", "", NS + "tenant_2db", STORE, "Set", "sss", ("g", "k%d" % i, "v"))
    bus.expect("Set over the quota", "org.example.Store.Error.QuotaExceeded", NS + "tenant_2db", STORE, "Set", "sss",
               ("g", "k9", "v"))
    bus.expect("Properties.GetAll of a namespace", "", tenant, PROPERTIES, "GetAll", "s", (NAMESPACE,))
    bus.expect("Properties.Get Revision", "", ROOT, PROPERTIES, "Get", "ss", (MANAGER, "Revision"))
    bus.expect("an odd path is UnknownObject", "org.freedesktop.DBus.Error.UnknownObject", NS + "_61bc", STORE, "Get",
               "ss", ("g", "k"))
    bus.expect("Introspect the namespaces", "", NS.rstrip("/"), "org.freedesktop.DBus.Introspectable", "Introspect")
    bus.expect("DeleteNamespace", "", ROOT, MANAGER, "DeleteNamespace", "s", ("tenant-b",))

    # Change events: subscribed at the root and in a namespace; a write, a delete, an expiry by the timer.
    bus.expect("Subscribe at the root", "", ROOT, STORE, "Subscribe")
    bus.expect("Subscribe in a namespace", "", tenant, STORE, "Subscribe")
    bus.expect("SetWithTTL of 300 ms", "", tenant, STORE, "SetWithTTL", "ssst", ("session", "token", "t", 300000))
    bus.expect("Set", "", tenant, STORE, "Set", "sss", ("prefs", "color", "blue"))
    bus.expect("Delete", "", tenant, STORE, "Delete", "ss", ("prefs", "color"))
    signals = bus.wait_signals(8, 10.0)
    types = sorted(s[2][2] for s in signals if s[1] == "Changed")
    report(types.count("expire") == 2 and types.count("set") == 4 and types.count("delete") == 2,
           "Changed signals arrive from both objects, the expiry among them", types)
    bus.expect("Get after the expiry", "org.example.Store.Error.NotFound", tenant, STORE, "Get", "ss",
               ("session", "token"))
    bus.expect("Unsubscribe", "", tenant, STORE, "Unsubscribe")
    bus.expect("Backup", "", ROOT, MANAGER, "Backup", "h", (0,),
               fds=[os.open("/dev/null", os.O_WRONLY)])

    # The same over a direct connection, with a subscription it leaves open when it goes.
    direct = Client("unix:path=" + direct_socket, p2p=True)
    values_and_groups(direct, ROOT, "direct")
    export_import(direct, ROOT, "direct")
    direct.expect("direct: Subscribe", "", ROOT, STORE, "Subscribe")
    direct.expect("direct: Set", "", ROOT, STORE, "Set", "sss", ("direct", "k", "v"))
    report(len(direct.wait_signals(1, 10.0)) >= 1, "direct: Changed arrives")
    direct.conn.close_sync(None)

    # A subscriber that leaves without unsubscribing.
    leaver = Client(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    leaver.expect("a subscriber that leaves: Subscribe", "", ROOT, STORE, "Subscribe")
    leaver.conn.close_sync(None)
    bus.expect("Set after it left", "", ROOT, STORE, "Set", "sss", ("after", "k", "v"))


main()
