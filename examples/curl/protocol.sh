#!/usr/bin/env bash
# Protocol v1 of the CoBa sidecar by hand, with curl (see openapi.yaml).
#
#   COBA_URL=http://127.0.0.1:8470 COBA_TOKEN=... bash examples/curl/protocol.sh
#
# Creates a run for two ranks, posts steps for both (202 until both have reported,
# long-polling the weights meanwhile), reads the history, saves and restores the state,
# rewinds, shows a few errors, and deletes the run. Every status code is checked: the
# script stops with a non-zero exit code on the first surprise.
set -euo pipefail

URL="${COBA_URL:-http://127.0.0.1:8470}"
URL="${URL%/}"
RUN="${COBA_RUN_ID:-curl-demo-$$-$(date +%s)}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

AUTH=()
if [[ -n "${COBA_TOKEN:-}" ]]; then
  AUTH=(-H "Authorization: Bearer ${COBA_TOKEN}")
fi

# call EXPECTED METHOD PATH [BODY]: the answer ends up in $BODY; any other status fails.
call() {
  local expected="$1" method="$2" path="$3" data="${4:-}" status
  local args=(-sS -o "$TMP/body" -w '%{http_code}' -X "$method" "${AUTH[@]}")
  if [[ -n "$data" ]]; then
    args+=(-H 'Content-Type: application/json' --data "$data")
  fi
  status="$(curl "${args[@]}" "$URL$path")"
  BODY="$(cat "$TMP/body")"
  local shown="${BODY:0:400}"
  [[ ${#BODY} -le 400 ]] || shown="$shown..."
  printf '%s %s -> %s %s\n' "$method" "$path" "$status" "$shown"
  if [[ "$status" != "$expected" ]]; then
    echo "FAILED: expected HTTP $expected, got $status" >&2
    exit 1
  fi
}

# expect TEXT: the last answer contains TEXT.
expect() {
  if [[ "$BODY" != *"$1"* ]]; then
    echo "FAILED: expected the answer to contain $1" >&2
    exit 1
  fi
}

echo "== the sidecar at $URL"
call 200 GET /healthz
call 200 GET /v1/methods
expect '"name":"coba"'

echo "== create a run for two ranks (idempotent: the same body again answers 200)"
RUN_BODY='{"runId":"'"$RUN"'","tasks":["python","java"],"method":"coba","worldSize":2,"params":{"warmupSteps":2,"historyLength":8}}'
call 201 POST /v1/runs "$RUN_BODY"
expect '"weights":{"python":0.5,"java":0.5}'
call 200 POST /v1/runs "$RUN_BODY"
call 200 GET "/v1/runs/$RUN"

echo "== step 1: rank 0 reports and waits for rank 1"
call 202 POST "/v1/runs/$RUN/steps" '{"step":1,"rank":0,"valLosses":{"python":2.30,"java":2.41}}'
expect '"received":1'
call 202 GET "/v1/runs/$RUN/weights?step=1&waitMs=100"
# a long-poll in the background, answered as soon as rank 1 reports
curl -sS -o "$TMP/poll" -w '%{http_code}' "${AUTH[@]}" \
  "$URL/v1/runs/$RUN/weights?step=1&waitMs=20000" > "$TMP/poll-status" &
POLL=$!
sleep 0.5
call 200 POST "/v1/runs/$RUN/steps" '{"step":1,"rank":1,"valLosses":{"python":2.28,"java":2.45},"counts":{"python":64,"java":64}}'
expect '"complete":true'
STEP1="$BODY"
wait "$POLL"
echo "long-poll -> $(cat "$TMP/poll-status") $(cat "$TMP/poll")"
[[ "$(cat "$TMP/poll-status")" == 200 && "$(cat "$TMP/poll")" == "$STEP1" ]] \
  || { echo "FAILED: the long-poll did not get the weights of step 1" >&2; exit 1; }
echo "== a retry gets the same answer"
call 200 POST "/v1/runs/$RUN/steps" '{"step":1,"rank":0,"valLosses":{"python":2.30,"java":2.41}}'
[[ "$BODY" == "$STEP1" ]] || { echo "FAILED: the retry got another answer" >&2; exit 1; }

echo "== steps 2 to 5, both ranks"
for step in 2 3 4 5; do
  python=$(( 230 - 20 * step )); java=$(( 241 - 2 * step ))
  call 202 POST "/v1/runs/$RUN/steps" '{"step":'$step',"rank":0,"valLosses":{"python":'$python'e-2,"java":'$java'e-2}}'
  call 200 POST "/v1/runs/$RUN/steps" '{"step":'$step',"rank":1,"valLosses":{"python":'$python'e-2,"java":'$java'e-2}}'
done
call 200 GET "/v1/runs/$RUN/weights"
expect '"step":5'

echo "== history and state"
call 200 GET "/v1/runs/$RUN/history?from=4"
expect '"step":4'
expect '"step":5'
call 200 GET "/v1/runs/$RUN/state"
STATE="$BODY"
expect '"version":1'

echo "== rewind to step 3 (resume from the checkpoint of step 3)"
call 200 POST "/v1/runs/$RUN/rewind" '{"step":3}'
expect '"step":3'
call 200 GET "/v1/runs/$RUN/history"
[[ "$BODY" != *'"step":4'* ]] || { echo "FAILED: step 4 survived the rewind" >&2; exit 1; }

echo "== restore the saved state (back to step 5)"
call 200 PUT "/v1/runs/$RUN/state" "$STATE"
expect '"step":5'

echo "== errors: a 4xx with the offending field, and nothing changes"
call 400 POST "/v1/runs/$RUN/steps" '{"step":6,"rank":0,"valLosses":{"python":-1,"java":2.0}}'
expect '"field":"valLosses.python"'
call 409 POST "/v1/runs/$RUN/steps" '{"step":5,"rank":0,"valLosses":{"python":9,"java":9}}'
call 404 GET "/v1/runs/no-such-run-$$/weights"
expect '"field":"runId"'
status="$(curl -sS -o /dev/null -w '%{http_code}' "${AUTH[@]}" -X POST --data '{"step":6}' \
  -H 'Content-Type: text/plain' "$URL/v1/runs/$RUN/steps")"
echo "POST as text/plain -> $status"
[[ "$status" == 415 ]] || { echo "FAILED: expected 415, got $status" >&2; exit 1; }
if [[ -n "${COBA_TOKEN:-}" ]]; then
  status="$(curl -sS -o /dev/null -w '%{http_code}' "$URL/v1/runs/$RUN")"
  echo "GET without the token -> $status"
  [[ "$status" == 401 ]] || { echo "FAILED: expected 401, got $status" >&2; exit 1; }
fi

echo "== delete the run"
call 204 DELETE "/v1/runs/$RUN"
call 404 GET "/v1/runs/$RUN"
echo "OK: protocol v1 walked through against $URL"
