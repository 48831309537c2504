/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the template engine. The input is "key=value" lines, a NUL byte, then the
 * template; without a NUL byte all of it is the template, rendered over a fixed group. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

#define MAX_ENTRIES 16

static int compare_entries(const void *a, const void *b) {
        return strcmp(((const TemplateEntry *)a)->key, ((const TemplateEntry *)b)->key);
}

/* Splits the data section into entries, sorted and without duplicate keys, as the API wants. */
static size_t parse_entries(char *data, TemplateEntry *entries) {
        size_t n = 0, unique = 0;

        for (char *line = data, *next; line && n < MAX_ENTRIES; line = next) {
                char *eq;

                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = 0;
                entries[n++] = (TemplateEntry){ line, eq + 1 };
        }
        qsort(entries, n, sizeof(TemplateEntry), compare_entries);
        for (size_t i = 0; i < n; i++)
                if (unique == 0 || strcmp(entries[unique - 1].key, entries[i].key) != 0)
                        entries[unique++] = entries[i];
        return unique;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size) {
        static const TemplateEntry fixed[] = {
                { "a", "1" },
                { "a-b", "dash" },
                { "b", "hello" },
                { "empty", "" },
                { "u", "h\xc3\xa9llo \xe2\x82\xac\x01" },
        };
        const TemplateLimits limits = {
                .max_template_bytes = 4096,
                .max_output_bytes = 64 * 1024,
                .max_depth = 20,
                .max_steps = 20000,
        };
        TemplateEntry entries[MAX_ENTRIES];
        const TemplateEntry *data = fixed;
        size_t n_entries = sizeof(fixed) / sizeof(fixed[0]), output_len = 0;
        const uint8_t *nul = memchr(input, 0, size);
        const char *text = (const char *)input;
        size_t text_len = size;
        char *copy = NULL, *output = NULL, *error = NULL;
        int r;

        if (nul) {
                copy = strndup((const char *)input, (size_t)(nul - input));
                if (!copy)
                        return 0;
                n_entries = parse_entries(copy, entries);
                data = entries;
                text = (const char *)nul + 1;
                text_len = size - (size_t)(nul - input) - 1;
        }

        r = template_render("fuzz", text, text_len, data, n_entries, &limits, &output, &output_len, &error);
        if (r == 0) {
                if (!output || output[output_len] != 0 || error || output_len > limits.max_output_bytes)
                        abort();
        } else {
                if (output || !error || strncmp(error, "template: fuzz", 14) != 0)
                        abort();
                if (r != -EINVAL && r != -EDOM && r != -E2BIG && r != -ENOMEM)
                        abort();
        }
        free(output);
        free(error);
        free(copy);
        return 0;
}
