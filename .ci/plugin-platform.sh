#!/usr/bin/env bash
# The plugin platform as an outsider meets it, run by .ci/run after the main build (which must
# have built distribution/target/tracelet-<version>.tar.gz):
#
#   1. installs what a third party compiles and tests against into the local Maven repository:
#      the parent POM, tracelet-bom, tracelet-api, tracelet-testkit and the backend archetype
#      (the main build runs `verify`, which installs nothing; plugin modules are never installed);
#   2. builds examples/third-party-backend on its own (not a reactor module), which runs the
#      compatibility kit against its JSON-lines backend and checks the JAR's packaging;
#   3. unpacks the distribution into a temporary folder, installs the example's JAR with
#      `tracelet plugins install`, runs `plugins verify`, `plugins list` and
#      `demo --backend jsonl`, and checks the run's file holds the demo's metrics; then pins the
#      example's SHA-256 in plugins_allowed_sha256, as an enterprise bundle does, and checks that
#      only the pinned plugin loads;
#   4. generates a project from the archetype in batch mode, builds it (its kit test must pass)
#      and verifies its JAR with the distribution's `tracelet plugins verify`.
#
# Needs only a JDK 17+; Maven comes from the wrapper. Everything temporary is removed at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MVNW="$ROOT/mvnw"
VERSION="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)"
EXAMPLE="$ROOT/examples/third-party-backend"

started=$SECONDS
step() { printf '\n=== plugin platform: %s (%ds)\n' "$*" "$((SECONDS - started))"; }
fail() {
  echo "plugin platform: FAILED: $*" >&2
  exit 1
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tracelet-plugin-platform.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

[[ -n "$VERSION" ]] || fail "cannot read the project version from pom.xml"
shopt -s nullglob
tarballs=("$ROOT"/distribution/target/tracelet-"$VERSION".tar.gz)
shopt -u nullglob
((${#tarballs[@]} == 1)) ||
  fail "distribution/target/tracelet-$VERSION.tar.gz is missing; run the main build first (./mvnw -B verify)"

step "install the parent, BOM, API, testkit and archetype $VERSION into the local Maven repository"
"$MVNW" -B -q install -DskipTests -Darchetype.test.skip=true \
  -pl tracelet-bom,tracelet-api,tracelet-testkit,tracelet-archetype -am

step "build examples/third-party-backend and run the compatibility kit against it"
"$MVNW" -B -f "$EXAMPLE/pom.xml" -Dtracelet.version="$VERSION" clean verify
shopt -s nullglob
example_jars=("$EXAMPLE"/target/tracelet-jsonl-backend-*.jar)
shopt -u nullglob
((${#example_jars[@]} == 1)) || fail "expected one JAR in $EXAMPLE/target, found ${#example_jars[@]}"
EXAMPLE_JAR="${example_jars[0]}"

step "unpack the distribution and install the example's JAR"
tar -xzf "${tarballs[0]}" -C "$WORK"
HOME_DIR="$WORK/tracelet-$VERSION"
TRACELET="$HOME_DIR/bin/tracelet"
RUNS="$WORK/runs"
mkdir -p "$RUNS"
# Settings of the machine must not leak in: a clean working directory, no TRACELET_* overrides.
run_tracelet() { (cd "$RUNS" && env -u TRACELET_PLUGINS_DIR -u TRACELET_BACKEND "$TRACELET" "$@"); }

run_tracelet plugins install "$EXAMPLE_JAR"
[[ -f "$HOME_DIR/plugins/$(basename "$EXAMPLE_JAR")" ]] ||
  fail "plugins install did not put $(basename "$EXAMPLE_JAR") into $HOME_DIR/plugins"

step "tracelet plugins verify"
run_tracelet plugins verify

step "tracelet plugins list"
list="$(run_tracelet plugins list)"
echo "$list"
grep -Eq '^example-jsonl-backend +1\.0\.0 +backend +STARTED +jsonl' <<<"$list" ||
  fail "plugins list does not show the jsonl backend STARTED"

step "tracelet demo --backend jsonl"
demo="$(run_tracelet demo --backend jsonl --epochs 5)"
echo "$demo"
run_id="$(sed -n 's/^Run \([0-9a-f]\{32\}\) started.*/\1/p' <<<"$demo")"
[[ -n "$run_id" ]] || fail "no run id in the demo's output"
run_file="$RUNS/tracelet-jsonl/$run_id.jsonl"
[[ -f "$run_file" ]] || fail "the jsonl backend wrote no $run_file"
for metric in train_loss val_loss val_accuracy learning_rate; do
  points="$(grep -c "\"type\":\"metric\",\"key\":\"$metric\"" "$run_file" || true)"
  [[ "$points" == 5 ]] || fail "$run_file holds $points points of $metric, expected 5 (one per epoch)"
done
grep -q '"type":"param","key":"learning_rate"' "$run_file" || fail "$run_file lacks the demo's parameters"
grep -q '"type":"artifact","name":"model"' "$run_file" || fail "$run_file lacks the model artifact"
[[ -f "$RUNS/tracelet-jsonl/$run_id/artifacts/model/v1/model.json" ]] ||
  fail "the model artifact's file was not stored"
tail -n 1 "$run_file" | grep -q '"type":"end","status":"FINISHED"' || fail "the run did not end FINISHED"
echo "the jsonl backend received run $run_id: $(wc -l <"$run_file") lines"

step "enterprise bundle: only the pinned SHA-256 loads"
digest="$(sha256sum "$EXAMPLE_JAR" | cut -d' ' -f1)"
pinned="$(cd "$RUNS" && TRACELET_PLUGINS_ALLOWED_SHA256="$digest" "$TRACELET" plugins list || true)"
echo "$pinned"
grep -Eq '^example-jsonl-backend .* STARTED ' <<<"$pinned" || fail "the pinned plugin did not load"
grep -Eq 'REFUSED .*not in plugins_allowed_sha256' <<<"$pinned" ||
  fail "a plugin whose digest is not pinned was not refused"
(cd "$RUNS" && TRACELET_PLUGINS_ALLOWED_SHA256="$digest" "$TRACELET" demo --backend jsonl --epochs 2 >/dev/null) ||
  fail "demo --backend jsonl failed with the example pinned"

step "generate a backend project from the archetype and build it"
GEN="$WORK/generated"
mkdir -p "$GEN"
# Run outside the repository: archetype:generate would otherwise add the project as a module of
# the POM in the working directory.
(cd "$GEN" && "$MVNW" -B -q archetype:generate \
  -DarchetypeGroupId=dev.tracelet \
  -DarchetypeArtifactId=tracelet-backend-archetype \
  -DarchetypeVersion="$VERSION" \
  -DgroupId=com.acme \
  -DartifactId=acme-tracelet-backend \
  -Dversion=1.0.0 \
  -Dpackage=com.acme.tracelet \
  -DbackendName=acme \
  -DclassPrefix=Acme \
  -DtraceletVersion="$VERSION" \
  -DinteractiveMode=false)
"$MVNW" -B -f "$GEN/acme-tracelet-backend/pom.xml" verify
run_tracelet plugins verify "$GEN/acme-tracelet-backend/target/acme-tracelet-backend-1.0.0.jar"

step "done"
