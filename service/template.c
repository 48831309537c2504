/* SPDX-License-Identifier: MIT */
/* Entry point of the template engine: applies the limits, parses, executes and hands back either
 * the output or one message. */

#include "template-internal.h"

int template_render(const char *name, const char *text, size_t text_len, const TemplateEntry *entries, size_t n_entries,
        const TemplateLimits *limits, char **ret_output, size_t *ret_output_len, char **ret_error) {
        TemplateLimits l = limits ? *limits : (TemplateLimits){};
        Tpl t = {
                .name = name ?: "",
                .text = text ?: "",
                .text_len = text ? text_len : 0,
                .entries = entries,
                .n_entries = entries ? n_entries : 0,
        };
        int r;

        *ret_output = NULL;
        *ret_output_len = 0;
        *ret_error = NULL;

        t.max_output = l.max_output_bytes ?: TEMPLATE_DEFAULT_MAX_OUTPUT_BYTES;
        t.max_depth = MIN(l.max_depth ?: TEMPLATE_DEFAULT_MAX_DEPTH, TEMPLATE_MAX_DEPTH_CEILING);
        t.max_steps = l.max_steps ?: TEMPLATE_DEFAULT_MAX_STEPS;

        if (t.text_len > (l.max_template_bytes ?: TEMPLATE_DEFAULT_MAX_TEMPLATE_BYTES))
                r = tpl_limit_error(&t, "template: %s: template of %zu bytes exceeds the limit of %zu bytes", t.name,
                        t.text_len, l.max_template_bytes ?: TEMPLATE_DEFAULT_MAX_TEMPLATE_BYTES);
        else {
                r = tpl_parse(&t);
                if (r >= 0)
                        r = tpl_execute(&t);
        }
        tpl_arena_free(&t.arena);

        if (r < 0) {
                tpl_buf_free(&t.out);
                if (!t.error) {
                        TplBuf msg = {};

                        if (tpl_buf_printf(&msg, "template: %s: %s", t.name,
                                    r == -ENOMEM ? "out of memory" : "internal error") >= 0)
                                t.error = tpl_buf_steal(&msg);
                        tpl_buf_free(&msg);
                }
                *ret_error = t.error;
                return r == -ENOMEM || !t.error ? -ENOMEM : r;
        }

        *ret_output_len = t.out.len;
        *ret_output = tpl_buf_steal(&t.out);
        if (!*ret_output) {
                *ret_error = strdup("template: out of memory");
                return -ENOMEM;
        }
        return 0;
}
