/* SPDX-License-Identifier: MIT */

/* Render: a Go text/template over a group's live entries (template.h), as the store sees them. */

#include "store.h"
#include "template.h"

typedef struct RenderData {
        TemplateEntry *entries;
        size_t n, cap;
} RenderData;

static void render_data_done(RenderData *d) {
        for (size_t i = 0; i < d->n; i++) {
                free((char *)d->entries[i].key);
                free((char *)d->entries[i].value);
        }
        free(d->entries);
}

/* Copies each entry: the store's values are borrowed only until its next step. */
static int collect_entry(const char *key, const StoreValue *value, const StoreStat *stat _unused_, void *userdata) {
        RenderData *d = userdata;

        if (d->n == d->cap) {
                size_t cap = MAX(d->cap * 2, 16U);
                TemplateEntry *e = realloc(d->entries, cap * sizeof(*e));
                if (!e)
                        return -ENOMEM;
                d->entries = e;
                d->cap = cap;
        }
        d->entries[d->n] = (TemplateEntry){
                .key = strdup(key),
                .value = memdup_suffix0(value->data, value->len),
        };
        if (!d->entries[d->n].key || !d->entries[d->n].value) {
                free((char *)d->entries[d->n].key);
                free((char *)d->entries[d->n].value);
                return -ENOMEM;
        }
        d->n++;
        return 0;
}

int store_render(Store *s, const char *ns, const char *group, const char *text, const StoreRenderLimits *limits,
        char **ret_output, size_t *ret_output_len, StoreError *error) {
        _cleanup_(render_data_done) RenderData data = {};
        _cleanup_free_ char *output = NULL, *message = NULL;
        size_t output_len = 0;
        int r;

        /* Every live entry, as text (NotText if one is binary), in key order as Go ranges over a map. */
        r = store_list(s, ns, group, 0, UINT64_MAX, true, collect_entry, &data, error);
        if (r < 0)
                return r;

        r = template_render("render", text, strlen(text), data.entries, data.n, limits, &output, &output_len, &message);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return store_error_set(error, -STORE_E_TEMPLATE, "%s", message ?: "template: render: failed");

        /* A template can print any code point (printf "%c" 0): only text fits in a D-Bus string. */
        if (!store_value_is_text(output, output_len))
                return store_error_set(error, -STORE_E_TEMPLATE,
                        "template: render: the output is not text (it holds NUL or a code point D-Bus cannot carry)");

        *ret_output = TAKE_PTR(output);
        *ret_output_len = output_len;
        return 0;
}
