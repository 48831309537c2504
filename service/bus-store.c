/* SPDX-License-Identifier: MIT */

/* org.example.Store: every handler reads its arguments, checks them, authorizes, calls the store and
 * replies. Replies are built straight from the store's borrowed values, without copies of our own.
 * Changes reach subscribers through the store's observer, not from here. */

#include "bus-store.h"
#include "bus-dump.h"
#include "bus-error.h"
#include "bus-scope.h"
#include "context.h"
#include "text.h"

static Store *scope_store(const Scope *scope) {
        return scope->context->store;
}

static int reply_revision(const Scope *scope, sd_bus_message *m, int r, uint64_t revision, const StoreError *e,
        sd_bus_error *error) {
        if (r < 0)
                return bus_error_from_store(error, r, e);
        return reply_queue_return(scope->context->replies, m, "t", revision);
}

/* ---- single entries ---- */

static int method_get(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        Scope *scope = userdata;
        const char *group, *key;
        StoreValue value;
        StoreError e = {};
        int r;

        r = sd_bus_message_read(m, "ss", &group, &key);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = store_get(scope_store(&target), target.ns, group, key, true, &value, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);

        return reply_queue_return(target.context->replies, m, "s", (const char *)value.data);
}

static int method_get_bytes(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Scope *scope = userdata;
        const char *group, *key;
        StoreValue value;
        StoreError e = {};
        int r;

        r = sd_bus_message_read(m, "ss", &group, &key);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = store_get(scope_store(&target), target.ns, group, key, false, &value, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_append_array(reply, 'y', value.data, value.len);
        if (r < 0)
                return r;
        return reply_queue_send(target.context->replies, m, reply);
}

static int method_stat(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        Scope *scope = userdata;
        const char *group, *key;
        StoreStat stat;
        StoreError e = {};
        int r;

        r = sd_bus_message_read(m, "ss", &group, &key);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = store_stat(scope_store(&target), target.ns, group, key, &stat, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);

        return reply_queue_return(target.context->replies, m, "tttt", stat.version, stat.revision, stat.modified_usec,
                stat.expires_usec);
}

static int set_common(sd_bus_message *m, Scope *scope, const char *group, const char *key, const void *value,
        size_t value_len, uint64_t ttl_usec, sd_bus_error *error) {
        Scope target;
        StoreError e = {};
        uint64_t revision = 0;
        int r;

        r = scope_authorize(scope, m, ACTION_WRITE, &target, error);
        if (r != 0)
                return r;

        r = store_set(scope_store(&target), target.ns, group, key, value, value_len, ttl_usec, &revision, &e);
        return reply_revision(scope, m, r, revision, &e, error);
}

static int method_set(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *group, *key, *value;
        int r;

        r = sd_bus_message_read(m, "sss", &group, &key, &value);
        if (r < 0)
                return r;

        return set_common(m, userdata, group, key, value, strlen(value), 0, error);
}

static int method_set_with_ttl(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *group, *key, *value;
        uint64_t ttl_usec;
        int r;

        r = sd_bus_message_read(m, "ssst", &group, &key, &value, &ttl_usec);
        if (r < 0)
                return r;
        if (ttl_usec == 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                        "SetWithTTL needs a TTL above 0 microseconds; use Set for an entry that never expires");

        return set_common(m, userdata, group, key, value, strlen(value), ttl_usec, error);
}

static int method_set_bytes(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *group, *key;
        const void *value;
        size_t value_len;
        uint64_t ttl_usec;
        int r;

        r = sd_bus_message_read(m, "ss", &group, &key);
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(m, 'y', &value, &value_len);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &ttl_usec);
        if (r < 0)
                return r;

        return set_common(m, userdata, group, key, value_len ? value : "", value_len, ttl_usec, error);
}

static int method_delete(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        Scope *scope = userdata;
        const char *group, *key;
        StoreError e = {};
        uint64_t revision = 0;
        int r;

        r = sd_bus_message_read(m, "ss", &group, &key);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_WRITE, &target, error);
        if (r != 0)
                return r;

        r = store_delete(scope_store(&target), target.ns, group, key, &revision, &e);
        return reply_revision(scope, m, r, revision, &e, error);
}

/* ---- groups ---- */

static int method_set_all(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        Scope *scope = userdata;
        _cleanup_free_ StorePair *pairs = NULL;
        size_t n_pairs = 0, allocated = 0;
        const char *group, *key, *value;
        StoreError e = {};
        uint64_t revision = 0;
        int r;

        r = sd_bus_message_read(m, "s", &group);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{ss}", &key, &value)) > 0) {
                if (n_pairs == allocated) {
                        size_t n = MAX(allocated * 2, 16U);
                        StorePair *p = realloc(pairs, n * sizeof(*p));
                        if (!p)
                                return -ENOMEM;
                        pairs = p;
                        allocated = n;
                }
                /* The strings live in the message, which outlives this call. */
                pairs[n_pairs++] = (StorePair){ .key = key, .value = value };
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_WRITE, &target, error);
        if (r != 0)
                return r;

        r = store_set_all(scope_store(&target), target.ns, group, pairs, n_pairs, &revision, &e);
        return reply_revision(scope, m, r, revision, &e, error);
}

static int method_delete_group(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        Scope *scope = userdata;
        const char *group;
        StoreError e = {};
        uint64_t revision = 0;
        int r;

        r = sd_bus_message_read(m, "s", &group);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_WRITE, &target, error);
        if (r != 0)
                return r;

        r = store_delete_group(scope_store(&target), target.ns, group, &revision, &e);
        return reply_revision(scope, m, r, revision, &e, error);
}

/* One (key, value) pair as a dict entry or a struct. Spelled out rather than sd_bus_message_append()
 * with a format: that parses the format for every entry, a third of the cost of a 10 000-entry reply. */
static int append_pair(sd_bus_message *reply, char type, const char *key, const char *value) {
        int r = sd_bus_message_open_container(reply, type, "ss");
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, 's', key);
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, 's', value);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int append_dict_entry(const char *key, const StoreValue *value, const StoreStat *stat _unused_, void *userdata) {
        return append_pair(userdata, SD_BUS_TYPE_DICT_ENTRY, key, (const char *)value->data);
}

static int append_struct_entry(const char *key, const StoreValue *value, const StoreStat *stat _unused_,
        void *userdata) {
        return append_pair(userdata, SD_BUS_TYPE_STRUCT, key, (const char *)value->data);
}

/* Authorizes a read of `scope`, then replies `a{ss}` or `a(ss)` of a group's entries, and the store's
 * revision after them if asked. */
static int reply_entries(sd_bus_message *m, const Scope *scope, const char *group, uint64_t offset, uint64_t limit,
        bool as_struct, bool with_revision, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Scope target;
        StoreError e = {};
        int r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', as_struct ? "(ss)" : "{ss}");
        if (r < 0)
                return r;
        r = store_list(scope_store(&target), target.ns, group, offset, limit, true,
                as_struct ? append_struct_entry : append_dict_entry, reply, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        /* Single-threaded: nothing commits between the listing and this read, so they agree. */
        if (with_revision) {
                r = sd_bus_message_append(reply, "t", store_revision(scope_store(&target)));
                if (r < 0)
                        return r;
        }
        return reply_queue_send(target.context->replies, m, reply);
}

static int method_get_all(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *group;
        int r;

        r = sd_bus_message_read(m, "s", &group);
        if (r < 0)
                return r;
        return reply_entries(m, userdata, group, 0, UINT64_MAX, false, false, error);
}

static int method_snapshot(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *group;
        int r;

        r = sd_bus_message_read(m, "s", &group);
        if (r < 0)
                return r;
        return reply_entries(m, userdata, group, 0, UINT64_MAX, false, true, error);
}

static int method_get_page(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *group;
        uint64_t offset, limit;
        int r;

        r = sd_bus_message_read(m, "stt", &group, &offset, &limit);
        if (r < 0)
                return r;
        return reply_entries(m, userdata, group, offset, limit, true, false, error);
}

typedef int (*CountFn)(Store *s, const char *ns, const char *name, uint64_t *ret, StoreError *error);

static int reply_count(sd_bus_message *m, Scope *scope, CountFn count, sd_bus_error *error) {
        Scope target;
        const char *name;
        StoreError e = {};
        uint64_t n = 0;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = count(scope_store(&target), target.ns, name, &n, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        return reply_queue_return(target.context->replies, m, "t", n);
}

static int method_count(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return reply_count(m, userdata, store_count, error);
}

static int method_count_all(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return reply_count(m, userdata, store_count_all, error);
}

static int append_string(const char *s, void *userdata) {
        return sd_bus_message_append_basic(userdata, 's', s);
}

static int method_groups(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Scope *scope = userdata;
        const char *prefix;
        StoreError e = {};
        int r;

        r = sd_bus_message_read(m, "s", &prefix);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;
        r = store_groups(scope_store(&target), target.ns, prefix, append_string, reply, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return reply_queue_send(target.context->replies, m, reply);
}

static int method_purge_expired(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        Scope *scope = userdata;
        StoreError e = {};
        uint64_t n = 0;
        int r;

        r = scope_authorize(scope, m, ACTION_WRITE, &target, error);
        if (r != 0)
                return r;

        r = store_purge_expired(scope_store(&target), target.ns, &n, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        return reply_queue_return(target.context->replies, m, "t", n);
}

/* ---- values split into pieces ---- */

/* Appends a slice of the value as a string: the message provides the space, we copy the bytes once. */
static int append_piece(const char *piece, size_t len, void *userdata) {
        char *space;
        int r;

        r = sd_bus_message_append_string_space(userdata, len, &space);
        if (r < 0)
                return r;
        memcpy(space, piece, len);
        return 0;
}

static int reply_pieces(sd_bus_message *m, Scope *scope, const char *group, const char *key, const char *sep,
        sd_bus_error *error) {
        Scope target;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        StoreValue value;
        StoreError e = {};
        int r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = store_get(scope_store(&target), target.ns, group, key, true, &value, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;
        if (sep)
                r = text_split(value.data, value.len, sep, strlen(sep), append_piece, reply);
        else
                r = text_fields(value.data, value.len, append_piece, reply);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return reply_queue_send(target.context->replies, m, reply);
}

static int method_get_split(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *group, *key, *sep;
        int r;

        r = sd_bus_message_read(m, "sss", &group, &key, &sep);
        if (r < 0)
                return r;
        return reply_pieces(m, userdata, group, key, sep, error);
}

static int method_get_fields(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *group, *key;
        int r;

        r = sd_bus_message_read(m, "ss", &group, &key);
        if (r < 0)
                return r;
        return reply_pieces(m, userdata, group, key, NULL, error);
}

/* ---- templates ---- */

static int method_render(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *output = NULL;
        Scope *scope = userdata, target;
        const char *text, *group;
        size_t output_len;
        StoreError e = {};
        int r;

        r = sd_bus_message_read(m, "ss", &text, &group);
        if (r < 0)
                return r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = store_render(scope_store(&target), target.ns, group, text, &target.context->config.render, &output,
                &output_len, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        return reply_queue_return(scope->context->replies, m, "s", output);
}

/* ---- change events ---- */

static int method_subscribe(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope *scope = userdata, target;
        int r;

        r = scope_authorize(scope, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = events_subscribe(target.context->events, m, target.ns,
                !auth_is_privileged(target.context->auth, m, target.ns), error);
        if (r < 0)
                return r;
        return reply_queue_return(scope->context->replies, m, NULL);
}

/* Needs no authorization: it only ever takes away. */
static int method_unsubscribe(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope *scope = userdata, target;
        int r;

        /* No authorization: it only takes away. */
        r = scope_resolve(scope, m, &target, error);
        if (r != 0)
                return r;
        r = events_unsubscribe(scope->context->events, m, target.ns);
        if (r < 0)
                return r;
        return reply_queue_return(scope->context->replies, m, NULL);
}

#define UNPRIVILEGED SD_BUS_VTABLE_UNPRIVILEGED /* anyone may call: authorize() decides per call */

const sd_bus_vtable store_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Get", SD_BUS_ARGS("s", group, "s", key), SD_BUS_RESULT("s", value), method_get,
                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetBytes", SD_BUS_ARGS("s", group, "s", key), SD_BUS_RESULT("ay", value),
                method_get_bytes, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Set", SD_BUS_ARGS("s", group, "s", key, "s", value), SD_BUS_RESULT("t", revision),
                method_set, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetWithTTL", SD_BUS_ARGS("s", group, "s", key, "s", value, "t", ttl_usec),
                SD_BUS_RESULT("t", revision), method_set_with_ttl, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetBytes", SD_BUS_ARGS("s", group, "s", key, "ay", value, "t", ttl_usec),
                SD_BUS_RESULT("t", revision), method_set_bytes, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetAll", SD_BUS_ARGS("s", group, "a{ss}", entries), SD_BUS_RESULT("t", revision),
                method_set_all, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("s", group, "s", key), SD_BUS_RESULT("t", revision),
                method_delete, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("DeleteGroup", SD_BUS_ARGS("s", group), SD_BUS_RESULT("t", revision),
                method_delete_group, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetAll", SD_BUS_ARGS("s", group), SD_BUS_RESULT("a{ss}", entries), method_get_all,
                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetPage", SD_BUS_ARGS("s", group, "t", offset, "t", limit),
                SD_BUS_RESULT("a(ss)", entries), method_get_page, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Count", SD_BUS_ARGS("s", group), SD_BUS_RESULT("t", count), method_count,
                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CountAll", SD_BUS_ARGS("s", prefix), SD_BUS_RESULT("t", count), method_count_all,
                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Groups", SD_BUS_ARGS("s", prefix), SD_BUS_RESULT("as", groups), method_groups,
                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetSplit", SD_BUS_ARGS("s", group, "s", key, "s", separator),
                SD_BUS_RESULT("as", parts), method_get_split, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetFields", SD_BUS_ARGS("s", group, "s", key), SD_BUS_RESULT("as", fields),
                method_get_fields, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Render", SD_BUS_ARGS("s", template, "s", group), SD_BUS_RESULT("s", output),
                method_render, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Stat", SD_BUS_ARGS("s", group, "s", key),
                SD_BUS_RESULT("t", version, "t", revision, "t", modified_usec, "t", expires_usec), method_stat,
                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Snapshot", SD_BUS_ARGS("s", group), SD_BUS_RESULT("a{ss}", entries, "t", revision),
                method_snapshot, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PurgeExpired", SD_BUS_NO_ARGS, SD_BUS_RESULT("t", removed), method_purge_expired,
                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Subscribe", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_subscribe, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Unsubscribe", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_unsubscribe, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Export", SD_BUS_ARGS("h", fd), SD_BUS_RESULT("t", count), method_export, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Import", SD_BUS_ARGS("h", fd), SD_BUS_RESULT("t", count), method_import, UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("Changed",
                SD_BUS_ARGS("s", group, "s", key, "s", type, "s", value, "t", revision, "t", timestamp_usec), 0),
        SD_BUS_SIGNAL_WITH_ARGS("Overflow", SD_BUS_ARGS("t", revision), 0),
        SD_BUS_VTABLE_END,
};
