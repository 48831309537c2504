/* SPDX-License-Identifier: MIT */

/* Verbs on one entry: get, get-bytes, set, set-bytes, delete, stat. */

#include <fcntl.h>
#include <inttypes.h>
#include <time.h>

#include "json.h"
#include "parse.h"
#include "storectl.h"

int verb_get(Ctl *c, int argc _unused_, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_done) Json j = {};
        const char *value;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "Get", &reply, "ss", argv[1], argv[2]);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "s", &value);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        if (!c->json) {
                printf("%s\n", value);
                return 0;
        }
        json_object_begin(&j);
        json_key(&j, "group");
        json_string(&j, argv[1]);
        json_key(&j, "key");
        json_string(&j, argv[2]);
        json_key(&j, "value");
        json_string(&j, value);
        json_object_end(&j);
        return json_print(&j);
}

int verb_get_bytes(Ctl *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_done) Json j = {};
        const char *file = argc > 3 && !streq(argv[3], "-") ? argv[3] : NULL;
        const void *value;
        size_t len;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "GetBytes", &reply, "ss", argv[1], argv[2]);
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(reply, 'y', &value, &len);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);

        if (file) {
                _cleanup_close_ int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
                if (fd < 0)
                        return log_errorf(-errno, "Cannot create %s: %m", file);
                r = write_all(fd, value, len);
                if (r < 0)
                        return log_errorf(r, "Cannot write %s: %m", file);
        }
        if (c->json) {
                json_object_begin(&j);
                json_key(&j, "group");
                json_string(&j, argv[1]);
                json_key(&j, "key");
                json_string(&j, argv[2]);
                json_key(&j, "value_base64");
                json_base64(&j, value, len);
                json_object_end(&j);
                return json_print(&j);
        }
        if (file)
                return 0;
        fflush(stdout);
        r = write_all(STDOUT_FILENO, value, len);
        return r < 0 ? log_errorf(r, "Cannot write to standard output: %m") : 0;
}

int verb_set(Ctl *c, int argc _unused_, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        if (c->ttl_usec > 0)
                r = ctl_call(c, NULL, STORE_IFACE, "SetWithTTL", &reply, "ssst", argv[1], argv[2], argv[3],
                        c->ttl_usec);
        else
                r = ctl_call(c, NULL, STORE_IFACE, "Set", &reply, "sss", argv[1], argv[2], argv[3]);
        if (r < 0)
                return r;
        return ctl_print_revision(c, reply);
}

int verb_set_bytes(Ctl *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r;

        r = read_file_full(argc > 3 ? argv[3] : NULL, &data, &len);
        if (r < 0)
                return r;
        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_new_call(c, NULL, STORE_IFACE, "SetBytes", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", argv[1], argv[2]);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', data, len);
        if (r >= 0)
                r = sd_bus_message_append(m, "t", c->ttl_usec);
        if (r < 0)
                return ctl_bus_error("Cannot build the call", r);
        r = ctl_call_message(c, m, 0, &reply);
        if (r < 0)
                return r;
        return ctl_print_revision(c, reply);
}

int verb_delete(Ctl *c, int argc _unused_, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "Delete", &reply, "ss", argv[1], argv[2]);
        if (r < 0)
                return r;
        return ctl_print_revision(c, reply);
}

int verb_stat(Ctl *c, int argc _unused_, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_done) Json j = {};
        uint64_t version, revision, modified, expires, now, left;
        char when[64], span[64];
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, NULL, STORE_IFACE, "Stat", &reply, "ss", argv[1], argv[2]);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "tttt", &version, &revision, &modified, &expires);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);

        if (c->json) {
                json_object_begin(&j);
                json_key(&j, "group");
                json_string(&j, argv[1]);
                json_key(&j, "key");
                json_string(&j, argv[2]);
                json_key(&j, "version");
                json_uint(&j, version);
                json_key(&j, "revision");
                json_uint(&j, revision);
                json_key(&j, "modified_usec");
                json_uint(&j, modified);
                json_key(&j, "expires_usec");
                json_uint(&j, expires);
                json_object_end(&j);
                return json_print(&j);
        }
        now = clock_usec(CLOCK_REALTIME);
        left = expires > now ? expires - now : 0;
        if (left >= USEC_PER_SEC) /* "in 29s", not "in 29s 984ms 899us" */
                left = (left + USEC_PER_SEC / 2) / USEC_PER_SEC * USEC_PER_SEC;
        printf("   Version: %" PRIu64 "\n", version);
        printf("  Revision: %" PRIu64 "\n", revision);
        printf("  Modified: %s\n", format_timestamp(when, sizeof(when), modified));
        if (expires == 0)
                printf("   Expires: never\n");
        else
                printf("   Expires: %s (in %s)\n", format_timestamp(when, sizeof(when), expires),
                        format_timespan(span, sizeof(span), left));
        return 0;
}
