"""docs/user/python.md's five workflows, every ```python block of that section run in order on a generated
series (its "~/scans/head-ct" replaced), in a scratch folder; `ctview.view` stood in for by a recorder (the
window has its own test, test_view.py). Each block must run and write what it says."""
import os
import re
from pathlib import Path

import pytest

import numpy as np
import tifffile

import ctview
from conftest import run_ctview

DOC = Path(__file__).resolve().parents[2] / "docs" / "user" / "python.md"
pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (the suite runs Xvfb)")


def workflow_blocks():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The tutorial's five workflows", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_five_workflows_run_as_written(phantom, tmp_path, monkeypatch, capsys):
    blocks = workflow_blocks()
    assert len(blocks) == 6  # the setup and one block per workflow
    viewed = []
    monkeypatch.setattr(ctview, "view", lambda vol, *a, **k: viewed.append(vol))
    monkeypatch.chdir(tmp_path)
    scope = {}
    for block in blocks:
        exec(compile(block.replace("~/scans/head-ct", str(phantom)), str(DOC), "exec"), scope)
    out = capsys.readouterr().out
    assert "PatientName" in out and "HU at the centre:" in out and "no warnings" in out
    assert len(viewed) == 1 and viewed[0] is scope["vol"]
    # Step 2's "10th slice" is the viewer's: the HU `ctview export --slice 10` writes.
    run_ctview("export", phantom, "--axis", "axial", "--slice", "10", "--format", "tiff", "-o", tmp_path / "exported")
    exported = tifffile.imread(next((tmp_path / "exported").iterdir()))
    np.testing.assert_array_equal(scope["hu"], exported)
    for name in ["slice10_view.png", "slice10.png", "slice10.jpg", "bone.png", "mip_hot.png"]:
        assert (tmp_path / name).stat().st_size > 100, name
