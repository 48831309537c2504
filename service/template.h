/* SPDX-License-Identifier: MIT */
#pragma once

/* Renders configuration templates: the subset of Go's text/template that makes sense over one
 * group's entries (a map[string]string), with output byte-identical to Go for everything accepted.
 * Constructs outside the subset are rejected with an error naming them, never rendered differently. */

#include <stddef.h>
#include <stdint.h>

typedef struct TemplateEntry {
        const char *key; /* NUL-terminated UTF-8 */
        const char *value; /* NUL-terminated UTF-8 */
} TemplateEntry;

typedef struct TemplateLimits {
        size_t max_template_bytes; /* 0 = default (1 MiB) */
        size_t max_output_bytes; /* 0 = default (4 MiB); also caps every intermediate string */
        unsigned max_depth; /* 0 = default (100); nesting of blocks and parentheses, at most 1000 */
        uint64_t max_steps; /* 0 = default (1 000 000) */
} TemplateLimits;

#define TEMPLATE_DEFAULT_MAX_TEMPLATE_BYTES ((size_t)1 << 20)
#define TEMPLATE_DEFAULT_MAX_OUTPUT_BYTES   ((size_t)4 << 20)
#define TEMPLATE_DEFAULT_MAX_DEPTH          100U
#define TEMPLATE_MAX_DEPTH_CEILING          1000U
#define TEMPLATE_DEFAULT_MAX_STEPS          UINT64_C(1000000)

/* Renders `text` (text_len bytes, not necessarily NUL-terminated; may contain any bytes) with the
 * entries as data. `entries` are sorted by key, bytewise (strcmp order), unique keys.
 * Returns 0 and sets *ret_output (malloc'd, NUL-terminated) and *ret_output_len on success;
 * -EINVAL on a parse error, -EDOM on an execution error, -E2BIG when a limit was hit (the message
 * says which), -ENOMEM; on every error sets *ret_error to a malloc'd message like
 * "template: render:1:9: unclosed action". `name` is the template name used in messages. */
int template_render(const char *name, const char *text, size_t text_len, const TemplateEntry *entries, size_t n_entries,
        const TemplateLimits *limits, char **ret_output, size_t *ret_output_len, char **ret_error);
