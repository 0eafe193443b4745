#!/usr/bin/env bash
# Runs on a machine that has transformers (the GPU machine): starts the sidecar with the runtime
# that prepare.sh made, installs the package without an index, and runs examples/python/hf_train.py
# with the real Trainer: once in one process (the GPU when there is one), once with 2 ranks
# under torch.distributed.run on the CPU (gloo). Verdicts and logs go to $OUT (default ./hf-check-out).
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${OUT:-$PWD/hf-check-out}
mkdir -p "$out"
device="$root/target/device"
[ -d "$device" ] || tar -C "$root/target" -xJf "$root/target/device.txz"
python=${PYTHON:-python3}
{ "$python" -c 'import sys, torch, transformers; print("python", sys.version.split()[0], "torch", torch.__version__,
  "transformers", transformers.__version__, "cuda", torch.cuda.is_available(),
  torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'; nvidia-smi -L 2>/dev/null; } | tee "$out/versions.txt"

"$python" -m venv --system-site-packages "$out/venv" && \
  "$out/venv/bin/python" -m pip install --quiet --no-build-isolation --no-index --no-deps "$root/client-sdk/python" \
  > "$out/pip.log" 2>&1 || { echo "pip install failed: see $out/pip.log"; exit 1; }
py="$out/venv/bin/python"

port=18470
"$device/jre/bin/java" -jar "$device/sidecar/coba-sidecar.jar" serve --port $port --data-dir "$out/coba-data" \
  > "$out/sidecar.log" 2>&1 &
sidecar=$!
trap 'kill $sidecar 2>/dev/null' EXIT
for _ in $(seq 1 60); do grep -q "listening on" "$out/sidecar.log" && break; sleep 1; done
export COBA_URL=http://127.0.0.1:$port

status=0
( cd "$out" && "$py" "$root/examples/python/hf_train.py" --out "$out/one" --run-id hf-one ) > "$out/one.log" 2>&1 || status=1
( cd "$out" && CUDA_VISIBLE_DEVICES= "$py" -m torch.distributed.run --nproc_per_node 2 \
    "$root/examples/python/hf_train.py" --out "$out/ddp" --run-id hf-ddp ) > "$out/ddp.log" 2>&1 || status=1
for run in one ddp; do echo "== $run"; cat "$out/$run/verdict.json" 2>/dev/null || tail -20 "$out/$run.log"; done
exit $status
