/* SPDX-License-Identifier: MIT */

/* What keys, groups and values may hold (at least everything go-store's SetGet_Good_EdgeCases covers),
 * binary values, the configured size limits, and malformed calls. After every refused call the
 * daemon must go on serving. */

#include "bus-client.h"

#define NONE G_DBUS_CALL_FLAGS_NONE

/* ---- round trips of unusual text ---- */

typedef struct EdgeCase {
        const char *name;
        const char *group;
        const char *key;
        const char *value;
} EdgeCase;

static char *repeat(const char *pattern, size_t total) {
        size_t n = strlen(pattern);
        char *s = g_malloc(total + 1);

        for (size_t i = 0; i < total; i++)
                s[i] = pattern[i % n];
        s[total] = 0;
        return s;
}

/* Every path through which the entry can be read gives it back unchanged: Get, GetBytes, GetAll,
 * GetPage, Stat and Groups; and Delete finds it by the same name. */
static void test_round_trip(gconstpointer data) {
        const EdgeCase *c = data;
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) all = NULL, page = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_auto(GStrv) groups = NULL;
        g_autofree char *value = NULL;
        guint64 revision;
        GVariantIter iter;
        const char *k, *v;
        bool in_page = false;

        revision = bus_set(c->group, c->key, c->value);
        value = bus_get(c->group, c->key);
        g_assert_cmpuint(strlen(value), ==, strlen(c->value));
        g_assert_cmpstr(value, ==, c->value);

        bytes = bus_get_bytes(c->group, c->key, &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), c->value, strlen(c->value));

        g_assert_true(stored_store_call_get_all_sync(store, c->group, NONE, -1, &all, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(bus_entries_lookup(all, c->key), ==, c->value);

        g_assert_true(stored_store_call_get_page_sync(store, c->group, 0, G_MAXUINT64, NONE, -1, &page, NULL, &error));
        g_assert_no_error(error);
        g_variant_iter_init(&iter, page);
        while (g_variant_iter_next(&iter, "(&s&s)", &k, &v))
                if (g_str_equal(k, c->key)) {
                        g_assert_cmpstr(v, ==, c->value);
                        in_page = true;
                }
        g_assert_true(in_page);

        g_assert_cmpuint(bus_stat(c->group, c->key).revision, ==, revision);

        g_assert_true(stored_store_call_groups_sync(store, c->group, NONE, -1, &groups, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *)groups, c->group));

        bus_delete(c->group, c->key);
        g_assert_false(stored_store_call_get_sync(store, c->group, c->key, NONE, -1, &value, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
}

static void register_round_trips(void) {
        /* Test data lives as long as the test binary. */
        static const EdgeCase fixed[] = {
                { "empty-key", "values-empty-key", "", "value of the empty key" },
                { "empty-value", "values-empty-value", "k", "" },
                { "empty-group", "", "in the empty group", "v" },
                { "all-empty", "", "", "" },
                { "spaces", "values with spaces", "  key with spaces ", "  value  with   spaces  " },
                { "tabs", "values\twith\ttabs", "key\twith\ttab", "\tvalue\t" },
                { "newlines", "values\nwith\nnewlines", "key\nwith\nnewline", "line 1\nline 2\r\nline 3\n" },
                { "accented", "valeurs-accentuées", "clé-à-ü-ñ", "café crème, naïve façade, Ærøskøbing" },
                { "cjk", "値のグループ", "键", "日本語のテキストと中文文本와 한국어" },
                { "arabic", "مجموعة", "مفتاح", "قيمة بالعربية ‏مع علامة اتجاه" },
                { "emoji", "🙂-group", "🔑", "🎉🚀✨ 👩‍👩‍👧‍👦 🏳️‍🌈" },
                { "sql-injection", "values'; DROP TABLE entries; --", "k' OR '1'='1",
                        "'); DELETE FROM entries WHERE ('1'='1" },
                { "backslash", "values\\with\\backslash", "C:\\path\\key", "\\n is not a newline \\" },
                { "percent", "values%with%percent", "100%", "%s %d %n %% %" },
                { "control-characters", "values-control", "k\x01\x1f", "\x01\x02\x1b[0m\x7f" },
        };
        /* Static, so that what they point to stays reachable after g_test_run() frees the suite. */
        static EdgeCase long_key, long_group, long_value;

        for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++) {
                g_autofree char *path = g_strdup_printf("/bus/values/round-trip/%s", fixed[i].name);
                g_test_add_data_func(path, &fixed[i], test_round_trip);
        }
        long_key = (EdgeCase){ "key-of-10000-characters", "values-long-key", repeat("k", 10000), "v" };
        long_group = (EdgeCase){ "group-of-10000-characters", repeat("g", 10000), "k", "v" };
        long_value = (EdgeCase){ "value-of-100000-characters", "values-long-value", "k",
                repeat("0123456789abcdefé", 100000) };
        g_test_add_data_func("/bus/values/round-trip/key-of-10000-characters", &long_key, test_round_trip);
        g_test_add_data_func("/bus/values/round-trip/group-of-10000-characters", &long_group, test_round_trip);
        g_test_add_data_func("/bus/values/round-trip/value-of-100000-characters", &long_value, test_round_trip);
}

/* ---- binary values ---- */

static void test_nul_bytes_round_trip_through_set_bytes(void) {
        static const char data[] = { 'a', 0, 'b', 0, 0, 'c', (char)0xff, 0 };
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;

        bus_set_bytes("values-nul", "k", data, sizeof(data), 0);
        bytes = bus_get_bytes("values-nul", "k", &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), data, sizeof(data));
}

static void test_every_byte_value_round_trips(void) {
        unsigned char data[512];
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (unsigned char)(i % 256);
        bus_set_bytes("values-every-byte", "k", data, sizeof(data), 0);
        bytes = bus_get_bytes("values-every-byte", "k", &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), data, sizeof(data));
}

static void test_value_with_nul_is_not_text(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;

        /* Valid UTF-8 on both sides of the NUL: the NUL alone makes it binary. */
        bus_set_bytes("values-nul-not-text", "k", "text\0text", 9, 0);
        g_assert_false(stored_store_call_get_sync(store, "values-nul-not-text", "k", NONE, -1, &value, NULL, &error));
        bus_assert_error(error, ERROR_NOT_TEXT);
        bus_assert_serving();
}

/* A binary value keeps its bytes when a text value replaces it, and the other way round. */
static void test_text_and_binary_replace_each_other(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_autofree char *text = NULL;

        bus_set_bytes("values-replace", "k", "\0\1", 2, 0);
        bus_set("values-replace", "k", "now text");
        text = bus_get("values-replace", "k");
        g_assert_cmpstr(text, ==, "now text");
        bus_set_bytes("values-replace", "k", "\0\1", 2, 0);
        bytes = bus_get_bytes("values-replace", "k", &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), "\0\1", 2);
        g_assert_cmpuint(bus_stat("values-replace", "k").version, ==, 3);
}

/* Whether gdbus-codegen maps `ay` to a NUL-terminated C string ("bytestring") or to a GVariant: it
 * does the former unless the argument carries org.gtk.GDBus.C.ForceGVariant in the XML. */
#define PROXY_BYTES_ARE_C_STRINGS                                                                                      \
        _Generic(&stored_store_call_set_bytes_sync,                                                                    \
                 gboolean(*)(StoredStore *, const gchar *, const gchar *, const gchar *, guint64, GDBusCallFlags,      \
                         gint, guint64 *, GCancellable *, GError **)                                                   \
                 : true, default                                                                                       \
                 : false)

/* An application using the code generated from the XML can write and read any bytes, NULs included.
 * With the bytestring mapping it cannot: the generated SetBytes sends the C string with its
 * terminating NUL, and the generated GetBytes cuts the value at its first NUL. */
static void test_generated_proxy_carries_binary_values_exactly(void) {
        static const char data[] = { 'a', 0, 'b', (char)0xff };
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) stored = NULL;
        guint64 revision = 0;

        if (PROXY_BYTES_ARE_C_STRINGS) {
                /* The best this API can say: the two bytes "ab". */
                g_assert_true(stored_store_call_set_bytes_sync(store, "values-proxy-bytes", "k", (void *)"ab", 0, NONE,
                        -1, &revision, NULL, &error));
                g_assert_no_error(error);
                stored = bus_get_bytes("values-proxy-bytes", "k", &error);
                g_assert_no_error(error);
                g_test_fail_printf("SetBytes through the generated proxy stored %zu bytes for the 2 bytes \"ab\", and "
                                   "its GetBytes cannot return a value holding NUL: the `ay` arguments of SetBytes "
                                   "and GetBytes in dbus/org.example.Store.xml need the annotation "
                                   "org.gtk.GDBus.C.ForceGVariant",
                        g_bytes_get_size(stored));
                return;
        }

        g_autoptr(GVariant) out = NULL;
        g_assert_true(stored_store_call_set_bytes_sync(store, "values-proxy-bytes", "k",
                (void *)g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, sizeof(data), 1), 0, NONE, -1, &revision,
                NULL, &error));
        g_assert_no_error(error);
        stored = bus_get_bytes("values-proxy-bytes", "k", &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(stored, NULL), g_bytes_get_size(stored), data, sizeof(data));

        g_assert_true(stored_store_call_get_bytes_sync(store, "values-proxy-bytes", "k", NONE, -1, (void *)&out, NULL,
                &error));
        g_assert_no_error(error);
        g_assert_cmpmem(g_variant_get_data(out), g_variant_get_size(out), data, sizeof(data));
}

/* ---- groups keep to themselves ---- */

static void test_same_key_in_two_groups_is_independent(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *a = NULL, *b = NULL, *gone = NULL;

        bus_set("values-isolation-a", "shared", "in a");
        bus_set("values-isolation-b", "shared", "in b");
        a = bus_get("values-isolation-a", "shared");
        b = bus_get("values-isolation-b", "shared");
        g_assert_cmpstr(a, ==, "in a");
        g_assert_cmpstr(b, ==, "in b");

        bus_delete("values-isolation-a", "shared");
        g_assert_false(
                stored_store_call_get_sync(store, "values-isolation-a", "shared", NONE, -1, &gone, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
        g_free(b);
        b = bus_get("values-isolation-b", "shared");
        g_assert_cmpstr(b, ==, "in b");
}

/* A group is its exact name: not a prefix, not case-folded. */
static void test_groups_differing_in_case_or_suffix_are_distinct(void) {
        bus_set("values-Case", "k", "upper");
        bus_set("values-case", "k", "lower");
        bus_set("values-case-longer", "k", "longer");
        g_assert_cmpuint(bus_count("values-Case"), ==, 1);
        g_assert_cmpuint(bus_count("values-case"), ==, 1);
        g_autofree char *upper = bus_get("values-Case", "k");
        g_autofree char *lower = bus_get("values-case", "k");
        g_assert_cmpstr(upper, ==, "upper");
        g_assert_cmpstr(lower, ==, "lower");
}

/* ---- size limits (defaults: key and group 64 KiB, value 1 MiB) ---- */

static void test_key_at_limit_is_accepted(void) {
        g_autofree char *key = repeat("k", 64 * KIB);
        g_autofree char *value = NULL;

        bus_set("limits-key-at", key, "v");
        value = bus_get("limits-key-at", key);
        g_assert_cmpstr(value, ==, "v");
}

static void test_group_at_limit_is_accepted(void) {
        g_autofree char *group = repeat("g", 64 * KIB);

        bus_set(group, "k", "v");
        g_assert_cmpuint(bus_count(group), ==, 1);
}

static void test_value_at_limit_is_accepted(void) {
        g_autofree char *value = repeat("v", MIB);
        g_autofree char *back = NULL;

        bus_set("limits-value-at", "k", value);
        back = bus_get("limits-value-at", "k");
        g_assert_cmpuint(strlen(back), ==, MIB);
}

/* The refused write leaves the store as it was: old value, same revision. */
static void assert_refused_as_too_large(const char *method, GVariant *args, const char *group, const char *key) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *old = NULL;
        guint64 before;

        g_variant_ref_sink(args);
        bus_set(group, key, "old");
        before = bus_revision();
        reply = bus_call(bus_world->bus, STORE_INTERFACE, method, args, "(t)", &error);
        g_variant_unref(args);
        g_assert_null(reply);
        bus_assert_error(error, ERROR_TOO_LARGE);
        g_assert_cmpuint(bus_revision(), ==, before);
        old = bus_get(group, key);
        g_assert_cmpstr(old, ==, "old");
        bus_assert_serving();
}

static void test_value_over_limit_is_too_large(void) {
        g_autofree char *value = repeat("v", MIB + 1);

        assert_refused_as_too_large("Set", g_variant_new("(sss)", "limits-value-over", "k", value), "limits-value-over",
                "k");
        assert_refused_as_too_large("SetWithTTL", g_variant_new("(ssst)", "limits-value-over", "k", value, HOUR_USEC),
                "limits-value-over", "k");
        assert_refused_as_too_large("SetBytes",
                g_variant_new("(ss@ayt)", "limits-value-over", "k",
                        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, value, MIB + 1, 1), (guint64)0),
                "limits-value-over", "k");
}

static void test_key_over_limit_is_too_large(void) {
        g_autofree char *key = repeat("k", 64 * KIB + 1);
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 before = bus_revision(), revision = 0;

        g_assert_false(
                stored_store_call_set_sync(store, "limits-key-over", key, "v", NONE, -1, &revision, NULL, &error));
        bus_assert_error(error, ERROR_TOO_LARGE);
        g_assert_cmpuint(bus_revision(), ==, before);
        g_assert_cmpuint(bus_count("limits-key-over"), ==, 0);
        bus_assert_serving();
}

static void test_group_over_limit_is_too_large(void) {
        g_autofree char *group = repeat("g", 64 * KIB + 1);
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 before = bus_revision(), revision = 0;

        g_assert_false(stored_store_call_set_sync(store, group, "k", "v", NONE, -1, &revision, NULL, &error));
        bus_assert_error(error, ERROR_TOO_LARGE);
        g_assert_cmpuint(bus_revision(), ==, before);
        g_assert_cmpuint(bus_count(group), ==, 0);
        bus_assert_serving();
}

/* ---- malformed calls ---- */

static void assert_call_refused(const char *path, const char *interface, const char *method, GVariant *args,
        const char *error_name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = g_dbus_connection_call_sync(bus_world->bus, STORE_BUS_NAME, path, interface, method, args, NULL,
                G_DBUS_CALL_FLAGS_NONE, BUS_CALL_TIMEOUT_MSEC, NULL, &error);
        g_assert_null(reply);
        bus_assert_error(error, error_name);
        bus_assert_serving();
}

static void test_wrong_signature_is_invalid_args(void) {
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "Get", g_variant_new("(i)", 42), ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "Get", g_variant_new("(s)", "only-group"), ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "Get", g_variant_new("(sss)", "a", "b", "c"),
                ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "Get", NULL, ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "Set", g_variant_new("(ss)", "bad-input", "k"),
                ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "SetWithTTL",
                g_variant_new("(sssu)", "bad-input", "k", "v", 1000U), ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "SetBytes",
                g_variant_new("(ssst)", "bad-input", "k", "not bytes", (guint64)0), ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "SetAll", g_variant_new_parsed("('bad-input', {'k': <'v'>})"),
                ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "GetPage", g_variant_new("(sii)", "bad-input", 0, 10),
                ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "PurgeExpired", g_variant_new("(s)", "x"), ERROR_INVALID_ARGS);
        assert_call_refused(STORE_PATH, MANAGER_INTERFACE, "GetNamespace", g_variant_new("(u)", 7U),
                ERROR_INVALID_ARGS);
        g_assert_cmpuint(bus_count("bad-input"), ==, 0);
}

static void test_unknown_method_is_unknown_method(void) {
        assert_call_refused(STORE_PATH, STORE_INTERFACE, "Frobnicate", NULL, ERROR_UNKNOWN_METHOD);
        assert_call_refused(STORE_PATH, MANAGER_INTERFACE, "Get", g_variant_new("(ss)", "g", "k"),
                ERROR_UNKNOWN_METHOD);
}

/* The D-Bus specification has UnknownInterface for this; sd-bus answers UnknownMethod ("Unknown method
 * Get or interface …"). Either tells the caller what is wrong. */
static void test_unknown_interface_is_refused(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = g_dbus_connection_call_sync(bus_world->bus, STORE_BUS_NAME, STORE_PATH, "org.example.Store.Nothing",
                "Get", g_variant_new("(ss)", "g", "k"), NULL, G_DBUS_CALL_FLAGS_NONE, BUS_CALL_TIMEOUT_MSEC, NULL,
                &error);
        g_assert_null(reply);
        if (!bus_error_is(error, ERROR_UNKNOWN_INTERFACE))
                bus_assert_error(error, ERROR_UNKNOWN_METHOD);
        bus_assert_serving();
}

static void test_unknown_object_is_unknown_object(void) {
        assert_call_refused("/org/example/Other", STORE_INTERFACE, "Get", g_variant_new("(ss)", "g", "k"),
                ERROR_UNKNOWN_OBJECT);
}

/* Error messages quote at most 64 bytes of a caller's name. A name whose 64th byte falls inside a
 * UTF-8 character must still get its answer, promptly, with the right error name (a message cut in
 * the middle of a character is not a valid D-Bus string and cannot be sent). */
static void check_answered_with(GString *failures, const char *what, const char *method, GVariant *args,
        const char *error_name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *name = NULL;

        reply = g_dbus_connection_call_sync(bus_world->bus, STORE_BUS_NAME, STORE_PATH, STORE_INTERFACE, method, args,
                NULL, G_DBUS_CALL_FLAGS_NONE, 3000, NULL, &error);
        name = bus_error_name(error);
        if (!bus_error_is(error, error_name))
                g_string_append_printf(failures, "; %s %s: expected %s, got %s (%s)", method, what, error_name,
                        name ? name : "no D-Bus error", error ? error->message : "success");
}

static void test_long_non_ascii_names_get_their_error(void) {
        /* 63 ASCII bytes, then U+00E9 (2 bytes): the 64-byte excerpt ends between its two bytes. */
        g_autofree char *a63 = repeat("a", 63);
        g_autofree char *name = g_strconcat(a63, "\u00e9-and-more", NULL);
        g_autoptr(GString) failures = g_string_new(NULL);

        check_answered_with(failures, "of a missing key so named", "Get",
                g_variant_new("(ss)", "values-non-ascii", name), ERROR_NOT_FOUND);
        check_answered_with(failures, "in a missing group so named", "Get", g_variant_new("(ss)", name, "k"),
                ERROR_NOT_FOUND);
        check_answered_with(failures, "of a missing key so named", "Stat",
                g_variant_new("(ss)", "values-non-ascii", name), ERROR_NOT_FOUND);
        bus_set_bytes("values-non-ascii", name, "\xff", 1, 0);
        check_answered_with(failures, "of a binary value under a key so named", "Get",
                g_variant_new("(ss)", "values-non-ascii", name), ERROR_NOT_TEXT);
        if (failures->len > 0)
                g_test_fail_printf("names of 63 ASCII bytes and a 2-byte character%s", failures->str);
        bus_assert_serving();
}

void bus_values_tests_register(void) {
        register_round_trips();
        g_test_add_func("/bus/values/binary/nul-bytes-round-trip", test_nul_bytes_round_trip_through_set_bytes);
        g_test_add_func("/bus/values/binary/every-byte-value-round-trips", test_every_byte_value_round_trips);
        g_test_add_func("/bus/values/binary/value-with-nul-is-not-text", test_value_with_nul_is_not_text);
        g_test_add_func("/bus/values/binary/text-and-binary-replace-each-other",
                test_text_and_binary_replace_each_other);
        g_test_add_func("/bus/values/binary/generated-proxy-carries-exact-bytes",
                test_generated_proxy_carries_binary_values_exactly);
        g_test_add_func("/bus/values/groups/same-key-in-two-groups-is-independent",
                test_same_key_in_two_groups_is_independent);
        g_test_add_func("/bus/values/groups/case-or-suffix-makes-another-group",
                test_groups_differing_in_case_or_suffix_are_distinct);
        g_test_add_func("/bus/limits/key-at-limit-is-accepted", test_key_at_limit_is_accepted);
        g_test_add_func("/bus/limits/group-at-limit-is-accepted", test_group_at_limit_is_accepted);
        g_test_add_func("/bus/limits/value-at-limit-is-accepted", test_value_at_limit_is_accepted);
        g_test_add_func("/bus/limits/value-over-limit-is-too-large", test_value_over_limit_is_too_large);
        g_test_add_func("/bus/limits/key-over-limit-is-too-large", test_key_over_limit_is_too_large);
        g_test_add_func("/bus/limits/group-over-limit-is-too-large", test_group_over_limit_is_too_large);
        g_test_add_func("/bus/bad-input/wrong-signature-is-invalid-args", test_wrong_signature_is_invalid_args);
        g_test_add_func("/bus/bad-input/unknown-method-is-unknown-method", test_unknown_method_is_unknown_method);
        g_test_add_func("/bus/bad-input/unknown-interface-is-refused", test_unknown_interface_is_refused);
        g_test_add_func("/bus/bad-input/unknown-object-is-unknown-object", test_unknown_object_is_unknown_object);
        g_test_add_func("/bus/bad-input/long-non-ascii-names-get-their-error",
                test_long_non_ascii_names_get_their_error);
}
