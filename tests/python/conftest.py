"""Fixtures of the Python module's tests: series made by `ctview make-phantom` and by pydicom, in a temporary
folder per session. CTVIEW_BINARY names the ctview executable (the test suite sets it, and PYTHONPATH to the
build's python/ folder, where `import ctview` finds the module just built)."""
import os
import subprocess

import pytest


def ctview_binary():
    binary = os.environ.get("CTVIEW_BINARY")
    if not binary:
        pytest.fail("CTVIEW_BINARY is not set: run these tests through ctest (tests/CMakeLists.txt)")
    return binary


def run_ctview(*args):
    """Runs the ctview command line; returns its stdout (raises on a non-zero exit)."""
    done = subprocess.run([ctview_binary(), *map(str, args)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"ctview {' '.join(map(str, args))}: exit {done.returncode}: {done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def phantom(tmp_path_factory):
    """A 48x40x12 phantom series written by `ctview make-phantom` (GDCM, one file per slice)."""
    folder = tmp_path_factory.mktemp("phantom") / "series"
    run_ctview("make-phantom", folder, "--size", "48x40x12")
    return folder


def write_series(folder, slices=6, rows=20, columns=24, orientation=(1, 0, 0, 0, 1, 0), step=(0, 0, 2.5),
                 slope=1.0, intercept=-1024.0, seed=1):
    """A CT series written with pydicom: `slices` files named in reverse order of position (a loader must sort
    by ImagePositionPatient, not by name), random stored values, the given orientation (row and column
    cosines, LPS), the step between slice origins (LPS mm; off the normal: a gantry tilt), and rescale."""
    import numpy as np
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    stored = rng.integers(0, 3000, size=(slices, rows, columns), dtype=np.uint16)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    for k in range(slices):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.Modality = "CT"
        ds.PatientName = "PYTHON^TEST"
        ds.PatientID = "PY-1"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.StudyDate = "20261205"
        ds.SeriesNumber = 7
        ds.InstanceNumber = k + 1
        ds.ImageOrientationPatient = [f"{v:.6f}" for v in orientation]
        ds.ImagePositionPatient = [f"{10.0 + k * step[0]:.4f}", f"{-20.0 + k * step[1]:.4f}",
                                   f"{30.0 + k * step[2]:.4f}"]
        ds.PixelSpacing = ["0.8", "0.7"]  # rows 0.8 mm apart, columns 0.7 mm
        ds.SliceThickness = "2.5"
        ds.RescaleSlope, ds.RescaleIntercept = f"{slope}", f"{intercept}"
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = rows, columns
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.PixelData = stored[k].tobytes()
        ds.save_as(folder / f"slice{slices - k:03d}.dcm", write_like_original=False)
    return folder


@pytest.fixture(scope="session")
def phantom_with_seg(tmp_path_factory):
    """A 48x40x12 phantom with a DICOM SEG of its organs beside it (`make-phantom --segmentation`)."""
    folder = tmp_path_factory.mktemp("phantom-seg") / "series"
    run_ctview("make-phantom", folder, "--size", "48x40x12", "--segmentation")
    return folder


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def orthanc(tmp_path_factory):
    """A real PACS on loopback: Debian's Orthanc with its DICOMweb plugin (as tests/support/orthanc.h starts it
    for the C++ tests), in a temporary folder, on a free port, stopped at the end. Yields its DICOMweb root URL
    and an `upload(folder)` that stores every file of a folder (REST POST /instances)."""
    import json
    import shutil
    import time
    import urllib.request

    folder = tmp_path_factory.mktemp("orthanc")
    port = free_port()
    config = folder / "orthanc.json"
    config.write_text(json.dumps({
        "Name": "ctview-python-test", "HttpPort": port, "DicomServerEnabled": False,
        "StorageDirectory": str(folder / "db"), "IndexDirectory": str(folder / "db"),
        "RemoteAccessAllowed": False, "AuthenticationEnabled": False, "HttpCompressionEnabled": False,
        "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
        "DicomWeb": {"Enable": True, "Root": "/dicom-web/"}}))
    binary = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
    log = open(folder / "orthanc.log", "wb")
    server = subprocess.Popen([binary, str(config)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # about 0.2 s here; 30 s at most
            if server.poll() is not None:
                pytest.fail(f"Orthanc exited at start (is it installed? scripts/setup installs it): {folder}")
            try:
                urllib.request.urlopen(base + "/system", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("Orthanc did not answer within 30 s")

        def upload(series):
            for f in sorted(series.iterdir()):
                request = urllib.request.Request(base + "/instances", data=f.read_bytes(), method="POST")
                urllib.request.urlopen(request, timeout=30).read()

        yield base + "/dicom-web", upload
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
