/* SPDX-License-Identifier: MIT */

/* Render over the bus: go-store's cases, what the data holds (live entries only, keys of the group as
 * the object sees it), and hostile templates that must fail cleanly while the daemon keeps serving.
 * The engine itself is tested against Go in tests/template/. */

#include "bus-client.h"

#define ERROR_TEMPLATE "org.example.Store.Error.Template"

static char *render_on(const char *path, const char *template, const char *group, GError **error) {
        g_autoptr(GVariant) reply = NULL;
        char *output = NULL;

        reply = g_dbus_connection_call_sync(bus_world->bus, STORE_BUS_NAME, path, STORE_INTERFACE, "Render",
                g_variant_new("(ss)", template, group), G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE,
                BUS_CALL_TIMEOUT_MSEC, NULL, error);
        if (reply)
                g_variant_get(reply, "(s)", &output);
        return output;
}

static char *render(const char *template, const char *group, GError **error) {
        return render_on(STORE_PATH, template, group, error);
}

/* Renders and asserts the output. */
static void assert_render(const char *template, const char *group, const char *want) {
        g_autoptr(GError) error = NULL;
        g_autofree char *got = render(template, group, &error);

        g_assert_no_error(error);
        g_assert_cmpstr(got, ==, want);
}

/* Renders and asserts a Template error whose message contains `part`. */
static void assert_template_error(const char *template, const char *group, const char *part) {
        g_autoptr(GError) error = NULL;
        g_autofree char *got = render(template, group, &error);

        g_assert_null(got);
        bus_assert_error(error, ERROR_TEMPLATE);
        if (!strstr(error->message, part))
                g_error("expected \"%s\" in the message: %s", part, error->message);
        bus_assert_serving();
}

static void test_fills_values_from_the_group(void) {
        bus_set("render-pool", "pool", "pool.lthn.io:3333");
        bus_set("render-pool", "wallet", "iz2gr8yZ");
        assert_render("{{ .pool }}/{{ .wallet }}", "render-pool", "pool.lthn.io:3333/iz2gr8yZ");
}

static void test_empty_group_renders_static_text(void) {
        assert_render("static content", "render-no-such-group", "static content");
}

static void test_missing_key_prints_no_value(void) {
        bus_set("render-missing", "present", "x");
        assert_render("hello {{ .missing }}", "render-missing", "hello <no value>");
}

static void test_unclosed_action_is_a_parse_error(void) {
        assert_template_error("{{ .unclosed", "render-pool", "unclosed action");
}

static void test_call_on_a_string_is_an_execution_error(void) {
        bus_set("render-call", "name", "value");
        assert_template_error("{{ call .name }}", "render-call", "error calling call");
}

static void test_range_visits_keys_in_byte_order(void) {
        bus_set("render-range", "zeta", "3");
        bus_set("render-range", "alpha", "1");
        bus_set("render-range", "Beta", "2");
        assert_render("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", "render-range", "Beta=2;alpha=1;zeta=3;");
}

static void test_index_reaches_keys_that_are_not_identifiers(void) {
        bus_set("render-index", "a-key.with dots", "found");
        assert_render("{{ index . \"a-key.with dots\" }}", "render-index", "found");
}

static void test_expired_entries_are_not_in_the_data(void) {
        bus_set("render-ttl", "stays", "yes");
        bus_set_with_ttl("render-ttl", "goes", "no", 200 * 1000);
        g_usleep(400 * 1000);
        assert_render("{{ len . }} {{ .stays }} {{ .goes }}", "render-ttl", "1 yes <no value>");
}

static void test_namespace_object_sees_its_own_groups(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *got = NULL;

        bus_set("render-ns:cfg", "host", "db.example.org");
        bus_set("cfg", "host", "not this one");
        got = render_on("/org/example/Store/namespace/render_2dns", "host={{ .host }}", "cfg", &error);
        g_assert_no_error(error);
        g_assert_cmpstr(got, ==, "host=db.example.org");
}

static void test_binary_value_in_the_group_is_not_text(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *got = NULL;

        bus_set("render-binary", "text", "fine");
        bus_set_bytes("render-binary", "blob", "\0\1\2", 3, 0);
        got = render("{{ .text }}", "render-binary", &error);
        g_assert_null(got);
        bus_assert_error(error, ERROR_NOT_TEXT);
}

static void test_output_that_is_not_text_is_refused(void) {
        assert_template_error("{{ printf \"%c\" 0 }}", "render-pool", "not text");
}

static void test_deep_nesting_is_refused(void) {
        GString *t = g_string_new(NULL);

        for (int i = 0; i < 10000; i++)
                g_string_append(t, "{{ if true }}");
        for (int i = 0; i < 10000; i++)
                g_string_append(t, "{{ end }}");
        assert_template_error(t->str, "render-pool", "depth");
        g_string_free(t, TRUE);
}

static void test_deep_parentheses_are_refused(void) {
        GString *t = g_string_new("{{ ");

        for (int i = 0; i < 10000; i++)
                g_string_append_c(t, '(');
        g_string_append(t, "1");
        for (int i = 0; i < 10000; i++)
                g_string_append_c(t, ')');
        g_string_append(t, " }}");
        assert_template_error(t->str, "render-pool", "depth");
        g_string_free(t, TRUE);
}

static void test_template_over_1_mib_is_refused(void) {
        g_autofree char *t = g_malloc(MIB + 2);

        memset(t, 'x', MIB + 1);
        t[MIB + 1] = 0;
        assert_template_error(t, "render-pool", "limit");
}

static void test_nested_ranges_hit_the_work_limit(void) {
        for (int i = 0; i < 20; i++) {
                g_autofree char *key = g_strdup_printf("k%02d", i);
                bus_set("render-blowup", key, "v");
        }
        /* 20^6 = 64 million iterations, were it allowed to run. */
        assert_template_error("{{range .}}{{range $}}{{range $}}{{range $}}{{range $}}{{range $}}x"
                              "{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}",
                "render-blowup", "limit");
}

static void test_huge_output_hits_the_output_limit(void) {
        g_autofree char *value = g_malloc(100 * KIB + 1);
        GString *t = g_string_new(NULL);

        memset(value, 'x', 100 * KIB);
        value[100 * KIB] = 0;
        bus_set("render-big", "v", value);
        /* 50 × 100 KiB = 5 MiB, over the 4 MiB default. */
        for (int i = 0; i < 50; i++)
                g_string_append(t, "{{ .v }}");
        assert_template_error(t->str, "render-big", "limit");
        g_string_free(t, TRUE);
}

void bus_render_tests_register(void) {
        g_test_add_func("/bus/render/fills-values-from-the-group", test_fills_values_from_the_group);
        g_test_add_func("/bus/render/empty-group-renders-static-text", test_empty_group_renders_static_text);
        g_test_add_func("/bus/render/missing-key-prints-no-value", test_missing_key_prints_no_value);
        g_test_add_func("/bus/render/unclosed-action-is-a-parse-error", test_unclosed_action_is_a_parse_error);
        g_test_add_func("/bus/render/call-on-a-string-is-an-execution-error",
                test_call_on_a_string_is_an_execution_error);
        g_test_add_func("/bus/render/range-visits-keys-in-byte-order", test_range_visits_keys_in_byte_order);
        g_test_add_func("/bus/render/index-reaches-keys-that-are-not-identifiers",
                test_index_reaches_keys_that_are_not_identifiers);
        g_test_add_func("/bus/render/expired-entries-are-not-in-the-data", test_expired_entries_are_not_in_the_data);
        g_test_add_func("/bus/render/namespace-object-sees-its-own-groups", test_namespace_object_sees_its_own_groups);
        g_test_add_func("/bus/render/binary-value-in-the-group-is-not-text",
                test_binary_value_in_the_group_is_not_text);
        g_test_add_func("/bus/render/output-that-is-not-text-is-refused", test_output_that_is_not_text_is_refused);
        g_test_add_func("/bus/render/hostile/deep-nesting-is-refused", test_deep_nesting_is_refused);
        g_test_add_func("/bus/render/hostile/deep-parentheses-are-refused", test_deep_parentheses_are_refused);
        g_test_add_func("/bus/render/hostile/template-over-1-mib-is-refused", test_template_over_1_mib_is_refused);
        g_test_add_func("/bus/render/hostile/nested-ranges-hit-the-work-limit", test_nested_ranges_hit_the_work_limit);
        g_test_add_func("/bus/render/hostile/huge-output-hits-the-output-limit",
                test_huge_output_hits_the_output_limit);
}
