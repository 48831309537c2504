/* SPDX-License-Identifier: MIT */
#pragma once

/* Group commit, the bus side. While the store holds calls in an open transaction (store.h, group
 * commit), the replies to them wait here; when the event loop has nothing more to read, one commit
 * makes them all durable and they go out together. If that commit fails, every waiting call gets the
 * Storage error instead: nothing is acknowledged before it is on disk, and nothing a reply showed can
 * be lost afterwards. Replies to calls that found no transaction open go out at once. */

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "store.h"

typedef struct ReplyQueue ReplyQueue;

/* At most this many calls share one commit, so that latency stays bounded under a steady stream. */
#define REPLY_QUEUE_MAX_CALLS 512

int reply_queue_new(sd_event *event, Store *store, ReplyQueue **ret);
ReplyQueue *reply_queue_free(ReplyQueue *q);

/* Sends `reply` (the method return built for `call`), now or after the commit. */
int reply_queue_send(ReplyQueue *q, sd_bus_message *call, sd_bus_message *reply);
/* Builds the method return of `call` from `types` and the arguments, and sends it as above. */
int reply_queue_return(ReplyQueue *q, sd_bus_message *call, const char *types, ...);

/* Commits now and sends what waited; for shutdown. */
void reply_queue_flush(ReplyQueue *q);
