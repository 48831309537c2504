/* SPDX-License-Identifier: MIT */

/* Verbs that move whole scopes: dump, load and import-go-store, through Export and Import. */

#include <inttypes.h>
#include <time.h>

#include "go-store.h"
#include "json.h"
#include "parse.h"
#include "transfer.h"

/* The group of a dump line, parsed from a copy (parsing overwrites). */
static int line_group_is(const char *line, size_t n, const char *group, DumpBuffer *scratch, bool *ret) {
        char error[DUMP_ERROR_MAX];
        DumpEntry e;
        int r;

        scratch->len = 0;
        r = dump_buffer_append(scratch, line, n);
        if (r < 0)
                return log_errorf(r, "Out of memory");
        r = dump_line_parse(scratch->data, n, &e, error);
        if (r < 0)
                return log_errorf(r, "The daemon sent a line that is not the dump format: %s", error);
        *ret = r > 0 && streq(e.group, group);
        return 0;
}

int verb_dump(Ctl *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(dump_buffer_done) DumpBuffer data = {}, scratch = {};
        _cleanup_(json_done) Json j = {};
        const char *group = argc > 1 ? argv[1] : NULL;
        uint64_t count;
        size_t pos = 0;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        /* All of it first: nothing reaches stdout unless the whole dump arrived and the call succeeded. */
        r = transfer_receive(c, NULL, STORE_IFACE, "Export", &data, -1, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "t", &count);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);

        json_array_begin(&j);
        while (pos < data.len) {
                const char *line = data.data + pos, *nl = memchr(line, '\n', data.len - pos);
                size_t n = nl ? (size_t)(nl - line) : data.len - pos;
                bool keep = true;

                pos += n + (nl ? 1 : 0);
                if (group) {
                        r = line_group_is(line, n, group, &scratch, &keep);
                        if (r < 0)
                                return r;
                }
                if (!keep)
                        continue;
                if (c->json)
                        json_raw(&j, line, n);
                else
                        fwrite(line, 1, n + (nl ? 1 : 0), stdout);
        }
        json_array_end(&j);
        return c->json ? json_print(&j) : 0;
}

static int print_imported(Ctl *c, sd_bus_message *reply, const char *source, const GoStoreStats *go) {
        _cleanup_(json_done) Json j = {};
        uint64_t count;
        int r;

        r = sd_bus_message_read(reply, "t", &count);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        if (c->json) {
                json_object_begin(&j);
                json_key(&j, "imported");
                json_uint(&j, count);
                if (go) {
                        json_key(&j, "from_entries");
                        json_uint(&j, go->from_entries);
                        json_key(&j, "from_kv");
                        json_uint(&j, go->from_kv);
                        json_key(&j, "expired");
                        json_uint(&j, go->expired);
                }
                json_object_end(&j);
                return json_print(&j);
        }
        /* Scripts get silence; a person at a terminal gets a summary where the progress was. */
        if (isatty(STDERR_FILENO)) {
                fprintf(stderr, "Imported %" PRIu64 " entries from %s", count, source);
                if (go && go->expired > 0)
                        fprintf(stderr, " (%" PRIu64 " expired rows left out)", go->expired);
                fputs(".\n", stderr);
        }
        return 0;
}

int verb_load(Ctl *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *data = NULL;
        const char *file = argc > 1 ? argv[1] : NULL;
        size_t len;
        int r;

        r = read_file_full(file, &data, &len);
        if (r < 0)
                return r;
        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = transfer_send(c, NULL, data, len, "Loading", &reply);
        if (r < 0)
                return r;
        return print_imported(c, reply, file && !streq(file, "-") ? file : "standard input", NULL);
}

int verb_import_go_store(Ctl *c, int argc _unused_, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(dump_buffer_done) DumpBuffer data = {};
        GoStoreStats stats;
        int r;

        r = go_store_read(argv[1], clock_usec(CLOCK_REALTIME), &data, &stats);
        if (r < 0)
                return r;
        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = transfer_send(c, NULL, data.data ?: "", data.len, "Importing", &reply);
        if (r < 0)
                return r;
        return print_imported(c, reply, argv[1], &stats);
}
