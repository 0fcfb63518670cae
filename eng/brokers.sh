#!/usr/bin/env bash
# Brings up the message brokers the integration tests need: RabbitMQ, Kafka, SQS.
#
#   eng/brokers.sh up [rabbitmq] [kafka] [sqs]   start (all when none named); idempotent
#   eng/brokers.sh down [rabbitmq] [kafka] [sqs] stop what this script started
#   eng/brokers.sh env                           print `export VAR=...` lines (eval "$(eng/brokers.sh env)")
#   eng/brokers.sh status                        show what is running (exit 1 if something is down)
#   eng/brokers.sh kafka-ctl <command...>        send a command to the Kafka mock's control port
#
# With a working Docker engine (docker info + docker compose) it runs docker-compose.yml.
# Otherwise it runs native processes: RabbitMQ from Debian (apt), librdkafka's mock Kafka
# cluster (eng/kafka-mock, compiled against the restored librdkafka.redist package) and an SQS emulator from npm (eng/sqs).
# Every process it starts is recorded in eng/.run/<name>.pid and logs to eng/.run/<name>.log;
# the variables are also written to eng/.run/brokers.env for `source`.
#
# Settings (environment):
#   BROKERS_MODE=auto|native|docker          (auto: docker when usable)
#   KAFKA_MOCK_BROKERS=3  KAFKA_MOCK_CONTROL_PORT=0 (0 = random)
#   KAFKA_MOCK_REBALANCE_DELAY_MS=100 (classic groups)  KAFKA_MOCK_CONSUMER_HEARTBEAT_MS=500 (group.protocol=consumer)
#   SQS_PORT=9324
set -euo pipefail

ENG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$ENG_DIR/.." && pwd)"
RUN_DIR="$ENG_DIR/.run"
CACHE_DIR="$ENG_DIR/.cache"
COMPOSE_FILE="$REPO_ROOT/docker-compose.yml"

MOCK_DIR="$CACHE_DIR/kafka-mock"
MOCK_BIN="$MOCK_DIR/kafka_mock"

BROKERS_MODE="${BROKERS_MODE:-auto}"
KAFKA_MOCK_BROKERS="${KAFKA_MOCK_BROKERS:-3}"
KAFKA_MOCK_REBALANCE_DELAY_MS="${KAFKA_MOCK_REBALANCE_DELAY_MS:-100}"
KAFKA_MOCK_CONTROL_PORT="${KAFKA_MOCK_CONTROL_PORT:-0}"
KAFKA_MOCK_CONSUMER_HEARTBEAT_MS="${KAFKA_MOCK_CONSUMER_HEARTBEAT_MS:-500}"
SQS_PORT="${SQS_PORT:-9324}"

ALL_BROKERS=(rabbitmq kafka sqs)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '[brokers %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- helpers

tcp_open() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
http_ok() { curl -fsS -o /dev/null --max-time 3 "$@" 2>/dev/null; }
http_answers() {  # any HTTP answer, whatever the status
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true)"
  [ -n "$code" ] && [ "$code" != "000" ]
}

# wait_until <seconds> <description> <command...>
wait_until() {
  local secs="$1" what="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || { log "timed out after ${secs}s waiting for $what"; return 1; }
    sleep 0.2
  done
}

APT_UPDATED=0
apt_install() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
    install -y -qq "${missing[@]}" >&2
}

# running and not a zombie (an orphan may wait a moment to be reaped)
proc_running() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)"
  [ "$state" != Z ] && [ "$state" != X ]
}

# pid_alive <name> <cmdline-substring>: the process in eng/.run/<name>.pid runs and is ours
pid_alive() {
  local f="$RUN_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  [ -n "$pid" ] && proc_running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# start_bg <name> <command...>: detached process, pid in eng/.run/<name>.pid, log in eng/.run/<name>.log
start_bg() {
  local name="$1"; shift
  printf '\n==== %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$RUN_DIR/$name.log"
  # setsid: not killed with the caller's process group; fd 9 is the lock, keep it out.
  setsid "$@" </dev/null >>"$RUN_DIR/$name.log" 2>&1 9>&- &
  echo $! >"$RUN_DIR/$name.pid"
}

# stop_pid <name> <cmdline-substring>
stop_pid() {
  local name="$1" match="$2" pid
  if pid_alive "$name" "$match"; then
    pid="$(cat "$RUN_DIR/$name.pid")"
    log "$name: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do proc_running "$pid" || break; sleep 0.1; done
    if proc_running "$pid"; then log "$name: still alive, SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$RUN_DIR/$name.pid"
}

write_env_fragment() {  # <broker> <lines...>
  local b="$1"; shift
  printf '%s\n' "$@" >"$RUN_DIR/$b.env"
}

env_fragment_live() {  # is the broker behind eng/.run/<b>.env (still) running?
  local b="$1" mode
  [ -f "$RUN_DIR/$b.env" ] || return 1
  mode="$(cat "$RUN_DIR/$b.mode" 2>/dev/null || echo native)"
  [ "$mode" = docker ] && return 0
  case "$b" in
    kafka) pid_alive kafka-mock kafka_mock ;;
    sqs) pid_alive sqs start-sqs.mjs || http_answers "http://127.0.0.1:$SQS_PORT/" ;;
    rabbitmq) tcp_open 127.0.0.1 5672 ;;
  esac
}

print_env() {
  local b
  for b in "${ALL_BROKERS[@]}"; do
    if env_fragment_live "$b"; then cat "$RUN_DIR/$b.env"
    elif [ -f "$RUN_DIR/$b.env" ]; then log "$b: recorded but not running (run eng/brokers.sh up $b)"
    fi
  done
}

write_brokers_env() {
  { echo "# written by eng/brokers.sh; source this file or eval \"\$(eng/brokers.sh env)\""
    print_env 2>/dev/null; } >"$RUN_DIR/brokers.env.tmp"
  mv "$RUN_DIR/brokers.env.tmp" "$RUN_DIR/brokers.env"
}

docker_usable() {
  command -v docker >/dev/null 2>&1 &&
    timeout 20 docker info >/dev/null 2>&1 &&
    timeout 20 docker compose version >/dev/null 2>&1
}

resolve_mode() {
  case "$BROKERS_MODE" in
    native|docker) echo "$BROKERS_MODE" ;;
    auto) if docker_usable; then echo docker; else echo native; fi ;;
    *) die "BROKERS_MODE must be auto, native or docker (got '$BROKERS_MODE')" ;;
  esac
}

# ---------------------------------------------------------------- RabbitMQ (native)

rabbit_pidfile() {
  local node conf="/etc/rabbitmq/rabbitmq-env.conf" n
  node="rabbit@$(hostname -s)"
  if [ -f "$conf" ]; then
    n="$(sed -n 's/^[[:space:]]*\(RABBITMQ_\)\{0,1\}NODENAME=["'\'']\{0,1\}\([^"'\'']*\).*/\2/p' "$conf" | tail -n1)"
    [ -n "$n" ] && node="$n"
  fi
  echo "/var/lib/rabbitmq/mnesia/$node.pid"
}

rabbit_ready() {
  tcp_open 127.0.0.1 5672 && http_ok -u guest:guest http://127.0.0.1:15672/api/overview
}

rabbit_env() {
  write_env_fragment rabbitmq \
    "export RABBITMQ_URI=amqp://guest:guest@127.0.0.1:5672/" \
    "export RABBITMQ_MANAGEMENT_URI=http://guest:guest@127.0.0.1:15672/"
  echo native >"$RUN_DIR/rabbitmq.mode"
}

up_rabbitmq() {
  if rabbit_ready; then log "rabbitmq: already running"; rabbit_env; return 0; fi
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  local pidfile; pidfile="$(rabbit_pidfile)"

  if tcp_open 127.0.0.1 5672; then
    # running (not necessarily ours) but without the management API
    log "rabbitmq: running without management API, enabling rabbitmq_management"
    $SUDO rabbitmq-plugins enable rabbitmq_management >&2
  else
    $SUDO rabbitmq-plugins enable --offline rabbitmq_management >&2
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile" 2>/dev/null || echo 0)" 2>/dev/null; then
      $SUDO rm -f "$pidfile"   # stale: `rabbitmqctl wait` would trust it
    fi
    log "rabbitmq: starting rabbitmq-server -detached"
    (cd / && $SUDO rabbitmq-server -detached 9>&-) >&2
    touch "$RUN_DIR/rabbitmq.started"
    # `rabbitmqctl await_startup` right after -detached fails (node not registered yet): wait on the pid file
    $SUDO rabbitmqctl wait --timeout 90 "$pidfile" >&2 || die "rabbitmq did not start (see /var/log/rabbitmq/)"
    cat "$pidfile" >"$RUN_DIR/rabbitmq.pid" 2>/dev/null || true
  fi
  wait_until 60 "RabbitMQ management API on :15672" rabbit_ready || die "rabbitmq management API not answering"
  rabbit_env
  log "rabbitmq: ready (amqp :5672, management :15672)"
}

down_rabbitmq() {
  if [ -f "$RUN_DIR/rabbitmq.started" ]; then
    log "rabbitmq: rabbitmqctl shutdown"
    $SUDO rabbitmqctl shutdown >&2 || log "rabbitmq: shutdown failed (already stopped?)"
    # epmd was started along with the node; stop it when no other Erlang node uses it
    if command -v epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name '; then epmd -kill >/dev/null 2>&1 || true; fi
    rm -f "$RUN_DIR/rabbitmq.started" "$RUN_DIR/rabbitmq.pid"
  elif rabbit_ready; then
    log "rabbitmq: running but not started by this script, leaving it alone"
  fi
  rm -f "$RUN_DIR/rabbitmq.env" "$RUN_DIR/rabbitmq.mode"
}

# ---------------------------------------------------------------- librdkafka (from the restored NuGet package)

# The version is the one Directory.Packages.props pins: one source of truth for the client and the mock cluster.
librdkafka_version() {
  sed -n 's/.*Include="librdkafka.redist" Version="\([^"]*\)".*/\1/p' "$REPO_ROOT/Directory.Packages.props" | head -n 1
}

# Prints the folder of the restored librdkafka.redist package; restores the Kafka library once when it is missing.
librdkafka_package_dir() {
  local version root dir
  version="$(librdkafka_version)"
  [ -n "$version" ] || die "librdkafka.redist has no version in Directory.Packages.props"
  root="${NUGET_PACKAGES:-}"
  if [ -z "$root" ]; then
    root="$(dotnet nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: *//p')"
    root="${root:-$HOME/.nuget/packages}"
  fi
  dir="${root%/}/librdkafka.redist/$version"
  if [ ! -f "$dir/runtimes/linux-x64/native/librdkafka.so" ]; then
    log "kafka: restoring librdkafka.redist $version (NuGet)"
    dotnet restore "$REPO_ROOT/src/Correlation.Messaging.Kafka/Correlation.Messaging.Kafka.csproj" -nologo -v q >&2 ||
      die "dotnet restore of the Kafka library failed"
  fi
  [ -f "$dir/runtimes/linux-x64/native/librdkafka.so" ] ||
    die "librdkafka.redist $version has no runtimes/linux-x64/native/librdkafka.so under $dir"
  [ -f "$dir/build/native/include/librdkafka/rdkafka_mock.h" ] ||
    die "librdkafka.redist $version has no build/native/include/librdkafka/rdkafka_mock.h"
  printf '%s\n' "$dir"
}

# ---------------------------------------------------------------- Kafka (native: librdkafka mock cluster)

ensure_kafka_mock() {
  local src="$ENG_DIR/kafka-mock/kafka_mock.c" pkg version
  pkg="$(librdkafka_package_dir)"
  version="$(librdkafka_version)"
  if [ -x "$MOCK_BIN" ] && [ "$MOCK_BIN" -nt "$src" ] && [ "$(cat "$MOCK_DIR/.version" 2>/dev/null)" = "$version" ]; then
    return 0
  fi
  command -v gcc >/dev/null || apt_install gcc libc6-dev
  log "kafka: compiling eng/kafka-mock/kafka_mock.c against librdkafka.redist $version"
  rm -rf "$MOCK_DIR"; mkdir -p "$MOCK_DIR"
  # The package's default librdkafka.so needs libsasl2.so.3, which Debian 12 does not have (it ships .so.2);
  # centos8-librdkafka.so links its dependencies statically (Confluent.Kafka falls back to it too). Link the one
  # that loads here, by file name, and load it from beside the binary.
  local lib="$pkg/runtimes/linux-x64/native/librdkafka.so"
  local missing; missing="$(ldd "$lib" 2>/dev/null || true)"   # no pipe into grep -q: with pipefail its early exit can fail ldd
  if [[ "$missing" == *"not found"* ]]; then lib="$pkg/runtimes/linux-x64/native/centos8-librdkafka.so"; fi
  cp "$lib" "$MOCK_DIR/librdkafka.so.1"   # its SONAME
  gcc -std=gnu11 -O2 -Wall -Wextra -o "$MOCK_BIN.tmp" "$src" \
    -isystem "$pkg/build/native/include" -L"$MOCK_DIR" -l:librdkafka.so.1 \
    -Wl,-rpath,"\$ORIGIN" -lpthread >&2 ||
    die "compiling kafka_mock failed"
  mv "$MOCK_BIN.tmp" "$MOCK_BIN"
  printf '%s\n' "$version" >"$MOCK_DIR/.version"
}

# kafka_ctl_to <host:port> <command>: prints the one-line answer
kafka_ctl_to() {
  local hp="$1" cmd="$2" fd line
  exec {fd}<>"/dev/tcp/${hp%:*}/${hp##*:}" || return 1
  printf '%s\n' "$cmd" >&"$fd"
  IFS= read -r -t 10 line <&"$fd" || { exec {fd}>&-; return 1; }
  exec {fd}>&-
  printf '%s\n' "$line"
}

kafka_mock_control() { sed -n 's/^CONTROL=//p' "$RUN_DIR/kafka-mock.ready" 2>/dev/null; }

kafka_mock_ready() {
  pid_alive kafka-mock kafka_mock && [ -f "$RUN_DIR/kafka-mock.ready" ] &&
    [ "$(kafka_ctl_to "$(kafka_mock_control)" ping 2>/dev/null)" = ok ]
}

up_kafka_native() {
  if kafka_mock_ready; then log "kafka: mock cluster already running"; return 0; fi
  stop_pid kafka-mock kafka_mock
  ensure_kafka_mock
  rm -f "$RUN_DIR/kafka-mock.ready"
  start_bg kafka-mock "$MOCK_BIN" --brokers "$KAFKA_MOCK_BROKERS" \
    --rebalance-delay-ms "$KAFKA_MOCK_REBALANCE_DELAY_MS" \
    --consumer-heartbeat-ms "$KAFKA_MOCK_CONSUMER_HEARTBEAT_MS" \
    --control-port "$KAFKA_MOCK_CONTROL_PORT" --ready-file "$RUN_DIR/kafka-mock.ready"
  wait_until 20 "Kafka mock cluster" kafka_mock_ready ||
    { tail -n 20 "$RUN_DIR/kafka-mock.log" >&2; die "kafka mock did not start"; }
  local boot; boot="$(sed -n 's/^BOOTSTRAP=//p' "$RUN_DIR/kafka-mock.ready")"
  write_env_fragment kafka \
    "export KAFKA_BOOTSTRAP_SERVERS=$boot" \
    "export KAFKA_MOCK_CONTROL=$(kafka_mock_control)"
  echo native >"$RUN_DIR/kafka.mode"
  log "kafka: mock cluster ready, bootstrap $boot, control $(kafka_mock_control)"
}

down_kafka_native() {
  stop_pid kafka-mock kafka_mock
  rm -f "$RUN_DIR/kafka-mock.ready" "$RUN_DIR/kafka.env" "$RUN_DIR/kafka.mode"
}

# ---------------------------------------------------------------- SQS (native: local-aws-sqs from npm)

sqs_ready() { http_answers "http://127.0.0.1:$SQS_PORT/"; }

sqs_env() {
  write_env_fragment sqs "export SQS_SERVICE_URL=http://127.0.0.1:$SQS_PORT"
  echo native >"$RUN_DIR/sqs.mode"
}

up_sqs_native() {
  if pid_alive sqs start-sqs.mjs && sqs_ready; then log "sqs: emulator already running"; sqs_env; return 0; fi
  if ! pid_alive sqs start-sqs.mjs && sqs_ready; then
    log "sqs: something else already answers on :$SQS_PORT; using it"; sqs_env; return 0
  fi
  stop_pid sqs start-sqs.mjs
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    die "node and npm are needed for the SQS emulator"
  fi
  local d="$ENG_DIR/sqs"
  if [ ! -f "$d/node_modules/local-aws-sqs/package.json" ] || [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
    log "sqs: npm ci (local-aws-sqs)"
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci in eng/sqs failed"
  fi
  start_bg sqs env SQS_PORT="$SQS_PORT" SQS_HOST=127.0.0.1 node "$d/start-sqs.mjs"
  wait_until 20 "SQS emulator on :$SQS_PORT" sqs_ready ||
    { tail -n 20 "$RUN_DIR/sqs.log" >&2; die "sqs emulator did not start"; }
  sqs_env
  log "sqs: emulator ready on http://127.0.0.1:$SQS_PORT"
}

down_sqs_native() {
  stop_pid sqs start-sqs.mjs
  rm -f "$RUN_DIR/sqs.env" "$RUN_DIR/sqs.mode"
}

# ---------------------------------------------------------------- Docker compose

compose() { docker compose -f "$COMPOSE_FILE" "$@"; }

up_docker() {
  log "docker: compose up -d --wait $*"
  compose up -d --wait "$@" >&2 || die "docker compose up failed"
  touch "$RUN_DIR/compose.started"
  local b
  for b in "$@"; do
    case "$b" in
      rabbitmq) write_env_fragment rabbitmq \
                  "export RABBITMQ_URI=amqp://guest:guest@127.0.0.1:5672/" \
                  "export RABBITMQ_MANAGEMENT_URI=http://guest:guest@127.0.0.1:15672/" ;;
      kafka) write_env_fragment kafka "export KAFKA_BOOTSTRAP_SERVERS=localhost:9092" ;;
      sqs) write_env_fragment sqs "export SQS_SERVICE_URL=http://127.0.0.1:9324" ;;
    esac
    echo docker >"$RUN_DIR/$b.mode"
  done
}

down_docker() {  # all|some <brokers...>
  local scope="$1"; shift
  [ -f "$RUN_DIR/compose.started" ] || return 0
  if [ "$scope" = all ]; then
    compose down >&2 || log "docker compose down failed"
    rm -f "$RUN_DIR/compose.started"
  else
    compose rm --stop --force "$@" >&2 || log "docker compose rm failed"
  fi
}

# ---------------------------------------------------------------- commands

parse_brokers() {  # validates names, defaults to all
  local b
  if [ "$#" -eq 0 ]; then printf '%s\n' "${ALL_BROKERS[@]}"; return; fi
  for b in "$@"; do
    case "$b" in rabbitmq|kafka|sqs) echo "$b" ;; *) die "unknown broker '$b' (rabbitmq, kafka, sqs)" ;; esac
  done
}

lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  flock -w 900 9 || die "another eng/brokers.sh is running (eng/.run/lock)"
}

cmd_up() {
  local t0=$SECONDS brokers b mode
  mapfile -t brokers < <(parse_brokers "$@")
  lock
  mode="$(resolve_mode)"
  log "up (${brokers[*]}) mode=$mode"
  if [ "$mode" = docker ]; then
    up_docker "${brokers[@]}"
  else
    for b in "${brokers[@]}"; do
      case "$b" in
        rabbitmq) up_rabbitmq ;;
        kafka) up_kafka_native ;;
        sqs) up_sqs_native ;;
      esac
    done
  fi
  write_brokers_env
  log "up done in $((SECONDS - t0))s; variables in eng/.run/brokers.env:"
  grep '^export' "$RUN_DIR/brokers.env" >&2 || true
}

cmd_down() {
  local brokers b
  mapfile -t brokers < <(parse_brokers "$@")
  lock
  local docker_brokers=()
  for b in "${brokers[@]}"; do
    if [ "$(cat "$RUN_DIR/$b.mode" 2>/dev/null)" = docker ]; then
      docker_brokers+=("$b"); rm -f "$RUN_DIR/$b.env" "$RUN_DIR/$b.mode"; continue
    fi
    case "$b" in
      rabbitmq) down_rabbitmq ;;
      kafka) down_kafka_native ;;
      sqs) down_sqs_native ;;
    esac
  done
  if [ "$#" -eq 0 ]; then down_docker all
  elif [ "${#docker_brokers[@]}" -gt 0 ]; then down_docker some "${docker_brokers[@]}"
  fi
  write_brokers_env
  log "down (${brokers[*]}) done"
}

cmd_status() {
  mkdir -p "$RUN_DIR"
  local rc=0 m
  if rabbit_ready; then
    m="up   amqp://127.0.0.1:5672 management http://127.0.0.1:15672"
    [ -f "$RUN_DIR/rabbitmq.started" ] && m="$m (started by brokers.sh)"
  else m="down"; rc=1; fi
  printf '%-9s %s\n' rabbitmq "$m"
  if [ "$(cat "$RUN_DIR/kafka.mode" 2>/dev/null)" = docker ]; then
    if tcp_open 127.0.0.1 9092; then m="up   127.0.0.1:9092 (docker)"; else m="down"; rc=1; fi
  elif kafka_mock_ready; then
    m="up   mock pid $(cat "$RUN_DIR/kafka-mock.pid") bootstrap $(sed -n 's/^BOOTSTRAP=//p' "$RUN_DIR/kafka-mock.ready") control $(kafka_mock_control)"
  else m="down"; rc=1; fi
  printf '%-9s %s\n' kafka "$m"
  if sqs_ready; then
    m="up   http://127.0.0.1:$SQS_PORT"
    pid_alive sqs start-sqs.mjs && m="$m (pid $(cat "$RUN_DIR/sqs.pid"))"
  else m="down"; rc=1; fi
  printf '%-9s %s\n' sqs "$m"
  return "$rc"
}

cmd_kafka_ctl() {
  [ "$#" -gt 0 ] || die "usage: eng/brokers.sh kafka-ctl <command...>  (e.g. topic orders 3, down 1, up 1, help)"
  local hp; hp="$(kafka_mock_control)"
  [ -n "$hp" ] || die "the Kafka mock is not running (eng/brokers.sh up kafka)"
  local answer; answer="$(kafka_ctl_to "$hp" "$*")" || die "no answer from the Kafka mock at $hp"
  printf '%s\n' "$answer"
  [ "${answer%% *}" = ok ]
}

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

main() {
  local cmd="${1:-}"; [ "$#" -gt 0 ] && shift
  case "$cmd" in
    up) exec 1>&2; cmd_up "$@" ;;
    down) exec 1>&2; cmd_down "$@" ;;
    env) mkdir -p "$RUN_DIR"; print_env ;;
    status) cmd_status ;;
    kafka-ctl) cmd_kafka_ctl "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
