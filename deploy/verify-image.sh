#!/usr/bin/env bash
# Checks the image tarball without a container engine, then runs it the way a container
# runtime would, with chroot and Linux namespaces.
#
#   sudo deploy/verify-image.sh [IMAGE_TAR]     (default: sidecar/target/coba-sidecar-image.tar)
#
# 1. lists the layers (compressed and unpacked sizes, file counts) and fails if the image
#    unpacks to 150 MB or more, or carries PyTorch/CUDA native libraries;
# 2. checks the config: user 65532, entrypoint + `serve`, COBA_DATA_DIR=/data,
#    COBA_BIND=0.0.0.0, port 8470/tcp, volume /data (and the HEALTHCHECK, Docker format);
# 3. unpacks the layers in order into a root filesystem and, in private mount, PID and
#    network namespaces, with the root read-only, a tmpfs on /tmp and a volume on /data
#    initialised from the image (what Docker does for a named volume), runs the image's
#    entrypoint as its user, in its working directory, with only its environment:
#    `--help`; `serve` without a token (must refuse 0.0.0.0); `serve` with COBA_TOKEN
#    (/readyz 200 from a client in the same network namespace, as a trainer container in
#    the same pod; the image's own health check; 401 without the token; a run created,
#    SIGTERM, restart on the same volume, the run still there); and `serve --bind
#    127.0.0.1 --data-dir /tmp/x` without a token.
# Needs root (chroot, mount, unshare), GNU tar, gzip, jq, curl, iproute2.
set -euo pipefail
# Jib's layers carry a pax keyword (LIBARCHIVE.creationtime) that GNU tar would warn about
export TAR_OPTIONS=--warning=no-unknown-keyword

if [ "${1:-}" = "--inside" ]; then
  inside=1
  shift
else
  inside=0
fi

say() { printf '%s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- inside the namespaces
if [ "$inside" = 1 ]; then
  work=$1
  root=$work/rootfs
  cfg=$work/config.json
  ip link set lo up
  # read-only root, as Kubernetes' readOnlyRootFilesystem
  mount --bind "$root" "$root"
  mount -o remount,bind,ro "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"                      # as a runtime: /dev/null, /dev/urandom
  mount -t sysfs -o ro sysfs "$root/sys" 2>/dev/null || true   # cgroup limits, if allowed
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mount --bind "$work/volume" "$root/data"

  user=$(jq -r '.config.User' "$cfg")
  workdir=$(jq -r '.config.WorkingDir // "/"' "$cfg")
  mapfile -t image_env < <(jq -r '.config.Env[]' "$cfg")
  mapfile -t entrypoint < <(jq -r '.config.Entrypoint[]' "$cfg")
  mapfile -t cmd < <(jq -r '(.config.Cmd // [])[]' "$cfg")
  port=8470
  chroot_bin=$(command -v chroot)

  # run ENV_ASSIGNMENTS... -- ARGS...: the entrypoint with ARGS in place of Cmd
  run() {
    local extra=()
    while [ "$1" != "--" ]; do extra+=("$1"); shift; done
    shift
    env -i "${image_env[@]}" "${extra[@]}" "$chroot_bin" --userspec="$user" "$root" \
      /bin/bash -c 'cd "$1" && shift && exec "$@"' _ "$workdir" "${entrypoint[@]}" "$@"
  }
  wait_ready() { # URL PID
    local i
    for i in $(seq 1 300); do
      if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
      kill -0 "$2" 2>/dev/null || return 1
      sleep 0.1
    done
    return 1
  }
  code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

  say "== run: entrypoint --help"
  out=$(run -- --help 2>&1) || fail "--help exited with $?: $out"
  say "$out" | sed 's/^/   | /'
  grep -q 'serve' <<<"$out" || fail "--help does not list serve"

  say "== run: entrypoint + Cmd ${cmd[*]} as the image is configured (0.0.0.0), no token"
  set +e
  out=$(run -- "${cmd[@]}" 2>&1)
  rc=$?
  set -e
  say "$out" | sed 's/^/   | /'
  [ "$rc" = 2 ] && grep -q 'refusing' <<<"$out" || fail "expected a refusal with exit code 2, got $rc"
  say "   refused, exit code 2 (as designed: set COBA_TOKEN, or --insecure)"

  say "== run: serve with COBA_TOKEN, port $port on 0.0.0.0, data on the /data volume"
  token=verify-$RANDOM$RANDOM
  t0=$(date +%s%N)
  run COBA_TOKEN="$token" -- "${cmd[@]}" > "$work/serve1.log" 2>&1 &
  pid=$!
  wait_ready "http://127.0.0.1:$port/readyz" "$pid" || { cat "$work/serve1.log"; fail "not ready"; }
  say "   ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms: $(head -1 "$work/serve1.log")"
  say "   GET /readyz: $(code "http://127.0.0.1:$port/readyz")  GET /healthz: $(code "http://127.0.0.1:$port/healthz")"
  env -i "${image_env[@]}" "$chroot_bin" --userspec="$user" "$root" /usr/local/bin/coba-healthcheck \
    || fail "the image's health check failed"
  say "   /usr/local/bin/coba-healthcheck (inside the image): exit 0"
  no_token=$(code "http://127.0.0.1:$port/v1/runs")
  with_token=$(code -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/runs")
  say "   GET /v1/runs without the token: $no_token, with it: $with_token"
  [ "$no_token" = 401 ] && [ "$with_token" = 200 ] || fail "token check"
  created=$(code -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"runId":"verify-1","tasks":["python","java"],"method":"coba"}' \
    "http://127.0.0.1:$port/v1/runs")
  say "   POST /v1/runs verify-1: $created"
  [ "$created" = 201 ] || fail "create run"
  kill -TERM "$pid"
  set +e
  wait "$pid"
  rc=$?
  set -e
  say "   SIGTERM: exit code $rc ($(tail -1 "$work/serve1.log"))"
  [ "$rc" = 0 ] || [ "$rc" = 143 ] || fail "unclean exit $rc"
  say "   the volume after the stop (owner uid:gid, path):"
  (cd "$work/volume" && find . -mindepth 1 -printf '   | %U:%G %p\n' | head -20)

  say "== run: restart on the same volume"
  run COBA_TOKEN="$token" -- "${cmd[@]}" > "$work/serve2.log" 2>&1 &
  pid=$!
  wait_ready "http://127.0.0.1:$port/readyz" "$pid" || { cat "$work/serve2.log"; fail "not ready"; }
  again=$(code -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/runs/verify-1")
  say "   GET /v1/runs/verify-1 after the restart: $again"
  [ "$again" = 200 ] || fail "run lost across the restart"
  kill -TERM "$pid"
  wait "$pid" || true

  say "== run: serve --bind 127.0.0.1 --port 18470 --data-dir /tmp/x (no token: loopback only)"
  run -- serve --bind 127.0.0.1 --port 18470 --data-dir /tmp/x > "$work/serve3.log" 2>&1 &
  pid=$!
  wait_ready "http://127.0.0.1:18470/readyz" "$pid" || { cat "$work/serve3.log"; fail "not ready"; }
  say "   $(head -1 "$work/serve3.log")"
  say "   GET /readyz: $(code http://127.0.0.1:18470/readyz)"
  kill -TERM "$pid"
  wait "$pid" || true
  say "== all runs passed"
  exit 0
fi

# ---------------------------------------------------------------- outside
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
img=$(readlink -f "${1:-$repo/sidecar/target/coba-sidecar-image.tar}")
[ -f "$img" ] || fail "$img not found: mvn -B -ntp -Pimage -DskipTests package"
for tool in jq curl gzip ip chroot unshare; do
  command -v "$tool" > /dev/null || fail "$tool not found (Debian: apt-get install jq curl iproute2)"
done
[ "$(id -u)" = 0 ] || fail "run as root (chroot, mount, namespaces)"

work=$(mktemp -d /tmp/coba-verify-image.XXXXXX)
cleanup() { # never through a mount that outlived the namespace
  if grep -q " $work/" /proc/self/mountinfo; then
    echo "mounts left under $work; not deleting it" >&2
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT
mkdir -p "$work/image" "$work/rootfs" "$work/volume"
tar -C "$work/image" -xf "$img"

# the config and the layers, in order, from either format
if [ -f "$work/image/index.json" ]; then
  format=OCI
  manifest=$work/image/blobs/sha256/$(jq -r '.manifests[0].digest' "$work/image/index.json" | cut -d: -f2)
  cp "$work/image/blobs/sha256/$(jq -r '.config.digest' "$manifest" | cut -d: -f2)" "$work/config.json"
  mapfile -t layers < <(jq -r '.layers[].digest' "$manifest" | sed "s|^sha256:|$work/image/blobs/sha256/|")
  ref=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"] // "-"' "$work/image/index.json")
else
  format=Docker
  cp "$work/image/$(jq -r '.[0].Config' "$work/image/manifest.json")" "$work/config.json"
  mapfile -t layers < <(jq -r '.[0].Layers[]' "$work/image/manifest.json" | sed "s|^|$work/image/|")
  ref=$(jq -r '.[0].RepoTags | join(", ")' "$work/image/manifest.json")
fi
cfg=$work/config.json
say "== $img"
say "   format $format, reference $ref, tarball $(stat -c %s "$img") bytes"

say "== layers (in order: compressed bytes, unpacked bytes, files, history)"
total_c=0 total_u=0 i=0
for layer in "${layers[@]}"; do
  c=$(stat -c %s "$layer")
  u=$(gzip -dc "$layer" | wc -c)
  n=$(gzip -dc "$layer" | tar -t | grep -vc '/$' || true)
  what=$(jq -r ".history | map(select(.empty_layer != true)) | .[$i].comment // \"-\"" "$cfg" | cut -c1-60)
  printf '   %2d  %10d  %10d  %5d  %s\n' "$i" "$c" "$u" "$n" "$what"
  total_c=$((total_c + c)) total_u=$((total_u + u)) i=$((i + 1))
done
awk -v c="$total_c" -v u="$total_u" 'BEGIN {
  printf "   total: %d bytes compressed (%.1f MB), %d bytes unpacked (%.1f MB)\n", c, c / 1e6, u, u / 1e6 }'
[ "$total_u" -lt 150000000 ] || fail "the image unpacks to $total_u bytes, not under 150 MB"
torch=$(for layer in "${layers[@]}"; do gzip -dc "$layer" | tar -t; done \
        | grep -E -i 'libtorch|libc10|libcudnn|libcublas|libnccl|libcuda|/torch/' || true)
[ -z "$torch" ] || fail "PyTorch/CUDA native libraries in the image: $torch"
say "   no PyTorch or CUDA native libraries"

say "== config"
jq '.config' "$cfg" | sed 's/^/   | /'
check() { # DESCRIPTION JQ-EXPRESSION
  if jq -e "$2" "$cfg" > /dev/null; then say "   ok: $1"; else fail "config: $1"; fi
}
check "user 65532:65532" '.config.User == "65532:65532"'
check "entrypoint starts java" '.config.Entrypoint[0] | test("java$")'
check "command serve" '.config.Cmd == ["serve"]'
check "COBA_DATA_DIR=/data" '.config.Env | index("COBA_DATA_DIR=/data") != null'
check "COBA_BIND=0.0.0.0" '.config.Env | index("COBA_BIND=0.0.0.0") != null'
check "port 8470/tcp exposed" '.config.ExposedPorts | has("8470/tcp")'
check "volume /data" '.config.Volumes | has("/data")'
if [ "$format" = Docker ]; then
  check "HEALTHCHECK coba-healthcheck" '.config.Healthcheck.Test == ["CMD","/usr/local/bin/coba-healthcheck"]'
else
  say "   (OCI config: no HEALTHCHECK field; see deploy/README.md)"
fi

say "== unpacking the layers into a root filesystem"
for layer in "${layers[@]}"; do
  # whiteouts of the layer (none expected from Jib) delete what lower layers added
  while IFS= read -r wh; do
    dir=$(dirname "$wh") base=$(basename "$wh")
    if [ "$base" = .wh..wh..opq ]; then
      find "$work/rootfs/$dir" -mindepth 1 -delete
    else
      rm -rf "${work:?}/rootfs/$dir/${base#.wh.}"
    fi
  done < <(gzip -dc "$layer" | tar -t | grep '\.wh\.' || true)
  gzip -dc "$layer" | tar -C "$work/rootfs" --numeric-owner --same-owner -xpf - --exclude='*.wh.*'
done
say "   $(du -sh "$work/rootfs" | cut -f1) in $(find "$work/rootfs" | wc -l) entries;" \
    "/data is $(stat -c '%u:%g %a' "$work/rootfs/data"), /tmp $(stat -c '%a' "$work/rootfs/tmp")"
# a named volume starts as a copy of the image's /data, owner included
cp -a "$work/rootfs/data/." "$work/volume/"
chown "$(stat -c %u:%g "$work/rootfs/data")" "$work/volume"
chmod "$(stat -c %a "$work/rootfs/data")" "$work/volume"

unshare --mount --pid --net --fork "$0" --inside "$work"
