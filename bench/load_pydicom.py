#!/usr/bin/python3
"""The stack a user would write instead of ctview: pydicom + numpy, sorted by ImagePositionPatient, HU as int16.
Prints the same JSON figures as ctview_bench_load (best of N runs; peak RSS of this process)."""
import glob, json, os, resource, sys, time
import numpy as np
import pydicom

def load(folder):
    ds = [pydicom.dcmread(f) for f in sorted(glob.glob(os.path.join(folder, "*")))
          if not os.path.basename(f).startswith(".")]
    normal = np.cross(np.array(ds[0].ImageOrientationPatient[:3], float), np.array(ds[0].ImageOrientationPatient[3:], float))
    ds.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, float), normal)))
    vol = np.empty((len(ds), ds[0].Rows, ds[0].Columns), np.int16)
    for k, d in enumerate(ds):
        vol[k] = d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept)
    return vol, sum(len(d.PixelData) for d in ds)

def main():
    folder, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best = 1e30
    for _ in range(runs):
        t0 = time.perf_counter()
        vol, nbytes = load(folder)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"seconds": round(best, 4), "pixel_MB": round(nbytes / 1e6, 1),
                      "MB_per_s": round(nbytes / 1e6 / best, 1), "volume_MiB": round(vol.nbytes / 1048576, 1),
                      "peak_rss_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
