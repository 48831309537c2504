/* SPDX-License-Identifier: MIT */

/* Many clients at once, each on a connection of its own; and callers that are not root, run as
 * another uid through setpriv with the tools an administrator would use. */

#include "bus-client.h"

#define NONE G_DBUS_CALL_FLAGS_NONE

/* ---- concurrent clients ---- */

#define N_CLIENTS 10
#define N_WRITES  100

typedef struct Client {
        int index;
        char *failure; /* the first unexpected error, if any */
} Client;

static char *client_group(int index) {
        return g_strdup_printf("clients-%02d", index);
}

/* Writes its own group while reading its neighbour's, which another client is filling at the same
 * time: there a key is either not written yet (NotFound) or holds its final value. */
static gpointer client_run(gpointer data) {
        Client *client = data;
        g_autoptr(GDBusConnection) c = world_connect(bus_world);
        g_autoptr(StoredStore) store = bus_store_proxy(c);
        g_autofree char *group = client_group(client->index);
        g_autofree char *neighbour = client_group((client->index + 1) % N_CLIENTS);

        for (int i = 0; i < N_WRITES && !client->failure; i++) {
                g_autofree char *key = g_strdup_printf("key-%03d", i);
                g_autofree char *value = g_strdup_printf("value-%02d-%03d", client->index, i);
                g_autofree char *neighbour_value =
                        g_strdup_printf("value-%02d-%03d", (client->index + 1) % N_CLIENTS, i);
                g_autofree char *read = NULL;
                g_autoptr(GError) error = NULL;
                guint64 revision = 0, count = 0;

                if (!stored_store_call_set_sync(store, group, key, value, NONE, -1, &revision, NULL, &error)) {
                        client->failure = g_strdup_printf("Set %s/%s: %s", group, key, error->message);
                        break;
                }
                if (!stored_store_call_get_sync(store, group, key, NONE, -1, &read, NULL, &error) ||
                        !g_str_equal(read, value)) {
                        client->failure = g_strdup_printf("Get %s/%s of own write: %s", group, key,
                                error ? error->message : read);
                        break;
                }
                g_clear_pointer(&read, g_free);
                if (stored_store_call_get_sync(store, neighbour, key, NONE, -1, &read, NULL, &error)) {
                        if (!g_str_equal(read, neighbour_value))
                                client->failure = g_strdup_printf("Get %s/%s: %s", neighbour, key, read);
                } else if (!bus_error_is(error, ERROR_NOT_FOUND))
                        client->failure = g_strdup_printf("Get %s/%s: %s", neighbour, key, error->message);
                g_clear_error(&error);
                if (!stored_store_call_count_sync(store, group, NONE, -1, &count, NULL, &error) ||
                        count != (guint64)i + 1)
                        client->failure = g_strdup_printf("Count %s after %d writes: %s", group, i + 1,
                                error ? error->message : "wrong count");
        }
        return NULL;
}

/* go-store's Concurrent_Good_ReadWrite, with each goroutine a bus client of its own. */
static void test_ten_connections_write_and_read_concurrently(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        Client clients[N_CLIENTS] = {};
        GThread *threads[N_CLIENTS];
        guint64 before = bus_revision();

        for (int i = 0; i < N_CLIENTS; i++) {
                clients[i].index = i;
                threads[i] = g_thread_new("client", client_run, &clients[i]);
        }
        for (int i = 0; i < N_CLIENTS; i++)
                g_thread_join(threads[i]);
        for (int i = 0; i < N_CLIENTS; i++)
                if (clients[i].failure)
                        g_error("client %d: %s", i, clients[i].failure);

        for (int i = 0; i < N_CLIENTS; i++) {
                g_autofree char *group = client_group(i);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) all = NULL;

                g_assert_cmpuint(bus_count(group), ==, N_WRITES);
                g_assert_true(stored_store_call_get_all_sync(store, group, NONE, -1, &all, NULL, &error));
                g_assert_no_error(error);
                g_assert_cmpuint(g_variant_n_children(all), ==, N_WRITES);
                for (int k = 0; k < N_WRITES; k++) {
                        g_autofree char *key = g_strdup_printf("key-%03d", k);
                        g_autofree char *value = g_strdup_printf("value-%02d-%03d", i, k);
                        g_assert_cmpstr(bus_entries_lookup(all, key), ==, value);
                }
        }
        /* Every write was a change of its own: none lost, none merged. */
        g_assert_cmpuint(bus_revision(), ==, before + N_CLIENTS * N_WRITES);
}

typedef struct Reader {
        const char *group;
        gsize seen;
        char *failure;
} Reader;

static gpointer reader_run(gpointer data) {
        Reader *reader = data;
        g_autoptr(GDBusConnection) c = world_connect(bus_world);
        g_autoptr(StoredStore) store = bus_store_proxy(c);
        g_autoptr(GVariant) all = NULL;
        g_autoptr(GError) error = NULL;

        if (stored_store_call_get_all_sync(store, reader->group, NONE, -1, &all, NULL, &error))
                reader->seen = g_variant_n_children(all);
        else
                reader->failure = g_strdup(error->message);
        return NULL;
}

/* go-store's Concurrent_Good_GetAll. */
static void test_concurrent_get_all_see_the_whole_group(void) {
        Reader readers[N_CLIENTS] = {};
        GThread *threads[N_CLIENTS];

        for (int k = 0; k < 50; k++) {
                g_autofree char *key = g_strdup_printf("key-%02d", k);
                bus_set("clients-get-all", key, "v");
        }
        for (int i = 0; i < N_CLIENTS; i++) {
                readers[i].group = "clients-get-all";
                threads[i] = g_thread_new("reader", reader_run, &readers[i]);
        }
        for (int i = 0; i < N_CLIENTS; i++)
                g_thread_join(threads[i]);
        for (int i = 0; i < N_CLIENTS; i++) {
                if (readers[i].failure)
                        g_error("reader %d: %s", i, readers[i].failure);
                g_assert_cmpuint(readers[i].seen, ==, 50);
        }
}

/* ---- callers that are not root ---- */

#define NOBODY 65534U

typedef struct RunResult {
        int status;
        char *out, *err;
} RunResult;

static void run_result_clear(RunResult *r) {
        g_free(r->out);
        g_free(r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RunResult, run_result_clear)

static void run_as_nobody(const char *const *argv, RunResult *ret) {
        ret->status = world_run_as(bus_world, NOBODY, NOBODY, NULL, argv, &ret->out, &ret->err);
}

/* busctl prints the error's message; dbus-send prints its name. */
static void test_other_uid_is_denied_store_methods(void) {
        const char *const busctl[] = { "busctl", "--system", "call", STORE_BUS_NAME, STORE_PATH, STORE_INTERFACE, "Get",
                "ss", "config", "theme", NULL };
        const char *const dbus_send[] = { "dbus-send", "--system", "--print-reply", "--dest=" STORE_BUS_NAME,
                STORE_PATH, STORE_INTERFACE ".Get", "string:config", "string:theme", NULL };
        g_auto(RunResult) by_busctl = {}, by_dbus_send = {};

        bus_set("config", "theme", "dark");

        run_as_nobody(busctl, &by_busctl);
        g_assert_cmpint(by_busctl.status, !=, 0);
        g_assert_nonnull(strstr(by_busctl.err, "Access denied"));
        g_assert_null(strstr(by_busctl.out, "dark"));

        run_as_nobody(dbus_send, &by_dbus_send);
        g_assert_cmpint(by_dbus_send.status, !=, 0);
        g_assert_nonnull(strstr(by_dbus_send.err, ERROR_ACCESS_DENIED));
        g_assert_null(strstr(by_dbus_send.out, "dark"));
}

static void test_other_uid_write_changes_nothing(void) {
        const char *const set[] = { "busctl", "--system", "call", STORE_BUS_NAME, STORE_PATH, STORE_INTERFACE, "Set",
                "sss", "auth-write", "k", "from nobody", NULL };
        const char *const delete_group[] = { "busctl", "--system", "call", STORE_BUS_NAME, STORE_PATH, STORE_INTERFACE,
                "DeleteGroup", "s", "auth-kept", NULL };
        g_auto(RunResult) by_set = {}, by_delete = {};
        guint64 before;

        bus_set("auth-kept", "k", "v");
        before = bus_revision();
        run_as_nobody(set, &by_set);
        g_assert_cmpint(by_set.status, !=, 0);
        g_assert_nonnull(strstr(by_set.err, "Access denied"));
        run_as_nobody(delete_group, &by_delete);
        g_assert_cmpint(by_delete.status, !=, 0);
        g_assert_nonnull(strstr(by_delete.err, "Access denied"));

        g_assert_cmpuint(bus_count("auth-write"), ==, 0);
        g_assert_cmpuint(bus_count("auth-kept"), ==, 1);
        g_assert_cmpuint(bus_revision(), ==, before);
}

static void test_other_uid_may_get_namespace(void) {
        const char *const argv[] = { "busctl", "--system", "call", STORE_BUS_NAME, STORE_PATH, MANAGER_INTERFACE,
                "GetNamespace", "s", "tenant-42", NULL };
        g_auto(RunResult) r = {};

        run_as_nobody(argv, &r);
        g_assert_cmpint(r.status, ==, 0);
        g_assert_cmpstr(g_strstrip(r.out), ==, "o \"/org/example/Store/namespace/tenant_2d42\"");
}

/* Argument checks come before authorization, and GetNamespace is open anyway. */
static void test_other_uid_gets_invalid_namespace(void) {
        const char *const argv[] = { "dbus-send", "--system", "--print-reply", "--dest=" STORE_BUS_NAME, STORE_PATH,
                MANAGER_INTERFACE ".GetNamespace", "string:self", NULL };
        g_auto(RunResult) r = {};

        run_as_nobody(argv, &r);
        g_assert_cmpint(r.status, !=, 0);
        g_assert_nonnull(strstr(r.err, ERROR_INVALID_NAMESPACE));
}

static void test_other_uid_may_read_properties(void) {
        const char *const version[] = { "busctl", "--system", "get-property", STORE_BUS_NAME, STORE_PATH,
                MANAGER_INTERFACE, "Version", NULL };
        const char *const revision[] = { "busctl", "--system", "get-property", STORE_BUS_NAME, STORE_PATH,
                MANAGER_INTERFACE, "Revision", NULL };
        g_auto(RunResult) by_version = {}, by_revision = {};
        g_autoptr(StoredStoreManager) manager = bus_manager_proxy(bus_world->bus);
        g_autofree char *expected_version = NULL, *expected_revision = NULL;
        guint64 current = bus_set("auth-properties", "k", "moves the revision");

        run_as_nobody(version, &by_version);
        g_assert_cmpint(by_version.status, ==, 0);
        expected_version = g_strdup_printf("s \"%s\"", stored_store_manager_get_version(manager));
        g_assert_cmpstr(g_strstrip(by_version.out), ==, expected_version);

        run_as_nobody(revision, &by_revision);
        g_assert_cmpint(by_revision.status, ==, 0);
        expected_revision = g_strdup_printf("t %" G_GUINT64_FORMAT, current);
        g_assert_cmpstr(g_strstrip(by_revision.out), ==, expected_revision);
}

/* Introspection is open too: a client may learn the interface without being allowed to use it. */
static void test_other_uid_may_introspect(void) {
        const char *const argv[] = { "busctl", "--system", "introspect", "--xml-interface", STORE_BUS_NAME, STORE_PATH,
                NULL };
        g_auto(RunResult) r = {};

        run_as_nobody(argv, &r);
        g_assert_cmpint(r.status, ==, 0);
        g_assert_nonnull(strstr(r.out, "<interface name=\"" STORE_INTERFACE "\">"));
}

void bus_clients_tests_register(void) {
        g_test_add_func("/bus/clients/ten-connections-write-and-read-concurrently",
                test_ten_connections_write_and_read_concurrently);
        g_test_add_func("/bus/clients/concurrent-get-all-see-the-whole-group",
                test_concurrent_get_all_see_the_whole_group);
        g_test_add_func("/bus/auth/other-uid-is-denied-store-methods", test_other_uid_is_denied_store_methods);
        g_test_add_func("/bus/auth/other-uid-write-changes-nothing", test_other_uid_write_changes_nothing);
        g_test_add_func("/bus/auth/other-uid-may-get-namespace", test_other_uid_may_get_namespace);
        g_test_add_func("/bus/auth/other-uid-gets-invalid-namespace", test_other_uid_gets_invalid_namespace);
        g_test_add_func("/bus/auth/other-uid-may-read-properties", test_other_uid_may_read_properties);
        g_test_add_func("/bus/auth/other-uid-may-introspect", test_other_uid_may_introspect);
}
