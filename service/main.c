/* SPDX-License-Identifier: MIT */

/* stored: the key-value service on the D-Bus system bus. main() owns the one Context. */

#include <signal.h>
#include <sys/resource.h>

#include "daemon.h"
#include "log.h"

int main(int argc, char *argv[]) {
        Context context = {};
        int r;

        config_init(&context.config);
        if (!context.config.database)
                return EXIT_FAILURE;

        r = config_parse_argv(&context.config, argc, argv);
        if (r <= 0) {
                config_done(&context.config);
                return r < 0 ? 2 : EXIT_SUCCESS;
        }
        log_set_max_level(context.config.log_level);
        /* A client that closes its end of a pipe we write to (Export, Backup) must cost an EPIPE on
         * that call, not the daemon. */
        signal(SIGPIPE, SIG_IGN);
        /* Every direct connection is a descriptor: take what the hard limit allows (sd-bus, SQLite and
         * sd-event use no select(), so a high limit is safe). */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
                nofile.rlim_cur = nofile.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &nofile);
        }

        r = daemon_run(&context);
        daemon_done(&context);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
