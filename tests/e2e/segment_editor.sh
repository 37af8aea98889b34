#!/usr/bin/env bash
# End to end: the segment editor in the real window (Xvfb), driven by xdotool like a user: open the Segment
# editor, make a new segment, threshold the bone (its preview over the slices, then Apply), keep the largest part
# (the pelvis) with the Islands tool, Ctrl+Z and Ctrl+Shift+Z, Save; the saved .seg.nrrd must hold what
# `ctview segment --threshold 300 --largest` makes of the same series, voxel for voxel. Then issue 28's whole
# way to a print: cut the pelvis' left side away with the scissors over the 3D view, smooth it (median, about
# 10 mm), Export surface and Save again: admesh must find the STL closed, and `ctview surface --labels SAVED
# --segment NAME` must write the same file byte for byte.
# Usage: tests/e2e/segment_editor.sh CTVIEW_BINARY  (needs DISPLAY; scripts/test provides Xvfb)
set -euo pipefail
ctview=$1
# shellcheck source=tests/e2e/common.sh
source "$(dirname "$0")/common.sh"
click() { # click X Y: hover first (a slow frame must not take the press for a drag), then press, then give the
  # window time to lay its panel out again (the suite runs beside this: a frame can take a second)
  xdotool mousemove --window "$win" "$1" "$2"; sleep 0.5
  xdotool click --window "$win" 1; sleep 1
}

"$ctview" make-phantom "$work/phantom" --size 96x96x48 >/dev/null
launch "$work/phantom"
window "Phantom thorax-abdomen"
# 1280x1000 with the 340-pixel side panel (its scrollbar's room always kept): the positions below are the side
# panel's rows then.
xdotool windowsize "$win" 1280 1000
sleep 1
click 60 41   # collapse "View"
click 60 63   # collapse "3D view"
click 80 209  # open "Segment editor" (under Measurements)
click 45 232  # New segment
click 115 253 # the Threshold tool: 300..3071 HU, previewed over the slices
click 28 340  # Apply
wait_for "$work/data/ctview/segmentations/*.seg.nrrd" # the edit kept aside: it was applied
click 195 253 # the Islands tool
click 70 353  # Keep the largest part
xdotool mousemove --window "$win" 600 220; sleep 0.3
xdotool key --clearmodifiers ctrl+z; sleep 0.5       # back to the whole threshold
xdotool key --clearmodifiers ctrl+shift+z; sleep 0.5 # and the largest part again
for _ in 1 2 3; do # Save (again if a slow frame took the first click for something else)
  click 165 400
  compgen -G "$work/out/segmentation_*.seg.nrrd" >/dev/null && break
done
wait_for "$work/out/segmentation_*.seg.nrrd"
saved=$(compgen -G "$work/out/segmentation_*.seg.nrrd" | head -1)

drag() { # drag X0 Y0 X1 Y1 ...: press at the first point, move through the others, release at the last
  xdotool mousemove --window "$win" "$1" "$2"; sleep 0.4
  xdotool mousedown --window "$win" 1; sleep 0.3
  shift 2
  while [ $# -ge 2 ]; do xdotool mousemove --window "$win" "$1" "$2"; sleep 0.25; shift 2; done
  xdotool mouseup --window "$win" 1; sleep 1
}
click 91 277  # the Scissors tool (Remove inside)
# A box over the left part of the pelvis (the 3D view is the lower right quarter, seen from the front).
drag 930 860 1045 860 1045 975 930 975 930 865
click 17 277  # the Margin tool
drag 92 300 112 300 132 300 152 300 172 300 # its mm from 2 to about 10 (0.1 mm a pixel)
click 60 369  # Smooth (median)
click 18 438  # Surface in 3D: the 3D view shows the mesh, which Export surface then writes (checked below)
for _ in 1 2 3; do # Export surface (again if a slow frame took the click for something else)
  click 251 392
  [ -e "$work/out/Segment_1.stl" ] && break
done
wait_for "$work/out/Segment_1.stl"
for _ in 1 2 3; do
  click 167 392 # Save
  [ "$(compgen -G "$work/out/segmentation_*.seg.nrrd" | wc -l)" -ge 2 ] && break
done
[ "$(compgen -G "$work/out/segmentation_*.seg.nrrd" | wc -l)" -ge 2 ] || fail "the second Save wrote nothing"
final=$(ls -t "$work"/out/segmentation_*.seg.nrrd | head -1)
quit

# The same segment from the command line: its voxel count, and the saved file's.
want=$("$ctview" segment "$work/phantom" --threshold 300 --largest -o "$work/cli.nii.gz" 2>&1 >/dev/null |
  sed -n 's/^Segment: \([0-9]*\) voxels.*/\1/p')
got=$("$ctview" segments -q --json "$work/phantom" --labels "$saved" |
  /usr/bin/env python3 -c 'import json,sys; s=json.load(sys.stdin)["segments"]; print(len(s), s[0]["name"], s[0]["voxels"])')
[ "$got" = "1 Segment 1 $want" ] || fail "saved segment: '$got', expected '1 Segment 1 $want'"

# The cut and smoothed pelvis: fewer voxels, a closed surface, and the same STL from the command line.
left=$("$ctview" segments -q --json "$work/phantom" --labels "$final" |
  /usr/bin/env python3 -c 'import json,sys; print(json.load(sys.stdin)["segments"][0]["voxels"])')
[ "$left" -gt 0 ] && [ "$left" -lt $((want * 3 / 4)) ] ||
  fail "after the scissors and smoothing: $left voxels of $want (expected fewer than 3/4, more than 0)"
report=$(admesh "$work/out/Segment_1.stl")
for line in "Number of parts *: *1 " "Total disconnected facets *: *0 " "Backwards edges *: *0"; do
  grep -Eq "$line" <<<"$report" || fail "admesh on the exported STL: no '$line' in: $report"
done
"$ctview" surface -q "$work/phantom" --labels "$final" --segment "Segment 1" -o "$work/cli.stl" >/dev/null
cmp "$work/out/Segment_1.stl" "$work/cli.stl" || fail "the exported STL differs from ctview surface's"
echo "e2e segment editor: ok ($want voxels; $left after the scissors and smoothing, its STL closed and the same" \
  "as the command line's)"
