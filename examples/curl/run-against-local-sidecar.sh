#!/usr/bin/env bash
# CI: start a sidecar on a free port with a temporary data directory and a token, run
# protocol.sh against it, stop the sidecar. Needs curl and java, and the sidecar jar
# (mvn -B -q -ntp -pl core,sidecar -am -DskipTests package).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="${COBA_SIDECAR_JAR:-$HERE/../../sidecar/target/coba-sidecar.jar}"

if ! command -v curl > /dev/null; then
  echo "run-against-local-sidecar.sh: curl is not installed; it is needed to run protocol.sh" >&2
  exit 2
fi
if [[ ! -f "$JAR" ]]; then
  echo "run-against-local-sidecar.sh: $JAR is missing; build it with" \
       "mvn -B -q -ntp -pl core,sidecar -am -DskipTests package" >&2
  exit 2
fi

WORK="$(mktemp -d)"
PID=""
stop() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2> /dev/null; then
    kill -TERM "$PID"
    wait "$PID" || true
  fi
  rm -rf "$WORK"
}
trap stop EXIT

TOKEN="curl-ci-$RANDOM$RANDOM"
# created before the sidecar starts: the loop below may read them before its shell opens them
: > "$WORK/stdout"
: > "$WORK/stderr"
COBA_TOKEN="$TOKEN" COBA_BIND=127.0.0.1 \
  java -jar "$JAR" serve --port 0 --data-dir "$WORK/data" > "$WORK/stdout" 2> "$WORK/stderr" &
PID=$!

URL=""
for _ in $(seq 1 600); do
  URL="$(sed -n 's|^coba-sidecar listening on \(http://[^ ]*\).*|\1|p' "$WORK/stdout")"
  [[ -n "$URL" ]] && break
  if ! kill -0 "$PID" 2> /dev/null; then
    echo "the sidecar exited before it was ready:" >&2
    cat "$WORK/stderr" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$URL" ]]; then
  echo "the sidecar was not ready within 60 s" >&2
  exit 1
fi

echo "sidecar ready at $URL"
COBA_URL="$URL" COBA_TOKEN="$TOKEN" bash "$HERE/protocol.sh"
