#!/usr/bin/env bash
# The demo: one order flow across four services and three brokers, then the story of one order.
#
#   eng/demo.sh
#
# 1. brings the brokers up (eng/brokers.sh: docker compose where a Docker engine works, native processes otherwise),
# 2. builds the samples (Release) and starts orders-api, orders-worker, inventory-service and fulfilment-worker in
#    the background, logging JSON lines to artifacts/demo/logs/<service>.log,
# 3. posts three orders (one with X-Correlation-ID: demo-order-1001, one without, one with an invalid value),
# 4. waits until every order line is completed and its shipping e-mail (a Hangfire job) sent, stops the services,
# 5. runs corr-timeline: the list of flows, the flow of demo-order-1001, and artifacts/demo/timeline.html.
#
# Settings (environment): DEMO_API_PORT=5180  DEMO_TIMEOUT=90 (seconds to wait for the services and the orders)
# The brokers stay up afterwards (eng/brokers.sh down stops them).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

DEMO_DIR="artifacts/demo"
LOG_DIR="$DEMO_DIR/logs"
PID_DIR="$DEMO_DIR/pids"
HTML="$DEMO_DIR/timeline.html"
API_PORT="${DEMO_API_PORT:-5180}"
API="http://127.0.0.1:$API_PORT"
TIMEOUT="${DEMO_TIMEOUT:-90}"
BIN="bin/Release/net10.0"
TIMELINE="src/Correlation.Messaging.Timeline/$BIN/Correlation.Messaging.Timeline.dll"
SERVICES=(orders-api orders-worker inventory-service fulfilment-worker)
declare -A PROJECT=(
  [orders-api]=Orders.Api
  [orders-worker]=Orders.Worker
  [inventory-service]=Inventory.Service
  [fulfilment-worker]=Fulfilment.Worker
)
RETRIED_ORDER=1001   # orders-worker fails its first attempt at this order once; MassTransit retries it

T0=$SECONDS
T_BROKERS=""
BOLD="" RED="" RESET=""
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then BOLD=$'\033[1m' RED=$'\033[31m' RESET=$'\033[0m'; fi
step() { printf '\n%s==> %s%s  (%ss)\n' "$BOLD" "$*" "$RESET" "$((SECONDS - T0))"; }
info() { printf '    %s\n' "$*"; }
fail() { printf '\n%sdemo failed: %s%s\n' "$RED" "$*" "$RESET" >&2; exit 1; }

# ---------------------------------------------------------------- services

proc_running() {  # <pid>: alive and not a zombie
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)"
  [ "$state" != Z ] && [ "$state" != X ]
}

# the process in artifacts/demo/pids/<service>.pid, if it still runs that service's dll
service_pid() {
  local f="$PID_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  [ -n "$pid" ] && proc_running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "${PROJECT[$1]}.dll" || return 1
  echo "$pid"
}

stop_services() {
  local svc pid pids=()
  for svc in "${SERVICES[@]}"; do
    if pid="$(service_pid "$svc")"; then kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); fi
  done
  local deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do
    while proc_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if proc_running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$PID_DIR"
}

on_exit() {
  local rc=$?
  if [ -d "$PID_DIR" ]; then
    info "stopping the services"
    stop_services
  fi
  exit "$rc"
}

# one JSON console line as "time level category: message" (other lines as they are)
compact() {
  sed -E 's/^\{"Timestamp":"([^"]*)","EventId":[0-9]+,"LogLevel":"([^"]*)","Category":"([^"]*)","Message":"(([^"\\]|\\.)*)".*/\1 \2 \3: \4/' | cut -c1-400
}

show_logs() {
  local svc
  for svc in "${SERVICES[@]}"; do
    printf '\n--- %s: last lines of %s\n' "$svc" "$LOG_DIR/$svc.log" >&2
    tail -n 15 "$LOG_DIR/$svc.log" 2>/dev/null | compact >&2 || true
    if [ -s "$LOG_DIR/$svc.stderr" ]; then
      printf -- '--- %s: stderr (%s)\n' "$svc" "$LOG_DIR/$svc.stderr" >&2
      tail -n 15 "$LOG_DIR/$svc.stderr" >&2
    fi
  done
}

fail_with_logs() { show_logs; fail "$*"; }

start_service() {  # <service> [VAR=value...]
  local svc="$1"; shift
  local dll="samples/${PROJECT[$svc]}/$BIN/${PROJECT[$svc]}.dll"
  [ -f "$dll" ] || fail "$dll is missing after the build"
  env "$@" dotnet "$dll" </dev/null >"$LOG_DIR/$svc.log" 2>"$LOG_DIR/$svc.stderr" &
  echo $! >"$PID_DIR/$svc.pid"
}

service_ready() { grep -q '"Service ready: ' "$LOG_DIR/$1.log" 2>/dev/null; }

wait_ready() {
  local deadline=$((SECONDS + TIMEOUT)) svc pending
  while :; do
    pending=()
    for svc in "${SERVICES[@]}"; do
      service_pid "$svc" >/dev/null || fail_with_logs "$svc exited during start-up"
      service_ready "$svc" || pending+=("$svc")
    done
    if [ "${#pending[@]}" -eq 0 ] && curl -fsS -o /dev/null --max-time 2 "$API/health" 2>/dev/null; then
      return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail_with_logs "not ready after ${TIMEOUT}s: ${pending[*]:-orders-api /health}"
    sleep 0.2
  done
}

# ---------------------------------------------------------------- broker state

# Every run starts from empty queues and topics, so that work an interrupted earlier run left behind (same
# correlation ID demo-order-1001, same order lines) cannot mix into this run's logs. Best effort: the queues and the
# topic may not exist yet; the services create them.
clear_broker_state() {
  local mgmt="${RABBITMQ_MANAGEMENT_URI:-http://guest:guest@127.0.0.1:15672/}"
  curl -s -o /dev/null --max-time 10 -X DELETE "${mgmt%/}/api/queues/%2F/order-placed/contents" || true

  local sqs="${SQS_SERVICE_URL:-http://127.0.0.1:9324}" url
  url="$(curl -s --max-time 10 -X POST -H 'Content-Type: application/x-amz-json-1.0' \
           -H 'X-Amz-Target: AmazonSQS.GetQueueUrl' -d '{"QueueName":"shipments"}' "$sqs/" |
         sed -n 's/.*"QueueUrl" *: *"\([^"]*\)".*/\1/p')" || true
  if [ -n "$url" ]; then
    curl -s -o /dev/null --max-time 10 -X POST -H 'Content-Type: application/x-amz-json-1.0' \
      -H 'X-Amz-Target: AmazonSQS.PurgeQueue' -d "{\"QueueUrl\":\"$url\"}" "$sqs/" || true
  fi

  if [ -n "${KAFKA_MOCK_CONTROL:-}" ]; then
    # the mock keeps committed offsets with the partitions: deleting the topic resets the consumer group too
    eng/brokers.sh kafka-ctl delete-topic order-lines >/dev/null 2>&1 || true
  elif [ "$(cat eng/.run/kafka.mode 2>/dev/null)" = docker ]; then
    # docker compose Kafka: move the (stopped) consumer group past anything left on the topic
    docker compose -f docker-compose.yml exec -T kafka /opt/kafka/bin/kafka-consumer-groups.sh \
      --bootstrap-server localhost:9092 --group inventory-service --topic order-lines \
      --reset-offsets --to-latest --execute >/dev/null 2>&1 || true
  fi
}

# ---------------------------------------------------------------- orders

ORDER_LINES=0
post_order() {  # <label> <body> [header]
  local label="$1" body="$2" header="${3:-}" lines code sent returned args=()
  lines="$(grep -o '"sku"' <<<"$body" | wc -l)"
  args=(-sS --max-time 10 -o "$DEMO_DIR/response.json" -D "$DEMO_DIR/response.headers" -w '%{http_code}'
        -H 'Content-Type: application/json' --data "$body")
  [ -n "$header" ] && args+=(-H "$header")
  code="$(curl "${args[@]}" "$API/orders")" || fail_with_logs "POST /orders failed ($label)"
  [ "$code" = 202 ] || { cat "$DEMO_DIR/response.json" >&2; fail_with_logs "POST /orders answered $code ($label)"; }
  returned="$(tr -d '\r' <"$DEMO_DIR/response.headers" | sed -n 's/^[Xx]-[Cc]orrelation-[Ii][Dd]: *//p' | tail -n1)"
  sent="${header#*: }"
  [ -n "$header" ] || sent="(none)"
  printf '    %-34s %-8s  sent: %-26s -> 202, X-Correlation-ID: %s\n' \
    "$label" "$lines line$([ "$lines" -eq 1 ] || echo s)" "$sent" "$returned"
  ORDER_LINES=$((ORDER_LINES + lines))
}

completed_lines() {  # distinct order lines logged as completed (grep finding nothing is not an error here)
  { grep -h '"Status":"completed"' "$LOG_DIR/fulfilment-worker.log" 2>/dev/null || true; } |
    { grep -o '"LineId":"[^"]*"' || true; } | sort -u | wc -l
}

emailed_lines() {  # distinct order lines whose shipping e-mail (a Hangfire job) was sent
  { grep -h '"Message":"Shipping e-mail sent' "$LOG_DIR/fulfilment-worker.log" 2>/dev/null || true; } |
    { grep -o '"LineId":"[^"]*"' || true; } | sort -u | wc -l
}

wait_completed() {
  local deadline=$((SECONDS + TIMEOUT)) done_count mail_count svc
  while :; do
    done_count="$(completed_lines)"
    mail_count="$(emailed_lines)"
    [ "$done_count" -ge "$ORDER_LINES" ] && [ "$mail_count" -ge "$ORDER_LINES" ] &&
      { info "$done_count of $ORDER_LINES order lines completed, $mail_count shipping e-mails sent (Hangfire)"; return 0; }
    for svc in "${SERVICES[@]}"; do
      service_pid "$svc" >/dev/null || fail_with_logs "$svc exited while the orders were running"
    done
    [ "$SECONDS" -lt "$deadline" ] ||
      fail_with_logs "only $done_count of $ORDER_LINES order lines completed, $mail_count e-mails sent, after ${TIMEOUT}s"
    sleep 0.2
  done
}

# ---------------------------------------------------------------- main

step "Brokers (eng/brokers.sh)"
eng/brokers.sh up
eval "$(eng/brokers.sh env)"
T_BROKERS=$SECONDS

step "Building the samples and corr-timeline (Release)"
mkdir -p "$DEMO_DIR"
T_BUILD=$SECONDS
if ! dotnet build samples/Samples.slnx -c Release -nologo -v:minimal >"$DEMO_DIR/build.log" 2>&1; then
  grep -E ': error |error :' "$DEMO_DIR/build.log" | sort -u | tail -n 30 >&2 || tail -n 30 "$DEMO_DIR/build.log" >&2
  fail "the build failed (full log: $DEMO_DIR/build.log)"
fi
info "built in $((SECONDS - T_BUILD))s (log: $DEMO_DIR/build.log)"

step "Starting the services (logs in $LOG_DIR/)"
T_SERVICES=$SECONDS
stop_services   # a previous run that was killed hard may have left some behind
if curl -s -o /dev/null --max-time 2 "$API/" 2>/dev/null; then
  fail "something already listens on $API (set DEMO_API_PORT to use another port)"
fi
clear_broker_state
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR" "$PID_DIR"
trap on_exit EXIT
trap 'exit 130' INT TERM
start_service orders-api ASPNETCORE_URLS="$API"
start_service orders-worker DEMO_FAIL_ONCE_ORDERS="$RETRIED_ORDER"
start_service inventory-service
start_service fulfilment-worker
wait_ready
for svc in "${SERVICES[@]}"; do
  info "$(printf '%-18s pid %-7s %s' "$svc" "$(service_pid "$svc")" "$(sed -n 's/.*"Message":"Service ready: \([^"]*\)".*/\1/p' "$LOG_DIR/$svc.log" | head -n1)")"
done

step "Posting 3 orders to $API/orders"
post_order "order 1001 (client-chosen ID)" \
  '{"orderId":"1001","lines":[{"sku":"SKU-RED-42","quantity":3},{"sku":"SKU-BLU-07","quantity":1},{"sku":"SKU-GRN-13","quantity":2}]}' \
  'X-Correlation-ID: demo-order-1001'
post_order "order 1002 (no ID: generated)" \
  '{"orderId":"1002","lines":[{"sku":"SKU-YLW-03","quantity":1},{"sku":"SKU-RED-42","quantity":4}]}'
post_order "order 1003 (invalid ID: replaced)" \
  '{"orderId":"1003","lines":[{"sku":"SKU-BLK-99","quantity":2}]}' \
  'X-Correlation-ID: <script>alert(1)</script>'

step "Waiting until all $ORDER_LINES order lines are completed"
wait_completed

step "Stopping the services"
stop_services
trap - EXIT INT TERM

step "corr-timeline $LOG_DIR/"
dotnet "$TIMELINE" "$LOG_DIR"

step "corr-timeline $LOG_DIR/ --id demo-order-1001 --html $HTML"
dotnet "$TIMELINE" "$LOG_DIR" --id demo-order-1001 --html "$HTML"

printf '\n%sDone in %ss%s: %ss after the brokers were up, %ss from starting the services to the timeline.\n' \
  "$BOLD" "$((SECONDS - T0))" "$RESET" "$((SECONDS - T_BROKERS))" "$((SECONDS - T_SERVICES))"
info "timeline page:  $REPO_ROOT/$HTML"
info "service logs:   $REPO_ROOT/$LOG_DIR/"
info "another flow:   dotnet $TIMELINE $LOG_DIR --id <correlation id>"
info "brokers are still up; stop them with: eng/brokers.sh down"
