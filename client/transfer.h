/* SPDX-License-Identifier: MIT */
#pragma once

/* Calls that move data through a pipe (Export, Import, Backup): storectl makes a pipe for each, so
 * the daemon never shares a file description with anything else of ours, and keeps the other end. */

#include "store-dump-format.h"
#include "storectl.h"

/* Calls `method` on `path` with the write end of a pipe and reads what the daemon writes into `out`
 * (or to `out_fd` if it is not negative) until the daemon closes it; then waits for the reply. The
 * caller uses the data only if this succeeds: the daemon may fail after writing some. */
int transfer_receive(Ctl *c, const char *path, const char *interface, const char *method, DumpBuffer *out, int out_fd,
        sd_bus_message **ret_reply);

/* Calls Import on `path` with the read end of a pipe and writes `data` (dump lines) into it. On a
 * terminal, stderr shows how far it got (`verb`: "Loading", "Importing"); piped, it stays silent. */
int transfer_send(Ctl *c, const char *path, const char *data, size_t len, const char *verb, sd_bus_message **ret_reply);
