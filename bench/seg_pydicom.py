#!/usr/bin/python3
"""The peer of `ctview segments` on a SEG (issue 27.5): what a user writes with pydicom + NumPy — read the SEG,
unpack its frames (pydicom's pixel_array, NumPy's unpackbits) and place each frame in its segment's mask on
the CT's slices (by ImagePositionPatient along the normal), then count each segment's voxels. Prints JSON:
best seconds of RUNS, frames, peak RSS of this process.

Usage: bench/seg_pydicom.py SEG.dcm [RUNS]"""
import json, resource, sys, time
import numpy as np
import pydicom


def load(path):
    ds = pydicom.dcmread(path)
    frames = ds.pixel_array  # (frames, rows, columns) uint8, unpacked from 1 bit
    shared = ds.SharedFunctionalGroupsSequence[0]
    o = np.array(shared.PlaneOrientationSequence[0].ImageOrientationPatient, float)
    normal = np.cross(o[:3], o[3:])
    per = ds.PerFrameFunctionalGroupsSequence
    where = np.array([float(np.dot(np.array(f.PlanePositionSequence[0].ImagePositionPatient, float), normal))
                      for f in per])
    segment = np.array([int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber) for f in per])
    planes = np.unique(np.round(where, 3))
    k = np.searchsorted(planes, np.round(where, 3))
    voxels = {}
    for n in np.unique(segment):
        mask = np.zeros((len(planes), ds.Rows, ds.Columns), bool)
        pick = segment == n
        mask[k[pick]] |= frames[pick].astype(bool)
        voxels[int(n)] = int(mask.sum())
    return len(per), voxels


path, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
best = 1e30
for _ in range(runs):
    t0 = time.perf_counter()
    n, voxels = load(path)
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"seconds": round(best, 3), "frames": n, "segments": len(voxels), "voxels_1": voxels.get(1),
                  "peak_rss_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
