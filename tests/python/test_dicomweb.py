"""A PACS as a source: `ctview.studies`, `series` and `load` on a real Orthanc's DICOMweb (on loopback, started by
the tests), the voxels and geometry those of the same files in a folder; a cohort whose root is the PACS, on a
LocalCluster of 2 workers, each output the file `ctview convert` writes from the same URL; errors naming the
server."""
import csv
import subprocess
import sys

import numpy as np
import pytest

import ctview
from conftest import free_port, run_ctview, write_series


@pytest.fixture(scope="module")
def pacs(orthanc, tmp_path_factory):
    """Two studies on the PACS: the phantom (12 slices) and a pydicom-written series, and their folders."""
    root, upload = orthanc
    folders = tmp_path_factory.mktemp("pacs")
    phantom = folders / "phantom"
    run_ctview("make-phantom", phantom, "--size", "48x40x12")
    pydicom_series = write_series(folders / "pydicom", slices=5)
    upload(phantom)
    upload(pydicom_series)
    return root, {"PHANTOM^CTVIEW": phantom, "PYTHON^TEST": pydicom_series}


def test_a_pacs_studies_series_and_voxels(pacs):
    root, folders = pacs
    studies = {s["patient_name"]: s for s in ctview.studies(root)}
    assert set(studies) == set(folders)
    assert studies["PHANTOM^CTVIEW"]["images"] == 12 and studies["PHANTOM^CTVIEW"]["series"] == 1
    for name, folder in folders.items():
        url = studies[name]["url"]
        assert url == f"{root}/studies/{studies[name]['uid']}"
        listed = ctview.series(url)
        assert [r["uid"] for r in listed] == [r["uid"] for r in ctview.series(folder)]
        remote, local = ctview.load(url), ctview.load(folder)
        np.testing.assert_array_equal(remote.array, local.array)
        np.testing.assert_allclose(remote.affine, local.affine, atol=1e-9)
        assert remote.meta["PatientName"] == name


def test_an_unreachable_pacs_is_a_load_error_naming_it():
    port = free_port()  # nothing listens there
    with pytest.raises(ctview.LoadError, match=f"127.0.0.1:{port}"):
        ctview.studies(f"http://127.0.0.1:{port}/dicom-web")
    with pytest.raises(ValueError, match="not a DICOMweb or dicom:// URL"):
        ctview.studies("/tmp")


def test_a_cohort_whose_root_is_the_pacs(pacs, tmp_path):
    root, folders = pacs
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "ctview.cohort", root, "-o", str(out), "--workers", "2",
                           "--format", "nii"], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    with open(out / "series.csv", newline="", encoding="utf-8") as f:
        rows = {r["patient_name"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(folders)
    for name, row in rows.items():
        assert row["error"] == ""
        assert row["source"].startswith(root + "/studies/")
        expected = tmp_path / "convert.nii"
        run_ctview("convert", row["source"], "-o", expected, "--force")
        assert open(row["output"], "rb").read() == expected.read_bytes()  # byte for byte convert's file
    assert rows["PYTHON^TEST"]["slices"] == "5"

    # The PACS gone: the run says which server, exit 1.
    gone = f"http://127.0.0.1:{free_port()}/dicom-web"
    failed = subprocess.run([sys.executable, "-m", "ctview.cohort", gone, "-o", str(tmp_path / "none")],
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1
    assert gone.split("//")[1].split("/")[0] in failed.stderr
