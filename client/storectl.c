/* SPDX-License-Identifier: MIT */

/* storectl: the command line of stored, in the manner of hostnamectl and dconf. Options may come
 * anywhere on the line; each verb is one function (verbs-*.c) listed in the table below with the
 * arguments and options it takes, so a new verb is one function and one line. */

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>

#include "bus-error.h"
#include "json.h"
#include "parse.h"
#include "storectl.h"

typedef struct Verb {
        const char *name;
        unsigned min_args, max_args; /* not counting the verb */
        VerbOption options;
        VerbFn fn;
} Verb;

#define DATA (OPTION_SCOPE)

static const Verb verbs[] = {
        { "get", 2, 2, DATA, verb_get },
        { "get-bytes", 2, 3, DATA, verb_get_bytes },
        { "set", 3, 3, DATA | OPTION_TTL, verb_set },
        { "set-bytes", 2, 3, DATA | OPTION_TTL, verb_set_bytes },
        { "delete", 2, 2, DATA, verb_delete },
        { "stat", 2, 2, DATA, verb_stat },
        { "list", 1, 1, DATA, verb_list },
        { "count", 0, 1, DATA | OPTION_PREFIX, verb_count },
        { "groups", 0, 1, DATA, verb_groups },
        { "delete-group", 1, 1, DATA, verb_delete_group },
        { "render", 1, 2, DATA | OPTION_FILE, verb_render },
        { "purge", 0, 0, DATA, verb_purge },
        { "watch", 0, 2, DATA | OPTION_WATCH, verb_watch },
        { "dump", 0, 1, DATA, verb_dump },
        { "load", 0, 1, DATA, verb_load },
        { "import-go-store", 1, 1, DATA, verb_import_go_store },
        { "namespaces", 0, 0, 0, verb_namespaces },
        { "quota", 0, 1, OPTION_SCOPE | OPTION_QUOTA, verb_quota },
        { "backup", 1, 1, 0, verb_backup },
};

static void help(void) {
        printf("storectl [OPTIONS...] COMMAND ...\n"
               "\n"
               "Read and change stored, the key-value store on the system bus.\n"
               "\n"
               "Entries:\n"
               "  get GROUP KEY               Print a text value\n"
               "  get-bytes GROUP KEY [FILE]  Write a value's bytes to FILE or standard output\n"
               "  set GROUP KEY VALUE         Set a text value (--ttl= makes it expire)\n"
               "  set-bytes GROUP KEY [FILE]  Set a value from FILE or standard input (--ttl=)\n"
               "  delete GROUP KEY            Delete a key\n"
               "  stat GROUP KEY              Show version, revision, modification and expiry\n"
               "\n"
               "Groups:\n"
               "  list GROUP                  Show a group's entries, sorted by key\n"
               "  count [GROUP]               Count live keys of a group, or of all (--prefix=)\n"
               "  groups [PREFIX]             List the groups (starting with PREFIX)\n"
               "  delete-group GROUP          Delete a group\n"
               "  render TEMPLATE GROUP       Render a Go text/template over a group's entries\n"
               "  render --file=FILE GROUP    ... with the template read from FILE\n"
               "  purge                       Remove expired entries now\n"
               "  watch [GROUP [KEY]]         Print each change as it happens (--type= filters,\n"
               "                              --replay prints the group first)\n"
               "\n"
               "Data:\n"
               "  dump [GROUP]                Write the entries as JSON Lines to standard output\n"
               "  load [FILE]                 Read entries in the dump format from FILE or stdin\n"
               "  import-go-store FILE        Import the live entries of a go-store database\n"
               "  backup FILE                 Write an SQLite image of the whole database\n"
               "\n"
               "Namespaces:\n"
               "  namespaces                  List the namespaces and what they hold\n"
               "  quota [NAME]                Show a namespace's quota and usage; set it with\n"
               "                              --max-keys= --max-groups= --max-bytes=\n"
               "\n"
               "Options:\n"
               "  -h --help                   Show this help\n"
               "     --version                Show the version\n"
               "  -n --namespace=NAME         Act on namespace NAME instead of the whole store\n"
               "     --self                   Act on your own namespace (uid-UID)\n"
               "     --address=ADDRESS        Use this D-Bus address instead of the system bus\n"
               "     --json                   Print one JSON document per command\n"
               "     --ttl=DURATION           Expire after DURATION: 30s, 5min, 1h 30min, 2d, 500ms\n"
               "     --file=FILE              The template of render (\"-\" = standard input)\n"
               "     --prefix=PREFIX          The group prefix of count\n"
               "     --type=TYPE              The changes watch prints: set, delete, delete_group, expire\n"
               "     --replay                 watch: print the group's entries first, then the changes\n"
               "     --max-keys=N --max-groups=N --max-bytes=SIZE\n"
               "                              A quota; 0 or \"unlimited\" = no limit, SIZE takes K/M/G\n"
               "\n"
               "Exit status: 0 success, 1 failure, 2 usage error, 4 not found. See storectl(1).\n");
}

int log_errorf(int r, const char *format, ...) {
        va_list ap;

        errno = r < 0 ? -r : 0; /* for %m */
        fputs("storectl: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
        return r;
}

int usage_error(const char *format, ...) {
        va_list ap;

        fputs("storectl: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputs("\nTry 'storectl --help'.\n", stderr);
        return EXIT_USAGE;
}

int ctl_bus_error(const char *what, int r) {
        return log_errorf(r, "%s: %s", what, strerror(-r));
}

int ctl_print_revision(Ctl *c, sd_bus_message *reply) {
        _cleanup_(json_done) Json j = {};
        uint64_t revision;
        int r;

        r = sd_bus_message_read(reply, "t", &revision);
        if (r < 0)
                return ctl_bus_error("Cannot read the reply", r);
        /* Quiet on success, as hostnamectl set-hostname; scripts that want the revision ask for JSON. */
        if (!c->json)
                return 0;
        json_object_begin(&j);
        json_key(&j, "revision");
        json_uint(&j, revision);
        json_object_end(&j);
        return json_print(&j);
}

int ctl_report_error(const char *method, const sd_bus_error *error, int r) {
        if (!sd_bus_error_is_set(error))
                return log_errorf(r, "%s failed: %s", method, strerror(-r));
        log_errorf(r, "%s failed: %s: %s", method, error->name, error->message ?: "");
        if (sd_bus_error_has_name(error, STORE_ERROR_NOT_FOUND))
                return -ENOKEY;
        r = sd_bus_error_get_errno(error);
        return r > 0 ? -r : -EIO;
}

int ctl_new_call(Ctl *c, const char *path, const char *interface, const char *method, sd_bus_message **ret) {
        int r = sd_bus_message_new_method_call(c->bus, ret, STORE_BUS_NAME, path ?: c->path, interface, method);
        return r < 0 ? ctl_bus_error("Cannot build a call", r) : 0;
}

int ctl_call_message(Ctl *c, sd_bus_message *m, uint64_t timeout_usec, sd_bus_message **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call(c->bus, m, timeout_usec, &error, ret);
        if (r < 0)
                return ctl_report_error(sd_bus_message_get_member(m), &error, r);
        return 0;
}

int ctl_call(Ctl *c, const char *path, const char *interface, const char *method, sd_bus_message **ret,
        const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = ctl_new_call(c, path, interface, method, &m);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return ctl_bus_error("Cannot build a call", r);
        }
        return ctl_call_message(c, m, 0, ret);
}

static int bus_open(Ctl *c) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        int r;

        if (!c->address) {
                /* sd-bus honors DBUS_SYSTEM_BUS_ADDRESS. */
                r = sd_bus_open_system(&bus);
                if (r < 0)
                        return ctl_bus_error("Cannot connect to the system bus", r);
        } else {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, c->address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, true);
                if (r >= 0)
                        r = sd_bus_negotiate_fds(bus, true);
                if (r >= 0)
                        r = sd_bus_start(bus);
                if (r < 0)
                        return log_errorf(r, "Cannot connect to the bus at %s: %s", c->address, strerror(-r));
        }
        c->bus = TAKE_PTR(bus);
        return 0;
}

int ctl_connect(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        if (c->bus)
                return 0;
        r = bus_open(c);
        if (r < 0)
                return r;

        if (c->self)
                path = STORE_SELF_PATH;
        else if (c->namespace_name) {
                /* The daemon validates the name and encodes it: one rule, in one place. */
                r = ctl_call(c, STORE_ROOT_PATH, STORE_MANAGER_IFACE, "GetNamespace", &reply, "s", c->namespace_name);
                if (r < 0)
                        return r;
                r = sd_bus_message_read(reply, "o", &path);
                if (r < 0)
                        return ctl_bus_error("Cannot read the reply", r);
        } else
                path = STORE_ROOT_PATH;
        c->path = strdup(path);
        return c->path ? 0 : -ENOMEM;
}

int read_file_full(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        size_t len = 0, size = 0;
        int in = STDIN_FILENO;

        if (path && !streq(path, "-")) {
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return log_errorf(-errno, "Cannot open %s: %m", path);
                in = fd;
        }
        for (;;) {
                ssize_t k;

                if (size - len < 65536) {
                        char *d = realloc(data, size + 65536 + 1);
                        if (!d)
                                return log_errorf(-ENOMEM, "Out of memory");
                        data = d;
                        size += 65536;
                }
                k = read(in, data + len, size - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return log_errorf(-errno, "Cannot read %s: %m", fd >= 0 ? path : "standard input");
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        data[len] = 0;
        *ret = TAKE_PTR(data);
        *ret_len = len;
        return 0;
}

/* ---- the command line ---- */

enum {
        ARG_VERSION = 0x100,
        ARG_SELF,
        ARG_ADDRESS,
        ARG_JSON,
        ARG_TTL,
        ARG_FILE,
        ARG_PREFIX,
        ARG_MAX_KEYS,
        ARG_MAX_GROUPS,
        ARG_MAX_BYTES,
        ARG_TYPE,
        ARG_REPLAY,
};

static const char *option_name(VerbOption o) {
        switch (o) {
        case OPTION_TTL: return "--ttl=";
        case OPTION_FILE: return "--file=";
        case OPTION_PREFIX: return "--prefix=";
        case OPTION_QUOTA: return "--max-keys=, --max-groups= and --max-bytes=";
        case OPTION_SCOPE: return "--namespace= and --self";
        case OPTION_WATCH: return "--type= and --replay";
        }
        return "?";
}

/* Returns 1 to go on, 0 to exit successfully (--help, --version), or an exit status. */
static int parse_argv(Ctl *c, int argc, char *argv[], VerbOption *ret_given) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "namespace", required_argument, NULL, 'n' },
                { "self", no_argument, NULL, ARG_SELF },
                { "address", required_argument, NULL, ARG_ADDRESS },
                { "json", no_argument, NULL, ARG_JSON },
                { "ttl", required_argument, NULL, ARG_TTL },
                { "file", required_argument, NULL, ARG_FILE },
                { "prefix", required_argument, NULL, ARG_PREFIX },
                { "max-keys", required_argument, NULL, ARG_MAX_KEYS },
                { "max-groups", required_argument, NULL, ARG_MAX_GROUPS },
                { "max-bytes", required_argument, NULL, ARG_MAX_BYTES },
                { "type", required_argument, NULL, ARG_TYPE },
                { "replay", no_argument, NULL, ARG_REPLAY },
                {},
        };
        VerbOption given = 0;
        int opt, r;

        /* GNU getopt moves the options to the front, so they may come anywhere; "--" ends them. */
        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":hn:", options, NULL)) >= 0)
                switch (opt) {
                case 'h': help(); return 0;
                case ARG_VERSION: printf("storectl %s\n", STORED_VERSION); return 0;
                case 'n':
                        c->namespace_name = optarg;
                        given |= OPTION_SCOPE;
                        break;
                case ARG_SELF:
                        c->self = true;
                        given |= OPTION_SCOPE;
                        break;
                case ARG_ADDRESS: c->address = optarg; break;
                case ARG_JSON: c->json = true; break;
                case ARG_TTL:
                        r = parse_duration(optarg, &c->ttl_usec);
                        if (r < 0)
                                return usage_error("Invalid duration for --ttl=: %s (try 30s, 5min, 1h 30min, 2d)",
                                        optarg);
                        if (c->ttl_usec == 0)
                                return usage_error("--ttl= must be above 0; leave it out for a key that never expires");
                        given |= OPTION_TTL;
                        break;
                case ARG_FILE:
                        c->file = optarg;
                        given |= OPTION_FILE;
                        break;
                case ARG_PREFIX:
                        c->prefix = optarg;
                        given |= OPTION_PREFIX;
                        break;
                case ARG_MAX_KEYS:
                case ARG_MAX_GROUPS:
                        r = parse_count(optarg, opt == ARG_MAX_KEYS ? &c->max_keys : &c->max_groups);
                        if (r < 0)
                                return usage_error("Invalid number for %s: %s", argv[optind - 1], optarg);
                        *(opt == ARG_MAX_KEYS ? &c->set_max_keys : &c->set_max_groups) = true;
                        given |= OPTION_QUOTA;
                        break;
                case ARG_MAX_BYTES:
                        r = parse_size(optarg, &c->max_bytes);
                        if (r < 0)
                                return usage_error("Invalid size for --max-bytes=: %s (try 64M, 1G)", optarg);
                        c->set_max_bytes = true;
                        given |= OPTION_QUOTA;
                        break;
                case ARG_TYPE:
                        if (!streq(optarg, "set") && !streq(optarg, "delete") && !streq(optarg, "delete_group") &&
                                !streq(optarg, "expire"))
                                return usage_error("Invalid --type=%s: one of set, delete, delete_group, expire",
                                        optarg);
                        c->event_type = optarg;
                        given |= OPTION_WATCH;
                        break;
                case ARG_REPLAY:
                        c->replay = true;
                        given |= OPTION_WATCH;
                        break;
                case '?':
                        if (optopt > 0 && optopt < 0x100)
                                return usage_error("Unknown option -%c", optopt);
                        return usage_error("Unknown option %s", argv[optind - 1]);
                case ':': return usage_error("Option %s needs an argument", argv[optind - 1]);
                }
        if (c->namespace_name && c->self)
                return usage_error("--namespace= and --self both pick the object; give one");
        *ret_given = given;
        return 1;
}

static int dispatch(Ctl *c, int argc, char *argv[], VerbOption given) {
        const Verb *verb = NULL;
        unsigned n;

        if (argc <= optind)
                return usage_error("Missing command");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, argv[optind]))
                        verb = &verbs[i];
        if (!verb)
                return usage_error("Unknown command \"%s\"", argv[optind]);

        n = (unsigned)(argc - optind - 1);
        if (n < verb->min_args)
                return usage_error("Too few arguments for %s", verb->name);
        if (n > verb->max_args)
                return usage_error("Too many arguments for %s", verb->name);
        for (VerbOption o = 1; o <= _OPTION_LAST; o <<= 1)
                if ((given & o) && !(verb->options & o))
                        return usage_error("%s do%s not apply to %s", option_name(o),
                                o == OPTION_QUOTA || o == OPTION_SCOPE || o == OPTION_WATCH ? "" : "es", verb->name);

        return verb->fn(c, argc - optind, argv + optind);
}

int main(int argc, char *argv[]) {
        Ctl c = {};
        VerbOption given = 0;
        int r;

        /* A reader that goes away (storectl dump | head) is an EPIPE to handle, not a signal. */
        signal(SIGPIPE, SIG_IGN);
        (void)sd_bus_error_add_map(store_bus_error_map);

        r = parse_argv(&c, argc, argv, &given);
        if (r <= 0)
                return EXIT_SUCCESS;
        if (r > 1)
                return r;

        r = dispatch(&c, argc, argv, given);
        if (fflush(stdout) != 0 && r == 0)
                r = log_errorf(-errno, "Cannot write the output: %m");
        sd_bus_flush_close_unref(c.bus);
        free(c.path);
        if (r == -ENOKEY)
                return EXIT_NOT_FOUND;
        if (r < 0)
                return EXIT_FAILURE;
        return r;
}

int write_all(int fd, const void *p, size_t n) {
        const char *s = p;

        while (n > 0) {
                ssize_t k = write(fd, s, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                s += k;
                n -= (size_t)k;
        }
        return 0;
}

uint64_t clock_usec(clockid_t clock) {
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}
