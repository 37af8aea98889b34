#!/usr/bin/python3
"""The peers of `ctview surface` (bench/surface): the whole job on a NIfTI volume, timed after Python's start.

  vtk      vtkNIFTIImageReader -> vtkFlyingEdges3D (no normals, gradients or scalars) -> vtkSTLWriter (binary)
  skimage  the NIfTI's voxels read with NumPy -> skimage.measure.marching_cubes -> a binary STL written by NumPy

Usage: surface_peers.py vtk|skimage VOLUME.nii THRESHOLD OUT.stl RUNS
Prints "best SECONDS, TRIANGLES triangles".
"""
import struct
import sys
import time

import numpy as np


def run_vtk(volume, threshold, out):
    import vtk
    reader = vtk.vtkNIFTIImageReader()
    reader.SetFileName(volume)
    surface = vtk.vtkFlyingEdges3D()
    surface.SetInputConnection(reader.GetOutputPort())
    surface.SetValue(0, threshold)
    surface.ComputeNormalsOff()
    surface.ComputeGradientsOff()
    surface.ComputeScalarsOff()
    writer = vtk.vtkSTLWriter()
    writer.SetInputConnection(surface.GetOutputPort())
    writer.SetFileTypeToBinary()
    writer.SetFileName(out)
    writer.Write()
    return surface.GetOutput().GetNumberOfCells()


def read_nifti(volume):
    """An uncompressed NIfTI-1 (as `ctview convert` writes it): its voxels (z, y, x) and spacing."""
    with open(volume, "rb") as f:
        header = f.read(352)
        dims = struct.unpack("<8h", header[40:56])
        datatype = struct.unpack("<h", header[70:72])[0]
        pixdim = struct.unpack("<8f", header[76:108])
        offset = int(struct.unpack("<f", header[108:112])[0])
        slope, inter = struct.unpack("<2f", header[112:120])
        f.seek(offset)
        dtype = {4: np.int16, 16: np.float32}[datatype]
        data = np.fromfile(f, dtype=dtype, count=dims[1] * dims[2] * dims[3])
    data = data.reshape(dims[3], dims[2], dims[1])
    if slope not in (0.0, 1.0) or inter != 0.0:
        data = data * (slope or 1.0) + inter
    return data, (pixdim[3], pixdim[2], pixdim[1])


def run_skimage(volume, threshold, out):
    from skimage import measure
    data, spacing = read_nifti(volume)
    verts, faces, _, _ = measure.marching_cubes(data, threshold, spacing=spacing, allow_degenerate=False)
    record = np.dtype([("normal", "<f4", 3), ("corners", "<f4", (3, 3)), ("attribute", "<u2")])
    triangles = np.zeros(len(faces), dtype=record)
    corners = verts[faces][:, :, ::-1].astype(np.float32)  # (z, y, x) -> (x, y, z)
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    triangles["normal"] = normals / np.where(length > 0, length, 1)
    triangles["corners"] = corners
    with open(out, "wb") as f:
        f.write(b"skimage marching_cubes".ljust(80, b" "))
        f.write(struct.pack("<I", len(faces)))
        triangles.tofile(f)
    return len(faces)


def main():
    tool, volume, threshold, out, runs = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    job = {"vtk": run_vtk, "skimage": run_skimage}[tool]
    best, triangles = None, 0
    for _ in range(runs):
        start = time.perf_counter()
        triangles = job(volume, threshold, out)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"{best:.3f} s, {triangles} triangles")


if __name__ == "__main__":
    main()
