# What the end-to-end scripts share (sourced; $ctview the binary): the checks that a display and xdotool are
# there, a scratch folder removed at the end with the viewer it started (pid), fail(), which shows the viewer's
# output, launch() and window() to start the viewer and wait for its window, quit() and wait_for().
[ -n "${DISPLAY:-}" ] || { echo "e2e: no DISPLAY (run under xvfb-run)"; exit 1; }
command -v xdotool >/dev/null || { echo "e2e: xdotool is missing (scripts/setup installs it)"; exit 1; }

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "e2e: FAILED: $*"; echo "--- viewer output:"; cat "$work/log" 2>/dev/null || true; exit 1; }

launch() { # launch INPUT [OPTION...]: the viewer in the background, settings and exports in the scratch folder
  # The window at 1400x900 (the clicks' coordinates are for it), not fitted to Xvfb's 1280-pixel screen.
  if [ ! -f "$work/config/ctview/settings.json" ]; then
    mkdir -p "$work/config/ctview"
    echo '{"window_width": 1400, "window_height": 900}' >"$work/config/ctview/settings.json"
  fi
  XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" "$ctview" "$@" --out "$work/out" >"$work/log" 2>&1 &
  pid=$!
}
window() { # window TITLE_REGEX: waits (20 s) for the viewer's window so titled, focuses it, puts the mouse on
  # the axial view (1400x900 with the 340-pixel side panel: the top-left cell at x 340..869, y 0..449)
  win=
  for _ in $(seq 100); do
    # --all: the window of this process AND so titled (xdotool's default is either, which never waited).
    win=$(xdotool search --all --pid "$pid" --name "$1" 2>/dev/null | head -1 || true)
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
