"""`ctview.load` of every encoding the loader's own tests cover, against pydicom reading the same files: the
same HU, voxel for voxel. The series are bench/make_series.cpp's kinds (the phantom's anatomy stored as GE,
Siemens and Philips scanners store it, big endian, 32-bit, Enhanced CT, JPEG-LS, JPEG lossless, RLE, JPEG 2000),
3 slices of 512x512 each. pydicom decodes JPEG-LS, JPEG lossless and JPEG 2000 through GDCM's Python binding
(python3-gdcm) and RLE with its own NumPy decoder."""
import os
import subprocess

import numpy as np
import pydicom
import pytest

import ctview

SLICES = 3


def series_writer():
    writer = os.environ.get("CTVIEW_SERIES_WRITER")
    if not writer:
        pytest.fail("CTVIEW_SERIES_WRITER is not set: run these tests through ctest (tests/CMakeLists.txt)")
    return writer


def kinds():
    """The writer's kinds, by name (`ctview_bench_series --list`)."""
    listed = subprocess.run([series_writer(), "--list"], capture_output=True, text=True, check=True).stdout
    return [line.split("\t")[0] for line in listed.splitlines() if line]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each kind written once into a folder of its own."""
    root = tmp_path_factory.mktemp("encodings")
    folders = {}
    for kind in kinds():
        folders[kind] = root / kind
        subprocess.run([series_writer(), kind, str(SLICES), str(folders[kind])], capture_output=True, check=True)
    return folders


def little_endian_copy(path, tmp_path):
    """DCMTK's explicit VR little endian copy of a big-endian file. pydicom 2.3 reads a big-endian Pixel Data of
    32-bit values in OW (16-bit words, each byte-swapped) with its two words the other way round; DCMTK, GDCM and
    ctview agree on the values."""
    out = tmp_path / path.name
    subprocess.run(["dcmconv", "+te", str(path), str(out)], check=True)
    return out


def pydicom_hu(folder, tmp_path):
    """The files' HU as pydicom gives them, slices sorted by position along the normal, and where the padding is
    (PixelPaddingValue, up to PixelPaddingRangeLimit: outside the scanner's field of view)."""
    files = sorted(folder.iterdir())
    datasets = [pydicom.dcmread(p) for p in files]
    if not datasets[0].file_meta.TransferSyntaxUID.is_little_endian:
        datasets = [pydicom.dcmread(little_endian_copy(p, tmp_path)) for p in files]
    first = datasets[0]
    if "PerFrameFunctionalGroupsSequence" in first:  # Enhanced CT: one file, one frame per slice
        frames = first.pixel_array
        transform = first.SharedFunctionalGroupsSequence[0].PixelValueTransformationSequence[0]
        orientation = first.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient
        positions = [f.PlanePositionSequence[0].ImagePositionPatient for f in first.PerFrameFunctionalGroupsSequence]
        stored = list(frames)
        slope, intercept = float(transform.RescaleSlope), float(transform.RescaleIntercept)
    else:
        orientation = first.ImageOrientationPatient
        positions = [d.ImagePositionPatient for d in datasets]
        stored = [d.pixel_array for d in datasets]
        slope, intercept = float(first.RescaleSlope), float(first.RescaleIntercept)
    normal = np.cross(np.array(orientation[:3], dtype=float), np.array(orientation[3:], dtype=float))
    order = np.argsort([float(np.dot(normal, np.array(p, dtype=float))) for p in positions])
    raw = np.stack([stored[i] for i in order])
    padded = np.zeros(raw.shape, dtype=bool)
    if "PixelPaddingValue" in first:
        low = high = first.PixelPaddingValue
        if "PixelPaddingRangeLimit" in first:
            low, high = min(low, first.PixelPaddingRangeLimit), max(low, first.PixelPaddingRangeLimit)
        padded = (raw >= low) & (raw <= high)
    return raw.astype(np.float64) * slope + intercept, padded


@pytest.mark.parametrize("kind", kinds() if os.environ.get("CTVIEW_SERIES_WRITER") else ["(writer not set)"])
def test_every_encoding_loads_pydicoms_hu_exactly(kind, written, tmp_path):
    folder = written[kind]
    # A gantry-tilted stack as acquired (resampled, its voxels are interpolated: test_load.py checks that).
    vol = ctview.load(folder, resample=kind != "tilted")
    hu, padded = pydicom_hu(folder, tmp_path)
    assert vol.array.shape == (SLICES, 512, 512)
    assert vol.array.dtype == (np.float32 if kind == "philips-slope" else np.int16)  # slope 0.5: half HU
    np.testing.assert_array_equal(vol.array[~padded], hu[~padded].astype(vol.array.dtype))
    # Outside the field of view the scanner's padding is air to ctview (-1024 HU), not a value far below it.
    assert np.all(vol.array[padded] == -1024)
    if kind.startswith(("ge", "padding")) or kind in ("jpegls", "jpeg-lossless", "rle", "j2k", "tilted"):
        assert padded.any()


def test_the_writer_covers_what_the_loader_decodes():
    # A kind renamed or dropped from the writer must not drop its encoding from the test above unseen.
    assert {"ge-bigendian", "int32-bigendian", "enhanced", "jpegls", "jpeg-lossless", "rle", "j2k"} <= set(kinds())
