/* SPDX-License-Identifier: MIT */
#include "bus-namespace.h"
#include "bus-error.h"
#include "bus-manager.h"
#include "bus-scope.h"
#include "bus-store.h"
#include "log.h"
#include "strv.h"

/* The Scope of a namespace object's path: 1 and `*ret` set, or ≤ 0 if the path is not one (see
 * namespace_path_decode()). The Scope lives in the Context: dispatch is synchronous, and a parked call
 * runs this again when it is re-queued. */
static int scope_for_path(Context *c, const char *path, Scope **ret) {
        char name[STORE_NAMESPACE_MAX + 1];
        int r;

        r = namespace_path_decode(path, name);
        if (r <= 0)
                return r;
        if (streq(name, "self")) {
                *ret = &c->self_scope;
                return 1;
        }
        c->namespace_scope = (Scope){ .context = c };
        memcpy(c->namespace_scope.name, name, sizeof(name));
        c->namespace_scope.ns = c->namespace_scope.name;
        *ret = &c->namespace_scope;
        return 1;
}

/* Every valid name is an object; nothing needs to exist first. */
static int namespace_find(sd_bus *bus _unused_, const char *path, const char *interface _unused_, void *userdata,
        void **found, sd_bus_error *error _unused_) {
        return scope_for_path(userdata, path, (Scope **)found);
}

/* The node of namespace `ns` under the namespace folder, as an enumerator lists it. */
static int add_namespace_node(const char *ns, const StoreUsage *usage _unused_, const StoreQuota *quota _unused_,
        void *userdata) {
        char *path = NULL;
        int r = sd_bus_path_encode(NAMESPACE_OBJECT_PREFIX, ns, &path);
        if (r < 0)
                return r;
        return strlist_take(userdata, path);
}

/* Introspection is open to everyone, so it lists other namespaces only to root; everyone sees "self".
 * sd-bus gives an enumerator no way to wait, so introspect_filter() makes sure the caller's uid is
 * known before sd-bus gets here. */
static int namespace_enumerate(sd_bus *bus, const char *prefix _unused_, void *userdata, char ***ret_nodes,
        sd_bus_error *error _unused_) {
        _cleanup_(strlist_done) StrList l = {};
        Context *c = userdata;
        sd_bus_message *m = sd_bus_get_current_message(bus);
        int r;

        r = add_namespace_node("self", NULL, NULL, &l);
        if (r >= 0 && m && auth_is_privileged(c->auth, m, NULL))
                r = store_list_namespaces(c->store, add_namespace_node, &l, NULL);
        if (r < 0)
                return r;
        *ret_nodes = TAKE_PTR(l.items); /* sd-bus frees the array and its strings */
        l.n = 0;
        return 0;
}

/* ---- org.example.Store.Namespace properties ---- */

/* Property reads are authorized by the filter below before sd-bus runs these, so here the caller is
 * known and allowed: resolving self cannot be pending. */
static int property_scope(sd_bus *bus, Scope *scope, Scope *ret, sd_bus_error *error) {
        int r = scope_authorize(scope, sd_bus_get_current_message(bus), ACTION_READ, ret, error);
        if (r > 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Access denied: authorization pending");
        return r;
}

static int property_get_name(sd_bus *bus, const char *path _unused_, const char *interface _unused_,
        const char *property _unused_, sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Scope target;
        int r = property_scope(bus, userdata, &target, error);
        if (r < 0)
                return r;
        return sd_bus_message_append(reply, "s", target.ns);
}

static int property_get_quota(sd_bus *bus, const char *path _unused_, const char *interface _unused_,
        const char *property, sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Scope target;
        StoreQuota quota;
        StoreError e = {};
        int r;

        r = property_scope(bus, userdata, &target, error);
        if (r < 0)
                return r;
        r = store_quota_get(target.context->store, target.ns, &quota, NULL, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        return sd_bus_message_append(reply, "t",
                streq(property, "MaxKeys")     ? quota.max_keys
                : streq(property, "MaxGroups") ? quota.max_groups
                                               : quota.max_bytes);
}

static int property_get_usage(sd_bus *bus, const char *path _unused_, const char *interface _unused_,
        const char *property, sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Scope target;
        StoreUsage usage;
        StoreError e = {};
        int r;

        r = property_scope(bus, userdata, &target, error);
        if (r < 0)
                return r;
        r = store_namespace_usage(target.context->store, target.ns, &usage, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        return sd_bus_message_append(reply, "t",
                streq(property, "Keys")     ? usage.keys
                : streq(property, "Groups") ? usage.groups
                                            : usage.bytes);
}

static const sd_bus_vtable namespace_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", property_get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        /* Usage moves with every write: no PropertiesChanged (the contract says so). */
        SD_BUS_PROPERTY("MaxKeys", "t", property_get_quota, 0, 0),
        SD_BUS_PROPERTY("MaxGroups", "t", property_get_quota, 0, 0),
        SD_BUS_PROPERTY("MaxBytes", "t", property_get_quota, 0, 0),
        SD_BUS_PROPERTY("Keys", "t", property_get_usage, 0, 0),
        SD_BUS_PROPERTY("Groups", "t", property_get_usage, 0, 0),
        SD_BUS_PROPERTY("Bytes", "t", property_get_usage, 0, 0),
        SD_BUS_VTABLE_END,
};

/* sd-bus gives property getters no way to wait for polkit, so reads of a namespace's properties are
 * authorized here, before dispatch, with the same parking as a method: pending → consumed now and
 * re-queued when the answer is in; denied → an error reply; allowed → dispatch goes on. */
static int properties_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error _unused_) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        Context *c = userdata;
        const char *path = sd_bus_message_get_path(m);
        Scope *scope, target;
        int r;

        if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", NULL) || !path)
                return 0;
        r = scope_for_path(c, path, &scope);
        if (r <= 0)
                return 0; /* not a namespace object: sd-bus answers */

        r = scope_authorize(scope, m, ACTION_READ, &target, &error);
        if (r == 0)
                return 0;
        if (r < 0) {
                r = sd_bus_reply_method_error(m, &error);
                if (r < 0)
                        log_debug("Cannot send an error reply: %s", strerror(-r));
        }
        return 1;
}

/* True for the paths whose introspection runs namespace_enumerate(): the namespace folder, what is
 * under it, and its ancestors (sd-bus asks the enumerators below a path for its child nodes). */
static bool path_lists_namespaces(const char *path) {
        size_t n = strlen(path), folder = strlen(NAMESPACE_OBJECT_PREFIX);

        if (n >= folder)
                return strncmp(path, NAMESPACE_OBJECT_PREFIX, folder) == 0 &&
                       (path[folder] == '\0' || path[folder] == '/');
        return streq(path, "/") ||
               (strncmp(path, NAMESPACE_OBJECT_PREFIX, n) == 0 && NAMESPACE_OBJECT_PREFIX[n] == '/');
}

/* Makes an Introspect that may list namespaces wait for the caller's uid, as a method waits for
 * authorization: the first call of a new caller is parked and dispatched again once it is known. */
static int introspect_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error _unused_) {
        _cleanup_(sd_bus_error_free) sd_bus_error ignored = SD_BUS_ERROR_NULL;
        Context *c = userdata;
        const char *path = sd_bus_message_get_path(m);
        uid_t uid;

        if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Introspectable", "Introspect") || !path ||
                !path_lists_namespaces(path))
                return 0;
        /* Unknown credentials are no reason to refuse introspection: the listing shows "self" only. */
        return auth_sender_uid(c->auth, m, &uid, &ignored) == 1;
}

int bus_namespace_register(Context *c, sd_bus *bus) {
        int r;

        c->self_scope = (Scope){ .context = c, .self = true };
        r = sd_bus_add_fallback_vtable(bus, NULL, NAMESPACE_OBJECT_PREFIX, STORE_INTERFACE, store_vtable,
                namespace_find, c);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(bus, NULL, NAMESPACE_OBJECT_PREFIX, NAMESPACE_INTERFACE,
                        namespace_vtable, namespace_find, c);
        if (r >= 0)
                r = sd_bus_add_node_enumerator(bus, NULL, NAMESPACE_OBJECT_PREFIX, namespace_enumerate, c);
        if (r >= 0)
                r = sd_bus_add_filter(bus, NULL, properties_filter, c);
        if (r >= 0)
                r = sd_bus_add_filter(bus, NULL, introspect_filter, c);
        return r;
}
