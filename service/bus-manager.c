/* SPDX-License-Identifier: MIT */
#include "bus-manager.h"
#include "bus-dump.h"
#include "bus-error.h"
#include "context.h"

static int check_namespace_name(const char *name, sd_bus_error *error) {
        if (!store_namespace_is_valid(name))
                return sd_bus_error_setf(error, STORE_ERROR_INVALID_NAMESPACE,
                        "Invalid namespace name \"" NAME_EXCERPT "\": use 1 to %d of a-z A-Z 0-9 -, and not \"self\"",
                        NAME_EXCERPT_ARGS(name), STORE_NAMESPACE_MAX);
        return 0;
}

static int method_get_namespace(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope *scope = userdata;
        _cleanup_free_ char *path = NULL;
        const char *name;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = check_namespace_name(name, error);
        if (r < 0)
                return r;

        /* Open to everyone: a path reveals nothing and creates nothing. */
        r = sd_bus_path_encode(NAMESPACE_OBJECT_PREFIX, name, &path);
        if (r < 0)
                return r;
        return reply_queue_return(scope->context->replies, m, "o", path);
}

static int append_namespace(const char *ns, const StoreUsage *usage, const StoreQuota *quota _unused_, void *userdata) {
        return sd_bus_message_append(userdata, "(sttt)", ns, usage->keys, usage->groups, usage->bytes);
}

static int method_list_namespaces(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Scope *scope = userdata;
        StoreError e = {};
        int r;

        r = authorize(scope->context->auth, m, ACTION_MANAGE, NULL, error);
        if (r != 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sttt)");
        if (r < 0)
                return r;
        r = store_list_namespaces(scope->context->store, append_namespace, reply, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return reply_queue_send(scope->context->replies, m, reply);
}

static int method_set_quota(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope *scope = userdata;
        const char *name;
        StoreQuota quota;
        StoreError e = {};
        int r;

        r = sd_bus_message_read(m, "sttt", &name, &quota.max_keys, &quota.max_groups, &quota.max_bytes);
        if (r < 0)
                return r;
        r = check_namespace_name(name, error);
        if (r < 0)
                return r;

        r = authorize(scope->context->auth, m, ACTION_MANAGE, NULL, error);
        if (r != 0)
                return r;

        r = store_quota_set(scope->context->store, name, &quota, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        return reply_queue_return(scope->context->replies, m, NULL);
}

static int method_get_quota(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope *scope = userdata;
        const char *name;
        StoreQuota quota;
        StoreError e = {};
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = check_namespace_name(name, error);
        if (r < 0)
                return r;

        /* Those who may read a namespace may know its quota. */
        r = authorize(scope->context->auth, m, ACTION_READ, name, error);
        if (r != 0)
                return r;

        r = store_quota_get(scope->context->store, name, &quota, NULL, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        return reply_queue_return(scope->context->replies, m, "ttt", quota.max_keys, quota.max_groups, quota.max_bytes);
}

static int method_delete_namespace(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope *scope = userdata;
        const char *name;
        StoreError e = {};
        uint64_t revision = 0;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = check_namespace_name(name, error);
        if (r < 0)
                return r;

        r = authorize(scope->context->auth, m, ACTION_MANAGE, NULL, error);
        if (r != 0)
                return r;

        r = store_delete_namespace(scope->context->store, name, &revision, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        return reply_queue_return(scope->context->replies, m, "t", revision);
}

static int property_get_version(sd_bus *bus _unused_, const char *path _unused_, const char *interface _unused_,
        const char *property _unused_, sd_bus_message *reply, void *userdata _unused_, sd_bus_error *error _unused_) {
        return sd_bus_message_append(reply, "s", STORED_VERSION);
}

static int property_get_revision(sd_bus *bus _unused_, const char *path _unused_, const char *interface _unused_,
        const char *property _unused_, sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Scope *scope = userdata;
        return sd_bus_message_append(reply, "t", store_revision(scope->context->store));
}

#define UNPRIVILEGED SD_BUS_VTABLE_UNPRIVILEGED /* anyone may call: authorize() decides per call */

const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        /* Readable by every caller; Revision changes with every write, so no PropertiesChanged for it. */
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Revision", "t", property_get_revision, 0, 0),
        SD_BUS_METHOD_WITH_ARGS("GetNamespace", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", path), method_get_namespace,
                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListNamespaces", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sttt)", namespaces),
                method_list_namespaces, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetQuota", SD_BUS_ARGS("s", name, "t", max_keys, "t", max_groups, "t", max_bytes),
                SD_BUS_NO_RESULT, method_set_quota, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetQuota", SD_BUS_ARGS("s", name),
                SD_BUS_RESULT("t", max_keys, "t", max_groups, "t", max_bytes), method_get_quota, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("DeleteNamespace", SD_BUS_ARGS("s", name), SD_BUS_RESULT("t", revision),
                method_delete_namespace, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Backup", SD_BUS_ARGS("h", fd), SD_BUS_NO_RESULT, method_backup, UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
