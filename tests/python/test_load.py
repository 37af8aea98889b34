"""`import ctview`: the loader's series, voxels, geometry and metadata against pydicom and nibabel reading the
same files; zero copy; errors; threads."""
import gc
import os
from pathlib import Path
import threading

import nibabel
import numpy as np
import pydicom
import pytest

import ctview
from conftest import run_ctview, write_series


def pydicom_stack(folder):
    """What the classic tutorial does, done right: every file read, sorted by position along the slice normal,
    rescaled to HU."""
    datasets = [pydicom.dcmread(p) for p in sorted(folder.iterdir())]
    row, col = np.array(datasets[0].ImageOrientationPatient[:3]), np.array(datasets[0].ImageOrientationPatient[3:])
    normal = np.cross(row, col)
    datasets.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, dtype=float))))
    hu = [d.pixel_array.astype(np.float64) * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in datasets]
    return datasets, np.stack(hu)


def test_series_lists_the_folder(phantom):
    rows = ctview.series(phantom)
    assert len(rows) == 1
    row = rows[0]
    assert (row["slices"], row["columns"], row["rows"]) == (12, 48, 40)
    assert row["modality"] == "CT"
    assert row["default"] is True
    assert row["uid"] == pydicom.dcmread(next(phantom.iterdir())).SeriesInstanceUID


def test_voxels_are_pydicoms_exactly(phantom):
    vol = ctview.load(phantom)
    datasets, hu = pydicom_stack(phantom)
    assert vol.array.shape == (12, 40, 48)
    assert vol.array.dtype == np.int16
    assert vol.array.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(vol.array, hu)


def test_affine_is_the_dicom_geometry(phantom):
    vol = ctview.load(phantom)
    datasets, _ = pydicom_stack(phantom)
    first, second = datasets[0], datasets[1]
    row, col = np.array(first.ImageOrientationPatient[:3]), np.array(first.ImageOrientationPatient[3:])
    dy, dx = (float(v) for v in first.PixelSpacing)  # PixelSpacing is row spacing, then column spacing
    step = np.array(second.ImagePositionPatient, dtype=float) - np.array(first.ImagePositionPatient, dtype=float)
    expected = np.eye(4)
    expected[:3, 0] = row * dx
    expected[:3, 1] = col * dy
    expected[:3, 2] = step
    expected[:3, 3] = np.array(first.ImagePositionPatient, dtype=float)
    np.testing.assert_allclose(vol.affine, expected, atol=1e-6)
    np.testing.assert_allclose(vol.spacing, (dx, dy, np.linalg.norm(step)), atol=1e-9)
    np.testing.assert_allclose(vol.origin, expected[:3, 3], atol=1e-9)
    np.testing.assert_allclose(vol.direction @ np.diag(vol.spacing), expected[:3, :3], atol=1e-9)


def test_affine_matches_nibabel_reading_converts_nifti(phantom, tmp_path):
    vol = ctview.load(phantom)
    out = tmp_path / "ct.nii.gz"
    run_ctview("convert", phantom, "-o", out)
    image = nibabel.load(str(out))
    # NIfTI is RAS: x and y negated from LPS. Its voxel axes are (column, row, slice), ours the array's reverse.
    ras = np.diag([-1.0, -1.0, 1.0, 1.0])
    np.testing.assert_allclose(image.affine, ras @ vol.affine, atol=1e-4)
    np.testing.assert_array_equal(np.asarray(image.dataobj).transpose(2, 1, 0), vol.array)


def test_to_nifti_and_to_nrrd_write_what_convert_writes(phantom, tmp_path):
    vol = ctview.load(phantom)
    ours = vol.to_nifti(tmp_path / "ours.nii")
    run_ctview("convert", phantom, "-o", tmp_path / "cli.nii")
    assert open(ours, "rb").read() == open(tmp_path / "cli.nii", "rb").read()
    nrrd = vol.to_nrrd(tmp_path / "ours.nrrd")
    assert ctview.load(nrrd).array.tolist() == vol.array.tolist()
    # Never over a file unless asked: a free name beside it.
    again = vol.to_nifti(tmp_path / "ours.nii")
    assert again != ours
    assert vol.to_nifti(tmp_path / "ours.nii", force=True) == str(tmp_path / "ours.nii")
    with pytest.raises(ValueError, match="must end in"):
        vol.to_nifti(tmp_path / "ours.txt")


def test_meta_by_dicom_keyword(phantom):
    vol = ctview.load(phantom)
    first = pydicom.dcmread(next(phantom.iterdir()))
    assert vol.meta["PatientName"] == str(first.PatientName)
    assert vol.meta["StudyDate"] == first.StudyDate
    assert vol.meta["Modality"] == "CT"
    assert vol.meta["SeriesInstanceUID"] == first.SeriesInstanceUID
    assert vol.meta["SliceThickness"] == pytest.approx(float(first.SliceThickness))
    assert vol.info["image"]["columns"] == 48  # `ctview info --json`'s description
    assert vol.warnings == []


def test_the_array_is_the_volume_without_a_copy(phantom):
    vol = ctview.load(phantom)
    a, b = vol.array, vol.array
    assert np.shares_memory(a, b)
    assert a.base is not None and not a.flags["OWNDATA"]
    with pytest.raises(ValueError):  # read-only: the loaded volume stays what the pictures and writers see
        a[0, 0, 0] = 1
    expected = a.copy()
    del vol, b
    gc.collect()
    np.testing.assert_array_equal(a, expected)  # the array keeps the volume's memory alive


def test_bad_input_raises_with_the_name(tmp_path):
    missing = tmp_path / "nothing-here"
    with pytest.raises(ctview.LoadError, match="nothing-here"):
        ctview.load(missing)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not DICOM")
    with pytest.raises(ctview.LoadError):
        ctview.load(empty)


def test_an_unknown_series_is_a_value_error_in_pythons_words(phantom):
    with pytest.raises(ValueError, match=r"^series=99: no such series .*ctview\.series\(\) lists them"):
        ctview.load(phantom, series=99)
    with pytest.raises(ctview.LoadError, match=r"ctview\.studies\(http://127\.0\.0\.1:9/dicom-web\) lists"):
        ctview.load("http://127.0.0.1:9/dicom-web")  # a PACS's root, not a study


def test_threads_load_in_parallel_and_agree(phantom):
    expected = ctview.load(phantom).array.copy()
    results, errors = [None] * 4, []

    def work(n):
        try:
            results[n] = ctview.load(phantom, workers=1).array
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_an_oblique_series_sorted_by_position_with_its_rescale(tmp_path):
    # Rows along (cos 30, sin 30, 0), columns along z: a plane tilted from every patient axis; slices along
    # the normal, files named backwards; a slope of 0.5 makes fractional HU (float32).
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    normal = np.cross([c, s, 0], [0, 0, 1])
    folder = write_series(tmp_path / "oblique", orientation=(c, s, 0, 0, 0, 1), step=tuple(2.5 * normal),
                          slope=0.5, intercept=-1000)
    vol = ctview.load(folder)
    datasets, hu = pydicom_stack(folder)
    assert vol.array.dtype == np.float32
    np.testing.assert_array_equal(vol.array, hu.astype(np.float32))
    np.testing.assert_allclose(vol.affine[:3, 0], np.array([c, s, 0]) * 0.7, atol=1e-5)
    np.testing.assert_allclose(vol.affine[:3, 1], np.array([0, 0, 1]) * 0.8, atol=1e-5)
    np.testing.assert_allclose(vol.affine[:3, 2], normal * 2.5, atol=1e-4)
    np.testing.assert_allclose(vol.affine[:3, 3], np.array(datasets[0].ImagePositionPatient, dtype=float),
                               atol=1e-4)


def test_a_tilted_stack_is_resampled_and_says_so(tmp_path):
    # A gantry tilt: each slice's origin 2.5 mm along z and 0.5 mm along y (not along the normal).
    folder = write_series(tmp_path / "tilted", step=(0, 0.5, 2.5))
    vol = ctview.load(folder)
    assert any("resampled" in w for w in vol.warnings)
    # On a regular grid: the third axis is the slice normal, the first slice where it was.
    np.testing.assert_allclose(vol.direction[:, 2], [0, 0, 1], atol=1e-9)
    np.testing.assert_allclose(vol.origin, (10.0, -20.0, 30.0), atol=1e-6)
    raw = ctview.load(folder, resample=False)
    datasets, hu = pydicom_stack(folder)
    np.testing.assert_array_equal(raw.array, hu)  # as acquired: the stored slices, sheared
    np.testing.assert_allclose(raw.affine[:3, 2], [0, 0.5, 2.5], atol=1e-6)


def test_names_that_are_not_utf8_open_and_come_back_as_python_names_them(phantom, tmp_path):
    # A folder and a stray file named in Latin-1 (as old CDs and Windows shares have them).
    folder = os.fsdecode(os.fsencode(str(tmp_path)) + b"/s\xe9rie")
    os.mkdir(folder)
    for f in phantom.iterdir():
        (Path(folder) / f.name).write_bytes(f.read_bytes())
    Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9.txt")).write_text("notes")
    assert ctview.series(folder)[0]["slices"] == 12
    vol = ctview.load(folder)
    assert vol.array.shape == (12, 40, 48)
    out = vol.to_nifti(os.path.join(folder, "ct.nii"))
    assert os.path.exists(out) and out.startswith(folder)
    with pytest.raises(ctview.LoadError, match="nowhere"):
        ctview.load(os.fsdecode(os.fsencode(folder) + b"/nowhere\xff"))


def test_a_4d_series_loads_phase_by_phase_and_converts_to_one_4d_nifti(tmp_path):
    """Issue 31: two series written by pydicom into one, the second's images at the same positions with a later
    TriggerTime: two phases, each exactly pydicom's, and convert's 4D NIfTI as nibabel reads it."""
    first = write_series(tmp_path / "a", slices=4, seed=1)
    second = write_series(tmp_path / "b", slices=4, seed=2)
    folder = tmp_path / "4d"
    folder.mkdir()
    uid = pydicom.dcmread(next(first.iterdir())).SeriesInstanceUID
    for phase, source in enumerate([first, second]):
        for f in sorted(source.iterdir()):
            ds = pydicom.dcmread(f)
            ds.SeriesInstanceUID = uid
            ds.TriggerTime = str(phase * 400)
            ds.InstanceNumber = ds.InstanceNumber + 10 * phase
            ds.save_as(folder / f"p{phase}_{f.name}", write_like_original=False)
    listed = ctview.series(folder)
    assert len(listed) == 1 and listed[0]["phases"] == 2 and listed[0]["slices"] == 4
    expected = [pydicom_stack(first)[1], pydicom_stack(second)[1]]
    for phase in (1, 2):
        v = ctview.load(folder, phase=phase)
        assert np.array_equal(v.array, expected[phase - 1])
    with pytest.raises(ValueError):
        ctview.load(folder, phase=3)
    for wrong in (0, -1):  # numbered from 1, as the command line's --phase
        with pytest.raises(ValueError, match="numbered from 1"):
            ctview.load(folder, phase=wrong)
    out = tmp_path / "4d.nii.gz"
    run_ctview("convert", folder, "-o", out)
    image = nibabel.load(str(out))
    assert image.shape == (24, 20, 4, 2)
    data = np.asanyarray(image.dataobj)
    for phase in (1, 2):
        # NIfTI's array is (i, j, k) in (column, row, slice): ctview's (slice, row, column) transposed.
        assert np.array_equal(data[..., phase - 1], expected[phase - 1].transpose(2, 1, 0))
