#!/usr/bin/env bash
# Acceptance of `bin/tracelet demo` on the BUILT distribution (distribution/target/tracelet, never
# an IDE class path) against a real MLflow server and the strict W&B and ClearML stubs. Run by
# .ci/run after `./mvnw -B verify`, which has built the distribution and compiled every module's
# test classes (the stubs are test sources).
#
#   MLflow   TRACELET_BACKEND=mlflow: the run's metrics (every point), params, artifact (bytes)
#            and registered model version (READY) are read back through MLflow's REST API.
#            TRACELET_BACKEND=local,mlflow: two runs land in both stores, hold the same params and
#            points, and `tracelet runs compare` reads both stores (--backend local / mlflow).
#   W&B      TRACELET_BACKEND=wandb, WANDB_BASE_URL at the stub: config, every history line,
#            summary, the model artifact, complete with exit code 0, no rejected request;
#            `demo --fail` exits non-zero and the stub records exit code 1.
#   ClearML  TRACELET_BACKEND=clearml, CLEARML_API_HOST at the stub: the project, a completed
#            training task with the hyperparameters, every scalar point, the model file uploaded
#            and registered as a task artifact.
#   All      TRACELET_BACKEND=local,mlflow,wandb,clearml: one demo, each of the four has the run.
#
# MLflow: uses TRACELET_IT_MLFLOW_URI when set (.ci/run exports it), else starts one with
# .ci/mlflow-server.sh (and stops it again). When the distribution has no MLflow plugin JAR, the
# MLflow and all-four parts print "SKIPPED: MLflow plugin not bundled" (W&B and ClearML still run;
# their plugins missing from the distribution is a failure).
#
# Each check prints "PASS  <area>: <what>"; the first failure prints "FAIL", what was expected and
# what was found, keeps the work folder for inspection and exits 1. Needs bash, java 17+, python3
# (JSON checks, HTTP) and optionally curl; installs nothing.
#
# Environment (optional): DEMO_EPOCHS (default 8), TRACELET_DIST (default
# distribution/target/tracelet), DEMO_ACCEPTANCE_KEEP=1 keeps the work folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

EPOCHS="${DEMO_EPOCHS:-8}"
DIST="${TRACELET_DIST:-$ROOT/distribution/target/tracelet}"
TRACELET="$DIST/bin/tracelet"
IT_MLFLOW_URI="${TRACELET_IT_MLFLOW_URI:-}"
KEEP="${DEMO_ACCEPTANCE_KEEP:-0}"
WANDB_KEY="local-stub-api-key" # the stub's test key, not a secret
WANDB_MODULE="plugins/tracelet-plugin-wandb"
CLEARML_MODULE="plugins/tracelet-plugin-clearml"

# Nothing from the caller's environment may point a demo at a real server or leak a real key into
# a log: every backend's variables are set explicitly below.
while read -r var; do
  unset "$var"
done < <(compgen -e | grep -E '^(TRACELET_|MLFLOW_|WANDB_|CLEARML_|TRAINS_)' || true)

started=$SECONDS
say() { printf '%s\n' "$*"; }
section() { printf '\n--- %s (%ds)\n' "$*" "$((SECONDS - started))"; }
fail() {
  say "FAIL  $1"
  shift
  local line
  for line in "$@"; do
    say "      $line"
  done
  exit 1
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tracelet-demo-acceptance.XXXXXX")"
STUB_PIDS=()
MLFLOW_START_PID=""
MLFLOW_STARTED_HERE=0

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  local pid
  for pid in "${STUB_PIDS[@]}"; do
    stop_pid "$pid"
  done
  if [[ -n "$MLFLOW_START_PID" ]]; then
    wait "$MLFLOW_START_PID" 2>/dev/null
  fi
  if ((MLFLOW_STARTED_HERE)); then
    .ci/mlflow-server.sh stop >/dev/null 2>&1
  fi
  if ((rc != 0)) || [[ "$KEEP" == 1 ]]; then
    say "demo acceptance: work folder kept at $WORK (demo outputs, stub logs)"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# The JSON checks. Each prints PASS lines and exits 1 at the first failure with expected/found.
CHECK="$WORK/check.py"
cat >"$CHECK" <<'PY'
import argparse, concurrent.futures, json, os, re, subprocess, sys, urllib.error, urllib.parse, urllib.request

METRICS = ["train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate"]
# What DemoCommand logs: captureHyperparams (DemoTraining.Hyperparameters), dataParams(),
# captureDataset(...). Values that follow from the command line are checked exactly; the others
# must be present and, where a run reaches several stores, equal in all of them.
HYPER = ["learning_rate", "final_learning_rate", "lr_schedule", "epochs", "l2", "optimizer", "seed"]
DATA = ["data.generator", "data.samples", "data.features", "data.train_size",
        "data.validation_size", "data.separation", "data.shared_factor", "data.label_noise"]
DATASET = ["dataset.class", "dataset.element_class", "dataset.fingerprint", "dataset.size"]
PARAMS = HYPER + DATA + DATASET
MODEL_NAME, ARTIFACT, MODEL_FILE = "demo-logreg", "model", "model.json"
REGISTRIES = ["local", "mlflow"]  # backends with a model registry (the others say "skipped")


def ok(area, what):
    print(f"PASS  {area}: {what}", flush=True)


def fail(area, what, expected, found, extra=None):
    print(f"FAIL  {area}: {what}", flush=True)
    print(f"      expected: {expected}", flush=True)
    print(f"      found:    {short(found)}", flush=True)
    if extra:
        for line in extra:
            print(f"      {line}", flush=True)
    sys.exit(1)


def short(v, n=1500):
    s = v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)
    return s if len(s) <= n else s[:n] + f"... ({len(s)} characters)"


def check(cond, area, what, expected, found, extra=None):
    if not cond:
        fail(area, what, expected, found, extra)
    ok(area, what)


def same_value(a, b):
    """Param values compared across stores: W&B keeps numbers as JSON numbers, the others strings."""
    if isinstance(a, bool) or isinstance(b, bool):
        return str(a).lower() == str(b).lower()
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def close_to_printed(value, printed):
    """The demo prints values with %.4f / %.3f; a stored value must round to what was printed."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(float(value) - float(printed)) <= 0.5 * 10 ** -decimals + 1e-12


def http(method, url, body=None, timeout=30, raw=False):
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            payload = r.read()
            return r.status, payload if raw else json.loads(payload or b"{}")
    except urllib.error.HTTPError as e:
        payload = e.read()
        try:
            return e.code, json.loads(payload)
        except ValueError:
            return e.code, payload.decode(errors="replace")
    except (urllib.error.URLError, OSError) as e:
        return None, f"{type(e).__name__}: {e}"


def get_json(area, what, url, method="GET", body=None):
    status, payload = http(method, url, body)
    if status != 200:
        fail(area, what, f"HTTP 200 from {method} {url}" + (f" {json.dumps(body)}" if body else ""),
             f"HTTP {status}: {short(payload)}")
    return payload


# ----------------------------------------------------------------------------- demo output
def parse_demo(text):
    f = {"run_id": None, "project": None, "backends": [], "epochs": {}, "final": None,
         "status": None, "failure": None, "deliveries": {}, "artifacts": {}, "registered": {}}
    m = re.search(r"^Run ([0-9a-f]{32}) started: project '([^']*)', backends (.*)$", text, re.M)
    if m:
        f["run_id"], f["project"] = m.group(1), m.group(2)
        f["backends"] = [b.strip() for b in m.group(3).split(",") if b.strip()]
    for m in re.finditer(r"^\s+epoch\s+(\d+)\s+lr (\S+)\s+train loss (\S+) acc (\S+)\s+"
                         r"val loss (\S+) acc (\S+)\s*$", text, re.M):
        f["epochs"][int(m.group(1))] = {
            "learning_rate": m.group(2), "train_loss": m.group(3), "train_accuracy": m.group(4),
            "val_loss": m.group(5), "val_accuracy": m.group(6)}
    m = re.search(r"^\s+final\s+train loss (\S+) accuracy (\S+) \| validation loss (\S+) "
                  r"accuracy (\S+)\s*$", text, re.M)
    if m:
        f["final"] = {"train_loss": m.group(1), "train_accuracy": m.group(2),
                      "val_loss": m.group(3), "val_accuracy": m.group(4)}
    if f["run_id"]:
        m = re.search(rf"^Run {f['run_id']} (FINISHED|FAILED|KILLED)\s*$", text, re.M)
        if m:
            f["status"] = m.group(1)
        m = re.search(rf"^Run {f['run_id']} ended (\w+): (.*)$", text, re.M)
        if m:
            f["status"], f["failure"] = m.group(1), m.group(2)
    for m in re.finditer(r"^\s+delivery ([\w.-]+): (.*)$", text, re.M):
        f["deliveries"][m.group(1)] = m.group(2).strip()
    for m in re.finditer(r"^\s+model artifact in ([\w.-]+): (\S+)\s*$", text, re.M):
        f["artifacts"][m.group(1)] = m.group(2)
    for m in re.finditer(r"^Registered model (\S+) version (\S+) in ([\w.-]+)\s*$", text, re.M):
        f["registered"][m.group(3)] = {"model": m.group(1), "version": m.group(2)}
    return f


def cmd_demo(a):
    area = a.area
    text = open(a.out, encoding="utf-8", errors="replace").read()
    err = open(a.err, encoding="utf-8", errors="replace").read() if a.err else ""
    tail = ["demo output (last lines):"] + ["  " + l for l in (text + err).splitlines()[-25:]]
    f = parse_demo(text)
    f["epochs_requested"] = a.epochs
    backends = a.backends.split(",")
    check(a.rc == a.expect_rc, area, f"exit code {a.expect_rc}", a.expect_rc, a.rc, tail)
    check(f["run_id"] is not None and f["backends"] == backends and f["project"] == a.project,
          area, f"run {f['run_id']} started in project '{a.project}' on {', '.join(backends)}",
          f"'Run <32 hex> started: project '{a.project}', backends {', '.join(backends)}'",
          {"run_id": f["run_id"], "project": f["project"], "backends": f["backends"]}, tail)
    last = a.epochs - 1 if not a.fail else a.epochs // 2
    expected_epochs = set(range(0, last + 1, max(1, a.epochs // 8))) | {last}
    if a.fail:
        expected_epochs = {e for e in expected_epochs if e <= last}
    check(expected_epochs <= set(f["epochs"]), area,
          f"printed epochs {min(expected_epochs)}..{max(expected_epochs)}",
          sorted(expected_epochs), sorted(f["epochs"]), tail)
    if a.fail:
        check(f["status"] == "FAILED" and f["failure"] and "--fail" in f["failure"], area,
              "run ended FAILED by the simulated failure",
              f"'Run {f['run_id']} ended FAILED: simulated failure at epoch {last} (--fail)'",
              {"status": f["status"], "message": f["failure"]}, tail)
        check(f"failed on purpose (--fail)" in err + text, area,
              "the CLI reports the failure on purpose", "'... failed on purpose (--fail) ...'",
              err.strip()[-300:], tail)
    else:
        check(f["status"] == "FINISHED", area, "run ended FINISHED", "FINISHED", f["status"], tail)
        check(f["final"] is not None and all(
            close_to_printed(f["epochs"][last][k], f["final"][k]) for k in f["final"]),
            area, "final figures printed", f"final line matching epoch {last}",
            {"final": f["final"], "last epoch": f["epochs"].get(last)}, tail)
        expected_events = len(METRICS) * a.epochs + len(PARAMS)
        counts = {}
        for b in backends:
            d = f["deliveries"].get(b)
            m = re.fullmatch(r"\d+ delivered", d or "")
            check(m is not None and int(d.split()[0]) >= expected_events, area,
                  f"delivery to {b} complete ({d})",
                  f"'{b}: <n> delivered' with n >= {expected_events} and nothing dropped, failed"
                  " or pending", d, tail)
            counts[b] = int(d.split()[0])
        if len(backends) > 1:
            check(len(set(counts.values())) == 1, area,
                  f"every backend got the same {next(iter(counts.values()))} events",
                  "one count", counts, tail)
        check(set(f["artifacts"]) == set(backends), area,
              f"model artifact stored in {', '.join(backends)}", backends, f["artifacts"], tail)
        regs = [b for b in backends if b in REGISTRIES]
        check(set(f["registered"]) == set(regs)
              and all(r["model"] == MODEL_NAME for r in f["registered"].values()), area,
              f"model {MODEL_NAME} registered in " + (", ".join(regs) or "no backend (no registry)"),
              regs, f["registered"], tail)
    json.dump(f, open(a.facts, "w"), indent=1)


def load_facts(path):
    f = json.load(open(path))
    f["epochs"] = {int(k): v for k, v in f["epochs"].items()}
    return f


def check_points(area, metric, points, facts, n):
    """points: [(step, value)] of one metric as a store holds them."""
    steps = sorted(s for s, _ in points)
    check(steps == list(range(n)), area, f"{metric}: {n} points, steps 0..{n - 1} once each",
          list(range(n)), steps)
    by_step = dict(points)
    wrong = {e: (by_step.get(e), row[metric]) for e, row in facts["epochs"].items()
             if e < n and not close_to_printed(by_step.get(e, float("nan")), row[metric])}
    check(not wrong, area, f"{metric}: values match the {len(facts['epochs'])} printed epochs",
          "stored value rounds to the printed one", {"step: (stored, printed)": wrong})


# ----------------------------------------------------------------------------- local store
def tracelet(a, *args):
    return subprocess.run([a.tracelet, *args], cwd=a.cwd, capture_output=True, text=True,
                          timeout=120)


def cmd_local(a):
    area, facts, n = a.area, load_facts(a.facts), a.epochs
    rid = facts["run_id"]
    jobs = {"show": ["runs", "show", rid, "--json"],
            "versions": ["models", "versions", MODEL_NAME, "--json"]}
    for m in METRICS:
        jobs[m] = ["runs", "show", rid, "--history", m, "--json"]
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
        done = {k: pool.submit(tracelet, a, *v) for k, v in jobs.items()}
        res = {k: f.result() for k, f in done.items()}
    for k, r in res.items():
        if r.returncode != 0:
            fail(area, f"tracelet {' '.join(jobs[k])}", "exit code 0",
                 f"exit code {r.returncode}: {r.stderr.strip()[-500:]}")
    show = json.loads(res["show"].stdout)
    check(show.get("run_id") == rid and show.get("status") == "FINISHED", area,
          f"runs show {rid}: FINISHED", {"run_id": rid, "status": "FINISHED"},
          {k: show.get(k) for k in ("run_id", "status")})
    params = show.get("params", {})
    missing = [p for p in PARAMS if p not in params]
    check(not missing and params.get("epochs") == str(n) and params.get("seed") == "42", area,
          f"{len(PARAMS)} params (epochs={n}, seed=42)", PARAMS, {"missing": missing,
          "epochs": params.get("epochs"), "seed": params.get("seed")})
    for m in METRICS:
        hist = json.loads(res[m].stdout).get("history", {}).get(m, [])
        check_points(area, m, [(p["step"], p["value"]) for p in hist], facts, n)
    arts = show.get("artifacts", [])
    check(f"{ARTIFACT}/{MODEL_FILE}" in arts, area, f"artifact {ARTIFACT}/{MODEL_FILE} listed",
          f"{ARTIFACT}/{MODEL_FILE}", arts)
    uri = facts["artifacts"].get("local", "")
    path = urllib.parse.urlparse(uri).path
    model = os.path.join(urllib.parse.unquote(path), MODEL_FILE)
    size = os.path.getsize(model) if os.path.isfile(model) else None
    body = json.load(open(model)) if size else {}
    check(size and body.get("epochs") == n and body.get("model") == "logistic-regression", area,
          f"{MODEL_FILE} on disk ({size} bytes, epochs {n})", f"{model} with epochs {n}",
          {"size": size, "epochs": body.get("epochs")})
    versions = json.loads(res["versions"].stdout)
    want = facts["registered"]["local"]["version"]
    mine = [v for v in versions if v.get("version") == want]
    check(mine and mine[0].get("source_run_id") == rid, area,
          f"model {MODEL_NAME} version {want} registered from run {rid}",
          {"version": want, "source_run_id": rid}, versions)
    out = {"params": params, "metrics": show.get("metrics", {}), "model_size": size}
    if a.result:
        json.dump(out, open(a.result, "w"))


# ----------------------------------------------------------------------------- MLflow
def cmd_mlflow(a):
    area, facts, n = a.area, load_facts(a.facts), a.epochs
    api = a.uri.rstrip("/") + "/api/2.0/mlflow"
    rid = facts["run_id"]
    exp = get_json(area, "experiment", f"{api}/experiments/get-by-name?"
                   + urllib.parse.urlencode({"experiment_name": facts["project"]}))["experiment"]
    check(exp.get("name") == facts["project"], area,
          f"experiment '{facts['project']}' exists (id {exp.get('experiment_id')})",
          facts["project"], exp.get("name"))
    found = get_json(area, "runs/search", f"{api}/runs/search", "POST", {
        "experiment_ids": [exp["experiment_id"]], "max_results": 100,
        "filter": f"tags.`tracelet.run_id` = '{rid}'"}).get("runs", [])
    check(len(found) == 1, area, f"runs/search finds exactly one run tagged tracelet.run_id={rid}",
          1, [r["info"]["run_id"] for r in found])
    run = found[0]
    info, data = run["info"], run.get("data", {})
    mid = info["run_id"]
    check(info.get("status") == "FINISHED" and info.get("end_time"), area,
          f"run {mid} FINISHED with an end time", "FINISHED", info)
    check(info.get("run_name") == "logreg-demo", area, "run name logreg-demo", "logreg-demo",
          info.get("run_name"))
    params = {p["key"]: p.get("value") for p in data.get("params", [])}
    missing = [p for p in PARAMS if p not in params]
    check(not missing and params.get("epochs") == str(n) and params.get("seed") == "42", area,
          f"{len(PARAMS)} params (epochs={n}, seed=42)", PARAMS,
          {"missing": missing, "epochs": params.get("epochs"), "seed": params.get("seed")})
    latest = {m["key"]: m["value"] for m in data.get("metrics", [])}
    for m in METRICS:
        pts, token = [], None
        while True:
            q = {"run_id": mid, "metric_key": m, "max_results": 1000}
            if token:
                q["page_token"] = token
            page = get_json(area, f"metrics/get-history {m}",
                            f"{api}/metrics/get-history?" + urllib.parse.urlencode(q))
            pts += [(int(p.get("step", 0)), p["value"]) for p in page.get("metrics", [])]
            token = page.get("next_page_token")
            if not token:
                break
        check_points(area, m, pts, facts, n)
    listing = get_json(area, "artifacts/list", f"{api}/artifacts/list?"
                       + urllib.parse.urlencode({"run_id": mid, "path": ARTIFACT}))
    files = {f["path"]: f for f in listing.get("files", [])}
    entry = files.get(f"{ARTIFACT}/{MODEL_FILE}")
    check(entry and int(entry.get("file_size", 0)) > 0, area,
          f"artifacts/list shows {ARTIFACT}/{MODEL_FILE} ({entry and entry.get('file_size')} bytes)",
          f"{ARTIFACT}/{MODEL_FILE} with a size", listing)
    size = int(entry["file_size"])
    m = re.match(r"mlflow-artifacts:(?://[^/]+)?/(.*)$", info.get("artifact_uri", ""))
    check(m is not None, area, "artifact root is served by the tracking server (mlflow-artifacts:)",
          "mlflow-artifacts:/<exp>/<run>/artifacts", info.get("artifact_uri"))
    url = (a.uri.rstrip("/") + "/api/2.0/mlflow-artifacts/artifacts/"
           + m.group(1).strip("/") + f"/{ARTIFACT}/{MODEL_FILE}")
    status, payload = http("GET", url, raw=True)
    check(status == 200 and len(payload) == size, area,
          f"{MODEL_FILE} downloads with its {size} bytes", f"HTTP 200, {size} bytes",
          f"HTTP {status}, {len(payload) if isinstance(payload, bytes) else payload}")
    body = json.loads(payload)
    check(body.get("epochs") == n and body.get("model") == "logistic-regression", area,
          f"{MODEL_FILE} is the demo's model (epochs {n})", {"epochs": n},
          {k: body.get(k) for k in ("model", "epochs")})
    reg = facts["registered"].get("mlflow", {}).get("version")
    rm = get_json(area, "registered-models/get", f"{api}/registered-models/get?"
                  + urllib.parse.urlencode({"name": MODEL_NAME}))["registered_model"]
    check(rm.get("name") == MODEL_NAME, area, f"registered model {MODEL_NAME} exists",
          MODEL_NAME, rm.get("name"))
    mv = get_json(area, "model-versions/search", f"{api}/model-versions/search?"
                  + urllib.parse.urlencode({"filter": f"name='{MODEL_NAME}' and run_id='{mid}'"})
                  ).get("model_versions", [])
    check(len(mv) == 1 and mv[0].get("version") == reg and mv[0].get("status") == "READY"
          and mv[0].get("source", "").endswith(f"/{ARTIFACT}")
          and mid in mv[0].get("source", ""), area,
          f"model version {reg} of {MODEL_NAME} from run {mid} is READY ({mv and mv[0].get('source')})",
          {"version": reg, "status": "READY", "run_id": mid, "source": f"runs:/{mid}/{ARTIFACT}"},
          mv)
    if a.result:
        json.dump({"params": params, "metrics": latest, "model_size": size, "mlflow_run_id": mid},
                  open(a.result, "w"))


# ----------------------------------------------------------------------------- W&B stub
def cmd_wandb(a):
    area, facts, n = a.area, load_facts(a.facts), a.epochs
    rid = facts["run_id"]
    last = n - 1 if a.expect_exit == 0 else n // 2
    runs = get_json(area, "stub runs", a.url.rstrip("/") + "/_stub/runs")
    mine = [r for r in runs if r.get("id") == rid]
    check(len(mine) == 1, area, f"stub has run {rid}", 1, [r.get("id") for r in runs])
    r = mine[0]
    check(r.get("project") == facts["project"] and r.get("displayName") == "logreg-demo", area,
          f"run is in project '{facts['project']}', named logreg-demo",
          {"project": facts["project"], "displayName": "logreg-demo"},
          {k: r.get(k) for k in ("entity", "project", "displayName")})
    config = r.get("config", {})
    values = {k: (v.get("value") if isinstance(v, dict) else v) for k, v in config.items()}
    missing = [p for p in PARAMS if p not in values]
    check(not missing and same_value(values.get("epochs"), n) and same_value(values.get("seed"), 42),
          area, f"config holds the {len(PARAMS)} params (epochs={n}, seed=42)", PARAMS,
          {"missing": missing, "epochs": values.get("epochs"), "seed": values.get("seed")})
    steps = r.get("steps", [])
    check(r.get("historyLines") == last + 1 and steps == list(range(last + 1)), area,
          f"{last + 1} history lines, _step 0..{last}",
          {"historyLines": last + 1, "steps": list(range(last + 1))},
          {"historyLines": r.get("historyLines"), "steps": steps})
    summary = r.get("summary") or {}
    printed = facts["epochs"].get(last)
    wrong = {m: (summary.get(m), printed and printed[m]) for m in METRICS
             if m not in summary or not printed or not close_to_printed(summary[m], printed[m])}
    check(not wrong, area, f"summary holds the {len(METRICS)} metrics of epoch {last}",
          "summary value rounds to the printed one", {"metric: (summary, printed)": wrong})
    if a.expect_exit == 0:
        arts = [x for x in r.get("artifacts", []) if x.get("name") == ARTIFACT]
        check(any(x.get("type") == "model" and x.get("committed") and x.get("files", 0) >= 1
                  for x in arts), area, f"artifact '{ARTIFACT}' (type model) committed with its file",
              {"name": ARTIFACT, "type": "model", "committed": True, "files": ">= 1"},
              r.get("artifacts"))
    check(r.get("complete") is True and r.get("exitcode") == a.expect_exit, area,
          f"complete with exit code {a.expect_exit}", {"complete": True, "exitcode": a.expect_exit},
          {"complete": r.get("complete"), "exitcode": r.get("exitcode")})
    rej = get_json(area, "stub rejections", a.url.rstrip("/") + "/_stub/rejections")
    check(rej == [], area, "stub rejected no request", [], rej)
    if a.result:
        json.dump({"params": values}, open(a.result, "w"))


# ----------------------------------------------------------------------------- ClearML stub
def cmd_clearml(a):
    area, facts, n = a.area, load_facts(a.facts), a.epochs
    rid = facts["run_id"]
    s = get_json(area, "stub summary", a.url.rstrip("/") + "/_stub/summary")
    projects = [p for p in s.get("projects", []) if p.get("name") == facts["project"]]
    check(len(projects) == 1, area, f"project '{facts['project']}' exists", 1,
          s.get("projects"))
    tasks = [t for t in s.get("tasks", [])
             if t.get("hyperparams", {}).get("Tracelet", {}).get("run_id") == rid]
    check(len(tasks) == 1, area, f"one task with Tracelet/run_id={rid}", 1,
          [(t.get("id"), t.get("hyperparams", {}).get("Tracelet", {}).get("run_id"))
           for t in s.get("tasks", [])])
    t = tasks[0]
    check(t.get("project") == projects[0]["id"] and t.get("type") == "training"
          and t.get("name") == "logreg-demo", area,
          f"task {t.get('id')}: type training, name logreg-demo, in the project",
          {"project": projects[0]["id"], "type": "training", "name": "logreg-demo"},
          {k: t.get(k) for k in ("project", "type", "name")})
    check(t.get("status") == "completed" and "in_progress" in t.get("status_history", []), area,
          f"task completed (status history {' -> '.join(t.get('status_history', []))})",
          "completed, after in_progress", {k: t.get(k) for k in ("status", "status_history",
                                                                  "status_reason")})
    general = t.get("hyperparams", {}).get("General", {})
    missing = [p for p in PARAMS if p not in general]
    check(not missing and general.get("epochs") == str(n) and general.get("seed") == "42", area,
          f"{len(PARAMS)} hyperparameters in section General (epochs={n}, seed=42)", PARAMS,
          {"missing": missing, "epochs": general.get("epochs"), "seed": general.get("seed")})
    scalars = t.get("scalars", {})
    wrong = {m: scalars.get(f"{m}/{m}") for m in METRICS if scalars.get(f"{m}/{m}") != n}
    check(not wrong, area, f"{n} scalar points in each of the {len(METRICS)} series", n,
          {"wrong": wrong, "all series": scalars})
    arts = [x for x in t.get("artifacts", []) if x.get("key") == ARTIFACT]
    check(len(arts) == 1 and arts[0].get("type") == "model" and arts[0].get("mode") == "output",
          area, f"task artifact '{ARTIFACT}' registered (type model, mode output)",
          {"key": ARTIFACT, "type": "model", "mode": "output"}, t.get("artifacts"))
    art = arts[0]
    uri, size = art.get("uri", ""), art.get("content_size")
    files = [f for f in s.get("files", []) if uri.endswith("/" + f.get("path", "").lstrip("/"))]
    check(len(files) == 1 and files[0].get("size") == size and size and len(art.get("hash", "")) == 64
          and uri.endswith(f"/{MODEL_FILE}"), area,
          f"{MODEL_FILE} uploaded to the file server ({size} bytes) at the registered URI",
          {"file at": uri, "size": size, "sha256": "64 hex"},
          {"files": s.get("files"), "artifact": art})
    if a.result:
        json.dump({"params": general, "model_size": size}, open(a.result, "w"))


# ----------------------------------------------------------------------------- cross-store
def cmd_same(a):
    """The same run in several stores: params equal everywhere, same model file size."""
    area = a.area
    res = {name: json.load(open(path)) for name, path in (x.split("=", 1) for x in a.results)}
    ref_name = next(iter(res))
    ref = res[ref_name]["params"]
    for name, r in res.items():
        diff = {p: (ref.get(p), r["params"].get(p)) for p in PARAMS
                if not same_value(ref.get(p), r["params"].get(p))}
        if name != ref_name:
            check(not diff, area, f"{name} holds the same {len(PARAMS)} param values as {ref_name}",
                  "equal values", {f"param: ({ref_name}, {name})": diff})
    sizes = {name: r["model_size"] for name, r in res.items() if r.get("model_size") is not None}
    if len(sizes) > 1:
        check(len(set(sizes.values())) == 1, area,
              f"{MODEL_FILE} has the same size in {', '.join(sizes)} ({next(iter(sizes.values()))} bytes)",
              "one size", sizes)


def cmd_compare(a):
    """`tracelet runs compare` on the local store and on MLflow, for the same two runs."""
    area = a.area
    ids = a.ids.split(",")
    out = {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = {b: pool.submit(tracelet, a, "runs", "compare", *ids, "--backend", b, "--json")
                for b in ("local", "mlflow")}
    for backend, job in jobs.items():
        r = job.result()
        check(r.returncode == 0, area, f"runs compare {' '.join(ids)} --backend {backend}",
              "exit code 0", f"exit code {r.returncode}: {r.stderr.strip()[-800:]}")
        out[backend] = json.loads(r.stdout)
    for backend, c in out.items():
        listed = [x.get("run_id") for x in c.get("runs", [])]
        # MLflow's read side may list its own run ids; map them back by the local order.
        check(len(listed) == len(ids), area, f"{backend}: both runs compared ({', '.join(listed)})",
              ids, listed)
    def by_position(c):
        order = [x.get("run_id") for x in c.get("runs", [])]
        params = {k: [v.get(i) for i in order] for k, v in c.get("params", {}).items()}
        metrics = {k: [v.get("values", {}).get(i) for i in order]
                   for k, v in c.get("metrics", {}).items()}
        def positions(best):
            best = best if isinstance(best, list) else [best]
            return sorted(order.index(b) if b in order else b for b in best)
        best = {k: positions(v.get("best")) for k, v in c.get("metrics", {}).items()}
        return params, metrics, best
    lp, lm, lb = by_position(out["local"])
    mp, mm, mb = by_position(out["mlflow"])
    missing = [p for p in PARAMS if p not in lp or p not in mp]
    diff = {p: (lp.get(p), mp.get(p)) for p in PARAMS if p in lp and p in mp
            and not all(same_value(x, y) for x, y in zip(lp[p], mp[p]))}
    check(not missing and not diff, area,
          f"both stores compare the same {len(PARAMS)} params", "equal params",
          {"missing": missing, "param: (local, mlflow)": diff})
    mdiff = {m: (lm.get(m), mm.get(m)) for m in METRICS
             if lm.get(m) is None or mm.get(m) is None
             or not all(x is not None and y is not None and abs(float(x) - float(y)) <= 1e-9
                        for x, y in zip(lm[m], mm[m]))}
    check(not mdiff, area, f"both stores compare the same latest values of the {len(METRICS)} metrics",
          "equal values", {"metric: (local, mlflow)": mdiff})
    bdiff = {m: (lb.get(m), mb.get(m)) for m in METRICS if lb.get(m) != mb.get(m)}
    check(not bdiff, area, "both stores pick the same best run per metric", "equal",
          {"metric: (local, mlflow)": bdiff})


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("demo")
    d.add_argument("--out", required=True); d.add_argument("--err")
    d.add_argument("--rc", type=int, required=True); d.add_argument("--expect-rc", type=int, default=0)
    d.add_argument("--backends", required=True); d.add_argument("--project", required=True)
    d.add_argument("--fail", action="store_true")
    for name in ("demo", "local", "mlflow", "wandb", "clearml", "same", "compare"):
        q = d if name == "demo" else sub.add_parser(name)
        q.add_argument("--area", required=True)
        q.add_argument("--epochs", type=int, default=0)
        q.add_argument("--facts")
        q.add_argument("--result")
        q.add_argument("--tracelet"); q.add_argument("--cwd")
        q.add_argument("--uri"); q.add_argument("--url")
        q.add_argument("--expect-exit", type=int, default=0)
        if name == "same":
            q.add_argument("results", nargs="+")
        if name == "compare":
            q.add_argument("--ids", required=True)
    a = p.parse_args()
    {"demo": cmd_demo, "local": cmd_local, "mlflow": cmd_mlflow, "wandb": cmd_wandb,
     "clearml": cmd_clearml, "same": cmd_same, "compare": cmd_compare}[a.cmd](a)


main()
PY

py() { python3 "$CHECK" "$@"; }

# GET a URL: 0 when it answers 200 (curl when there is one, else python's urllib).
http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null
  else
    python3 - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=5).status == 200 else 1)
PY
  fi
}

# ---------------------------------------------------------------------------------------------
section "distribution"
[[ -x "$TRACELET" ]] || fail "distribution: $TRACELET" \
  "expected: the unpacked distribution (run ./mvnw -B package first)" "found:    no such executable"
say "PASS  distribution: $TRACELET"
# One project per scenario: W&B deduplicates an artifact whose content a project already holds
# (the demo is deterministic), so a second run in the same project would get no artifact of its own.
PROJECT="acceptance-$(date +%Y%m%d-%H%M%S)-$$"
say "      projects '$PROJECT-<scenario>', $EPOCHS epochs per demo, work folder $WORK"

has_plugin() { compgen -G "$DIST/plugins/tracelet-plugin-$1*.jar" >/dev/null; }
bundled=()
for b in local mlflow wandb clearml; do
  if has_plugin "$b"; then bundled+=("$b"); fi
done
for b in local wandb clearml; do
  has_plugin "$b" || fail "distribution: plugin $b bundled" \
    "expected: $DIST/plugins/tracelet-plugin-$b-<version>.jar" \
    "found:    $(cd "$DIST/plugins" && ls | tr '\n' ' ')"
done
MLFLOW_BUNDLED=0
if has_plugin mlflow; then MLFLOW_BUNDLED=1; fi

mkdir -p "$WORK/plugins-list"
(cd "$WORK/plugins-list" && "$TRACELET" plugins list --json >plugins.json 2>plugins.err) ||
  fail "distribution: tracelet plugins list" "expected: exit code 0 (every plugin usable)" \
    "found:    $(cat "$WORK/plugins-list/plugins.err" "$WORK/plugins-list/plugins.json" | tail -n 20)"
python3 - "$WORK/plugins-list/plugins.json" "${bundled[@]}" <<'PY'
import json, sys
listing = json.load(open(sys.argv[1]))
started = {b for p in listing["plugins"] if p.get("state") == "STARTED" for b in p.get("backends", [])}
want = set(sys.argv[2:])
if not want <= started:
    print(f"FAIL  distribution: plugins list\n      expected: {sorted(want)} STARTED\n"
          f"      found:    {json.dumps(listing['plugins'])}")
    sys.exit(1)
print(f"PASS  distribution: plugins list shows {', '.join(sorted(want))} STARTED")
PY

# ---------------------------------------------------------------------------------------------
# MLflow: in the background while the stubs start (a first start installs MLflow).
MLFLOW_URI=""
if ((MLFLOW_BUNDLED)); then
  if [[ -n "$IT_MLFLOW_URI" ]]; then
    MLFLOW_URI="$IT_MLFLOW_URI"
  else
    state="$ROOT/target/mlflow-server"
    if ! { [[ -f "$state/pid" ]] && kill -0 "$(cat "$state/pid")" 2>/dev/null; }; then
      MLFLOW_STARTED_HERE=1 # else someone else's server: use it, leave it running
    fi
    .ci/mlflow-server.sh start >"$WORK/mlflow.uri" 2>"$WORK/mlflow-start.log" &
    MLFLOW_START_PID=$!
  fi
fi

# ---------------------------------------------------------------------------------------------
section "stubs: class path"
# The stubs are test sources: test-classes, classes and the module's test class path. A module
# alone (-pl without -am) resolves its sibling modules (tracelet-http, ...) from the local
# repository, where `verify` installs nothing; so the reactor (-am) provides them, which takes
# the compile phase (up to date after the main build; nothing is recompiled).
CPDIR="$WORK/classpath"
mkdir -p "$CPDIR"
mvn_classpath() {
  ./mvnw -B -q "$@" -pl "$WANDB_MODULE,$CLEARML_MODULE" -am compile dependency:build-classpath \
    -Dmdep.includeScope=test "-Dmdep.outputFile=$CPDIR/\${project.artifactId}.txt" \
    >>"$WORK/mvn-classpath.log" 2>&1
}
cp_source=""
if mvn_classpath -o; then
  cp_source="./mvnw -o dependency:build-classpath"
elif mvn_classpath; then
  cp_source="./mvnw dependency:build-classpath (online)"
elif [[ -s "$CLEARML_MODULE/target/stub-classpath.txt" ]]; then
  # Written by the ClearML module's build; the W&B module has the same dependencies.
  cp "$CLEARML_MODULE/target/stub-classpath.txt" "$CPDIR/tracelet-plugin-clearml.txt"
  cp "$CLEARML_MODULE/target/stub-classpath.txt" "$CPDIR/tracelet-plugin-wandb.txt"
  cp_source="$CLEARML_MODULE/target/stub-classpath.txt"
fi
for m in "$WANDB_MODULE" "$CLEARML_MODULE"; do
  a="$(basename "$m")"
  [[ -n "$cp_source" && -s "$CPDIR/$a.txt" ]] || fail "stubs: test class path of $m" \
    "expected: from ./mvnw dependency:build-classpath or $CLEARML_MODULE/target/stub-classpath.txt" \
    "found:    neither worked; Maven said: $(tail -n 15 "$WORK/mvn-classpath.log")"
  [[ -d "$m/target/test-classes" && -d "$m/target/classes" ]] || fail "stubs: $m compiled" \
    "expected: $m/target/classes and target/test-classes (./mvnw -B verify builds them)" \
    "found:    missing"
done
say "PASS  stubs: test class paths (from $cp_source)"
stub_cp() { printf '%s' "$ROOT/$1/target/test-classes:$ROOT/$1/target/classes:$(cat "$CPDIR/$(basename "$1").txt")"; }

section "stubs: start"
java -cp "$(stub_cp "$WANDB_MODULE")" dev.tracelet.plugin.wandb.stub.WandbStubServer \
  --port 0 --api-key "$WANDB_KEY" --ready-file "$WORK/wandb-stub.url" \
  >"$WORK/wandb-stub.log" 2>&1 </dev/null &
STUB_PIDS+=($!)
WANDB_PID=$!
java -cp "$(stub_cp "$CLEARML_MODULE")" dev.tracelet.plugin.clearml.stub.ClearmlStubServer 0 0 \
  >"$WORK/clearml-stub.log" 2>&1 </dev/null &
STUB_PIDS+=($!)
CLEARML_PID=$!

deadline=$((SECONDS + 60))
WANDB_URL=""
CLEARML_API=""
while [[ -z "$WANDB_URL" || -z "$CLEARML_API" ]]; do
  if [[ -z "$WANDB_URL" && -s "$WORK/wandb-stub.url" ]] &&
    http_ok "$(head -n 1 "$WORK/wandb-stub.url")/_stub/runs"; then
    WANDB_URL="$(head -n 1 "$WORK/wandb-stub.url")"
  fi
  if [[ -z "$CLEARML_API" ]] && grep -qs '^CLEARML_API_SECRET_KEY=' "$WORK/clearml-stub.log" &&
    http_ok "$(sed -n 's/^CLEARML_API_HOST=//p' "$WORK/clearml-stub.log")/_stub/summary"; then
    CLEARML_API="$(sed -n 's/^CLEARML_API_HOST=//p' "$WORK/clearml-stub.log")"
  fi
  for p in "$WANDB_PID" "$CLEARML_PID"; do
    kill -0 "$p" 2>/dev/null || fail "stubs: start" "expected: both stubs running" \
      "found:    pid $p exited; W&B log: $(tail -n 5 "$WORK/wandb-stub.log"); ClearML log: $(tail -n 5 "$WORK/clearml-stub.log")"
  done
  ((SECONDS < deadline)) || fail "stubs: start" "expected: both stubs answering within 60 s" \
    "found:    W&B '${WANDB_URL:-no answer}', ClearML '${CLEARML_API:-no answer}'"
  sleep 0.3
done
CLEARML_ENV=()
while IFS= read -r line; do
  CLEARML_ENV+=("$line")
done < <(grep -E '^CLEARML_(API_HOST|FILES_HOST|API_ACCESS_KEY|API_SECRET_KEY)=' "$WORK/clearml-stub.log")
say "PASS  stubs: W&B at $WANDB_URL (pid $WANDB_PID), ClearML at $CLEARML_API (pid $CLEARML_PID)"
WANDB_ENV=("WANDB_BASE_URL=$WANDB_URL" "WANDB_API_KEY=$WANDB_KEY")

# ---------------------------------------------------------------------------------------------
# run_demo DIR EXPECTED_RC BACKENDS AREA [VAR=value ...] -- [demo options]: runs the
# distribution's demo in DIR (made fresh if new) in project $PROJECT-<DIR's name>, checks its
# output, and writes DIR/demo-<n>.facts.json for the store checks.
DEMO_N=0
LAST_FACTS=""
run_demo() {
  local dir=$1 expect_rc=$2 backends=$3 area=$4
  shift 4
  local envs=()
  while (($#)) && [[ "$1" != "--" ]]; do
    envs+=("$1")
    shift
  done
  shift
  mkdir -p "$dir"
  local project="$PROJECT-$(basename "$dir")"
  DEMO_N=$((DEMO_N + 1))
  local out="$dir/demo-$DEMO_N.out" err="$dir/demo-$DEMO_N.err" rc=0 t0=$SECONDS
  local runner=()
  if command -v timeout >/dev/null 2>&1; then runner=(timeout 180); fi
  (cd "$dir" && env "${envs[@]}" TRACELET_BACKEND="$backends" TRACELET_PROJECT="$project" \
    TRACELET_JOURNAL_DIR="$dir/journal" "${runner[@]}" "$TRACELET" demo --epochs "$EPOCHS" "$@") \
    >"$out" 2>"$err" || rc=$?
  say "      TRACELET_BACKEND=$backends tracelet demo --epochs $EPOCHS $* -> exit $rc in $((SECONDS - t0)) s"
  local fail_flag=()
  for a in "$@"; do [[ "$a" == "--fail" ]] && fail_flag=(--fail); done
  LAST_FACTS="$dir/demo-$DEMO_N.facts.json"
  py demo --area "$area" --out "$out" --err "$err" --rc "$rc" --expect-rc "$expect_rc" \
    --backends "$backends" --project "$project" --epochs "$EPOCHS" --facts "$LAST_FACTS" \
    "${fail_flag[@]}"
}
run_id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$1"; }

# ---------------------------------------------------------------------------------------------
section "W&B: TRACELET_BACKEND=wandb"
run_demo "$WORK/wandb" 0 wandb "W&B demo" "${WANDB_ENV[@]}" --
py wandb --area "W&B" --url "$WANDB_URL" --facts "$LAST_FACTS" --epochs "$EPOCHS" --expect-exit 0

section "W&B: demo --fail"
run_demo "$WORK/wandb-fail" 1 wandb "W&B demo --fail" "${WANDB_ENV[@]}" -- --fail
py wandb --area "W&B --fail" --url "$WANDB_URL" --facts "$LAST_FACTS" --epochs "$EPOCHS" \
  --expect-exit 1

section "ClearML: TRACELET_BACKEND=clearml"
run_demo "$WORK/clearml" 0 clearml "ClearML demo" "${CLEARML_ENV[@]}" --
py clearml --area "ClearML" --url "$CLEARML_API" --facts "$LAST_FACTS" --epochs "$EPOCHS"

if ((!MLFLOW_BUNDLED)); then
  section "MLflow"
  say "SKIPPED: MLflow plugin not bundled ($DIST/plugins has no tracelet-plugin-mlflow*.jar):" \
    "the MLflow, local+MLflow and all-four checks did not run"
else
  if [[ -n "$MLFLOW_START_PID" ]]; then
    section "MLflow: waiting for .ci/mlflow-server.sh start"
    mrc=0
    wait "$MLFLOW_START_PID" || mrc=$?
    MLFLOW_START_PID=""
    MLFLOW_URI="$(tail -n 1 "$WORK/mlflow.uri" 2>/dev/null || true)"
    ((mrc == 0)) && [[ -n "$MLFLOW_URI" ]] || fail "MLflow: server start" \
      "expected: .ci/mlflow-server.sh start prints the URI" \
      "found:    exit $mrc; $(tail -n 15 "$WORK/mlflow-start.log")"
  fi
  http_ok "$MLFLOW_URI/health" || fail "MLflow: server" "expected: $MLFLOW_URI/health answers 200" \
    "found:    no answer"
  say "PASS  MLflow: server at $MLFLOW_URI$([[ -n "$IT_MLFLOW_URI" ]] && echo ' (TRACELET_IT_MLFLOW_URI)')"
  MLFLOW_ENV=("MLFLOW_TRACKING_URI=$MLFLOW_URI")

  section "MLflow: TRACELET_BACKEND=mlflow"
  run_demo "$WORK/mlflow" 0 mlflow "MLflow demo" "${MLFLOW_ENV[@]}" --
  py mlflow --area "MLflow" --uri "$MLFLOW_URI" --facts "$LAST_FACTS" --epochs "$EPOCHS"

  section "MLflow: TRACELET_BACKEND=local,mlflow (two runs, then runs compare on both stores)"
  dual="$WORK/local-mlflow"
  run_demo "$dual" 0 local,mlflow "local+MLflow demo 1" "${MLFLOW_ENV[@]}" --
  facts_a="$LAST_FACTS"
  run_demo "$dual" 0 local,mlflow "local+MLflow demo 2" "${MLFLOW_ENV[@]}" -- --seed 7
  facts_b="$LAST_FACTS"
  py local --area "local+MLflow, local store" --tracelet "$TRACELET" --cwd "$dual" \
    --facts "$facts_a" --epochs "$EPOCHS" --result "$dual/a.local.json"
  py mlflow --area "local+MLflow, MLflow" --uri "$MLFLOW_URI" --facts "$facts_a" \
    --epochs "$EPOCHS" --result "$dual/a.mlflow.json"
  py same --area "local+MLflow, same run" "local=$dual/a.local.json" "mlflow=$dual/a.mlflow.json"
  (export "${MLFLOW_ENV[@]}" TRACELET_JOURNAL_DIR="$dual/journal" &&
    py compare --area "runs compare" --tracelet "$TRACELET" --cwd "$dual" \
      --ids "$(run_id "$facts_a"),$(run_id "$facts_b")")

  section "all four: TRACELET_BACKEND=local,mlflow,wandb,clearml"
  all="$WORK/all-four"
  run_demo "$all" 0 local,mlflow,wandb,clearml "all-four demo" \
    "${MLFLOW_ENV[@]}" "${WANDB_ENV[@]}" "${CLEARML_ENV[@]}" --
  py local --area "all four, local" --tracelet "$TRACELET" --cwd "$all" --facts "$LAST_FACTS" \
    --epochs "$EPOCHS" --result "$all/local.json"
  py mlflow --area "all four, MLflow" --uri "$MLFLOW_URI" --facts "$LAST_FACTS" \
    --epochs "$EPOCHS" --result "$all/mlflow.json"
  py wandb --area "all four, W&B" --url "$WANDB_URL" --facts "$LAST_FACTS" --epochs "$EPOCHS" \
    --expect-exit 0 --result "$all/wandb.json"
  py clearml --area "all four, ClearML" --url "$CLEARML_API" --facts "$LAST_FACTS" \
    --epochs "$EPOCHS" --result "$all/clearml.json"
  py same --area "all four, same run" "local=$all/local.json" "mlflow=$all/mlflow.json" \
    "wandb=$all/wandb.json" "clearml=$all/clearml.json"
fi

section "done"
if ((MLFLOW_BUNDLED)); then
  say "demo acceptance: all checks passed in $((SECONDS - started)) s"
else
  say "demo acceptance: W&B and ClearML checks passed in $((SECONDS - started)) s;" \
    "MLflow SKIPPED (plugin not bundled)"
fi
