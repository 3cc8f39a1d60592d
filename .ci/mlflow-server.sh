#!/usr/bin/env bash
# Starts or stops a real MLflow tracking server for the MLflow plugin's integration tests and
# benchmark.
#
#   .ci/mlflow-server.sh start   installs MLflow into target/mlflow-venv (once), starts
#                                `mlflow server` on 127.0.0.1 on a free port with a SQLite
#                                backend store and artifact serving under target/mlflow-server,
#                                waits for /health, writes the URI to target/mlflow-server/uri
#                                and prints it as the only line on stdout
#   .ci/mlflow-server.sh stop    stops the server started by `start` (its process group only)
#   .ci/mlflow-server.sh bin     installs MLflow as `start` does (once) and prints the path of its
#                                `mlflow` executable as the only line on stdout, for tests that
#                                start (and kill) servers of their own
#
# Typical use:  export TRACELET_IT_MLFLOW_URI="$(.ci/mlflow-server.sh start)"
#               export TRACELET_IT_MLFLOW_BIN="$(.ci/mlflow-server.sh bin)"
#
# Why mlflow-skinny and not mlflow: the full package pulls in scikit-learn, scipy, matplotlib,
# pyarrow, docker and graphene, none of which the tracking server needs. mlflow-skinny carries
# the same server code; `mlflow server` additionally imports the packages listed in SERVER_DEPS
# (found by starting it until nothing was missing). See docs/mlflow.md for the measured times.
set -euo pipefail

MLFLOW_VERSION="${MLFLOW_VERSION:-3.17.2}"
SERVER_DEPS=(
  "flask==3.1.3"
  "flask-cors==6.0.5"
  "sqlalchemy==2.1.9"
  "alembic==1.20.1"
  "aiohttp==3.14.5"
  "numpy==2.4.6"
  "pandas==3.1.1"
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/target/mlflow-venv"
STATE="$ROOT/target/mlflow-server"
PYTHON="${PYTHON:-python3}"

log() { echo "mlflow-server: $*" >&2; }

install() {
  local marker="$VENV/.installed-$MLFLOW_VERSION"
  if [[ -f "$marker" ]]; then
    return
  fi
  log "installing mlflow-skinny $MLFLOW_VERSION into $VENV"
  rm -rf "$VENV"
  local started=$SECONDS
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "mlflow-skinny==$MLFLOW_VERSION" "${SERVER_DEPS[@]}" >&2
  touch "$marker"
  log "installed in $((SECONDS - started)) s"
}

free_port() {
  "$VENV/bin/python" - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

start() {
  if [[ -f "$STATE/pid" ]] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
    log "already running (pid $(cat "$STATE/pid"))"
    cat "$STATE/uri"
    return
  fi
  install
  rm -rf "$STATE"
  mkdir -p "$STATE/artifacts"
  local port uri
  port="$(free_port)"
  uri="http://127.0.0.1:$port"
  # One worker: the machine is small, and one process keeps SQLite free of lock contention.
  # Job execution (the GenAI scorer queue) needs huey and is irrelevant to tracking.
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$VENV/bin/mlflow" server \
    --backend-store-uri "sqlite:///$STATE/mlflow.db" \
    --artifacts-destination "$STATE/artifacts" \
    --serve-artifacts \
    --host 127.0.0.1 --port "$port" --workers 1 \
    >"$STATE/server.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$STATE/pid"
  local deadline=$((SECONDS + 120))
  until curl -fsS "$uri/health" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server exited during startup; last lines of $STATE/server.log:"
      tail -n 40 "$STATE/server.log" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      log "no answer from $uri/health within 120 s; last lines of $STATE/server.log:"
      tail -n 40 "$STATE/server.log" >&2
      stop
      exit 1
    fi
    sleep 0.5
  done
  echo "$uri" >"$STATE/uri"
  log "MLflow $MLFLOW_VERSION serving at $uri (pid $pid, log $STATE/server.log)"
  echo "$uri"
}

stop() {
  if [[ ! -f "$STATE/pid" ]]; then
    log "not running"
    return
  fi
  local pid
  pid="$(cat "$STATE/pid")"
  # setsid made the server the leader of its own process group: signal that group only,
  # which also reaches the uvicorn worker it forked.
  kill -TERM -- "-$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.5
  done
  if kill -0 -- "-$pid" 2>/dev/null; then
    log "still running after 20 s; killing process group $pid"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/pid"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  bin)
    install
    echo "$VENV/bin/mlflow"
    ;;
  *)
    echo "usage: $0 start|stop|bin" >&2
    exit 2
    ;;
esac
