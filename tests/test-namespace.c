/* SPDX-License-Identifier: MIT */

/* Namespaces and quotas over a real private system bus, with stored as a child of the test and
 * plain GDBus calls as root. Each test gets a world of its own (a bus and a daemon on a fresh
 * database file), so namespaces can have plain names and tests that configure or restart the daemon
 * disturb nobody.
 *
 * The contract: /org/example/Store/namespace/<sd_bus_path_encode(N)> serves org.example.Store
 * scoped to namespace N (group g there is group "N:g" at the root) and org.example.Store.Namespace
 * (its name, the quota in force and its usage); …/namespace/self is the caller's uid-<UID>; a path
 * that is not the canonical encoding of a valid name is no object at all. The Manager on the root
 * object names, lists, limits and deletes namespaces. */

#include <gio/gio.h>
#include <inttypes.h>

#include "harness.h"

#define STORE_PATH           "/org/example/Store"
#define NAMESPACE_PREFIX     "/org/example/Store/namespace/"
#define STORE_INTERFACE      "org.example.Store"
#define MANAGER_INTERFACE    "org.example.Store.Manager"
#define NAMESPACE_INTERFACE  "org.example.Store.Namespace"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

/* Object paths spelled out: sd_bus_path_encode() keeps [A-Za-z0-9] and writes any other byte as _xx. */
#define TENANT_A NAMESPACE_PREFIX "tenant_2da"
#define TENANT_B NAMESPACE_PREFIX "tenant_2db"
#define SELF     NAMESPACE_PREFIX "self"

#define ERROR_QUOTA_EXCEEDED    "org.example.Store.Error.QuotaExceeded"
#define ERROR_INVALID_NAMESPACE "org.example.Store.Error.InvalidNamespace"
#define ERROR_NOT_FOUND         "org.example.Store.Error.NotFound"
#define ERROR_UNKNOWN_OBJECT    "org.freedesktop.DBus.Error.UnknownObject"

#define USEC_PER_MSEC UINT64_C(1000)

/* The defaults the daemon documents for a namespace without a quota of its own. */
#define BUILTIN_MAX_KEYS   UINT64_C(10000)
#define BUILTIN_MAX_GROUPS UINT64_C(1000)
#define BUILTIN_MAX_BYTES  (UINT64_C(64) * 1024 * 1024)

typedef struct Fixture {
        World *world;
        GPtrArray *scratch; /* strings handed to assertions, freed at tear-down */
} Fixture;

static const char *keep(Fixture *f, char *s) {
        g_ptr_array_add(f->scratch, s);
        return s;
}

/* A bus and a daemon; the test data, if any, is the daemon's extra arguments. */
static void set_up(Fixture *f, gconstpointer daemon_args) {
        f->scratch = g_ptr_array_new_with_free_func(g_free);
        f->world = world_new();
        world_start_daemon(f->world, daemon_args);
}

static void tear_down(Fixture *f, gconstpointer unused G_GNUC_UNUSED) {
        world_free(f->world);
        g_ptr_array_unref(f->scratch);
}

static const char *const default_max_keys_3[] = { "--default-max-keys=3", NULL };

#define TEST(path, fn)            g_test_add(path, Fixture, NULL, set_up, fn, tear_down)
#define TEST_ARGS(path, args, fn) g_test_add(path, Fixture, args, set_up, fn, tear_down)

#define UNUSED gconstpointer unused G_GNUC_UNUSED

/* ---- calls ---- */

/* A call that must succeed; returns its reply. */
static GVariant *call(Fixture *f, const char *path, const char *interface, const char *method, GVariant *args,
        const char *reply_type) {
        g_autoptr(GError) error = NULL;
        GVariant *reply;

        reply = world_call(f->world->bus, path, interface, method, args, reply_type, &error);
        if (!reply)
                g_error("%s %s.%s failed: %s", path, interface, method, error->message);
        return reply;
}

/* A call that must fail; returns the D-Bus error name and, if asked, the message without the name. */
static const char *call_error(Fixture *f, const char *path, const char *interface, const char *method, GVariant *args,
        const char **ret_message) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        char *name;

        reply = world_call(f->world->bus, path, interface, method, args, NULL, &error);
        if (reply)
                g_error("%s %s.%s succeeded, expected an error", path, interface, method);
        name = g_dbus_error_get_remote_error(error);
        g_assert_nonnull(name);
        if (ret_message) {
                g_dbus_error_strip_remote_error(error);
                *ret_message = keep(f, g_strdup(error->message));
        }
        return keep(f, name);
}

static guint64 set(Fixture *f, const char *path, const char *group, const char *key, const char *value) {
        g_autoptr(GVariant) reply =
                call(f, path, STORE_INTERFACE, "Set", g_variant_new("(sss)", group, key, value), "(t)");
        guint64 revision;

        g_variant_get(reply, "(t)", &revision);
        return revision;
}

static void set_with_ttl(Fixture *f, const char *path, const char *group, const char *key, const char *value,
        guint64 ttl_usec) {
        g_autoptr(GVariant) reply = call(f, path, STORE_INTERFACE, "SetWithTTL",
                g_variant_new("(ssst)", group, key, value, ttl_usec), "(t)");
}

/* The value of a live key, NULL if it is NotFound. */
static const char *get(Fixture *f, const char *path, const char *group, const char *key) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        char *value;

        reply = world_call(f->world->bus, path, STORE_INTERFACE, "Get", g_variant_new("(ss)", group, key), "(s)",
                &error);
        if (!reply) {
                g_autofree char *name = g_dbus_error_get_remote_error(error);
                if (g_strcmp0(name, ERROR_NOT_FOUND) != 0)
                        g_error("Get %s %s/%s failed: %s", path, group, key, error->message);
                return NULL;
        }
        g_variant_get(reply, "(s)", &value);
        return keep(f, value);
}

static guint64 count_all(Fixture *f, const char *path, const char *prefix) {
        g_autoptr(GVariant) reply = call(f, path, STORE_INTERFACE, "CountAll", g_variant_new("(s)", prefix), "(t)");
        guint64 n;

        g_variant_get(reply, "(t)", &n);
        return n;
}

/* The groups as "a|b|c". */
static const char *groups(Fixture *f, const char *path, const char *prefix) {
        g_autoptr(GVariant) reply = call(f, path, STORE_INTERFACE, "Groups", g_variant_new("(s)", prefix), "(as)");
        g_autofree const char **names = NULL;

        g_variant_get(reply, "(^a&s)", &names);
        return keep(f, g_strjoinv("|", (char **)names));
}

static guint64 purge_expired(Fixture *f, const char *path) {
        g_autoptr(GVariant) reply = call(f, path, STORE_INTERFACE, "PurgeExpired", NULL, "(t)");
        guint64 n;

        g_variant_get(reply, "(t)", &n);
        return n;
}

static const char *get_namespace(Fixture *f, const char *name) {
        g_autoptr(GVariant) reply =
                call(f, STORE_PATH, MANAGER_INTERFACE, "GetNamespace", g_variant_new("(s)", name), "(o)");
        char *path;

        g_variant_get(reply, "(o)", &path);
        return keep(f, path);
}

static void set_quota(Fixture *f, const char *name, guint64 max_keys, guint64 max_groups, guint64 max_bytes) {
        g_autoptr(GVariant) reply = call(f, STORE_PATH, MANAGER_INTERFACE, "SetQuota",
                g_variant_new("(sttt)", name, max_keys, max_groups, max_bytes), "()");
}

/* GetQuota as "K/G/B". */
static const char *get_quota(Fixture *f, const char *name) {
        g_autoptr(GVariant) reply =
                call(f, STORE_PATH, MANAGER_INTERFACE, "GetQuota", g_variant_new("(s)", name), "(ttt)");
        guint64 k, g, b;

        g_variant_get(reply, "(ttt)", &k, &g, &b);
        return keep(f, g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, k, g, b));
}

/* A quota as GetQuota's "K/G/B". */
static const char *quota_string(Fixture *f, guint64 k, guint64 g, guint64 b) {
        return keep(f, g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, k, g, b));
}

/* ListNamespaces as "N keys=K groups=G bytes=B; …" in the order given. */
static const char *list_namespaces(Fixture *f) {
        g_autoptr(GVariant) reply = call(f, STORE_PATH, MANAGER_INTERFACE, "ListNamespaces", NULL, "(a(sttt))");
        g_autoptr(GVariantIter) iter = NULL;
        GString *out = g_string_new(NULL);
        const char *name;
        guint64 k, g, b;

        g_variant_get(reply, "(a(sttt))", &iter);
        while (g_variant_iter_next(iter, "(&sttt)", &name, &k, &g, &b)) {
                if (out->len > 0)
                        g_string_append(out, "; ");
                g_string_append_printf(out,
                        "%s keys=%" G_GUINT64_FORMAT " groups=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT, name, k,
                        g, b);
        }
        return keep(f, g_string_free(out, FALSE));
}

static guint64 delete_namespace(Fixture *f, const char *name) {
        g_autoptr(GVariant) reply =
                call(f, STORE_PATH, MANAGER_INTERFACE, "DeleteNamespace", g_variant_new("(s)", name), "(t)");
        guint64 revision;

        g_variant_get(reply, "(t)", &revision);
        return revision;
}

static guint64 revision(Fixture *f) {
        g_autoptr(GVariant) reply = call(f, STORE_PATH, PROPERTIES_INTERFACE, "Get",
                g_variant_new("(ss)", MANAGER_INTERFACE, "Revision"), "(v)");
        g_autoptr(GVariant) value = NULL;

        g_variant_get(reply, "(v)", &value);
        return g_variant_get_uint64(value);
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Properties.GetAll of org.example.Store.Namespace as "Name=value …", sorted by name. */
static const char *namespace_properties(Fixture *f, const char *path) {
        g_autoptr(GVariant) reply =
                call(f, path, PROPERTIES_INTERFACE, "GetAll", g_variant_new("(s)", NAMESPACE_INTERFACE), "(a{sv})");
        g_autoptr(GVariant) dict = g_variant_get_child_value(reply, 0);
        g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
        GVariantIter iter;
        const char *name;
        GVariant *value;

        g_variant_iter_init(&iter, dict);
        while (g_variant_iter_next(&iter, "{&sv}", &name, &value)) {
                g_autofree char *text = g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)
                                                ? g_strdup(g_variant_get_string(value, NULL))
                                                : g_variant_print(value, FALSE);
                g_ptr_array_add(parts, g_strdup_printf("%s=%s", name, text));
                g_variant_unref(value);
        }
        g_ptr_array_sort(parts, compare_strings);
        g_ptr_array_add(parts, NULL);
        return keep(f, g_strjoinv(" ", (char **)parts->pdata));
}

static const char *namespace_property(Fixture *f, const char *path, const char *property) {
        g_autoptr(GVariant) reply =
                call(f, path, PROPERTIES_INTERFACE, "Get", g_variant_new("(ss)", NAMESPACE_INTERFACE, property), "(v)");
        g_autoptr(GVariant) value = NULL;

        g_variant_get(reply, "(v)", &value);
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
                return keep(f, g_strdup(g_variant_get_string(value, NULL)));
        return keep(f, g_variant_print(value, FALSE));
}

/* ---- the namespace object ---- */

static void test_path_is_sd_bus_path_encode_of_the_name(Fixture *f, UNUSED) {
        g_assert_cmpstr(get_namespace(f, "tenant-42"), ==, NAMESPACE_PREFIX "tenant_2d42");
        g_assert_cmpstr(get_namespace(f, "Abc123"), ==, NAMESPACE_PREFIX "Abc123");
}

static void test_scope_write_in_namespace_is_prefixed_group_at_root(Fixture *f, UNUSED) {
        set(f, NAMESPACE_PREFIX "tenant_2d42", "prefs", "theme", "dark");
        g_assert_cmpstr(get(f, STORE_PATH, "tenant-42:prefs", "theme"), ==, "dark");
        g_assert_null(get(f, STORE_PATH, "prefs", "theme"));
}

static void test_scope_write_at_root_is_visible_in_namespace(Fixture *f, UNUSED) {
        set(f, STORE_PATH, "tenant-42:prefs", "theme", "light");
        g_assert_cmpstr(get(f, NAMESPACE_PREFIX "tenant_2d42", "prefs", "theme"), ==, "light");
}

static void set_two_namespaces(Fixture *f) {
        set(f, TENANT_A, "config", "a", "1");
        set(f, TENANT_A, "config", "b", "2");
        set(f, TENANT_A, "sessions", "s", "3");
        set(f, TENANT_B, "config", "a", "x");
        set(f, STORE_PATH, "config", "root", "y");
}

/* go-store ScopedStore_Good_BulkHelpers */
static void test_scope_count_all_sees_only_the_namespace(Fixture *f, UNUSED) {
        set_two_namespaces(f);
        g_assert_cmpuint(count_all(f, TENANT_A, ""), ==, 3);
        g_assert_cmpuint(count_all(f, TENANT_A, "conf"), ==, 2);
        g_assert_cmpuint(count_all(f, TENANT_B, ""), ==, 1);
}

static void test_scope_groups_see_only_the_namespace_unprefixed(Fixture *f, UNUSED) {
        set_two_namespaces(f);
        g_assert_cmpstr(groups(f, TENANT_A, ""), ==, "config|sessions");
        g_assert_cmpstr(groups(f, TENANT_A, "conf"), ==, "config");
        g_assert_cmpstr(groups(f, TENANT_B, ""), ==, "config");
}

static void test_scope_root_sees_prefixed_groups(Fixture *f, UNUSED) {
        set_two_namespaces(f);
        g_assert_cmpstr(groups(f, STORE_PATH, ""), ==, "config|tenant-a:config|tenant-a:sessions|tenant-b:config");
        g_assert_cmpuint(count_all(f, STORE_PATH, "tenant-a:"), ==, 3);
}

/* go-store ScopedStore_Good_NamespaceIsolation */
static void test_scope_namespaces_are_isolated(Fixture *f, UNUSED) {
        g_autoptr(GVariant) reply = NULL;

        set(f, TENANT_A, "g", "k", "of-a");
        set(f, TENANT_B, "g", "k", "of-b");
        reply = call(f, TENANT_A, STORE_INTERFACE, "DeleteGroup", g_variant_new("(s)", "g"), "(t)");
        g_assert_null(get(f, TENANT_A, "g", "k"));
        g_assert_cmpstr(get(f, TENANT_B, "g", "k"), ==, "of-b");
}

/* go-store ScopedStore_Good_PurgeExpired_NamespaceLocal. The daemon's expiry timer may or may not have
 * removed the entries by the time the purge runs (shortly after their deadline), so the purge finds
 * tenant-a's one expired entry or nothing; what it must never do is count tenant-b's, or touch live
 * entries anywhere. */
static void test_scope_purge_expired_only_its_namespace(Fixture *f, UNUSED) {
        set_with_ttl(f, TENANT_A, "g", "temp", "a", 100 * USEC_PER_MSEC);
        set(f, TENANT_A, "g", "perm", "a");
        set_with_ttl(f, TENANT_B, "g", "temp", "b", 100 * USEC_PER_MSEC);
        set(f, TENANT_B, "g", "perm", "b");
        g_assert_cmpuint(count_all(f, TENANT_B, ""), ==, 2);
        g_usleep(150 * 1000);
        g_assert_cmpuint(purge_expired(f, TENANT_A), <=, 1);
        g_assert_cmpuint(count_all(f, TENANT_A, ""), ==, 1);
        g_assert_cmpstr(get(f, TENANT_B, "g", "perm"), ==, "b");
        g_assert_cmpuint(count_all(f, TENANT_B, ""), ==, 1);
}

static void test_scope_purge_expired_leaves_live_entries(Fixture *f, UNUSED) {
        set_with_ttl(f, TENANT_A, "g", "later", "a", (guint64)3600 * G_USEC_PER_SEC);
        set(f, TENANT_B, "g", "perm", "b");
        g_assert_cmpuint(purge_expired(f, TENANT_A), ==, 0);
        g_assert_cmpstr(get(f, TENANT_A, "g", "later"), ==, "a");
        g_assert_cmpstr(get(f, TENANT_B, "g", "perm"), ==, "b");
}

/* ---- self ---- */

static void test_self_name_is_uid_0_for_root(Fixture *f, UNUSED) {
        g_assert_cmpstr(namespace_property(f, SELF, "Name"), ==, "uid-0");
}

static void test_self_writes_go_to_uid_0(Fixture *f, UNUSED) {
        set(f, SELF, "notes", "k", "mine");
        g_assert_cmpstr(get(f, STORE_PATH, "uid-0:notes", "k"), ==, "mine");
        g_assert_cmpstr(get(f, NAMESPACE_PREFIX "uid_2d0", "notes", "k"), ==, "mine");
}

static void test_self_is_resolved_per_caller(Fixture *f, UNUSED) {
        const char *argv[] = { "busctl", "--system", "get-property", "org.example.Store", SELF, NAMESPACE_INTERFACE,
                "Name", NULL };
        g_autofree char *out = NULL, *err = NULL;
        int status;

        /* nobody: the bus refuses uids it cannot look up. */
        status = world_run_as(f->world, 65534, 65534, NULL, argv, &out, &err);
        if (status != 0)
                g_error("busctl as nobody failed (%d): %s", status, err);
        g_assert_cmpstr(g_strstrip(out), ==, "s \"uid-65534\"");
}

/* ---- paths that are not namespaces ---- */

static void assert_unknown_object(Fixture *f, const char *path) {
        g_assert_cmpstr(call_error(f, path, STORE_INTERFACE, "Count", g_variant_new("(s)", "g"), NULL), ==,
                ERROR_UNKNOWN_OBJECT);
}

/* …/_61bc decodes to "abc" but is not …/abc. */
static void test_path_non_canonical_encoding_is_unknown_object(Fixture *f, UNUSED) {
        assert_unknown_object(f, NAMESPACE_PREFIX "_61bc");
}

/* foo_5fbar decodes to "foo_bar", which is no namespace name. */
static void test_path_encoded_invalid_name_is_unknown_object(Fixture *f, UNUSED) {
        assert_unknown_object(f, NAMESPACE_PREFIX "foo_5fbar");
}

static void test_path_name_over_64_characters_is_unknown_object(Fixture *f, UNUSED) {
        g_autofree char *name = g_strnfill(65, 'a');
        g_autofree char *path = g_strconcat(NAMESPACE_PREFIX, name, NULL);

        assert_unknown_object(f, path);
}

static void test_path_name_of_64_characters_is_a_namespace(Fixture *f, UNUSED) {
        g_autofree char *name = g_strnfill(64, 'a');
        g_autofree char *path = g_strconcat(NAMESPACE_PREFIX, name, NULL);
        g_autofree char *group = g_strconcat(name, ":g", NULL);

        set(f, path, "g", "k", "v");
        g_assert_cmpstr(get(f, STORE_PATH, group, "k"), ==, "v");
}

static void test_path_below_a_namespace_is_unknown_object(Fixture *f, UNUSED) {
        assert_unknown_object(f, NAMESPACE_PREFIX "a/b");
}

/* "_" is the encoding of the empty name. */
static void test_path_empty_name_is_unknown_object(Fixture *f, UNUSED) {
        assert_unknown_object(f, NAMESPACE_PREFIX "_");
}

/* "self" spelled another way is neither self nor a namespace. */
static void test_path_self_encoded_otherwise_is_unknown_object(Fixture *f, UNUSED) {
        assert_unknown_object(f, NAMESPACE_PREFIX "_73elf");
}

static void test_path_properties_of_a_non_namespace_are_unknown_object(Fixture *f, UNUSED) {
        g_assert_cmpstr(call_error(f, NAMESPACE_PREFIX "foo_5fbar", PROPERTIES_INTERFACE, "GetAll",
                                g_variant_new("(s)", NAMESPACE_INTERFACE), NULL),
                ==, ERROR_UNKNOWN_OBJECT);
}

/* ---- Manager.GetNamespace ---- */

static const char *get_namespace_error(Fixture *f, const char *name) {
        return call_error(f, STORE_PATH, MANAGER_INTERFACE, "GetNamespace", g_variant_new("(s)", name), NULL);
}

static void test_get_namespace_invalid_characters_are_invalid_namespace(Fixture *f, UNUSED) {
        g_assert_cmpstr(get_namespace_error(f, "foo_bar"), ==, ERROR_INVALID_NAMESPACE);
        g_assert_cmpstr(get_namespace_error(f, "foo.bar"), ==, ERROR_INVALID_NAMESPACE);
        g_assert_cmpstr(get_namespace_error(f, "a:b"), ==, ERROR_INVALID_NAMESPACE);
        g_assert_cmpstr(get_namespace_error(f, "foo bar"), ==, ERROR_INVALID_NAMESPACE);
}

static void test_get_namespace_empty_name_is_invalid_namespace(Fixture *f, UNUSED) {
        g_assert_cmpstr(get_namespace_error(f, ""), ==, ERROR_INVALID_NAMESPACE);
}

static void test_get_namespace_name_over_64_is_invalid_namespace(Fixture *f, UNUSED) {
        g_autofree char *name = g_strnfill(65, 'a');

        g_assert_cmpstr(get_namespace_error(f, name), ==, ERROR_INVALID_NAMESPACE);
}

static void test_get_namespace_self_is_invalid_namespace(Fixture *f, UNUSED) {
        g_assert_cmpstr(get_namespace_error(f, "self"), ==, ERROR_INVALID_NAMESPACE);
}

static void test_get_namespace_creates_nothing(Fixture *f, UNUSED) {
        g_assert_cmpstr(get_namespace(f, "tenant-a"), ==, TENANT_A);
        g_assert_cmpstr(list_namespaces(f), ==, "");
}

/* Argument checks come before authorization: an invalid name reveals nothing, so any caller hears it. */
static void test_get_quota_invalid_name_is_invalid_namespace_for_any_caller(Fixture *f, UNUSED) {
        const char *argv[] = { "gdbus", "call", "--system", "--dest", "org.example.Store", "--object-path", STORE_PATH,
                "--method", MANAGER_INTERFACE ".GetQuota", "bad_name", NULL };
        g_autofree char *err = NULL;

        g_assert_cmpint(world_run_as(f->world, 65534, 65534, NULL, argv, NULL, &err), !=, 0);
        g_assert_nonnull(strstr(err, ERROR_INVALID_NAMESPACE));
}

/* ---- org.example.Store.Namespace properties ---- */

static void test_properties_show_name_quota_and_usage(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 5, 6, 700);
        set(f, TENANT_A, "g", "a", "1");
        set(f, TENANT_A, "h", "bb", "22");
        g_assert_cmpstr(namespace_properties(f, TENANT_A), ==,
                "Bytes=6 Groups=2 Keys=2 MaxBytes=700 MaxGroups=6 MaxKeys=5 Name=tenant-a");
}

static void test_properties_show_the_default_quota_without_an_explicit_one(Fixture *f, UNUSED) {
        g_autofree char *expected =
                g_strdup_printf("Bytes=0 Groups=0 Keys=0 MaxBytes=%" G_GUINT64_FORMAT " MaxGroups=%" G_GUINT64_FORMAT
                                " MaxKeys=%" G_GUINT64_FORMAT " Name=tenant-a",
                        BUILTIN_MAX_BYTES, BUILTIN_MAX_GROUPS, BUILTIN_MAX_KEYS);

        g_assert_cmpstr(namespace_properties(f, TENANT_A), ==, expected);
}

static void test_properties_count_root_writes(Fixture *f, UNUSED) {
        set(f, STORE_PATH, "tenant-a:g", "k", "vv");
        g_assert_cmpstr(namespace_property(f, TENANT_A, "Keys"), ==, "1");
        g_assert_cmpstr(namespace_property(f, TENANT_A, "Bytes"), ==, "3");
}

static void test_properties_quota_matches_get_quota(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 11, 12, 13);
        g_assert_cmpstr(get_quota(f, "tenant-a"), ==, "11/12/13");
        g_assert_cmpstr(namespace_property(f, TENANT_A, "MaxKeys"), ==, "11");
        g_assert_cmpstr(namespace_property(f, TENANT_A, "MaxGroups"), ==, "12");
        g_assert_cmpstr(namespace_property(f, TENANT_A, "MaxBytes"), ==, "13");
}

static void test_properties_of_self_are_uid_0s(Fixture *f, UNUSED) {
        set(f, STORE_PATH, "uid-0:g", "k", "v");
        g_assert_cmpstr(namespace_property(f, SELF, "Name"), ==, "uid-0");
        g_assert_cmpstr(namespace_property(f, SELF, "Keys"), ==, "1");
}

/* ---- Manager quotas ---- */

static void test_set_quota_then_get_quota(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 1, 2, 3);
        g_assert_cmpstr(get_quota(f, "tenant-a"), ==, "1/2/3");
}

static void test_get_quota_without_an_explicit_one_is_the_default(Fixture *f, UNUSED) {
        g_assert_cmpstr(get_quota(f, "tenant-a"), ==,
                quota_string(f, BUILTIN_MAX_KEYS, BUILTIN_MAX_GROUPS, BUILTIN_MAX_BYTES));
}

static void test_set_quota_zeros_mean_unlimited(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 0, 0, 0);
        g_assert_cmpstr(get_quota(f, "tenant-a"), ==, "0/0/0");
        for (int i = 0; i < 5; i++) {
                g_autofree char *key = g_strdup_printf("k%d", i);
                set(f, TENANT_A, "g", key, "v");
        }
}

static void test_set_quota_invalid_name_is_invalid_namespace(Fixture *f, UNUSED) {
        g_assert_cmpstr(call_error(f, STORE_PATH, MANAGER_INTERFACE, "SetQuota",
                                g_variant_new("(sttt)", "bad_name", (guint64)1, (guint64)1, (guint64)1), NULL),
                ==, ERROR_INVALID_NAMESPACE);
}

static void test_get_quota_invalid_name_is_invalid_namespace(Fixture *f, UNUSED) {
        g_assert_cmpstr(call_error(f, STORE_PATH, MANAGER_INTERFACE, "GetQuota", g_variant_new("(s)", "self"), NULL),
                ==, ERROR_INVALID_NAMESPACE);
}

/* ---- QuotaExceeded ---- */

/* A Set in a namespace that must fail with QuotaExceeded and write nothing; returns the message. */
static const char *set_over_quota(Fixture *f, const char *path, const char *name, const char *group, const char *key,
        const char *value) {
        const char *usage_before = namespace_properties(f, path);
        const char *value_before = get(f, path, group, key);
        guint64 revision_before = revision(f);
        const char *message = NULL;

        g_assert_cmpstr(call_error(f, path, STORE_INTERFACE, "Set", g_variant_new("(sss)", group, key, value),
                                &message),
                ==, ERROR_QUOTA_EXCEEDED);
        g_assert_nonnull(strstr(message, name));
        g_assert_cmpstr(get(f, path, group, key), ==, value_before);
        g_assert_cmpstr(namespace_properties(f, path), ==, usage_before);
        g_assert_cmpuint(revision(f), ==, revision_before);
        return message;
}

static void test_quota_exceeded_on_keys_names_keys(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 2, 0, 0);
        set(f, TENANT_A, "g", "a", "1");
        set(f, TENANT_A, "g", "b", "2");
        g_assert_nonnull(strstr(set_over_quota(f, TENANT_A, "tenant-a", "g", "c", "3"), "keys"));
}

static void test_quota_exceeded_on_groups_names_groups(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 0, 1, 0);
        set(f, TENANT_A, "g", "a", "1");
        g_assert_nonnull(strstr(set_over_quota(f, TENANT_A, "tenant-a", "h", "a", "1"), "groups"));
}

static void test_quota_exceeded_on_bytes_names_bytes(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 0, 0, 4);
        set(f, TENANT_A, "g", "a", "1");
        g_assert_nonnull(strstr(set_over_quota(f, TENANT_A, "tenant-a", "g", "a", "12345"), "bytes"));
        g_assert_cmpstr(get(f, TENANT_A, "g", "a"), ==, "1");
}

static void test_quota_exceeded_set_all_writes_nothing(Fixture *f, UNUSED) {
        g_autoptr(GVariantBuilder) entries = g_variant_builder_new(G_VARIANT_TYPE("a{ss}"));
        const char *keys_before;

        set_quota(f, "tenant-a", 2, 0, 0);
        set(f, TENANT_A, "g", "a", "1");
        keys_before = namespace_property(f, TENANT_A, "Keys");
        g_variant_builder_add(entries, "{ss}", "b", "2");
        g_variant_builder_add(entries, "{ss}", "c", "3");
        g_assert_cmpstr(call_error(f, TENANT_A, STORE_INTERFACE, "SetAll", g_variant_new("(sa{ss})", "g", entries),
                                NULL),
                ==, ERROR_QUOTA_EXCEEDED);
        g_assert_null(get(f, TENANT_A, "g", "b"));
        g_assert_null(get(f, TENANT_A, "g", "c"));
        g_assert_cmpstr(namespace_property(f, TENANT_A, "Keys"), ==, keys_before);
}

static void test_quota_exceeded_set_with_ttl(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 1, 0, 0);
        set(f, TENANT_A, "g", "a", "1");
        g_assert_cmpstr(call_error(f, TENANT_A, STORE_INTERFACE, "SetWithTTL",
                                g_variant_new("(ssst)", "g", "b", "2", (guint64)G_USEC_PER_SEC * 60), NULL),
                ==, ERROR_QUOTA_EXCEEDED);
        g_assert_null(get(f, TENANT_A, "g", "b"));
}

static void test_quota_upsert_at_the_limit_succeeds(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 1, 0, 0);
        set(f, TENANT_A, "g", "a", "1");
        set(f, TENANT_A, "g", "a", "2");
        g_assert_cmpstr(get(f, TENANT_A, "g", "a"), ==, "2");
}

static void test_quota_root_writes_ignore_it(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 1, 0, 0);
        set(f, STORE_PATH, "tenant-a:g", "a", "1");
        set(f, STORE_PATH, "tenant-a:g", "b", "2");
        g_assert_cmpstr(namespace_property(f, TENANT_A, "Keys"), ==, "2");
        set_over_quota(f, TENANT_A, "tenant-a", "g", "c", "3");
}

static void test_quota_of_one_namespace_does_not_limit_another(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 1, 0, 0);
        set(f, TENANT_A, "g", "a", "1");
        set(f, TENANT_B, "g", "a", "1");
        set(f, TENANT_B, "g", "b", "2");
        g_assert_cmpuint(count_all(f, TENANT_B, ""), ==, 2);
}

/* ---- the configured default ---- */

static void test_default_max_keys_applies_without_a_quota(Fixture *f, UNUSED) {
        set(f, TENANT_A, "g", "a", "1");
        set(f, TENANT_A, "g", "b", "2");
        set(f, TENANT_A, "h", "c", "3");
        set_over_quota(f, TENANT_A, "tenant-a", "h", "d", "4");
}

static void test_default_max_keys_is_reported_by_get_quota(Fixture *f, UNUSED) {
        g_assert_cmpstr(get_quota(f, "tenant-a"), ==, quota_string(f, 3, BUILTIN_MAX_GROUPS, BUILTIN_MAX_BYTES));
        g_assert_cmpstr(namespace_property(f, TENANT_A, "MaxKeys"), ==, "3");
}

static void test_default_max_keys_applies_to_self(Fixture *f, UNUSED) {
        g_assert_cmpstr(namespace_property(f, SELF, "MaxKeys"), ==, "3");
}

static void test_default_max_keys_replaced_by_set_quota(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 4, 0, 0);
        g_assert_cmpstr(get_quota(f, "tenant-a"), ==, "4/0/0");
        for (int i = 0; i < 4; i++) {
                g_autofree char *key = g_strdup_printf("k%d", i);
                set(f, TENANT_A, "g", key, "v");
        }
        set_over_quota(f, TENANT_A, "tenant-a", "g", "k4", "v");
}

/* ---- ListNamespaces ---- */

static void test_list_namespaces_shows_data_and_quotas_by_name(Fixture *f, UNUSED) {
        set(f, TENANT_B, "g", "a", "1");
        set(f, TENANT_A, "g", "a", "1");
        set(f, TENANT_A, "h", "bb", "22");
        set_quota(f, "tenant-c", 1, 1, 1);
        set(f, STORE_PATH, "noprefix", "k", "v");
        g_assert_cmpstr(list_namespaces(f), ==,
                "tenant-a keys=2 groups=2 bytes=6; tenant-b keys=1 groups=1 bytes=2; "
                "tenant-c keys=0 groups=0 bytes=0");
}

static void test_list_namespaces_omits_an_emptied_namespace(Fixture *f, UNUSED) {
        g_autoptr(GVariant) reply = NULL;

        set(f, TENANT_A, "g", "a", "1");
        reply = call(f, TENANT_A, STORE_INTERFACE, "Delete", g_variant_new("(ss)", "g", "a"), "(t)");
        g_assert_cmpstr(list_namespaces(f), ==, "");
}

/* ---- DeleteNamespace ---- */

static void test_delete_namespace_removes_data_and_quota(Fixture *f, UNUSED) {
        guint64 before;

        set_quota(f, "tenant-a", 5, 5, 500);
        set(f, TENANT_A, "g", "a", "1");
        set(f, STORE_PATH, "tenant-a:h", "b", "2");
        set(f, TENANT_B, "g", "a", "1");
        before = revision(f);
        g_assert_cmpuint(delete_namespace(f, "tenant-a"), ==, before + 1);
        g_assert_cmpuint(count_all(f, TENANT_A, ""), ==, 0);
        g_assert_cmpstr(get_quota(f, "tenant-a"), ==,
                quota_string(f, BUILTIN_MAX_KEYS, BUILTIN_MAX_GROUPS, BUILTIN_MAX_BYTES));
        g_assert_cmpstr(list_namespaces(f), ==, "tenant-b keys=1 groups=1 bytes=2");
}

static void test_delete_namespace_leaves_other_namespaces(Fixture *f, UNUSED) {
        set(f, TENANT_A, "g", "a", "1");
        set(f, NAMESPACE_PREFIX "tenant_2dab", "g", "a", "2");
        delete_namespace(f, "tenant-a");
        g_assert_cmpstr(groups(f, STORE_PATH, ""), ==, "tenant-ab:g");
}

static void test_delete_namespace_of_an_unknown_namespace_changes_nothing(Fixture *f, UNUSED) {
        guint64 current = set(f, TENANT_B, "g", "a", "1");

        g_assert_cmpuint(delete_namespace(f, "tenant-a"), ==, current);
        g_assert_cmpuint(revision(f), ==, current);
}

static void test_delete_namespace_invalid_name_is_invalid_namespace(Fixture *f, UNUSED) {
        g_assert_cmpstr(call_error(f, STORE_PATH, MANAGER_INTERFACE, "DeleteNamespace", g_variant_new("(s)", "foo_bar"),
                                NULL),
                ==, ERROR_INVALID_NAMESPACE);
}

/* ---- persistence across a restart ---- */

static void test_restart_keeps_the_quota(Fixture *f, UNUSED) {
        set_quota(f, "tenant-a", 1, 2, 300);
        world_stop_daemon(f->world);
        world_start_daemon(f->world, NULL);
        g_assert_cmpstr(get_quota(f, "tenant-a"), ==, "1/2/300");
        set(f, TENANT_A, "g", "a", "1");
        set_over_quota(f, TENANT_A, "tenant-a", "g", "b", "2");
}

static void test_restart_keeps_the_usage(Fixture *f, UNUSED) {
        set(f, TENANT_A, "g", "a", "1");
        set(f, TENANT_A, "h", "bb", "22");
        world_stop_daemon(f->world);
        world_start_daemon(f->world, NULL);
        g_assert_cmpstr(list_namespaces(f), ==, "tenant-a keys=2 groups=2 bytes=6");
}

/* ---- introspection against the XML ---- */

static void append_args(GString *out, GDBusArgInfo **args, const char *direction) {
        for (size_t i = 0; args && args[i]; i++)
                g_string_append_printf(out, "%s%s%s %s", out->str[out->len - 1] == '(' ? "" : ", ",
                        direction ? direction : "", args[i]->signature, args[i]->name);
}

/* An interface as sorted lines: "method Get(in s group, in s key, out s value)", "signal …",
 * "property t Keys read"; annotations left out. */
static const char *describe_interface(Fixture *f, GDBusInterfaceInfo *iface) {
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

        g_assert_nonnull(iface);
        for (size_t i = 0; iface->methods && iface->methods[i]; i++) {
                GString *line = g_string_new(NULL);
                g_string_append_printf(line, "method %s(", iface->methods[i]->name);
                append_args(line, iface->methods[i]->in_args, "in ");
                append_args(line, iface->methods[i]->out_args, "out ");
                g_string_append_c(line, ')');
                g_ptr_array_add(lines, g_string_free(line, FALSE));
        }
        for (size_t i = 0; iface->signals && iface->signals[i]; i++) {
                GString *line = g_string_new(NULL);
                g_string_append_printf(line, "signal %s(", iface->signals[i]->name);
                append_args(line, iface->signals[i]->args, NULL);
                g_string_append_c(line, ')');
                g_ptr_array_add(lines, g_string_free(line, FALSE));
        }
        for (size_t i = 0; iface->properties && iface->properties[i]; i++) {
                GDBusPropertyInfo *p = iface->properties[i];
                g_ptr_array_add(lines, g_strdup_printf("property %s %s %s%s", p->signature, p->name,
                                               p->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE ? "read" : "",
                                               p->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE ? "write" : ""));
        }
        g_ptr_array_sort(lines, compare_strings);
        g_ptr_array_add(lines, NULL);
        return keep(f, g_strjoinv("\n", (char **)lines->pdata));
}

static GDBusNodeInfo *xml_node(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *path = g_build_filename(world_source_dir(), "dbus", "org.example.Store.xml", NULL);
        g_autofree char *xml = NULL;
        GDBusNodeInfo *node;

        g_assert_true(g_file_get_contents(path, &xml, NULL, &error));
        g_assert_no_error(error);
        node = g_dbus_node_info_new_for_xml(xml, &error);
        g_assert_no_error(error);
        return node;
}

static GDBusNodeInfo *introspect(Fixture *f, const char *object_path) {
        g_autoptr(GVariant) reply =
                call(f, object_path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, "(s)");
        g_autoptr(GError) error = NULL;
        const char *xml;
        GDBusNodeInfo *node;

        g_variant_get(reply, "(&s)", &xml);
        node = g_dbus_node_info_new_for_xml(xml, &error);
        g_assert_no_error(error);
        return node;
}

static void assert_interface_matches_xml(Fixture *f, const char *object_path, const char *interface) {
        g_autoptr(GDBusNodeInfo) expected = xml_node();
        g_autoptr(GDBusNodeInfo) actual = introspect(f, object_path);
        GDBusInterfaceInfo *runtime = g_dbus_node_info_lookup_interface(actual, interface);

        if (!runtime)
                g_error("%s does not offer %s", object_path, interface);
        g_assert_cmpstr(describe_interface(f, runtime), ==,
                describe_interface(f, g_dbus_node_info_lookup_interface(expected, interface)));
}

static void test_introspection_store_interface_matches_the_xml(Fixture *f, UNUSED) {
        assert_interface_matches_xml(f, TENANT_A, STORE_INTERFACE);
}

static void test_introspection_namespace_interface_matches_the_xml(Fixture *f, UNUSED) {
        assert_interface_matches_xml(f, TENANT_A, NAMESPACE_INTERFACE);
}

static void test_introspection_self_offers_the_same_interfaces(Fixture *f, UNUSED) {
        assert_interface_matches_xml(f, SELF, STORE_INTERFACE);
        assert_interface_matches_xml(f, SELF, NAMESPACE_INTERFACE);
}

static void test_introspection_namespace_object_has_no_manager(Fixture *f, UNUSED) {
        g_autoptr(GDBusNodeInfo) node = introspect(f, TENANT_A);

        g_assert_null(g_dbus_node_info_lookup_interface(node, MANAGER_INTERFACE));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        TEST("/namespace/bus/path/is-sd-bus-path-encode-of-the-name", test_path_is_sd_bus_path_encode_of_the_name);
        TEST("/namespace/bus/path/non-canonical-encoding-is-unknown-object",
                test_path_non_canonical_encoding_is_unknown_object);
        TEST("/namespace/bus/path/encoded-invalid-name-is-unknown-object",
                test_path_encoded_invalid_name_is_unknown_object);
        TEST("/namespace/bus/path/name-over-64-characters-is-unknown-object",
                test_path_name_over_64_characters_is_unknown_object);
        TEST("/namespace/bus/path/name-of-64-characters-is-a-namespace",
                test_path_name_of_64_characters_is_a_namespace);
        TEST("/namespace/bus/path/below-a-namespace-is-unknown-object", test_path_below_a_namespace_is_unknown_object);
        TEST("/namespace/bus/path/empty-name-is-unknown-object", test_path_empty_name_is_unknown_object);
        TEST("/namespace/bus/path/self-encoded-otherwise-is-unknown-object",
                test_path_self_encoded_otherwise_is_unknown_object);
        TEST("/namespace/bus/path/properties-of-a-non-namespace-are-unknown-object",
                test_path_properties_of_a_non_namespace_are_unknown_object);

        TEST("/namespace/bus/scope/write-in-namespace-is-prefixed-group-at-root",
                test_scope_write_in_namespace_is_prefixed_group_at_root);
        TEST("/namespace/bus/scope/write-at-root-is-visible-in-namespace",
                test_scope_write_at_root_is_visible_in_namespace);
        TEST("/namespace/bus/scope/count-all-sees-only-the-namespace", test_scope_count_all_sees_only_the_namespace);
        TEST("/namespace/bus/scope/groups-see-only-the-namespace-unprefixed",
                test_scope_groups_see_only_the_namespace_unprefixed);
        TEST("/namespace/bus/scope/root-sees-prefixed-groups", test_scope_root_sees_prefixed_groups);
        TEST("/namespace/bus/scope/namespaces-are-isolated", test_scope_namespaces_are_isolated);
        TEST("/namespace/bus/scope/purge-expired-only-its-namespace", test_scope_purge_expired_only_its_namespace);
        TEST("/namespace/bus/scope/purge-expired-leaves-live-entries", test_scope_purge_expired_leaves_live_entries);

        TEST("/namespace/bus/self/name-is-uid-0-for-root", test_self_name_is_uid_0_for_root);
        TEST("/namespace/bus/self/writes-go-to-uid-0", test_self_writes_go_to_uid_0);
        TEST("/namespace/bus/self/is-resolved-per-caller", test_self_is_resolved_per_caller);

        TEST("/namespace/bus/get-namespace/invalid-characters-are-invalid-namespace",
                test_get_namespace_invalid_characters_are_invalid_namespace);
        TEST("/namespace/bus/get-namespace/empty-name-is-invalid-namespace",
                test_get_namespace_empty_name_is_invalid_namespace);
        TEST("/namespace/bus/get-namespace/name-over-64-is-invalid-namespace",
                test_get_namespace_name_over_64_is_invalid_namespace);
        TEST("/namespace/bus/get-namespace/self-is-invalid-namespace", test_get_namespace_self_is_invalid_namespace);
        TEST("/namespace/bus/get-namespace/creates-nothing", test_get_namespace_creates_nothing);

        TEST("/namespace/bus/properties/show-name-quota-and-usage", test_properties_show_name_quota_and_usage);
        TEST("/namespace/bus/properties/show-the-default-quota-without-an-explicit-one",
                test_properties_show_the_default_quota_without_an_explicit_one);
        TEST("/namespace/bus/properties/count-root-writes", test_properties_count_root_writes);
        TEST("/namespace/bus/properties/quota-matches-get-quota", test_properties_quota_matches_get_quota);
        TEST("/namespace/bus/properties/of-self-are-uid-0s", test_properties_of_self_are_uid_0s);

        TEST("/namespace/bus/quota/set-then-get", test_set_quota_then_get_quota);
        TEST("/namespace/bus/quota/get-without-an-explicit-one-is-the-default",
                test_get_quota_without_an_explicit_one_is_the_default);
        TEST("/namespace/bus/quota/zeros-mean-unlimited", test_set_quota_zeros_mean_unlimited);
        TEST("/namespace/bus/quota/set-invalid-name-is-invalid-namespace",
                test_set_quota_invalid_name_is_invalid_namespace);
        TEST("/namespace/bus/quota/get-invalid-name-is-invalid-namespace",
                test_get_quota_invalid_name_is_invalid_namespace);
        TEST("/namespace/bus/quota/get-invalid-name-is-invalid-namespace-for-any-caller",
                test_get_quota_invalid_name_is_invalid_namespace_for_any_caller);
        TEST("/namespace/bus/quota/exceeded-on-keys-names-keys", test_quota_exceeded_on_keys_names_keys);
        TEST("/namespace/bus/quota/exceeded-on-groups-names-groups", test_quota_exceeded_on_groups_names_groups);
        TEST("/namespace/bus/quota/exceeded-on-bytes-names-bytes", test_quota_exceeded_on_bytes_names_bytes);
        TEST("/namespace/bus/quota/exceeded-set-all-writes-nothing", test_quota_exceeded_set_all_writes_nothing);
        TEST("/namespace/bus/quota/exceeded-set-with-ttl", test_quota_exceeded_set_with_ttl);
        TEST("/namespace/bus/quota/upsert-at-the-limit-succeeds", test_quota_upsert_at_the_limit_succeeds);
        TEST("/namespace/bus/quota/root-writes-ignore-it", test_quota_root_writes_ignore_it);
        TEST("/namespace/bus/quota/of-one-namespace-does-not-limit-another",
                test_quota_of_one_namespace_does_not_limit_another);

        TEST_ARGS("/namespace/bus/default-max-keys/applies-without-a-quota", default_max_keys_3,
                test_default_max_keys_applies_without_a_quota);
        TEST_ARGS("/namespace/bus/default-max-keys/is-reported-by-get-quota", default_max_keys_3,
                test_default_max_keys_is_reported_by_get_quota);
        TEST_ARGS("/namespace/bus/default-max-keys/applies-to-self", default_max_keys_3,
                test_default_max_keys_applies_to_self);
        TEST_ARGS("/namespace/bus/default-max-keys/replaced-by-set-quota", default_max_keys_3,
                test_default_max_keys_replaced_by_set_quota);

        TEST("/namespace/bus/list/shows-data-and-quotas-by-name", test_list_namespaces_shows_data_and_quotas_by_name);
        TEST("/namespace/bus/list/omits-an-emptied-namespace", test_list_namespaces_omits_an_emptied_namespace);

        TEST("/namespace/bus/delete/removes-data-and-quota", test_delete_namespace_removes_data_and_quota);
        TEST("/namespace/bus/delete/leaves-other-namespaces", test_delete_namespace_leaves_other_namespaces);
        TEST("/namespace/bus/delete/of-an-unknown-namespace-changes-nothing",
                test_delete_namespace_of_an_unknown_namespace_changes_nothing);
        TEST("/namespace/bus/delete/invalid-name-is-invalid-namespace",
                test_delete_namespace_invalid_name_is_invalid_namespace);

        TEST("/namespace/bus/restart/keeps-the-quota", test_restart_keeps_the_quota);
        TEST("/namespace/bus/restart/keeps-the-usage", test_restart_keeps_the_usage);

        TEST("/namespace/bus/introspection/store-interface-matches-the-xml",
                test_introspection_store_interface_matches_the_xml);
        TEST("/namespace/bus/introspection/namespace-interface-matches-the-xml",
                test_introspection_namespace_interface_matches_the_xml);
        TEST("/namespace/bus/introspection/self-offers-the-same-interfaces",
                test_introspection_self_offers_the_same_interfaces);
        TEST("/namespace/bus/introspection/namespace-object-has-no-manager",
                test_introspection_namespace_object_has_no_manager);

        return g_test_run();
}
