/* SPDX-License-Identifier: MIT */
/* Checks the template engine against the table generated from Go's text/template (cases.txt), and
 * checks the limits that keep hostile templates from hurting the daemon. */

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

#ifndef TEMPLATE_CASES_FILE
#define TEMPLATE_CASES_FILE "tests/template/cases.txt"
#endif

typedef struct Case {
        char *name;
        char *kind;
        GString *text;
        GPtrArray *keys, *values; /* owned strings */
        GString *expected;
} Case;

static void case_free(gpointer p) {
        Case *c = p;

        g_free(c->name);
        g_free(c->kind);
        g_string_free(c->text, TRUE);
        g_ptr_array_unref(c->keys);
        g_ptr_array_unref(c->values);
        g_string_free(c->expected, TRUE);
        g_free(c);
}

/* Undoes gen-cases.go's escape(). */
static GString *unescape(const char *s) {
        GString *out = g_string_new(NULL);

        for (; *s; s++) {
                if (*s != '\\') {
                        g_string_append_c(out, *s);
                        continue;
                }
                s++;
                switch (*s) {
                case '\\': g_string_append_c(out, '\\'); break;
                case 't': g_string_append_c(out, '\t'); break;
                case 'n': g_string_append_c(out, '\n'); break;
                case 'x': {
                        char hex[3] = { s[1], s[2], 0 };

                        g_assert_true(g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2]));
                        g_string_append_c(out, (char)strtol(hex, NULL, 16));
                        s += 2;
                        break;
                }
                default: g_error("bad escape \\%c in the case table", *s);
                }
        }
        return out;
}

static Case *case_parse(const char *line) {
        g_auto(GStrv) fields = g_strsplit(line, "\t", -1);
        Case *c;

        g_assert_cmpuint(g_strv_length(fields), ==, 5);
        c = g_new0(Case, 1);
        c->name = g_strdup(fields[0]);
        c->kind = g_strdup(fields[1]);
        c->text = unescape(fields[2]);
        c->keys = g_ptr_array_new_with_free_func(g_free);
        c->values = g_ptr_array_new_with_free_func(g_free);
        c->expected = unescape(fields[4]);

        if (fields[3][0]) {
                g_auto(GStrv) pairs = g_strsplit(fields[3], ",", -1);

                /* gen-cases.go writes the pairs sorted, as the engine wants them */
                for (char **p = pairs; *p; p++) {
                        g_auto(GStrv) kv = g_strsplit(*p, "=", 2);

                        g_assert_cmpuint(g_strv_length(kv), ==, 2);
                        g_ptr_array_add(c->keys, g_string_free(unescape(kv[0]), FALSE));
                        g_ptr_array_add(c->values, g_string_free(unescape(kv[1]), FALSE));
                }
        }
        return c;
}

static int render(const Case *c, const TemplateLimits *limits, char **out, size_t *out_len, char **error) {
        g_autofree TemplateEntry *entries = g_new0(TemplateEntry, c->keys->len + 1);

        for (guint i = 0; i < c->keys->len; i++) {
                entries[i].key = c->keys->pdata[i];
                entries[i].value = c->values->pdata[i];
                if (i > 0)
                        g_assert_cmpint(strcmp(entries[i - 1].key, entries[i].key), <, 0);
        }
        return template_render("render", c->text->str, c->text->len, entries, c->keys->len, limits, out, out_len,
                error);
}

static void test_case(gconstpointer data) {
        const Case *c = data;
        g_autofree char *out = NULL, *error = NULL;
        size_t out_len = 0;
        int r;

        r = render(c, NULL, &out, &out_len, &error);

        if (g_str_equal(c->kind, "ok")) {
                if (r < 0)
                        g_error("%s: expected output, got error %d: %s", c->name, r, error);
                g_assert_null(error);
                g_assert_nonnull(out);
                g_assert_cmpuint(out[out_len], ==, 0);
                g_assert_cmpmem(out, out_len, c->expected->str, c->expected->len);
                return;
        }

        g_assert_null(out);
        g_assert_nonnull(error);
        if (g_str_has_prefix(c->kind, "parse"))
                g_assert_cmpint(r, ==, -EINVAL);
        else if (g_str_has_prefix(c->kind, "exec"))
                g_assert_cmpint(r, ==, -EDOM);
        else
                g_error("unknown case kind %s", c->kind);

        if (g_str_has_suffix(c->kind, "~")) {
                if (!strstr(error, c->expected->str))
                        g_error("%s: message \"%s\" does not contain \"%s\"", c->name, error, c->expected->str);
        } else
                /* Go's message, byte for byte (the engine cannot carry NUL bytes in messages) */
                g_assert_cmpstr(error, ==, c->expected->str);
}

/* ---- limits ---------------------------------------------------------------------------------- */

static int render_text(const char *text, size_t len, const TemplateLimits *limits, char **out, char **error) {
        static const TemplateEntry entries[] = {
                { "a", "1" },
                { "b", "2" },
                { "c", "3" },
                { "d", "4" },
                { "e", "5" },
                { "f", "6" },
                { "g", "7" },
                { "h", "8" },
                { "i", "9" },
                { "j", "10" },
        };
        size_t out_len;

        return template_render("render", text, len, entries, G_N_ELEMENTS(entries), limits, out, &out_len, error);
}

static int render_str(const char *text, const TemplateLimits *limits, char **out, char **error) {
        return render_text(text, strlen(text), limits, out, error);
}

static void assert_limit(const char *text, const TemplateLimits *limits, const char *what) {
        g_autofree char *out = NULL, *error = NULL;
        int r;

        r = render_str(text, limits, &out, &error);
        if (r != -E2BIG)
                g_error("expected a limit error mentioning \"%s\", got %d: %s", what, r, error);
        g_assert_null(out);
        g_assert_nonnull(error);
        if (!strstr(error, what))
                g_error("limit message \"%s\" does not mention \"%s\"", error, what);
}

static char *repeat(const char *s, unsigned n) {
        GString *b = g_string_new(NULL);

        for (unsigned i = 0; i < n; i++)
                g_string_append(b, s);
        return g_string_free(b, FALSE);
}

static void test_limit_deep_parens(void) {
        g_autofree char *open = repeat("(", 10000), *close = repeat(")", 10000);
        g_autofree char *text = g_strdup_printf("{{ %s1%s }}", open, close);

        assert_limit(text, NULL, "nesting depth");
}

static void test_limit_deep_ifs(void) {
        g_autofree char *open = repeat("{{if .a}}", 10000), *close = repeat("{{end}}", 10000);
        g_autofree char *text = g_strconcat(open, "x", close, NULL);

        assert_limit(text, NULL, "nesting depth");
}

static void test_limit_deep_else_if(void) {
        g_autofree char *chain = repeat("{{else if .a}}", 10000);
        g_autofree char *text = g_strconcat("{{if .a}}", chain, "{{end}}", NULL);

        assert_limit(text, NULL, "nesting depth");
}

static void test_limit_depth_configurable(void) {
        TemplateLimits limits = { .max_depth = 3 };
        g_autofree char *out = NULL, *error = NULL;
        const char *ok = "{{ if .a }}{{ with .b }}{{ print (1) }}{{ end }}{{ end }}";

        g_assert_cmpint(render_str(ok, &limits, &out, &error), ==, 0);
        g_assert_cmpstr(out, ==, "1");
        assert_limit("{{ if .a }}{{ with .b }}{{ print ((1)) }}{{ end }}{{ end }}", &limits, "nesting depth");
}

static void test_limit_nested_range(void) {
        g_autofree char *open = repeat("{{range $}}", 8), *close = repeat("{{end}}", 8);
        g_autofree char *text = g_strconcat(open, "x", close, NULL);

        /* 10^8 iterations: the step limit stops it long before */
        assert_limit(text, NULL, "step limit");
}

static void test_limit_steps_configurable(void) {
        TemplateLimits limits = { .max_steps = 50 };
        g_autofree char *out = NULL, *error = NULL;

        g_assert_cmpint(render_str("{{ .a }}", &limits, &out, &error), ==, 0);
        assert_limit("{{ range . }}{{ range $ }}x{{ end }}{{ end }}", &limits, "step limit");
}

static void test_limit_output(void) {
        TemplateLimits limits = { .max_output_bytes = 1000 };
        g_autofree char *out = NULL, *error = NULL;
        g_autofree char *text = repeat("0123456789", 100);

        g_assert_cmpint(render_text(text, 1000, &limits, &out, &error), ==, 0);
        g_free(g_steal_pointer(&out));
        assert_limit("{{ range . }}{{ range $ }}0123456789+{{ end }}{{ end }}", &limits, "output limit");
        assert_limit("{{ printf \"%5000d\" 1 | len }}", &limits, "output limit");
        assert_limit("{{ range . }}{{ printf \"%999s\" \"x\" }}{{ end }}", &limits, "output limit");
}

static void test_limit_huge_output_default(void) {
        /* 10 * 10 * 10 * 10 * 1000 bytes = 10 MB > 4 MiB default */
        g_autofree char *body = repeat("x", 1000);
        g_autofree char *text =
                g_strconcat("{{range $}}{{range $}}{{range $}}{{range $}}", body, "{{end}}{{end}}{{end}}{{end}}", NULL);

        assert_limit(text, NULL, "output limit");
}

static void test_limit_template_size(void) {
        TemplateLimits limits = { .max_template_bytes = 10 };
        g_autofree char *out = NULL, *error = NULL;

        g_assert_cmpint(render_str("0123456789", &limits, &out, &error), ==, 0);
        assert_limit("0123456789a", &limits, "exceeds the limit");
}

static void test_limit_long_strings_cost_steps(void) {
        TemplateLimits limits = { .max_steps = 2000 };
        g_autofree char *out = NULL, *error = NULL;

        /* cheap in nodes, expensive in bytes */
        assert_limit("{{ range $ }}{{ range $ }}{{ len (printf \"%100000s\" \"\") }}{{ end }}{{ end }}", &limits,
                "step limit");
        g_assert_cmpint(render_str("{{ len (printf \"%100000s\" \"\") }}", &limits, &out, &error), ==, 0);
        g_assert_cmpstr(out, ==, "100000");
}

static void test_not_nul_terminated(void) {
        g_autofree char *out = NULL, *error = NULL;
        const char text[] = "{{ .a }}{{ .b }}garbage";

        g_assert_cmpint(render_text(text, 8, NULL, &out, &error), ==, 0);
        g_assert_cmpstr(out, ==, "1");
}

static void test_error_return_codes(void) {
        g_autofree char *out = NULL, *error1 = NULL, *error2 = NULL;

        g_assert_cmpint(render_str("{{ .a", NULL, &out, &error1), ==, -EINVAL);
        g_assert_cmpstr(error1, ==, "template: render:1: unclosed action");
        g_assert_cmpint(render_str("{{ .a.b }}", NULL, &out, &error2), ==, -EDOM);
        g_assert_cmpstr(error2, ==,
                "template: render:1:5: executing \"render\" at <.a.b>: can't evaluate field b in type "
                "string");
        g_assert_null(out);
}

int main(int argc, char **argv) {
        g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(case_free);
        g_autofree char *contents = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = NULL;
        const char *path;

        g_test_init(&argc, &argv, NULL);
        path = argc > 1 ? argv[1] : TEMPLATE_CASES_FILE;
        if (!g_file_get_contents(path, &contents, NULL, &error))
                g_error("cannot read the case table: %s", error->message);

        lines = g_strsplit(contents, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_autofree char *test_path = NULL;
                Case *c;

                if (!**l || **l == '#')
                        continue;
                c = case_parse(*l);
                g_ptr_array_add(cases, c);
                test_path = g_strdup_printf("/template/go/%s", c->name);
                g_test_add_data_func(test_path, c, test_case);
        }
        g_assert_cmpuint(cases->len, >=, 150);

        g_test_add_func("/template/limit/deep-parens", test_limit_deep_parens);
        g_test_add_func("/template/limit/deep-ifs", test_limit_deep_ifs);
        g_test_add_func("/template/limit/deep-else-if", test_limit_deep_else_if);
        g_test_add_func("/template/limit/depth-configurable", test_limit_depth_configurable);
        g_test_add_func("/template/limit/nested-range", test_limit_nested_range);
        g_test_add_func("/template/limit/steps-configurable", test_limit_steps_configurable);
        g_test_add_func("/template/limit/output", test_limit_output);
        g_test_add_func("/template/limit/huge-output-default", test_limit_huge_output_default);
        g_test_add_func("/template/limit/template-size", test_limit_template_size);
        g_test_add_func("/template/limit/long-strings-cost-steps", test_limit_long_strings_cost_steps);
        g_test_add_func("/template/api/not-nul-terminated", test_not_nul_terminated);
        g_test_add_func("/template/api/error-return-codes", test_error_return_codes);

        return g_test_run();
}
