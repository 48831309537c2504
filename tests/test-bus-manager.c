/* SPDX-License-Identifier: MIT */

/* org.example.Store.Manager on the root object, and the daemon's introspection data against the
 * interface file that applications build from. */

#include "bus-client.h"

#define NONE             G_DBUS_CALL_FLAGS_NONE
#define NAMESPACE_PREFIX "/org/example/Store/namespace/"

/* ---- properties ---- */

static char *daemon_version(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL;
        const char *argv[] = { world_stored_binary(), "--version", NULL };
        int status;

        g_assert_true(
                g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
        g_assert_no_error(error);
        g_assert_true(g_str_has_prefix(out, "stored "));
        return g_strstrip(g_strdup(out + strlen("stored ")));
}

static void test_version_is_the_daemon_version(void) {
        g_autoptr(StoredStoreManager) manager = bus_manager_proxy(bus_world->bus);
        g_autofree char *expected = daemon_version();

        g_assert_cmpstr(stored_store_manager_get_version(manager), ==, expected);
}

/* The Revision property is the revision returned by the last write, whatever kind of write. */
static void test_revision_equals_last_write(void) {
        guint64 revision;

        revision = bus_set("manager-revision", "k", "v1");
        {
                g_autoptr(StoredStoreManager) manager = bus_manager_proxy(bus_world->bus);
                g_assert_cmpuint(stored_store_manager_get_revision(manager), ==, revision);
        }

        revision = bus_set_bytes("manager-revision", "b", "\0", 1, 0);
        g_assert_cmpuint(bus_revision(), ==, revision);
        revision = bus_delete("manager-revision", "k");
        g_assert_cmpuint(bus_revision(), ==, revision);

        /* A write that changes nothing returns, and leaves, the current revision. */
        g_assert_cmpuint(bus_set("manager-revision", "b2", "same"), ==, revision + 1);
        g_assert_cmpuint(bus_set("manager-revision", "b2", "same"), ==, revision + 1);
        g_assert_cmpuint(bus_revision(), ==, revision + 1);
}

static void test_properties_are_version_and_revision(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, all = NULL;
        g_autofree char *expected = daemon_version();
        const char *version = NULL;
        guint64 revision = 0;

        reply = g_dbus_connection_call_sync(bus_world->bus, STORE_BUS_NAME, STORE_PATH,
                "org.freedesktop.DBus.Properties", "GetAll", g_variant_new("(s)", MANAGER_INTERFACE),
                G_VARIANT_TYPE("(a{sv})"), NONE, BUS_CALL_TIMEOUT_MSEC, NULL, &error);
        g_assert_no_error(error);
        all = g_variant_get_child_value(reply, 0);
        g_assert_cmpuint(g_variant_n_children(all), ==, 2);
        g_assert_true(g_variant_lookup(all, "Version", "&s", &version));
        g_assert_true(g_variant_lookup(all, "Revision", "t", &revision));
        g_assert_cmpstr(version, ==, expected);
        g_assert_cmpuint(revision, ==, bus_revision());
}

/* ---- GetNamespace ---- */

static char *get_namespace(const char *name, GError **error) {
        g_autoptr(StoredStoreManager) manager = bus_manager_proxy(bus_world->bus);
        char *path = NULL;

        if (!stored_store_manager_call_get_namespace_sync(manager, name, NONE, -1, &path, NULL, error))
                return NULL;
        return path;
}

/* The path is sd_bus_path_encode() of the name: every byte but a-z A-Z 0-9 as _XX (lower-case hex),
 * and a leading digit as well. */
static void test_get_namespace_encodes_name_in_path(void) {
        static const struct {
                const char *name, *label;
        } cases[] = {
                { "tenant-42", "tenant_2d42" },
                { "abc", "abc" },
                { "ABC", "ABC" },
                { "A1-B2", "A1_2dB2" },
                { "a-b-c", "a_2db_2dc" },
                { "123", "_3123" },
                { "9lives", "_39lives" },
                { "-", "_2d" },
                { "-leading-and-trailing-", "_2dleading_2dand_2dtrailing_2d" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(GError) error = NULL;
                g_autofree char *path = get_namespace(cases[i].name, &error);
                g_autofree char *expected = g_strconcat(NAMESPACE_PREFIX, cases[i].label, NULL);

                g_assert_no_error(error);
                g_assert_cmpstr(path, ==, expected);
                g_assert_true(g_variant_is_object_path(path));
        }
}

static void test_get_namespace_accepts_64_characters(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *name = g_strnfill(64, 'n');
        g_autofree char *path = get_namespace(name, &error);
        g_autofree char *expected = g_strconcat(NAMESPACE_PREFIX, name, NULL);

        g_assert_no_error(error);
        g_assert_cmpstr(path, ==, expected);
}

static void test_get_namespace_rejects_invalid_names(void) {
        g_autofree char *too_long = g_strnfill(65, 'n');
        const char *const names[] = {
                "",
                "foo.bar",
                "foo:bar",
                "foo bar",
                "foo/bar",
                "foo_bar",
                "tenant_a",
                "tenant!",
                "@ns",
                "é",
                "ns\n",
                " ns",
                "ns ",
                "日本",
                too_long,
        };

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                g_autoptr(GError) error = NULL;
                g_autofree char *path = get_namespace(names[i], &error);

                if (path)
                        g_error("GetNamespace(\"%s\") gave %s instead of an error", names[i], path);
                bus_assert_error(error, ERROR_INVALID_NAMESPACE);
        }
}

/* "self" names the caller's own namespace object; it is not a namespace. */
static void test_get_namespace_self_is_invalid(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *path = get_namespace("self", &error);

        g_assert_null(path);
        bus_assert_error(error, ERROR_INVALID_NAMESPACE);
}

static void test_get_namespace_creates_nothing(void) {
        g_autoptr(GError) error = NULL;
        guint64 before = bus_revision();
        g_autofree char *path = get_namespace("created-nothing", &error);

        g_assert_no_error(error);
        g_assert_nonnull(path);
        g_assert_cmpuint(bus_revision(), ==, before);
        g_assert_cmpuint(bus_count_all("created-nothing:"), ==, 0);
}

/* The error message quotes the name; a long non-ASCII name must not keep the answer from coming. */
static void test_get_namespace_long_non_ascii_name_is_invalid(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GString) name = g_string_new("a");
        g_autofree char *error_name = NULL;

        for (int i = 0; i < 40; i++)
                g_string_append(name, "é");
        reply = g_dbus_connection_call_sync(bus_world->bus, STORE_BUS_NAME, STORE_PATH, MANAGER_INTERFACE,
                "GetNamespace", g_variant_new("(s)", name->str), NULL, NONE, 3000, NULL, &error);
        error_name = bus_error_name(error);
        if (!bus_error_is(error, ERROR_INVALID_NAMESPACE))
                g_test_fail_printf("GetNamespace of \"a\" and 40 times U+00E9: expected %s, got %s (%s)",
                        ERROR_INVALID_NAMESPACE, error_name ? error_name : "no D-Bus error",
                        error ? error->message : "success");
        bus_assert_serving();
}

/* ---- Backup (the whole of it: tests/test-storectl.sh) ---- */

/* bus_call_with_fd() passes the write end of a pipe whose read end is already closed. */
static void test_backup_into_a_pipe_nobody_reads_fails_and_the_daemon_serves_on(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = bus_call_with_fd(MANAGER_INTERFACE, "Backup", &error);

        g_assert_null(reply);
        bus_assert_error(error, "org.freedesktop.DBus.Error.IOError");
        bus_assert_serving();
}

/* ---- introspection ---- */

static GDBusNodeInfo *node_from_xml(const char *xml) {
        g_autoptr(GError) error = NULL;
        GDBusNodeInfo *node = g_dbus_node_info_new_for_xml(xml, &error);

        g_assert_no_error(error);
        return node;
}

static GDBusNodeInfo *node_from_file(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *path = g_build_filename(world_source_dir(), "dbus", "org.example.Store.xml", NULL);
        g_autofree char *xml = NULL;

        g_assert_true(g_file_get_contents(path, &xml, NULL, &error));
        g_assert_no_error(error);
        return node_from_xml(xml);
}

static GDBusNodeInfo *node_from_daemon_at(const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        const char *xml;

        reply = g_dbus_connection_call_sync(bus_world->bus, STORE_BUS_NAME, path, "org.freedesktop.DBus.Introspectable",
                "Introspect", NULL, G_VARIANT_TYPE("(s)"), NONE, BUS_CALL_TIMEOUT_MSEC, NULL, &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &xml);
        return node_from_xml(xml);
}

static GDBusNodeInfo *node_from_daemon(void) {
        return node_from_daemon_at(STORE_PATH);
}

static void describe_args(GString *out, const char *direction, GDBusArgInfo **args) {
        for (size_t i = 0; args && args[i]; i++)
                g_string_append_printf(out, "%s%s%s %s", out->str[out->len - 1] == '(' ? "" : ", ", direction,
                        args[i]->signature, args[i]->name);
}

static int compare_strings(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One line per member, sorted: "method Get(in s group, in s key, out s value)",
 * "signal Changed(s group, …)", "property Version s read". Two interfaces agree when their
 * descriptions are equal, and a difference shows up as a readable line. */
static char *describe_interface(const GDBusInterfaceInfo *iface) {
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
        GString *out = g_string_new(NULL);

        for (size_t i = 0; iface->methods && iface->methods[i]; i++) {
                GString *line = g_string_new(NULL);
                g_string_append_printf(line, "method %s(", iface->methods[i]->name);
                describe_args(line, "in ", iface->methods[i]->in_args);
                describe_args(line, "out ", iface->methods[i]->out_args);
                g_string_append_c(line, ')');
                g_ptr_array_add(lines, g_string_free(line, FALSE));
        }
        for (size_t i = 0; iface->signals && iface->signals[i]; i++) {
                GString *line = g_string_new(NULL);
                g_string_append_printf(line, "signal %s(", iface->signals[i]->name);
                describe_args(line, "", iface->signals[i]->args);
                g_string_append_c(line, ')');
                g_ptr_array_add(lines, g_string_free(line, FALSE));
        }
        for (size_t i = 0; iface->properties && iface->properties[i]; i++) {
                const GDBusPropertyInfo *p = iface->properties[i];
                g_ptr_array_add(lines, g_strdup_printf("property %s %s %s%s", p->name, p->signature,
                                               p->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE ? "read" : "",
                                               p->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE ? "write" : ""));
        }
        g_ptr_array_sort(lines, compare_strings);
        for (size_t i = 0; i < lines->len; i++)
                g_string_append_printf(out, "%s\n", (const char *)g_ptr_array_index(lines, i));
        return g_string_free(out, FALSE);
}

static void assert_interface_matches_xml(const char *path, const char *name) {
        g_autoptr(GDBusNodeInfo) file = node_from_file();
        g_autoptr(GDBusNodeInfo) daemon = node_from_daemon_at(path);
        GDBusInterfaceInfo *from_file = g_dbus_node_info_lookup_interface(file, name);
        GDBusInterfaceInfo *from_daemon = g_dbus_node_info_lookup_interface(daemon, name);
        g_autofree char *expected = NULL, *actual = NULL;

        g_assert_nonnull(from_file);
        g_assert_nonnull(from_daemon);
        expected = describe_interface(from_file);
        actual = describe_interface(from_daemon);
        g_assert_cmpstr(actual, ==, expected);
        /* Not vacuous: the description names every member. */
        g_assert_cmpuint(strlen(expected), >, 0);
}

static void test_store_interface_matches_xml(void) {
        assert_interface_matches_xml(STORE_PATH, STORE_INTERFACE);
}

static void test_manager_interface_matches_xml(void) {
        assert_interface_matches_xml(STORE_PATH, MANAGER_INTERFACE);
}

static void test_xml_declares_namespace_interface(void) {
        g_autoptr(GDBusNodeInfo) file = node_from_file();
        GDBusInterfaceInfo *ns = g_dbus_node_info_lookup_interface(file, NAMESPACE_INTERFACE);
        const char *const expected[] = { "Name", "MaxKeys", "MaxGroups", "MaxBytes", "Keys", "Groups", "Bytes" };

        g_assert_nonnull(ns);
        for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
                GDBusPropertyInfo *p = g_dbus_interface_info_lookup_property(ns, expected[i]);
                g_assert_nonnull(p);
                g_assert_cmpstr(p->signature, ==, i == 0 ? "s" : "t");
                g_assert_cmpint(p->flags, ==, G_DBUS_PROPERTY_INFO_FLAGS_READABLE);
        }
}

/* A namespace object serves the same org.example.Store as the root, plus org.example.Store.Namespace. */
static void test_namespace_object_interfaces_match_xml(void) {
        assert_interface_matches_xml(NAMESPACE_PREFIX "introspected", STORE_INTERFACE);
        assert_interface_matches_xml(NAMESPACE_PREFIX "introspected", NAMESPACE_INTERFACE);
}

/* The root object carries exactly its two interfaces besides the standard ones. */
static void test_root_object_carries_store_and_manager(void) {
        g_autoptr(GDBusNodeInfo) daemon = node_from_daemon();
        g_autoptr(GPtrArray) names = g_ptr_array_new();

        for (size_t i = 0; daemon->interfaces && daemon->interfaces[i]; i++)
                if (!g_str_has_prefix(daemon->interfaces[i]->name, "org.freedesktop.DBus."))
                        g_ptr_array_add(names, daemon->interfaces[i]->name);
        g_ptr_array_sort(names, compare_strings);
        g_assert_cmpuint(names->len, ==, 2);
        g_assert_cmpstr(g_ptr_array_index(names, 0), ==, STORE_INTERFACE);
        g_assert_cmpstr(g_ptr_array_index(names, 1), ==, MANAGER_INTERFACE);
}

void bus_manager_tests_register(void) {
        g_test_add_func("/bus/manager/version-is-the-daemon-version", test_version_is_the_daemon_version);
        g_test_add_func("/bus/manager/revision-equals-last-write", test_revision_equals_last_write);
        g_test_add_func("/bus/manager/properties-are-version-and-revision", test_properties_are_version_and_revision);
        g_test_add_func("/bus/manager/get-namespace/encodes-name-in-path", test_get_namespace_encodes_name_in_path);
        g_test_add_func("/bus/manager/get-namespace/accepts-64-characters", test_get_namespace_accepts_64_characters);
        g_test_add_func("/bus/manager/get-namespace/rejects-invalid-names", test_get_namespace_rejects_invalid_names);
        g_test_add_func("/bus/manager/get-namespace/self-is-invalid", test_get_namespace_self_is_invalid);
        g_test_add_func("/bus/manager/get-namespace/creates-nothing", test_get_namespace_creates_nothing);
        g_test_add_func("/bus/manager/get-namespace/long-non-ascii-name-is-invalid",
                test_get_namespace_long_non_ascii_name_is_invalid);
        g_test_add_func("/bus/manager/backup/into-a-pipe-nobody-reads-fails-and-the-daemon-serves-on",
                test_backup_into_a_pipe_nobody_reads_fails_and_the_daemon_serves_on);
        g_test_add_func("/bus/introspection/store-interface-matches-xml", test_store_interface_matches_xml);
        g_test_add_func("/bus/introspection/manager-interface-matches-xml", test_manager_interface_matches_xml);
        g_test_add_func("/bus/introspection/xml-declares-namespace-interface", test_xml_declares_namespace_interface);
        g_test_add_func("/bus/introspection/namespace-object-interfaces-match-xml",
                test_namespace_object_interfaces_match_xml);
        g_test_add_func("/bus/introspection/root-object-carries-store-and-manager",
                test_root_object_carries_store_and_manager);
}
