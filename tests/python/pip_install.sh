#!/usr/bin/env bash
# `pip install --no-build-isolation .` as the README says, offline, into a fresh virtual environment that sees
# Debian's packages (NumPy), taking the module from the test build (CTVIEW_BUILD_DIR) rather than building the
# tree again; then `import ctview` from the venv loads a phantom.
# Usage: tests/python/pip_install.sh SOURCE_DIR BUILD_DIR CTVIEW_BINARY
set -euo pipefail
source_dir=$1 build_dir=$2 ctview=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# pip builds in a copy of the tree's files (never writing into the tree: no egg-info or build/ there).
mkdir "$work/src"
(cd "$source_dir" && git ls-files -z --cached --others --exclude-standard 2>/dev/null || find . -type f -not -path './build*' -print0) |
  (cd "$source_dir" && xargs -0 cp --parents -t "$work/src")
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
CTVIEW_BUILD_DIR=$build_dir PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
  "$work/venv/bin/pip" install -q --no-build-isolation "$work/src" >"$work/pip.log" 2>&1 ||
  { cat "$work/pip.log"; echo "pip install failed"; exit 1; }
"$ctview" make-phantom "$work/phantom" --size 32x32x6 >/dev/null
cd "$work" # not the source tree: the installed package must be the one imported
"$work/venv/bin/python" - "$work/phantom" <<'PY'
import sys
import ctview
assert "/venv/" in ctview.__file__, ctview.__file__
vol = ctview.load(sys.argv[1])
assert vol.array.shape == (6, 32, 32), vol.array.shape
print(f"pip install: ok ({ctview.__file__}, {vol})")
PY
