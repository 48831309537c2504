/* SPDX-License-Identifier: MIT */
#include <gio/gunixfdlist.h>
#include <stdarg.h>
#include <unistd.h>

#include "bus-client.h"

World *bus_world;

bool bus_on_memory(void) {
        const char *v = g_getenv("STORED_TEST_MEMORY");
        return v && *v && !g_str_equal(v, "0");
}

const char *const *bus_daemon_args(void) {
        static const char *const memory[] = { "--database=:memory:", NULL };
        return bus_on_memory() ? memory : NULL;
}

/* The name to address the store by: none on a direct (peer-to-peer) connection, which has no bus and
 * no names, and where GDBus would otherwise ask a bus driver that is not there for the name's owner. */
const char *bus_store_name(GDBusConnection *c) {
        return g_dbus_connection_get_unique_name(c) ? STORE_BUS_NAME : NULL;
}

StoredStore *bus_store_proxy(GDBusConnection *c) {
        g_autoptr(GError) error = NULL;
        StoredStore *p;

        p = stored_store_proxy_new_sync(c,
                G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                        G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                bus_store_name(c), STORE_PATH, NULL, &error);
        g_assert_no_error(error);
        g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(p), BUS_CALL_TIMEOUT_MSEC);
        return p;
}

StoredStoreManager *bus_manager_proxy(GDBusConnection *c) {
        g_autoptr(GError) error = NULL;
        StoredStoreManager *p;

        p = stored_store_manager_proxy_new_sync(c,
                G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS | G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, bus_store_name(c),
                STORE_PATH, NULL, &error);
        g_assert_no_error(error);
        g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(p), BUS_CALL_TIMEOUT_MSEC);
        return p;
}

char *bus_error_name(const GError *error) {
        if (!error || !g_dbus_error_is_remote_error(error))
                return NULL;
        return g_dbus_error_get_remote_error(error);
}

bool bus_error_is(const GError *error, const char *name) {
        g_autofree char *remote = bus_error_name(error);
        return g_strcmp0(remote, name) == 0;
}

GVariant *bus_call(GDBusConnection *c, const char *interface, const char *method, GVariant *args,
        const char *reply_type, GError **error) {
        return g_dbus_connection_call_sync(c, STORE_BUS_NAME, STORE_PATH, interface, method, args,
                reply_type ? G_VARIANT_TYPE(reply_type) : NULL, G_DBUS_CALL_FLAGS_NONE, BUS_CALL_TIMEOUT_MSEC, NULL,
                error);
}

GVariant *bus_call_with_fd(const char *interface, const char *method, GError **error) {
        g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
        int pipe_fds[2], index;

        g_assert_cmpint(pipe(pipe_fds), ==, 0);
        index = g_unix_fd_list_append(fds, pipe_fds[1], NULL);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        g_assert_cmpint(index, >=, 0);
        return g_dbus_connection_call_with_unix_fd_list_sync(bus_world->bus, STORE_BUS_NAME, STORE_PATH, interface,
                method, g_variant_new("(h)", index), NULL, G_DBUS_CALL_FLAGS_NONE, BUS_CALL_TIMEOUT_MSEC, fds, NULL,
                NULL, error);
}

static guint64 call_revision(const char *method, GVariant *args) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = bus_call(bus_world->bus, STORE_INTERFACE, method, args, "(t)", &error);
        guint64 revision;

        g_assert_no_error(error);
        g_variant_get(reply, "(t)", &revision);
        return revision;
}

guint64 bus_set(const char *group, const char *key, const char *value) {
        return call_revision("Set", g_variant_new("(sss)", group, key, value));
}

guint64 bus_set_with_ttl(const char *group, const char *key, const char *value, guint64 ttl_usec) {
        return call_revision("SetWithTTL", g_variant_new("(ssst)", group, key, value, ttl_usec));
}

guint64 bus_set_bytes(const char *group, const char *key, const void *data, size_t len, guint64 ttl_usec) {
        GVariant *bytes = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);
        return call_revision("SetBytes", g_variant_new("(ss@ayt)", group, key, bytes, ttl_usec));
}

guint64 bus_delete(const char *group, const char *key) {
        return call_revision("Delete", g_variant_new("(ss)", group, key));
}

char *bus_get(const char *group, const char *key) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                bus_call(bus_world->bus, STORE_INTERFACE, "Get", g_variant_new("(ss)", group, key), "(s)", &error);
        char *value;

        g_assert_no_error(error);
        g_variant_get(reply, "(s)", &value);
        return value;
}

static guint64 call_count(const char *method, const char *arg) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                bus_call(bus_world->bus, STORE_INTERFACE, method, g_variant_new("(s)", arg), "(t)", &error);
        guint64 n;

        g_assert_no_error(error);
        g_variant_get(reply, "(t)", &n);
        return n;
}

guint64 bus_count(const char *group) {
        return call_count("Count", group);
}

guint64 bus_count_all(const char *prefix) {
        return call_count("CountAll", prefix);
}

GBytes *bus_get_bytes(const char *group, const char *key, GError **error) {
        g_autoptr(GVariant) reply =
                bus_call(bus_world->bus, STORE_INTERFACE, "GetBytes", g_variant_new("(ss)", group, key), "(ay)", error);
        g_autoptr(GVariant) bytes = NULL;

        if (!reply)
                return NULL;
        bytes = g_variant_get_child_value(reply, 0);
        return g_variant_get_data_as_bytes(bytes);
}

BusStat bus_stat(const char *group, const char *key) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                bus_call(bus_world->bus, STORE_INTERFACE, "Stat", g_variant_new("(ss)", group, key), "(tttt)", &error);
        BusStat s;

        g_assert_no_error(error);
        g_variant_get(reply, "(tttt)", &s.version, &s.revision, &s.modified_usec, &s.expires_usec);
        return s;
}

guint64 bus_revision(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, value = NULL;

        reply = g_dbus_connection_call_sync(bus_world->bus, STORE_BUS_NAME, STORE_PATH,
                "org.freedesktop.DBus.Properties", "Get", g_variant_new("(ss)", MANAGER_INTERFACE, "Revision"),
                G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, BUS_CALL_TIMEOUT_MSEC, NULL, &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(v)", &value);
        g_assert_true(g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64));
        return g_variant_get_uint64(value);
}

GVariant *bus_entries(const char *first_key, ...) {
        GVariantBuilder b;
        va_list ap;

        g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
        va_start(ap, first_key);
        for (const char *key = first_key; key; key = va_arg(ap, const char *)) {
                const char *value = va_arg(ap, const char *);
                g_variant_builder_add(&b, "{ss}", key, value);
        }
        va_end(ap);
        return g_variant_builder_end(&b);
}

const char *bus_entries_lookup(GVariant *entries, const char *key) {
        const char *value = NULL;

        if (!g_variant_lookup(entries, key, "&s", &value))
                return NULL;
        return value;
}

void bus_assert_serving(void) {
        g_autofree char *stamp = g_strdup_printf("%" G_GUINT64_FORMAT, bus_now_usec());
        g_autofree char *value = NULL;

        bus_set("serving", "stamp", stamp);
        value = bus_get("serving", "stamp");
        g_assert_cmpstr(value, ==, stamp);
}

guint64 bus_now_usec(void) {
        return (guint64)g_get_real_time();
}
