/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* Sets everything up from c->config and serves until told to stop. Returns 0 or a negative errno
 * (already logged). */
int daemon_run(Context *c);
/* Releases everything daemon_run() set up, whatever point it reached. */
void daemon_done(Context *c);

/* Puts every object of the store on `bus`: the system bus, or a direct connection. */
int daemon_export_objects(Context *c, sd_bus *bus);

/* Arms the expiry timer for the store's earliest deadline (or disarms it). */
void expiry_timer_rearm(Context *c);
