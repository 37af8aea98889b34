#!/usr/bin/env bash
# End to end: the real binary in a real window (Xvfb), driven by xdotool like a user: hover the axial view, press S,
# scroll three slices, press S again, press F12, quit with Ctrl+Q; then the files it saved and its settings are
# checked. Then a path that does not exist (the window opens and says why), a change of setting that must
# survive a SIGTERM, and measurements: a ruler and a box ROI drawn with the mouse, a handle dragged, Ctrl+Z, S's
# sidecar and `ctview measure` agreeing on the values, and the measurements back when the series is reopened;
# then a crosshair line's end dragged to turn the coronal view (oblique MPR) and S saving it; last, another
# series picked in the Series table and the Open dialog after it. Usage: tests/e2e/viewer.sh CTVIEW_BINARY  (needs DISPLAY; scripts/test provides Xvfb)
set -euo pipefail
ctview=$1
# shellcheck source=tests/e2e/common.sh
source "$(dirname "$0")/common.sh"
settings="$work/config/ctview/settings.json"

"$ctview" make-phantom "$work/phantom" --size 64x64x40 >/dev/null
cd "$work" # the default export folder would be ./ctview-exports: make sure --out is what is used

launch "$work/phantom"
window "ctview - PHANTOM CTVIEW - 2026-01-01 - Phantom thorax-abdomen - series 2" # the title names the series once it has loaded
xdotool key --clearmodifiers s
wait_for "$work/out/2_axial_0020.png" # the middle slice, index 20 of 40: number 20 counted from 1 at the head
wait_for "$work/out/2_axial_0020.jpg"
for _ in 1 2 3; do xdotool click --window "$win" 5; sleep 0.15; done # wheel towards the user: next slice
xdotool key --clearmodifiers s
wait_for "$work/out/2_axial_0023.png"
# The side panel's slice arrows step one slice (issue 32.16): the axial slider's right arrow (x 38, y 200)
# twice, then S over the axial view.
xdotool mousemove --window "$win" 38 200
sleep 0.5 # hovered first: a slow frame (the suite runs beside this) must not take the press for a drag
for _ in 1 2; do xdotool click --window "$win" 1; sleep 0.5; done
xdotool mousemove --window "$win" 600 220
sleep 0.5
xdotool key --clearmodifiers s
wait_for "$work/out/2_axial_0025.png"
xdotool key --clearmodifiers F12
wait_for "$work/out/screenshot_*.png"
quit
[ -z "$(ls -A "$work/phantom" | grep -v '^IM' || true)" ] || fail "something was written into the input folder"
[ ! -e "$work/ctview-exports" ] || fail "saved into ./ctview-exports despite --out"
grep -q "\"$work/phantom\"" "$settings" || fail "the folder is not in the recent list"

# A path that does not exist opens the window too (as an empty folder or a bad file does) and says why: in the
# window, and on stderr (issue 14.15).
launch "$work/no/such/folder"
window "^ctview$"
for _ in $(seq 50); do grep -q "no such file or folder" "$work/log" && break; sleep 0.1; done
grep -q "$work/no/such/folder: no such file or folder" "$work/log" || fail "the reason was not given"
quit
grep -q "no/such" "$settings" && fail "a missing path went into the recent list"

# Settings are saved when they change, not only on a clean quit: a SIGTERM (or a crash) keeps them (issue 14.13).
launch "$work/phantom"
window "ctview - PHANTOM CTVIEW - 2026-01-01 - Phantom thorax-abdomen - series 2"
grep -q '"invert": false' "$settings" || fail "invert was already on"
for _ in 1 2 3; do # a key can reach a window before it takes input: press again only if it was not seen
  xdotool key --clearmodifiers i
  for _ in $(seq 30); do grep -q '"invert": true' "$settings" && break; sleep 0.1; done
  grep -q '"invert": true' "$settings" && break
done
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=
grep -q '"invert": true' "$settings" || fail "a change of setting was lost to SIGTERM"

# Measurements (issue 12): D, then a drag in the axial view draws a ruler; B and a drag, a box ROI. They are kept
# for the series at once; S writes them with their values into the sidecar; `ctview measure` on the kept file
# gives the same values; a handle drag reshapes the ruler and Ctrl+Z undoes it; reopened, they are back.
drag() { # drag X0 Y0 X1 Y1: the left button held from one point to the other, in steps a frame can see
  xdotool mousemove --window "$win" "$1" "$2"; sleep 0.2
  xdotool mousedown 1; sleep 0.2
  for f in 1 2 3 4; do
    xdotool mousemove --window "$win" $(($1 + ($3 - $1) * f / 4)) $(($2 + ($4 - $2) * f / 4)); sleep 0.1
  done
  sleep 0.2; xdotool mouseup 1; sleep 0.3
}
kept() { # kept: the series' kept measurements file
  compgen -G "$work/data/ctview/annotations/*.json" | grep -v broken | head -1
}
json() { # json FILE EXPRESSION: a value of a JSON file, by a Python expression on j
  python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}
rm -rf "$work/out"
launch "$work/phantom"
window "ctview - PHANTOM CTVIEW - 2026-01-01 - Phantom thorax-abdomen - series 2"
for _ in 1 2 3; do # the first key can reach the window before it takes input
  xdotool key --clearmodifiers d
  drag 480 120 720 120
  [ -n "$(kept)" ] && break
done
[ -n "$(kept)" ] || fail "the ruler drawn was not kept"
xdotool key --clearmodifiers b
drag 500 250 600 320
for _ in $(seq 30); do [ "$(json "$(kept)" 'len(j["annotations"])')" = 2 ] && break; sleep 0.1; done
file=$(kept)
[ "$(json "$file" '",".join(a["type"] for a in j["annotations"])')" = "line,rectangle" ] ||
  fail "kept: $(cat "$file")"
# The ruler is 240 screen pixels long: at 450 pixels for the phantom's 360 mm (64 x 5.625 mm), 192 mm.
length=$(json "$file" '((lambda p: sum((p[0][i]-p[1][i])**2 for i in range(3))**0.5)(j["annotations"][0]["points"]))')
python3 -c "import sys; sys.exit(0 if abs($length - 192) < 3 else 1)" || fail "ruler length $length mm, not ~192"
cp "$file" "$work/drawn.json"
xdotool key --clearmodifiers s
wait_for "$work/out/2_axial_0020.json"
sidecar="$work/out/2_axial_0020.json"
[ "$(json "$sidecar" 'len(j["annotations"])')" = 2 ] || fail "sidecar: $(cat "$sidecar")"
"$ctview" measure "$work/phantom" --annotations "$work/drawn.json" -q >"$work/measured" ||
  fail "measure: $(cat "$work/measured")"
for n in 0 1; do # the window's values (the sidecar's) are what `ctview measure` prints, line for line
  value=$(json "$sidecar" "j['annotations'][$n]['value']")
  grep -qF "$value" "$work/measured" || fail "the window's '$value' is not in measure's output: $(cat "$work/measured")"
done
# The ruler's right end dragged 60 pixels further right: 48 mm longer; Ctrl+Z puts it back.
drag 720 120 780 120
for _ in $(seq 30); do ! cmp -s "$file" "$work/drawn.json" && break; sleep 0.1; done
longer=$(json "$file" '((lambda p: sum((p[0][i]-p[1][i])**2 for i in range(3))**0.5)(j["annotations"][0]["points"]))')
python3 -c "import sys; sys.exit(0 if abs($longer - 240) < 3 else 1)" || fail "after the handle drag: $longer mm"
xdotool key --clearmodifiers ctrl+z
for _ in $(seq 30); do cmp -s "$file" "$work/drawn.json" && break; sleep 0.1; done
cmp -s "$file" "$work/drawn.json" || fail "Ctrl+Z did not undo the handle drag: $(cat "$file")"
quit
# Reopened: the same two measurements, on the slice they were drawn on (S writes them again).
launch "$work/phantom"
window "ctview - PHANTOM CTVIEW - 2026-01-01 - Phantom thorax-abdomen - series 2"
for _ in 1 2 3; do
  xdotool key --clearmodifiers s
  for _ in $(seq 20); do [ -e "$work/out/2_axial_0020-1.json" ] && break; sleep 0.1; done
  [ -e "$work/out/2_axial_0020-1.json" ] && break
done
[ "$(json "$work/out/2_axial_0020-1.json" 'len(j["annotations"])')" = 2 ] ||
  fail "after reopening: $(cat "$work/out/2_axial_0020-1.json")"
cmp -s "$(kept)" "$work/drawn.json" || fail "reopening changed the kept measurements"
quit

# Oblique MPR (issue 12): the dot at the right end of the axial view's coronal line (horizontal, through the
# crosshair at the middle voxel: x 604.75 + 3.5, y 224.5 + 3.5, the dot 0.38 x 449 = 171 pixels right of it),
# dragged 30 degrees clockwise round the crosshair, turns the coronal view; S over it saves the turned plane;
# Shift+R turns it back and S saves the acquired slice again.
launch "$work/phantom"
window "ctview - PHANTOM CTVIEW - 2026-01-01 - Phantom thorax-abdomen - series 2"
for _ in 1 2 3; do
  drag 779 228 756 313
  xdotool mousemove --window "$win" 1100 200; sleep 0.2
  xdotool key --clearmodifiers s
  for _ in $(seq 20); do compgen -G "$work/out/2_coronal-oblique_*.json" >/dev/null && break; sleep 0.1; done
  compgen -G "$work/out/2_coronal-oblique_*.json" >/dev/null && break
done
oblique=$(compgen -G "$work/out/2_coronal-oblique_*.json" | head -1)
[ -n "$oblique" ] || fail "no turned coronal plane was saved: $(ls "$work/out")"
[ -e "${oblique%.json}.png" ] || fail "the turned plane's PNG is missing"
[ "$(json "$oblique" 'j["axis"]')" = coronal-oblique ] || fail "sidecar: $(cat "$oblique")"
# Turned about the axial normal (S) by 30 degrees: the coronal normal (acquired: +y, posterior) now has z 0 and
# y cos 30.
python3 -c "import json,sys; n=json.load(open(sys.argv[1]))['plane']['normal']; sys.exit(0 if abs(n[2]) < 1e-9 and abs(n[1] - 0.866) < 0.03 else 1)" "$oblique" ||
  fail "the plane was not turned 30 degrees about S: $(json "$oblique" 'j["plane"]')"
xdotool key --clearmodifiers shift+r
sleep 0.3
xdotool key --clearmodifiers s
wait_for "$work/out/2_coronal_0*.png"
quit
# Another series of the same folder, picked in the Series table, then Ctrl+O (issue 32.1): the load used to
# clear its own input, so the title lost the folder's name, "" went into the recent list, and the Open dialog
# aborted on it, in this session and every later one.
"$ctview" make-phantom "$work/two/a" --size 64x64x40 >/dev/null
"$ctview" make-phantom "$work/two/b" --size 48x48x30 >/dev/null
launch "$work/two"
window "ctview - PHANTOM CTVIEW - .* - series 2 - 64x64x40"
# The View, 3D view and Measurements sections closed (their headers 23 pixels apart; the Segment editor's is
# closed), the Series table's second row is 218 pixels down the side panel.
for y in 41 64 87; do xdotool mousemove --window "$win" 60 $y click 1; sleep 0.3; done
xdotool mousemove --window "$win" 60 218 click 1
window "ctview - PHANTOM CTVIEW - .* - series 2 - 48x48x30"
for _ in $(seq 30); do grep -q '"recent"' "$settings" && break; sleep 0.1; done
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['recent']; sys.exit(0 if r and all(r) else 1)" \
  "$settings" || fail "the recent list holds an empty entry: $(cat "$settings")"
grep -q "\"$work/two\"" "$settings" || fail "the folder is not in the recent list: $(cat "$settings")"
xdotool key --clearmodifiers ctrl+o
sleep 1
kill -0 "$pid" 2>/dev/null || fail "the Open dialog ended the viewer"
quit
# A damaged settings file (an empty entry, a relative path, a number; a duplicate) does not reach the dialog either.
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); j['recent']=['', j['recent'][0], j['recent'][0], 'rel', 5]; json.dump(j, open(sys.argv[1], 'w'))" "$settings"
launch "$work/two"
window "ctview - PHANTOM CTVIEW - .* - series 2"
xdotool key --clearmodifiers ctrl+o
sleep 1
kill -0 "$pid" 2>/dev/null || fail "the Open dialog ended the viewer on a damaged settings file"
grep -q "ignored what could not be used: recent (3 entries)" "$work/log" || fail "the damaged recent list was not reported"
quit

echo "e2e: saved $(ls "$work/out" | tr '\n' ' '); measured: $(tr '\n' ';' <"$work/measured")"
