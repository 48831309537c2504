/* SPDX-License-Identifier: MIT */

/* Verbs of the Manager interface: namespaces, quota, backup. */

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "json.h"
#include "parse.h"
#include "transfer.h"

int verb_namespaces(Ctl *c, int argc _unused_, char **argv _unused_) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_done) Json j = {};
        const char *name;
        uint64_t keys, groups, bytes;
        char size[32];
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = ctl_call(c, STORE_ROOT_PATH, STORE_MANAGER_IFACE, "ListNamespaces", &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sttt)");
        if (!c->json)
                printf("%-24s %10s %8s %10s\n", "NAMESPACE", "KEYS", "GROUPS", "BYTES");
        json_array_begin(&j);
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sttt)", &name, &keys, &groups, &bytes)) > 0) {
                if (!c->json) {
                        printf("%-24s %10" PRIu64 " %8" PRIu64 " %10s\n", name, keys, groups,
                                format_bytes(size, sizeof(size), bytes));
                        continue;
                }
                json_object_begin(&j);
                json_key(&j, "name");
                json_string(&j, name);
                json_key(&j, "keys");
                json_uint(&j, keys);
                json_key(&j, "groups");
                json_uint(&j, groups);
                json_key(&j, "bytes");
                json_uint(&j, bytes);
                json_object_end(&j);
        }
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        json_array_end(&j);
        return c->json ? json_print(&j) : 0;
}

typedef struct Quota {
        uint64_t max_keys, max_groups, max_bytes;
} Quota;

static int quota_get(Ctl *c, const char *name, Quota *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = ctl_call(c, STORE_ROOT_PATH, STORE_MANAGER_IFACE, "GetQuota", &reply, "s", name);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "ttt", &ret->max_keys, &ret->max_groups, &ret->max_bytes);
        return r < 0 ? ctl_bus_error("Cannot read the reply", r) : 0;
}

/* Usage comes from the namespace object's properties, which need read on it, as GetQuota does. */
static int usage_get(Ctl *c, const char *name, uint64_t ret[3]) {
        static const char *const properties[3] = { "Keys", "Groups", "Bytes" };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        r = ctl_call(c, STORE_ROOT_PATH, STORE_MANAGER_IFACE, "GetNamespace", &reply, "s", name);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        for (size_t i = 0; i < 3; i++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *value = NULL;

                r = ctl_call(c, path, "org.freedesktop.DBus.Properties", "Get", &value, "ss", STORE_NAMESPACE_IFACE,
                        properties[i]);
                if (r < 0)
                        return r;
                r = sd_bus_message_read(value, "v", "t", &ret[i]);
                if (r < 0)
                        return ctl_bus_error("Cannot read the reply", r);
        }
        return 0;
}

static const char *limit(char *buf, size_t size, uint64_t v, bool bytes) {
        if (v == 0)
                return "unlimited";
        if (bytes)
                return format_bytes(buf, size, v);
        snprintf(buf, size, "%" PRIu64, v);
        return buf;
}

/* The namespace quota acts on: the argument, else --namespace=, else --self's own. */
static int quota_namespace(Ctl *c, int argc, char **argv, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name;
        int r;

        if (argc > 1 && (c->namespace_name || c->self))
                return usage_error("quota takes a NAMESPACE or --namespace=/--self, not both");
        if (argc > 1 || c->namespace_name) {
                *ret = strdup(argc > 1 ? argv[1] : c->namespace_name);
                return *ret ? 0 : -ENOMEM;
        }
        if (!c->self)
                return usage_error("quota needs a NAMESPACE (or --namespace=NAME or --self)");
        r = ctl_call(c, STORE_SELF_PATH, "org.freedesktop.DBus.Properties", "Get", &reply, "ss", STORE_NAMESPACE_IFACE,
                "Name");
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "v", "s", &name);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        *ret = strdup(name);
        return *ret ? 0 : -ENOMEM;
}

int verb_quota(Ctl *c, int argc, char **argv) {
        _cleanup_(json_done) Json j = {};
        _cleanup_free_ char *name = NULL;
        char a[32], b[32];
        uint64_t usage[3];
        Quota q;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = quota_namespace(c, argc, argv, &name);
        if (r != 0)
                return r;

        r = quota_get(c, name, &q);
        if (r < 0)
                return r;
        if (c->set_max_keys || c->set_max_groups || c->set_max_bytes) {
                /* What is not given stays as it is in force. */
                if (c->set_max_keys)
                        q.max_keys = c->max_keys;
                if (c->set_max_groups)
                        q.max_groups = c->max_groups;
                if (c->set_max_bytes)
                        q.max_bytes = c->max_bytes;
                r = ctl_call(c, STORE_ROOT_PATH, STORE_MANAGER_IFACE, "SetQuota", NULL, "sttt", name, q.max_keys,
                        q.max_groups, q.max_bytes);
                if (r < 0)
                        return r;
        }
        r = usage_get(c, name, usage);
        if (r < 0)
                return r;

        if (c->json) {
                json_object_begin(&j);
                json_key(&j, "namespace");
                json_string(&j, name);
                json_key(&j, "max_keys");
                json_uint(&j, q.max_keys);
                json_key(&j, "max_groups");
                json_uint(&j, q.max_groups);
                json_key(&j, "max_bytes");
                json_uint(&j, q.max_bytes);
                json_key(&j, "keys");
                json_uint(&j, usage[0]);
                json_key(&j, "groups");
                json_uint(&j, usage[1]);
                json_key(&j, "bytes");
                json_uint(&j, usage[2]);
                json_object_end(&j);
                return json_print(&j);
        }
        printf("Namespace: %s\n", name);
        printf("     Keys: %" PRIu64 " of %s\n", usage[0], limit(a, sizeof(a), q.max_keys, false));
        printf("   Groups: %" PRIu64 " of %s\n", usage[1], limit(a, sizeof(a), q.max_groups, false));
        printf("    Bytes: %s of %s\n", format_bytes(b, sizeof(b), usage[2]), limit(a, sizeof(a), q.max_bytes, true));
        return 0;
}

int verb_backup(Ctl *c, int argc _unused_, char **argv) {
        _cleanup_(json_done) Json j = {};
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        const char *file = argv[1];
        bool to_stdout = streq(file, "-");
        struct stat st;
        int r;

        if (to_stdout && isatty(STDOUT_FILENO))
                return log_errorf(-EINVAL, "Refusing to write a database image to a terminal");
        r = ctl_connect(c);
        if (r < 0)
                return r;

        /* Into a new file beside the target, renamed over it only once complete: a failed backup never
         * replaces a good one. mkostemp() makes it 0600: the image holds every namespace's data. */
        if (!to_stdout) {
                if (asprintf(&tmp, "%s.XXXXXX", file) < 0)
                        return log_errorf(-ENOMEM, "Out of memory");
                fd = mkostemp(tmp, O_CLOEXEC);
                if (fd < 0)
                        return log_errorf(-errno, "Cannot create a file beside %s: %m", file);
        }
        r = transfer_receive(c, STORE_ROOT_PATH, STORE_MANAGER_IFACE, "Backup", NULL, to_stdout ? STDOUT_FILENO : fd,
                NULL);
        if (r >= 0 && !to_stdout && fsync(fd) < 0)
                r = log_errorf(-errno, "Cannot write %s: %m", tmp);
        if (r >= 0 && !to_stdout && rename(tmp, file) < 0)
                r = log_errorf(-errno, "Cannot rename %s to %s: %m", tmp, file);
        if (r < 0) {
                if (tmp)
                        (void)unlink(tmp);
                return r;
        }
        if (!c->json)
                return 0;
        json_object_begin(&j);
        json_key(&j, "file");
        json_string(&j, file);
        if (!to_stdout && fstat(fd, &st) >= 0) {
                json_key(&j, "bytes");
                json_uint(&j, (uint64_t)st.st_size);
        }
        json_object_end(&j);
        return json_print(&j);
}
