/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>

#include "config.h"
#include "log.h"

void config_init(Config *c) {
        *c = (Config){
                .database = strdup(CONFIG_DEFAULT_DATABASE),
                .direct_socket = strdup(CONFIG_DEFAULT_DIRECT_SOCKET),
                .durability = BACKEND_DURABILITY_FULL,
                .limits = {
                        .max_key_bytes = STORE_DEFAULT_MAX_KEY_BYTES,
                        .max_group_bytes = STORE_DEFAULT_MAX_GROUP_BYTES,
                        .max_value_bytes = STORE_DEFAULT_MAX_VALUE_BYTES,
                },
                .default_max_keys = 10000,
                .default_max_groups = 1000,
                .default_max_bytes = 64U * 1024U * 1024U,
                .personal_namespaces = true,
                .render = {
                        .max_template_bytes = TEMPLATE_DEFAULT_MAX_TEMPLATE_BYTES,
                        .max_output_bytes = TEMPLATE_DEFAULT_MAX_OUTPUT_BYTES,
                        .max_depth = TEMPLATE_DEFAULT_MAX_DEPTH,
                        .max_steps = TEMPLATE_DEFAULT_MAX_STEPS,
                },
                .events = {
                        .max_subscriptions_per_connection = 1024,
                        .max_unread_messages = 4096,
                        .max_unread_bytes = 16U * 1024U * 1024U,
                },
                .log_level = LOG_INFO,
                .on_corruption = CONFIG_ON_CORRUPTION_MOVE_ASIDE,
        };
}

void config_done(Config *c) {
        free(c->database);
        c->database = NULL;
        free(c->direct_socket);
        c->direct_socket = NULL;
}

/* ---- value parsers: 0 or -EINVAL/-ERANGE ---- */

/* A count or a size: decimal digits with an optional binary suffix K, M or G. */
static int parse_size(const char *s, uint64_t *ret) {
        uint64_t v = 0, unit = 1;
        const char *p = s;

        if (!isdigit((unsigned char)*p))
                return -EINVAL;
        for (; isdigit((unsigned char)*p); p++) {
                if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        switch (*p) {
        case 0: break;
        case 'K':
                unit = 1024ULL;
                p++;
                break;
        case 'M':
                unit = 1024ULL * 1024;
                p++;
                break;
        case 'G':
                unit = 1024ULL * 1024 * 1024;
                p++;
                break;
        default: return -EINVAL;
        }
        if (*p != 0)
                return -EINVAL;
        if (v > UINT64_MAX / unit)
                return -ERANGE;
        *ret = v * unit;
        return 0;
}

static int parse_limit(const char *s, size_t *ret) {
        uint64_t v;
        int r = parse_size(s, &v);
        if (r < 0)
                return r;
        /* A name or value must fit in a D-Bus message (128 MiB at most). */
        if (v == 0 || v > 128ULL * 1024 * 1024)
                return -ERANGE;
        *ret = (size_t)v;
        return 0;
}

static int parse_depth(const char *s, unsigned *ret) {
        uint64_t v;
        int r = parse_size(s, &v);
        if (r < 0)
                return r;
        if (v == 0 || v > TEMPLATE_MAX_DEPTH_CEILING) /* deeper would risk the stack */
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}

static int parse_positive(const char *s, uint64_t *ret) {
        int r = parse_size(s, ret);
        if (r < 0)
                return r;
        return *ret == 0 ? -ERANGE : 0;
}

static int parse_bool(const char *s, bool *ret) {
        if (streq(s, "yes") || streq(s, "true") || streq(s, "on") || streq(s, "1"))
                *ret = true;
        else if (streq(s, "no") || streq(s, "false") || streq(s, "off") || streq(s, "0"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

static int parse_durability(const char *s, BackendDurability *ret) {
        if (streq(s, "full"))
                *ret = BACKEND_DURABILITY_FULL;
        else if (streq(s, "normal"))
                *ret = BACKEND_DURABILITY_NORMAL;
        else
                return -EINVAL;
        return 0;
}

static int parse_log_level(const char *s, int *ret) {
        int l = log_level_from_string(s);
        if (l < 0)
                return l;
        *ret = l;
        return 0;
}

static int parse_on_corruption(const char *s, ConfigOnCorruption *ret) {
        if (streq(s, "move-aside"))
                *ret = CONFIG_ON_CORRUPTION_MOVE_ASIDE;
        else if (streq(s, "refuse"))
                *ret = CONFIG_ON_CORRUPTION_REFUSE;
        else
                return -EINVAL;
        return 0;
}

static int set_string(const char *s, char **ret) {
        char *d;

        if (!*s)
                return -EINVAL;
        d = strdup(s);
        if (!d)
                return -ENOMEM;
        free(*ret);
        *ret = d;
        return 0;
}

/* ---- one table for the file and the command line ---- */

typedef enum Setting {
        SETTING_DATABASE,
        SETTING_DURABILITY,
        SETTING_MAX_KEY_BYTES,
        SETTING_MAX_GROUP_BYTES,
        SETTING_MAX_VALUE_BYTES,
        SETTING_PERSONAL_NAMESPACES,
        SETTING_DEFAULT_MAX_KEYS,
        SETTING_DEFAULT_MAX_GROUPS,
        SETTING_DEFAULT_MAX_BYTES,
        SETTING_RENDER_MAX_TEMPLATE_BYTES,
        SETTING_RENDER_MAX_OUTPUT_BYTES,
        SETTING_RENDER_MAX_DEPTH,
        SETTING_RENDER_MAX_STEPS,
        SETTING_EVENTS_MAX_SUBSCRIPTIONS,
        SETTING_EVENTS_MAX_UNREAD_SIGNALS,
        SETTING_EVENTS_MAX_UNREAD_BYTES,
        SETTING_DIRECT_SOCKET,
        SETTING_LOG_LEVEL,
        SETTING_ON_CORRUPTION,
        _SETTING_MAX,
} Setting;

static const struct {
        const char *section, *key, *option, *expect;
} settings[_SETTING_MAX] = {
        [SETTING_DATABASE] = { "Store", "Database", "database", "a path or :memory:" },
        [SETTING_DURABILITY] = { "Store", "Durability", "durability", "full or normal" },
        [SETTING_MAX_KEY_BYTES] = { "Store", "MaxKeyBytes", "max-key-bytes", "a size from 1 to 128M" },
        [SETTING_MAX_GROUP_BYTES] = { "Store", "MaxGroupBytes", "max-group-bytes", "a size from 1 to 128M" },
        [SETTING_MAX_VALUE_BYTES] = { "Store", "MaxValueBytes", "max-value-bytes", "a size from 1 to 128M" },
        [SETTING_PERSONAL_NAMESPACES] = { "Namespaces", "PersonalNamespaces", "personal-namespaces", "yes or no" },
        [SETTING_DEFAULT_MAX_KEYS] = { "Namespaces", "DefaultMaxKeys", "default-max-keys", "a count (0 = unlimited)" },
        [SETTING_DEFAULT_MAX_GROUPS] = { "Namespaces", "DefaultMaxGroups", "default-max-groups",
                "a count (0 = unlimited)" },
        [SETTING_DEFAULT_MAX_BYTES] = { "Namespaces", "DefaultMaxBytes", "default-max-bytes",
                "a size (0 = unlimited)" },
        [SETTING_RENDER_MAX_TEMPLATE_BYTES] = { "Render", "MaxTemplateBytes", "render-max-template-bytes",
                "a size from 1 to 128M" },
        [SETTING_RENDER_MAX_OUTPUT_BYTES] = { "Render", "MaxOutputBytes", "render-max-output-bytes",
                "a size from 1 to 128M" },
        [SETTING_RENDER_MAX_DEPTH] = { "Render", "MaxDepth", "render-max-depth", "a number from 1 to 1000" },
        [SETTING_RENDER_MAX_STEPS] = { "Render", "MaxSteps", "render-max-steps", "a number above 0" },
        [SETTING_EVENTS_MAX_SUBSCRIPTIONS] = { "Events", "MaxSubscriptionsPerConnection",
                "max-subscriptions-per-connection", "a number above 0" },
        [SETTING_EVENTS_MAX_UNREAD_SIGNALS] = { "Events", "MaxUnreadSignals", "max-unread-signals",
                "a number above 0" },
        [SETTING_EVENTS_MAX_UNREAD_BYTES] = { "Events", "MaxUnreadBytes", "max-unread-bytes", "a size above 0" },
        [SETTING_DIRECT_SOCKET] = { "Daemon", "DirectSocket", "direct-socket", "a socket path, or empty for none" },
        [SETTING_LOG_LEVEL] = { "Daemon", "LogLevel", "log-level", "err, warning, notice, info or debug" },
        [SETTING_ON_CORRUPTION] = { "Store", "OnCorruption", "on-corruption", "move-aside or refuse" },
};

static int config_set(Config *c, Setting setting, const char *value) {
        switch (setting) {
        case SETTING_DATABASE: return set_string(value, &c->database);
        case SETTING_DURABILITY: return parse_durability(value, &c->durability);
        case SETTING_MAX_KEY_BYTES: return parse_limit(value, &c->limits.max_key_bytes);
        case SETTING_MAX_GROUP_BYTES: return parse_limit(value, &c->limits.max_group_bytes);
        case SETTING_MAX_VALUE_BYTES: return parse_limit(value, &c->limits.max_value_bytes);
        case SETTING_PERSONAL_NAMESPACES: return parse_bool(value, &c->personal_namespaces);
        case SETTING_DEFAULT_MAX_KEYS: return parse_size(value, &c->default_max_keys);
        case SETTING_DEFAULT_MAX_GROUPS: return parse_size(value, &c->default_max_groups);
        case SETTING_DEFAULT_MAX_BYTES: return parse_size(value, &c->default_max_bytes);
        case SETTING_RENDER_MAX_TEMPLATE_BYTES: return parse_limit(value, &c->render.max_template_bytes);
        case SETTING_RENDER_MAX_OUTPUT_BYTES: return parse_limit(value, &c->render.max_output_bytes);
        case SETTING_RENDER_MAX_DEPTH: return parse_depth(value, &c->render.max_depth);
        case SETTING_RENDER_MAX_STEPS: return parse_positive(value, &c->render.max_steps);
        case SETTING_EVENTS_MAX_SUBSCRIPTIONS: {
                uint64_t v;
                int r = parse_positive(value, &v);
                if (r >= 0 && v > UINT32_MAX)
                        r = -ERANGE;
                if (r >= 0)
                        c->events.max_subscriptions_per_connection = (unsigned)v;
                return r;
        }
        case SETTING_EVENTS_MAX_UNREAD_SIGNALS: return parse_positive(value, &c->events.max_unread_messages);
        case SETTING_EVENTS_MAX_UNREAD_BYTES: return parse_positive(value, &c->events.max_unread_bytes);
        case SETTING_DIRECT_SOCKET: {
                char *d = strdup(value);
                if (!d)
                        return -ENOMEM;
                free(c->direct_socket);
                c->direct_socket = d;
                return 0;
        }
        case SETTING_LOG_LEVEL: return parse_log_level(value, &c->log_level);
        case SETTING_ON_CORRUPTION: return parse_on_corruption(value, &c->on_corruption);
        default: return -EINVAL;
        }
}

static char *strip(char *s) {
        char *e;

        while (isspace((unsigned char)*s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
                *--e = 0;
        return s;
}

static int fail(char **ret_message, int r, const char *format, ...) _printf_(3, 4);
static int fail(char **ret_message, int r, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        if (vasprintf(ret_message, format, ap) < 0)
                *ret_message = NULL;
        va_end(ap);
        return r;
}

int config_load_file(Config *c, const char *path, bool must_exist, char **ret_message) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL, *section = NULL;
        size_t line_size = 0;
        unsigned line_no = 0;

        *ret_message = NULL;
        f = fopen(path, "re");
        if (!f) {
                if (errno == ENOENT && !must_exist)
                        return 0;
                return fail(ret_message, -errno, "Cannot read configuration %s: %s", path, strerror(errno));
        }

        while (getline(&line, &line_size, f) >= 0) {
                char *l = strip(line), *eq, *key, *value;
                Setting s;
                int r;

                line_no++;
                if (*l == 0 || *l == '#' || *l == ';')
                        continue;
                if (*l == '[') {
                        char *end = strchr(l, ']');
                        if (!end || end[1] != 0)
                                return fail(ret_message, -EINVAL, "%s:%u: malformed section header: %s", path, line_no,
                                        l);
                        free(section);
                        section = strndup(l + 1, (size_t)(end - l - 1));
                        if (!section)
                                return -ENOMEM;
                        continue;
                }
                eq = strchr(l, '=');
                if (!eq)
                        return fail(ret_message, -EINVAL, "%s:%u: expected KEY=VALUE, got: %s", path, line_no, l);
                *eq = 0;
                key = strip(l);
                value = strip(eq + 1);
                if (!section)
                        return fail(ret_message, -EINVAL, "%s:%u: key %s is outside any [section]", path, line_no, key);

                for (s = 0; s < _SETTING_MAX; s++)
                        if (streq(settings[s].section, section) && streq(settings[s].key, key))
                                break;
                if (s == _SETTING_MAX)
                        return fail(ret_message, -EINVAL, "%s:%u: unknown key %s in section [%s]", path, line_no, key,
                                section);
                r = config_set(c, s, value);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return fail(ret_message, r, "%s:%u: bad value for %s: \"%s\" (expected %s)", path, line_no, key,
                                value, settings[s].expect);
        }
        if (ferror(f))
                return fail(ret_message, -EIO, "Cannot read configuration %s", path);
        return 0;
}

static void help(const char *program) {
        printf("%s [OPTIONS…]\n\n"
               "The stored key-value service on the D-Bus system bus.\n\n"
               "  -h --help                       Show this help\n"
               "     --version                    Show the version\n"
               "     --config=FILE                Read settings from FILE (default " CONFIG_DEFAULT_PATH ")\n"
               "     --database=PATH|:memory:     Database file (default " CONFIG_DEFAULT_DATABASE ")\n"
               "     --durability=full|normal     Survive power loss (full) or a daemon crash (normal)\n"
               "     --on-corruption=move-aside|refuse\n"
               "                                  A damaged database at start: move it aside and start\n"
               "                                  afresh, or refuse to start\n"
               "     --default-max-keys=N         Quota of a namespace without its own (0 = unlimited)\n"
               "     --default-max-groups=N\n"
               "     --default-max-bytes=SIZE\n"
               "     --max-key-bytes=SIZE         Size limits of a key, a group name and a value\n"
               "     --max-group-bytes=SIZE\n"
               "     --max-value-bytes=SIZE\n"
               "     --personal-namespaces=yes|no Serve each uid its own namespace uid-UID\n"
               "     --render-max-template-bytes=SIZE  Limits of Render: template size, output size,\n"
               "     --render-max-output-bytes=SIZE    nesting depth, and work (steps)\n"
               "     --render-max-depth=N\n"
               "     --render-max-steps=N\n"
               "     --max-subscriptions-per-connection=N\n"
               "     --max-unread-signals=N       A subscriber further behind than this loses its\n"
               "     --max-unread-bytes=SIZE      subscriptions, with a last Overflow signal\n"
               "     --direct-socket=PATH         Also serve peer-to-peer D-Bus on this unix socket\n"
               "                                  (default " CONFIG_DEFAULT_DIRECT_SOCKET "; empty for none)\n"
               "     --log-level=LEVEL            err, warning, notice, info or debug\n\n"
               "SIZE is a number of bytes with an optional K, M or G suffix (powers of 1024).\n"
               "The bus is the system bus; DBUS_SYSTEM_BUS_ADDRESS overrides where it is.\n",
                program);
}

enum { ARG_VERSION = 0x100, ARG_CONFIG, ARG_SETTING };

/* getopt_long reports settings as ARG_SETTING + the Setting. */
static void build_options(struct option *o) {
        size_t n = 0;

        o[n++] = (struct option){ "help", no_argument, NULL, 'h' };
        o[n++] = (struct option){ "version", no_argument, NULL, ARG_VERSION };
        o[n++] = (struct option){ "config", required_argument, NULL, ARG_CONFIG };
        for (Setting s = 0; s < _SETTING_MAX; s++)
                o[n++] = (struct option){ settings[s].option, required_argument, NULL, ARG_SETTING + (int)s };
        o[n] = (struct option){};
}

int config_parse_argv(Config *c, int argc, char *argv[]) {
        struct option options[_SETTING_MAX + 4];
        const char *config_path = NULL;
        _cleanup_free_ char *message = NULL;
        int opt, r;

        build_options(options);

        /* First pass: what decides where the settings come from. */
        optind = 1;
        opterr = 1;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (opt) {
                case 'h': help(argv[0]); return 0;
                case ARG_VERSION: printf("stored %s\n", STORED_VERSION); return 0;
                case ARG_CONFIG: config_path = optarg; break;
                case '?': return -EINVAL;
                default: break;
                }
        if (optind < argc) {
                fprintf(stderr, "%s: unexpected argument: %s\n", argv[0], argv[optind]);
                return -EINVAL;
        }

        r = config_load_file(c, config_path ?: CONFIG_DEFAULT_PATH, config_path != NULL, &message);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", argv[0], message ?: strerror(-r));
                return r;
        }

        /* Second pass: the command line overrides the file. */
        optind = 1;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                if (opt < ARG_SETTING)
                        continue;
                Setting s = (Setting)(opt - ARG_SETTING);
                r = config_set(c, s, optarg);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        fprintf(stderr, "%s: bad value for --%s: \"%s\" (expected %s)\n", argv[0], settings[s].option,
                                optarg, settings[s].expect);
                        return r;
                }
        }
        return 1;
}
