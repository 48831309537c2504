/* SPDX-License-Identifier: MIT */
#pragma once

/* The daemon's one context, owned by main(): everything a handler can reach. */

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "auth.h"
#include "bus-reply.h"
#include "config.h"
#include "events.h"
#include "store.h"

typedef struct Context Context;
typedef struct DirectServer DirectServer;
typedef struct Transfer Transfer;

/* What an object on the bus stands for: the whole store (ns == NULL), one namespace, or the caller's
 * own namespace (self, resolved per call). Handlers get it as their userdata, resolve and authorize it
 * with scope_authorize() (bus-scope.h), and pass the resolved ns to the store unchanged. */
typedef struct Scope {
        Context *context;
        const char *ns;
        bool self;
        char name[STORE_NAMESPACE_MAX + 1]; /* storage for ns when it is not a constant */
} Scope;

struct Context {
        Config config;
        sd_event *event;
        sd_bus *bus;
        Store *store;
        Auth *auth;
        Events *events;
        ReplyQueue *replies;
        DirectServer *direct;
        Transfer *transfers; /* Export, Import and Backup in progress (bus-dump.c) */
        sd_event_source *expiry_timer;
        Scope root;
        /* Filled by the namespace objects' find callback for the call being dispatched. */
        Scope namespace_scope;
        Scope self_scope;
};
