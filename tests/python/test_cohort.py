"""`python3 -m ctview.cohort`: a tree of series (one broken) converted on a LocalCluster of 2 workers; each
output the file `ctview convert` writes, the table complete, a failing series a row with its error, and a
rerun keeping what was done."""
import csv
import json
import os
import subprocess
import sys

import pytest

from conftest import run_ctview


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    run_ctview("make-phantom", root / "patient1" / "study" / "ct", "--size", "32x32x6")
    run_ctview("make-phantom", root / "patient2" / "ct", "--size", "40x36x5", "--segmentation")
    broken = root / "patient3"
    run_ctview("make-phantom", broken, "--size", "32x32x4")
    for f in broken.iterdir():  # every file cut short in its pixel data
        f.write_bytes(f.read_bytes()[:1500])
    return root


def table(out):
    with open(out / "series.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_cohort_on_two_workers(cohort, tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ)
    done = subprocess.run([sys.executable, "-m", "ctview.cohort", str(cohort), "-o", str(out), "--workers", "2",
                           "--format", "nii", "--segments"], capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out / "series.csv")
    rows = {r["source"]: r for r in table(out)}
    assert len(rows) == 3
    bad = rows[str(cohort / "patient3")]
    assert "IM0001.dcm" in bad["error"] and bad["output"] == ""
    for folder, size in [("patient1/study/ct", ("32", "32", "6")), ("patient2/ct", ("40", "36", "5"))]:
        r = rows[str(cohort / folder)]
        assert r["error"] == ""
        assert (r["columns"], r["rows"], r["slices"]) == size
        assert r["modality"] == "CT" and r["patient_id"] == "CTVIEW-PHANTOM-1"
        expected = tmp_path / "convert.nii"
        run_ctview("convert", cohort / folder, "-o", expected, "--force")
        assert open(r["output"], "rb").read() == expected.read_bytes()  # byte for byte convert's file
    organs = json.loads(rows[str(cohort / "patient2/ct")]["segments"])
    listed = json.loads(run_ctview("segments", "-q", "--json", cohort / "patient2/ct"))["segments"]
    assert organs == {s["name"]: round(s["volume_ml"], 3) for s in listed}

    # A rerun converts only what failed; the rest keeps its files and rows.
    outputs = {r["output"]: os.stat(r["output"]).st_mtime_ns for r in rows.values() if r["output"]}
    again = subprocess.run([sys.executable, "-m", "ctview.cohort", str(cohort), "-o", str(out), "--workers", "2",
                            "--format", "nii", "--segments"], capture_output=True, text=True, env=env,
                           timeout=240)
    assert again.returncode == 0, again.stderr
    assert "1 series to convert, 2 done before" in again.stderr
    assert {r["output"]: os.stat(r["output"]).st_mtime_ns for r in table(out) if r["output"]} == outputs
    assert len(table(out)) == 3


def test_a_missing_root_is_an_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ctview.cohort", str(tmp_path / "none"), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "none: not a folder" in done.stderr


def test_a_series_split_over_sibling_folders_is_converted_whole(tmp_path):
    from ctview.cohort import find_sources

    whole = tmp_path / "whole"
    run_ctview("make-phantom", whole, "--size", "32x32x10")
    root = tmp_path / "root"
    for n, f in enumerate(sorted(whole.iterdir())):  # slices 1-5 in a/, 6-10 in b/
        part = root / "study" / ("a" if n < 5 else "b")
        part.mkdir(parents=True, exist_ok=True)
        (part / f.name).write_bytes(f.read_bytes())
    (root / "notes.txt").write_text("a stray file at the top: no folder of its own for the series")
    found = find_sources(str(root))
    assert [(folder, error) for folder, _, error in found] == [(str(root / "study"), None)]
    import ctview

    assert ctview.load(found[0][0], series=found[0][1]).array.shape == (10, 32, 32)
