#!/usr/bin/env bash
# Installs the Python package (coba-client) into a fresh virtual environment and runs its tests,
# then the runnable examples that use it (examples/python), against a real sidecar and real
# PyTorch. Called by the Maven build (examples/pom.xml) after sidecar/target/coba-sidecar.jar
# exists; runnable by hand from anywhere. Arguments go to the package's unittest run.
#
# The interpreter is $COBA_PYTHON, else Debian's /usr/bin/python3 (where apt-get install
# python3-torch puts torch 1.13), else python3. Without torch the run fails, since the
# DDP tests are the point; COBA_ALLOW_NO_TORCH=1 lets them skip instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${COBA_PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x /usr/bin/python3 ]]; then python=/usr/bin/python3; else python=python3; fi
fi
if ! "$python" -c 'import torch' 2>/dev/null && [[ "${COBA_ALLOW_NO_TORCH:-0}" != 1 ]]; then
  echo "run-tests.sh: $python has no torch (Debian: apt-get install -y python3-torch; or set COBA_PYTHON)" >&2
  exit 2
fi
venv="$root/client-sdk/python/target/venv"
rm -rf "$venv"
# --system-site-packages: torch (and setuptools, wheel) come from the system; nothing is downloaded
"$python" -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --quiet --no-build-isolation --no-index --no-deps "$here" >/dev/null
cd "$here/tests"   # not the source folder: the tests import the installed package
export PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1
"$venv/bin/python" -c 'import coba, sys; print("coba", coba.__version__, "from", coba.__file__, "python", sys.version.split()[0])'
"$venv/bin/python" -m unittest discover -s "$here/tests" -t "$here/tests" -v "$@"
"$venv/bin/python" -m unittest discover -s "$root/examples/python" -t "$root/examples/python" -v
