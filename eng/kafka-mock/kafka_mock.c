/*
 * kafka_mock: standalone host process for librdkafka's in-memory mock Kafka
 * cluster (rdkafka_mock.h), used by the integration tests on machines without
 * a Kafka broker / Docker engine. Built and started by eng/brokers.sh.
 *
 *   kafka_mock [--brokers N] [--control-port P] [--rebalance-delay-ms MS]
 *              [--consumer-heartbeat-ms MS] [--consumer-session-timeout-ms MS]
 *              [--ready-file PATH]
 *
 * On start-up it prints (stdout, one per line, flushed):
 *   BOOTSTRAP=127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3
 *   CONTROL=127.0.0.1:pc
 * and, if --ready-file is given, atomically writes the same two lines there.
 *
 * Control port: line-based TCP protocol on 127.0.0.1, one command per line,
 * each answered with one line "ok[ <data>]" or "err <reason>":
 *   ping                               -> ok
 *   bootstraps                         -> ok <bootstrap list>
 *   topic <name> <partitions> [rf]     -> create topic (err TOPIC_ALREADY_EXISTS ...)
 *   delete-topic <name>                -> delete topic
 *   down <brokerId|-1>                 -> close broker's connections, refuse new ones
 *   up <brokerId|-1>                   -> accept connections again
 *   rtt <brokerId|-1> <ms>             -> simulated round-trip latency
 *   rebalance-delay <ms>               -> group.initial.rebalance.delay.ms (classic protocol)
 *   consumer-heartbeat <ms>            -> heartbeat interval for group.protocol=consumer
 *   consumer-session-timeout <ms>      -> session timeout for group.protocol=consumer
 *   help                               -> ok <command list>
 *   quit                               -> closes this connection
 * Runs until SIGTERM / SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_CLIENTS 64
#define LINE_MAX_LEN 1024

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static void logmsg(const char *fmt, ...) {
        char ts[32];
        time_t now = time(NULL);
        struct tm tm;
        va_list ap;

        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "%s kafka_mock: ", ts);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        fflush(stderr);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
        (void)rk;
        logmsg("rdkafka %d %s: %s", level, fac, buf);
}

struct client {
        int fd;
        size_t len;
        char buf[LINE_MAX_LEN];
};

static rd_kafka_mock_cluster_t *mcluster;
static int broker_cnt = 3;

static int parse_int(const char *s, long min, long max, long *out) {
        char *end;
        long v;

        if (!s || !*s)
                return -1;
        errno = 0;
        v     = strtol(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

static void reply_err(char *out, size_t outsz, rd_kafka_resp_err_t err) {
        snprintf(out, outsz, "err %s: %s", rd_kafka_err2name(err),
                 rd_kafka_err2str(err));
}

/* Executes one command line; writes the one-line answer (without newline)
 * into out. Returns 1 if the connection should be closed afterwards. */
static int run_command(char *line, char *out, size_t outsz) {
        char *argv[8];
        int argc = 0;
        char *save = NULL;
        char *tok;
        long a, b;
        rd_kafka_resp_err_t err;

        for (tok = strtok_r(line, " \t\r", &save); tok && argc < 8;
             tok = strtok_r(NULL, " \t\r", &save))
                argv[argc++] = tok;

        if (argc == 0) {
                snprintf(out, outsz, "err empty command");
                return 0;
        }

        if (!strcmp(argv[0], "ping")) {
                snprintf(out, outsz, "ok");
        } else if (!strcmp(argv[0], "bootstraps")) {
                snprintf(out, outsz, "ok %s",
                         rd_kafka_mock_cluster_bootstraps(mcluster));
        } else if (!strcmp(argv[0], "topic")) {
                long rf = broker_cnt < 3 ? broker_cnt : 3;
                if (argc < 3 || argc > 4 ||
                    parse_int(argv[2], 1, 100000, &a) ||
                    (argc == 4 && parse_int(argv[3], 1, broker_cnt, &rf))) {
                        snprintf(out, outsz,
                                 "err usage: topic <name> <partitions> "
                                 "[replication-factor<=%d]",
                                 broker_cnt);
                        return 0;
                }
                err = rd_kafka_mock_topic_create(mcluster, argv[1], (int)a,
                                                 (int)rf);
                if (err)
                        reply_err(out, outsz, err);
                else
                        snprintf(out, outsz, "ok");
        } else if (!strcmp(argv[0], "delete-topic")) {
                if (argc != 2) {
                        snprintf(out, outsz, "err usage: delete-topic <name>");
                        return 0;
                }
                err = rd_kafka_mock_topic_delete(mcluster, argv[1]);
                if (err)
                        reply_err(out, outsz, err);
                else
                        snprintf(out, outsz, "ok");
        } else if (!strcmp(argv[0], "down") || !strcmp(argv[0], "up")) {
                if (argc != 2 || parse_int(argv[1], -1, 1000000, &a)) {
                        snprintf(out, outsz, "err usage: %s <brokerId|-1>",
                                 argv[0]);
                        return 0;
                }
                err = !strcmp(argv[0], "down")
                          ? rd_kafka_mock_broker_set_down(mcluster, (int32_t)a)
                          : rd_kafka_mock_broker_set_up(mcluster, (int32_t)a);
                if (err)
                        reply_err(out, outsz, err);
                else
                        snprintf(out, outsz, "ok");
        } else if (!strcmp(argv[0], "rtt")) {
                if (argc != 3 || parse_int(argv[1], -1, 1000000, &a) ||
                    parse_int(argv[2], 0, 3600000, &b)) {
                        snprintf(out, outsz,
                                 "err usage: rtt <brokerId|-1> <ms>");
                        return 0;
                }
                err = rd_kafka_mock_broker_set_rtt(mcluster, (int32_t)a,
                                                   (int)b);
                if (err)
                        reply_err(out, outsz, err);
                else
                        snprintf(out, outsz, "ok");
        } else if (!strcmp(argv[0], "rebalance-delay")) {
                if (argc != 2 || parse_int(argv[1], 0, 3600000, &a)) {
                        snprintf(out, outsz, "err usage: rebalance-delay <ms>");
                        return 0;
                }
                rd_kafka_mock_group_initial_rebalance_delay_ms(mcluster,
                                                               (int32_t)a);
                snprintf(out, outsz, "ok");
        } else if (!strcmp(argv[0], "consumer-heartbeat") ||
                   !strcmp(argv[0], "consumer-session-timeout")) {
                if (argc != 2 || parse_int(argv[1], 1, 3600000, &a)) {
                        snprintf(out, outsz, "err usage: %s <ms>", argv[0]);
                        return 0;
                }
                if (!strcmp(argv[0], "consumer-heartbeat"))
                        rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(
                            mcluster, (int)a);
                else
                        rd_kafka_mock_set_group_consumer_session_timeout_ms(
                            mcluster, (int)a);
                snprintf(out, outsz, "ok");
        } else if (!strcmp(argv[0], "help")) {
                snprintf(out, outsz,
                         "ok ping | bootstraps | topic <name> <partitions> "
                         "[rf] | delete-topic <name> | down <id|-1> | "
                         "up <id|-1> | rtt <id|-1> <ms> | "
                         "rebalance-delay <ms> | consumer-heartbeat <ms> | "
                         "consumer-session-timeout <ms> | quit");
        } else if (!strcmp(argv[0], "quit")) {
                snprintf(out, outsz, "ok bye");
                return 1;
        } else {
                snprintf(out, outsz, "err unknown command '%s' (try help)",
                         argv[0]);
        }
        return 0;
}

static int write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t r = send(fd, buf, len, MSG_NOSIGNAL);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                buf += r;
                len -= (size_t)r;
        }
        return 0;
}

/* Reads available data from a client and answers each complete line.
 * Returns -1 if the client must be dropped. */
static int serve_client(struct client *c) {
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        char *nl;

        if (r < 0)
                return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
        if (r == 0)
                return -1;
        c->len += (size_t)r;

        while ((nl = memchr(c->buf, '\n', c->len))) {
                char line[LINE_MAX_LEN];
                char out[LINE_MAX_LEN + 256];
                size_t linelen = (size_t)(nl - c->buf);
                int close_after;

                memcpy(line, c->buf, linelen);
                line[linelen] = '\0';
                memmove(c->buf, nl + 1, c->len - linelen - 1);
                c->len -= linelen + 1;

                close_after = run_command(line, out, sizeof(out) - 1);
                strcat(out, "\n");
                if (write_all(c->fd, out, strlen(out)) || close_after)
                        return -1;
        }

        if (c->len == sizeof(c->buf)) {
                const char *msg = "err line too long\n";
                write_all(c->fd, msg, strlen(msg));
                return -1;
        }
        return 0;
}

static int open_control(int port, int *actual_port) {
        struct sockaddr_in sin;
        socklen_t sl = sizeof(sin);
        int on       = 1;
        int fd       = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        memset(&sin, 0, sizeof(sin));
        sin.sin_family      = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sin.sin_port        = htons((uint16_t)port);
        if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
            listen(fd, 16) < 0 ||
            getsockname(fd, (struct sockaddr *)&sin, &sl) < 0) {
                close(fd);
                return -1;
        }
        *actual_port = ntohs(sin.sin_port);
        return fd;
}

static int write_ready_file(const char *path, const char *content) {
        char tmp[4096];
        FILE *f;

        snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
        if (!(f = fopen(tmp, "w")))
                return -1;
        fputs(content, f);
        if (fclose(f) != 0 || rename(tmp, path) != 0) {
                unlink(tmp);
                return -1;
        }
        return 0;
}

static void usage(const char *argv0) {
        fprintf(stderr,
                "usage: %s [--brokers N] [--control-port P] "
                "[--rebalance-delay-ms MS] [--consumer-heartbeat-ms MS] "
                "[--consumer-session-timeout-ms MS] [--ready-file PATH]\n",
                argv0);
}

int main(int argc, char **argv) {
        long control_port = 0, rebalance_delay_ms = 100, v;
        long consumer_heartbeat_ms = 500, consumer_session_timeout_ms = 0;
        const char *ready_file = NULL;
        char errstr[512];
        char announce[4096];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        struct sigaction sa;
        sigset_t sigs;
        struct client clients[MAX_CLIENTS];
        int nclients = 0;
        int listen_fd, actual_port, i;

        for (i = 1; i < argc; i++) {
                const char *arg = argv[i];
                const char *val = i + 1 < argc ? argv[i + 1] : NULL;
                if (!strcmp(arg, "--brokers") &&
                    !parse_int(val, 1, 100, &v)) {
                        broker_cnt = (int)v;
                        i++;
                } else if (!strcmp(arg, "--control-port") &&
                           !parse_int(val, 0, 65535, &v)) {
                        control_port = v;
                        i++;
                } else if (!strcmp(arg, "--rebalance-delay-ms") &&
                           !parse_int(val, 0, 3600000, &v)) {
                        rebalance_delay_ms = v;
                        i++;
                } else if (!strcmp(arg, "--consumer-heartbeat-ms") &&
                           !parse_int(val, 1, 3600000, &v)) {
                        consumer_heartbeat_ms = v;
                        i++;
                } else if (!strcmp(arg, "--consumer-session-timeout-ms") &&
                           !parse_int(val, 0, 3600000, &v)) {
                        consumer_session_timeout_ms = v; /* 0: mock default */
                        i++;
                } else if (!strcmp(arg, "--ready-file") && val) {
                        ready_file = val;
                        i++;
                } else {
                        usage(argv[0]);
                        return 2;
                }
        }

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal; /* no SA_RESTART: poll() must see EINTR */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        /* librdkafka's threads inherit this mask: keep SIGTERM/SIGINT for the
         * main thread, so that they interrupt its poll() right away. */
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);

        /* The mock cluster needs an rd_kafka_t for its bookkeeping (it runs
         * on its own thread); a plain producer handle with no bootstrap
         * servers is enough. */
        conf = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(conf, log_cb);
        if (rd_kafka_conf_set(conf, "client.id", "kafka_mock", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(conf, "log_level", "4", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                logmsg("config error: %s", errstr);
                return 1;
        }
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                logmsg("rd_kafka_new failed: %s", errstr);
                return 1;
        }

        mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mcluster) {
                logmsg("rd_kafka_mock_cluster_new failed");
                rd_kafka_destroy(rk);
                return 1;
        }
        rd_kafka_mock_group_initial_rebalance_delay_ms(
            mcluster, (int32_t)rebalance_delay_ms);
        rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(
            mcluster, (int)consumer_heartbeat_ms);
        if (consumer_session_timeout_ms > 0)
                rd_kafka_mock_set_group_consumer_session_timeout_ms(
                    mcluster, (int)consumer_session_timeout_ms);

        pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);

        listen_fd = open_control((int)control_port, &actual_port);
        if (listen_fd < 0) {
                logmsg("cannot listen on control port 127.0.0.1:%ld: %s",
                       control_port, strerror(errno));
                rd_kafka_mock_cluster_destroy(mcluster);
                rd_kafka_destroy(rk);
                return 1;
        }

        snprintf(announce, sizeof(announce),
                 "BOOTSTRAP=%s\nCONTROL=127.0.0.1:%d\n",
                 rd_kafka_mock_cluster_bootstraps(mcluster), actual_port);
        fputs(announce, stdout);
        fflush(stdout);
        logmsg("librdkafka %s, %d brokers, initial rebalance delay %ld ms, "
               "consumer-protocol heartbeat %ld ms, ready",
               rd_kafka_version_str(), broker_cnt, rebalance_delay_ms,
               consumer_heartbeat_ms);
        if (ready_file && write_ready_file(ready_file, announce)) {
                logmsg("cannot write ready file %s: %s", ready_file,
                       strerror(errno));
                stop_requested = 1;
        }

        while (!stop_requested) {
                struct pollfd pfds[MAX_CLIENTS + 1];
                int n;

                pfds[0].fd     = listen_fd;
                pfds[0].events = POLLIN;
                for (i = 0; i < nclients; i++) {
                        pfds[i + 1].fd     = clients[i].fd;
                        pfds[i + 1].events = POLLIN;
                }

                n = poll(pfds, (nfds_t)nclients + 1, 1000);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        logmsg("poll: %s", strerror(errno));
                        break;
                }

                /* Serve clients first (indices stay valid), then compact. */
                for (i = nclients - 1; i >= 0; i--) {
                        if (!(pfds[i + 1].revents &
                              (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        if (serve_client(&clients[i]) < 0) {
                                close(clients[i].fd);
                                clients[i] = clients[nclients - 1];
                                nclients--;
                        }
                }

                if (pfds[0].revents & POLLIN) {
                        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                        if (fd >= 0) {
                                if (nclients == MAX_CLIENTS) {
                                        const char *msg =
                                            "err too many connections\n";
                                        write_all(fd, msg, strlen(msg));
                                        close(fd);
                                } else {
                                        clients[nclients].fd  = fd;
                                        clients[nclients].len = 0;
                                        nclients++;
                                }
                        }
                }
        }

        logmsg("shutting down");
        for (i = 0; i < nclients; i++)
                close(clients[i].fd);
        close(listen_fd);
        if (ready_file)
                unlink(ready_file);
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
