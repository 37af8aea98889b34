#!/usr/bin/python3
"""`ctview.load` against what a Python user would write instead, on one series folder, in one run: pydicom +
NumPy (read, sort by position, stack, rescale: bench/load_pydicom.py's), and dcm2niix + nibabel (convert to a
NIfTI in /dev/shm, then read it into an array). Each timed after Python's start and its imports, best of N,
warm page cache. Prints one JSON line per tool: seconds, the array's shape, and how many voxels differ from
ctview's."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def ctview_load(folder):
    import ctview

    return ctview.load(folder).array


def pydicom_load(folder):
    from load_pydicom import load

    return load(folder)[0]


def dcm2niix_load(folder):
    import nibabel

    out = tempfile.mkdtemp(dir="/dev/shm")
    try:
        subprocess.run(["dcm2niix", "-w", "1", "-z", "n", "-b", "n", "-f", "v", "-o", out, folder], check=True,
                       capture_output=True)
        image = nibabel.load(os.path.join(out, "v.nii"))
        # nibabel's array is (column, row, slice), float through the NIfTI's scaling: as the user gets it.
        return np.asarray(image.get_fdata(dtype=np.float32)).transpose(2, 1, 0)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    folder, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for f in os.listdir(folder):  # warm the page cache
        with open(os.path.join(folder, f), "rb") as fh:
            fh.read()
    tools = [("ctview.load", ctview_load), ("pydicom + NumPy", pydicom_load)]
    if shutil.which("dcm2niix"):
        tools.append(("dcm2niix + nibabel", dcm2niix_load))
    reference = None
    for name, load in tools:
        best, array = 1e30, None
        for _ in range(runs):
            t0 = time.perf_counter()
            array = load(folder)
            best = min(best, time.perf_counter() - t0)
        row = {"tool": name, "seconds": round(best, 3), "shape": list(array.shape)}
        if reference is None:
            reference = np.array(array, copy=True)
        elif array.shape == reference.shape:
            # The voxels that differ from ctview's and what they hold there (ctview shows PixelPaddingValue,
            # the outside of a GE or Siemens scanner's field of view, as air: -1024 HU). dcm2niix turns the
            # rows (and maybe the slices) over for NIfTI's orientation: compared in the order that fits best.
            flips = {"": array, "rows turned over": array[:, ::-1, :],
                     "rows and slices turned over": array[::-1, ::-1, :]}
            how, array = min(flips.items(), key=lambda f: int((f[1] != reference).sum()))
            if how:
                row["compared_with"] = how
            differ = array != reference
            row["voxels_differing_from_ctview"] = int(differ.sum())
            if differ.any():
                row["their_values_there"] = sorted({float(v) for v in np.unique(array[differ])[:3]})
        print(json.dumps(row))
        del array


main()
