#!/usr/bin/env bash
# End to end through the PACS dialog: the real binary in a real window (Xvfb), driven by xdotool. Opens the dialog
# (the server comes from the settings), searches for a patient, clicks the study, "Open study", and waits for the
# title of the loaded series; then quits and checks what the settings kept. Run by test_dicomweb.cpp, which
# starts Orthanc and sets the credentials in the environment; or, with USER and PASSWORD, leaves them out: the
# search is refused (401), and the login typed into the dialog must serve the search and the load that follow.
# A DIMSE node (ROOT dicom://...) shows a row of its own options under the server's: everything below moves
# down by a row, and its studies are ROOT/STUDY_UID.
# Usage: tests/e2e/pacs.sh CTVIEW ROOT PATIENT STUDY_UID TITLE LOCAL_SERIES [USER PASSWORD]
set -euo pipefail
ctview=$1 root=$2 patient=$3 study=$4 title=$5 local=$6 user=${7:-} password=${8:-}
row=0 study_url="$root/studies/$study"
case "$root" in dicom://*) row=23 study_url="$root/$study" ;; esac
y() { echo $(( $1 + row )); } # a y below the server's row
[ -n "${DISPLAY:-}" ] || { echo "e2e: no DISPLAY"; exit 1; }
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() {
  echo "e2e: FAILED: $*"
  # What the window showed then: its own screenshot (F12), kept where E2E_KEEP says (a folder), if anywhere.
  if [ -n "${E2E_KEEP:-}" ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    xdotool key --clearmodifiers F12; sleep 1; cp "$work"/out/screenshot_*.png "$E2E_KEEP"/ 2>/dev/null || true
  fi
  echo "--- viewer output:"; cat "$work/log" 2>/dev/null || true; exit 1
}
mkdir -p "$work/config/ctview"
printf '{"pacs_servers": ["%s"], "window_width": 1400, "window_height": 900}\n' "$root" \
  >"$work/config/ctview/settings.json"
XDG_CONFIG_HOME="$work/config" "$ctview" "$local" --out "$work/out" >"$work/log" 2>&1 &
pid=$!
seen_window() { # seen_window TITLE SECONDS: whether the viewer's window was so titled within that time
  for _ in $(seq $(( $2 * 5 ))); do
    # --all: the window of this process AND so titled (xdotool's default is either, which never waited).
    win=$(xdotool search --all --pid "$pid" --name "$1" 2>/dev/null | head -1 || true)
    [ -n "$win" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "the viewer exited early"
    sleep 0.2
  done
  return 1
}
find_window() { # find_window TITLE SECONDS: fails unless it was
  seen_window "$1" "$2" || fail "no window titled '$1' within $2 s"
}
find_window "ctview - " 20
sleep 0.5
xdotool windowfocus --sync "$win" 2>/dev/null || true
# 1400x900: "PACS..." is the second button of the side panel; the dialog (820x560) opens centred, its first row
# the server field, its second the search fields (patient first).
xdotool mousemove --window "$win" 163 17 click 1
sleep 1 # drawn (a loaded machine: 0.5 s was seen to be too short, and the typing then went to the views)
xdotool mousemove --window "$win" 375 $(y 229) click 1
sleep 0.3
xdotool type --delay 10 "$patient"
xdotool keydown Return; sleep 0.15; xdotool keyup Return # held over a frame: ImGui 1.86 sees keys once a frame
sleep 2 # the study query
if [ -n "$user" ]; then
  # Refused: the dialog asks for a login (a row under the message: user, password, "Log in").
  # Slow steps: a loaded machine (the other tests run beside this one) draws a frame in a second or more.
  xdotool mousemove --window "$win" 370 $(y 275) click 1; sleep 1
  xdotool type --delay 40 "$user"
  xdotool mousemove --window "$win" 525 $(y 275) click 1; sleep 1
  xdotool type --delay 40 "$password"
  sleep 0.5
  xdotool mousemove --window "$win" 630 $(y 275) click 1 # "Log in": the search again, with the login
  sleep 3
fi
# The first study, its series, "Open study"; again if the answers came later than the clicks.
for attempt in 1 2 3; do
  xdotool mousemove --window "$win" 336 $(y 269) click 1 # the first study
  sleep 2 # its series
  xdotool mousemove --window "$win" 336 $(y 476) click 1 # "Open study"
  seen_window "ctview - $title" 15 && break
  [ "$attempt" = 3 ] && fail "no window titled 'ctview - $title' after three tries"
done
xdotool key --clearmodifiers F12
for _ in $(seq 50); do compgen -G "$work/out/screenshot_*.png" >/dev/null && break; sleep 0.1; done
compgen -G "$work/out/screenshot_*.png" >/dev/null || fail "no screenshot"
xdotool key --clearmodifiers ctrl+q
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "Ctrl+Q did not quit"
wait "$pid" || fail "exit status $?"
pid=
settings="$work/config/ctview/settings.json"
grep -q "\"$study_url\"" "$settings" || fail "the study's URL is not in the recent list: $(cat "$settings")"
grep -q "\"$root\"" "$settings" || fail "the server is not kept"
! grep -qi "secret\|password" "$settings" || fail "a password reached the settings"
echo "e2e: opened $study_url through the PACS dialog"
