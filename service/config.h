/* SPDX-License-Identifier: MIT */
#pragma once

/* The daemon's settings: built-in defaults, then /etc/stored/stored.conf (or --config=), then the
 * command line. The defaults here are the documentation (see stored.conf.example). */

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "store.h"

#define CONFIG_DEFAULT_PATH          "/etc/stored/stored.conf"
#define CONFIG_DEFAULT_DATABASE      "/var/lib/stored/store.db"
#define CONFIG_DEFAULT_DIRECT_SOCKET "/run/stored/private"

/* What to do with a database found damaged at start-up (OnCorruption=). */
typedef enum ConfigOnCorruption {
        CONFIG_ON_CORRUPTION_MOVE_ASIDE, /* rename it to <path>.corrupt-<time>, start on a fresh file */
        CONFIG_ON_CORRUPTION_REFUSE, /* do not start; an administrator decides */
} ConfigOnCorruption;

typedef struct Config {
        char *database;
        BackendDurability durability;
        StoreLimits limits;
        uint64_t default_max_keys;
        uint64_t default_max_groups;
        uint64_t default_max_bytes;
        bool personal_namespaces;
        StoreRenderLimits render;
        EventsLimits events;
        char *direct_socket; /* "" = none */
        int log_level;
        ConfigOnCorruption on_corruption;
} Config;

void config_init(Config *c);
void config_done(Config *c);

/* Reads an INI file. A missing file is fine unless `must_exist`. Unknown sections or keys and bad
 * values are errors whose message names the file, the line and the key. */
int config_load_file(Config *c, const char *path, bool must_exist, char **ret_message);

/* Parses the command line over what is already in `c`. Returns 1 if the daemon should run, 0 if it
 * should exit successfully (--help, --version), negative on a usage error (message printed). */
int config_parse_argv(Config *c, int argc, char *argv[]);
