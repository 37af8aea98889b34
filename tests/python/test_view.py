"""`ctview.view`: the viewer's window from Python, in the Python process, closed by the user (Ctrl+Q sent by
xdotool under the suite's Xvfb); `view` then returns."""
import os
import shutil
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY") or not shutil.which("xdotool"),
                                reason="needs a display and xdotool (the suite runs Xvfb)")


def test_view_opens_the_window_and_returns_when_it_is_closed(phantom, tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    script = ("import sys, ctview; vol = ctview.load(sys.argv[1]); ctview.view(vol, out=sys.argv[2]); "
              "print('closed')")
    python = subprocess.Popen([sys.executable, "-c", script, str(phantom), str(tmp_path / "out")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window = ""
        for _ in range(100):  # 20 s for the window, titled by the series it shows
            found = subprocess.run(["xdotool", "search", "--all", "--pid", str(python.pid), "--name",
                                    "Phantom thorax-abdomen"], capture_output=True, text=True)
            window = found.stdout.split()[0] if found.stdout.split() else ""
            if window or python.poll() is not None:
                break
            time.sleep(0.2)
        assert window, f"no viewer window: {python.poll()} {python.stderr.read() if python.poll() else ''}"
        time.sleep(0.5)
        subprocess.run(["xdotool", "windowfocus", "--sync", window], capture_output=True)
        for _ in range(3):  # again if the window had not taken input yet
            subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+q"], capture_output=True)
            try:
                python.wait(timeout=3)
                break
            except subprocess.TimeoutExpired:
                pass
        out, err = python.communicate(timeout=10)
        assert python.returncode == 0, err
        assert out.strip() == "closed"
    finally:
        if python.poll() is None:
            python.kill()
