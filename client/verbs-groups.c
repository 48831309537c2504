/* SPDX-License-Identifier: MIT */

/* Verbs on groups and the scope: delete-group, list, count, groups, render, purge. */

#include <inttypes.h>

#include "json.h"
#include "storectl.h"

static int print_count(Ctl *c, const char *name, uint64_t n) {
        _cleanup_(json_done) Json j = {};

        if (!c->json) {
                printf("%" PRIu64 "\n", n);
                return 0;
        }
        json_object_begin(&j);
        json_key(&j, name);
        json_uint(&j, n);
        json_object_end(&j);
        return json_print(&j);
}

int verb_delete_group(Ctl *c, int argc _unused_, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "DeleteGroup", &reply, "s", argv[1]);
        if (r < 0)
                return r;
        return ctl_print_revision(c, reply);
}

typedef struct Pair {
        const char *key, *value;
} Pair;

static int pair_compare(const void *a, const void *b) {
        return strcmp(((const Pair *)a)->key, ((const Pair *)b)->key);
}

int verb_list(Ctl *c, int argc _unused_, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_done) Json j = {};
        _cleanup_free_ Pair *pairs = NULL;
        size_t n = 0, cap = 0;
        const char *key, *value;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "GetAll", &reply, "s", argv[1]);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{ss}");
        while (r >= 0 && (r = sd_bus_message_read(reply, "{ss}", &key, &value)) > 0) {
                if (n == cap) {
                        Pair *p = realloc(pairs, (cap = MAX(cap * 2, (size_t)64)) * sizeof(*p));
                        if (!p)
                                return log_errorf(-ENOMEM, "Out of memory");
                        pairs = p;
                }
                pairs[n++] = (Pair){ key, value };
        }
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        /* The daemon sends them in key order; sort anyway, bytewise, so the output never depends on it. */
        qsort(pairs, n, sizeof(*pairs), pair_compare);

        if (!c->json) {
                for (size_t i = 0; i < n; i++)
                        printf("%s=%s\n", pairs[i].key, pairs[i].value);
                return 0;
        }
        json_object_begin(&j);
        json_key(&j, "group");
        json_string(&j, argv[1]);
        json_key(&j, "entries");
        json_object_begin(&j);
        for (size_t i = 0; i < n; i++) {
                json_key(&j, pairs[i].key);
                json_string(&j, pairs[i].value);
        }
        json_object_end(&j);
        json_object_end(&j);
        return json_print(&j);
}

int verb_count(Ctl *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t n;
        int r;

        if (argc > 1 && c->prefix)
                return usage_error("count takes a GROUP or --prefix=, not both");
        r = ctl_connect(c);
        if (r < 0)
                return r;
        if (argc > 1)
                r = ctl_call(c, NULL, STORE_IFACE, "Count", &reply, "s", argv[1]);
        else
                r = ctl_call(c, NULL, STORE_IFACE, "CountAll", &reply, "s", c->prefix ?: "");
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "t", &n);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        return print_count(c, "count", n);
}

int verb_groups(Ctl *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_done) Json j = {};
        const char *group;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "Groups", &reply, "s", argc > 1 ? argv[1] : "");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "s");
        json_array_begin(&j);
        while (r >= 0 && (r = sd_bus_message_read(reply, "s", &group)) > 0) {
                if (c->json)
                        json_string(&j, group);
                else
                        printf("%s\n", group);
        }
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        json_array_end(&j);
        return c->json ? json_print(&j) : 0;
}

int verb_render(Ctl *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_done) Json j = {};
        _cleanup_free_ char *file_text = NULL;
        const char *template, *group, *output;
        size_t len;
        int r;

        if (c->file) {
                if (argc != 2)
                        return usage_error("render --file=FILE takes one GROUP");
                r = read_file_full(c->file, &file_text, &len);
                if (r < 0)
                        return r;
                if (!dump_text_is_valid(file_text, len))
                        return log_errorf(-EINVAL, "The template in %s is not text (UTF-8 without NUL)", c->file);
                template = file_text;
                group = argv[1];
        } else {
                if (argc != 3)
                        return usage_error("render takes TEMPLATE GROUP, or --file=FILE GROUP");
                template = argv[1];
                group = argv[2];
        }

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "Render", &reply, "ss", template, group);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "s", &output);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        /* Exactly what the template made, no newline added: the output is often a file's content. */
        if (!c->json) {
                fputs(output, stdout);
                return 0;
        }
        json_object_begin(&j);
        json_key(&j, "output");
        json_string(&j, output);
        json_object_end(&j);
        return json_print(&j);
}

int verb_purge(Ctl *c, int argc _unused_, char **argv _unused_) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t n;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "PurgeExpired", &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "t", &n);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        return print_count(c, "removed", n);
}
