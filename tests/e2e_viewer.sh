#!/usr/bin/env bash
# End to end: the real binary in a real window (Xvfb), driven by xdotool like a user: hover the axial view, press S,
# scroll three slices, press S again, press F12, quit with Ctrl+Q; then the files it saved and its settings are
# checked. Then a path that does not exist (the window opens and says why), and a change of setting that must
# survive a SIGTERM. Usage: e2e_viewer.sh CTVIEW_BINARY  (needs DISPLAY; scripts/test provides Xvfb)
set -euo pipefail
ctview=$1
[ -n "${DISPLAY:-}" ] || { echo "e2e: no DISPLAY (run under xvfb-run)"; exit 1; }
command -v xdotool >/dev/null || { echo "e2e: xdotool is missing (scripts/setup installs it)"; exit 1; }

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "e2e: FAILED: $*"; echo "--- viewer output:"; cat "$work/log" 2>/dev/null || true; exit 1; }
settings="$work/config/ctview/settings.json"

launch() { # launch INPUT: the viewer in the background, its settings and exports in the scratch folder
  XDG_CONFIG_HOME="$work/config" "$ctview" "$1" --out "$work/out" >"$work/log" 2>&1 &
  pid=$!
}
window() { # window TITLE_REGEX: waits (20 s) for the viewer's window so titled, focuses it, puts the mouse on
  # the axial view (1400x900 with the 340-pixel side panel: the top-left cell at x 340..869, y 0..449)
  win=
  for _ in $(seq 100); do
    win=$(xdotool search --pid "$pid" --name "$1" 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break
    kill -0 "$pid" 2>/dev/null || fail "the viewer exited instead of showing '$1'"
    sleep 0.2
  done
  [ -n "$win" ] || fail "no window titled '$1' within 20 s"
  sleep 0.5 # mapped and drawn
  xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowactivate --sync "$win" 2>/dev/null || true
  xdotool mousemove --window "$win" 600 220
  sleep 0.3
}
quit() { # quit: Ctrl+Q (asked again if the window had not taken input yet), then the exit status must be 0
  for _ in 1 2 3; do
    xdotool key --clearmodifiers ctrl+q
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null || break
  done
  kill -0 "$pid" 2>/dev/null && fail "Ctrl+Q did not quit"
  local status=0
  wait "$pid" || status=$?
  pid=
  [ "$status" -eq 0 ] || fail "exit status $status"
}
wait_for() { # wait_for GLOB: until a file matching it exists (5 s)
  for _ in $(seq 50); do compgen -G "$1" >/dev/null && return 0; sleep 0.1; done
  fail "no file matching $1"
}

"$ctview" make-phantom "$work/phantom" --size 64x64x40 >/dev/null
cd "$work" # the default export folder would be ./ctview-exports: make sure --out is what is used

launch "$work/phantom"
window "ctview - phantom - series 2" # the title names the series once it has loaded
xdotool key --clearmodifiers s
wait_for "$work/out/2_axial_0019.png" # the middle slice, index 20 of 40: number 19 counted from the head
wait_for "$work/out/2_axial_0019.jpg"
for _ in 1 2 3; do xdotool click --window "$win" 5; sleep 0.15; done # wheel towards the user: next slice
xdotool key --clearmodifiers s
wait_for "$work/out/2_axial_0022.png"
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
window "ctview - phantom - series 2"
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
echo "e2e: saved $(ls "$work/out" | tr '\n' ' ')"
