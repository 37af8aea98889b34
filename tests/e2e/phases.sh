#!/usr/bin/env bash
# End to end (issue 31): a 4D series in the real window (Xvfb), driven by xdotool: S saves the axial slice of
# phase 1; ] steps to phase 2 (loaded: the contrast in the aorta has risen) and S saves it again, the same
# slice; [ steps back (the phase kept: no load) and S gives phase 1's pixels again. Usage:
# tests/e2e/phases.sh CTVIEW_BINARY  (needs DISPLAY; scripts/test provides Xvfb)
set -euo pipefail
ctview=$1
# shellcheck source=tests/e2e/common.sh
source "$(dirname "$0")/common.sh"

"$ctview" make-phantom "$work/4d" --size 64x64x40 --phases 3 >/dev/null
launch "$work/4d"
window "ctview - PHANTOM CTVIEW - 2026-01-01 - Phantom 4D"
saved() { ls "$work"/out/2_axial_0020*.png 2>/dev/null | wc -l; }
save() { # save N: S over the axial view until the N-th picture of slice 20 is there
  for _ in 1 2 3; do
    xdotool key --clearmodifiers s
    for _ in $(seq 30); do [ "$(saved)" -ge "$1" ] && return 0; sleep 0.1; done
  done
  fail "S did not save picture $1"
}
save 1
first=$(ls -t "$work"/out/2_axial_0020*.png | head -1)
xdotool key --clearmodifiers bracketright
sleep 1.5 # phase 2 loads (a 40-slice phase: well under a second)
save 2
second=$(ls -t "$work"/out/2_axial_0020*.png | head -1)
cmp -s "$first" "$second" && fail "phase 2's slice is phase 1's: ] did not change the phase"
xdotool key --clearmodifiers bracketleft
sleep 1.0
save 3
third=$(ls -t "$work"/out/2_axial_0020*.png | head -1)
cmp -s "$first" "$third" || fail "back on phase 1, its slice is not what it was"
quit
echo "e2e phases: ok"
