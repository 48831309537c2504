/* SPDX-License-Identifier: MIT */

/* org.example.Store over a real private system bus, through the proxy that gdbus-codegen generates
 * from dbus/org.example.Store.xml (so the XML is proven usable by applications). The suite runs once
 * on a database file and once on :memory: (STORED_TEST_MEMORY=1). */

#include "harness.h"
#include "store-proxy.h"

/* gdbus-codegen does not declare these. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoredStore, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoredStoreManager, g_object_unref)

static World *world;

static StoredStore *root_proxy(GDBusConnection *c) {
        g_autoptr(GError) error = NULL;
        StoredStore *p = stored_store_proxy_new_sync(c, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, "org.example.Store", "/org/example/Store", NULL, &error);
        g_assert_no_error(error);
        g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(p), 30000);
        return p;
}

static void test_set_get(void) {
        g_autoptr(StoredStore) store = root_proxy(world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;
        guint64 revision = 0;

        g_assert_true(stored_store_call_set_sync(store, "config", "theme", "dark", G_DBUS_CALL_FLAGS_NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(revision, >, 0);
        g_assert_true(stored_store_call_get_sync(store, "config", "theme", G_DBUS_CALL_FLAGS_NONE, -1, &value, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(value, ==, "dark");
}

static void test_get_missing_is_not_found(void) {
        g_autoptr(StoredStore) store = root_proxy(world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;

        g_assert_false(stored_store_call_get_sync(store, "config", "no-such-key", G_DBUS_CALL_FLAGS_NONE, -1, &value, NULL, &error));
        g_assert_nonnull(error);
        g_autofree char *name = g_dbus_error_get_remote_error(error);
        g_assert_cmpstr(name, ==, "org.example.Store.Error.NotFound");
}

int main(int argc, char *argv[]) {
        const char *memory[] = { "--database=:memory:", NULL };
        int r;

        g_test_init(&argc, &argv, NULL);
        world = world_new();
        world_start_daemon(world, g_getenv("STORED_TEST_MEMORY") ? memory : NULL);

        g_test_add_func("/bus/set-get", test_set_get);
        g_test_add_func("/bus/get/missing-is-not-found", test_get_missing_is_not_found);

        r = g_test_run();
        world_free(world);
        return r;
}
