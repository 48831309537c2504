/* SPDX-License-Identifier: MIT */
#pragma once

/* Direct connections for heavy local clients, as systemd offers /run/systemd/private: a unix socket
 * of the daemon's own where clients speak peer-to-peer D-Bus with the same objects, without the bus
 * daemon in between (about a third of the latency). Callers are authorized by the socket's peer
 * credentials (caller.h). */

#include "context.h"

typedef struct DirectServer DirectServer;

/* Listens on `path` (replacing a stale socket there). */
int direct_server_new(Context *c, const char *path, DirectServer **ret);
DirectServer *direct_server_free(DirectServer *d);
