#!/usr/bin/env bash
# Set up everything edgec needs on a fresh Debian 12 machine:
#   1. the Debian packages in scripts/apt-packages.txt (installed when missing; needs root),
#   2. a virtual environment in .venv with every Python package pinned by constraints.txt,
#      and edgec itself installed in it (editable).
# Safe to rerun: it skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r pkg; do
  [ -z "$pkg" ] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' scripts/apt-packages.txt)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root for apt-get; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "setup: edgec's pinned stack (TensorFlow 2.21, onnx2tf 1.28) needs Python 3.11;" \
       "set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

stamp=.venv/.edgec-installed
want=$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing pinned Python packages into .venv (a few minutes the first time)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test,fuzz]" \
    2> >(grep -v "^WARNING: Location 'file:" >&2)
  echo "$want" > "$stamp"
fi
# The Cortex-A harness's runtime: the pinned aarch64 ai-edge-litert wheel (pip download
# --platform manylinux_2_27_aarch64 --only-binary=:all: --no-deps), once, into edgec's cache.
.venv/bin/python -c "from edgec.device.cortex_a import litert_wheel; litert_wheel()"
echo "setup: ready (.venv/bin/edgec)"
