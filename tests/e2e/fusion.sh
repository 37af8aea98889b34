#!/usr/bin/env bash
# End to end (issue 31): `ctview A --fuse B` in the real window (Xvfb), driven by xdotool. Before the fused
# series arrives the axial view is grey; once it has, its hot colours cover the view (F12's screenshot is
# saturated there), and without --fuse it is grey. Usage: tests/e2e/fusion.sh CTVIEW_BINARY (needs
# DISPLAY; scripts/test provides Xvfb)
set -euo pipefail
ctview=$1
# shellcheck source=tests/e2e/common.sh
source "$(dirname "$0")/common.sh"

"$ctview" make-phantom "$work/a" --size 64x64x40 >/dev/null
saturation() { # saturation PNG: the mean HSV saturation of the axial view's middle (0 grey .. 1), by Pillow
  /usr/bin/python3 -c 'import sys; from PIL import Image
s = Image.open(sys.argv[1]).convert("RGB").crop((450, 100, 750, 350)).convert("HSV").getchannel("S")
print(sum(s.getdata()) / (255 * s.width * s.height))' "$1"
}
launch "$work/a" --fuse "$work/a" --fuse-shift 20,0,0 --opacity 0.5
window "ctview - PHANTOM CTVIEW"
# The fused series loads and is resampled on a thread (a 64x64x40 phantom: well under a second, longer on a
# busy machine): F12 until its colours are there, 15 s at most.
level=0
for _ in $(seq 15); do
  rm -f "$work"/out/screenshot_*.png
  xdotool key --clearmodifiers F12
  wait_for "$work/out/screenshot_*.png"
  level=$(saturation "$(ls "$work"/out/screenshot_*.png | head -1)")
  awk -v s="$level" 'BEGIN { exit !(s > 0.25) }' && break
  sleep 1
done
echo "axial view's saturation with the fused series: $level"
awk -v s="$level" 'BEGIN { exit !(s > 0.25) }' || fail "the fused series is not over the axial view (saturation $level)"
quit

# Without --fuse the same view is grey: the colour above came from the fused series.
rm -f "$work"/out/screenshot_*.png
launch "$work/a"
window "ctview - PHANTOM CTVIEW"
xdotool key --clearmodifiers F12
wait_for "$work/out/screenshot_*.png"
level=$(saturation "$(ls "$work"/out/screenshot_*.png | head -1)")
echo "without it: $level"
awk -v s="$level" 'BEGIN { exit !(s < 0.1) }' || fail "the axial view is coloured without --fuse ($level)"
quit
echo "e2e fusion: ok"
