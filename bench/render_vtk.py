#!/usr/bin/python3
"""VTK's volume raycasters on the same volume, transfer function, image size and sample distance as
ctview_bench_render, for bench/render. Needs Debian's python3-vtk9.

Usage: render_vtk.py VOLUME.nrrd PRESET.json WIDTHxHEIGHT FRAMES
Prints one line per mapper and mode: ms per frame (median of FRAMES, each at a new angle, the first not counted).
"""
import json
import sys
import time

import vtk


def read_nrrd(path):
    """The raw int16 NRRD that `ctview convert` writes (axis-aligned), as vtkImageData. VTK 9.1's own NRRD reader
    is the MPI-parallel one in Debian's build and refuses to run without MPI."""
    import re
    import numpy
    from vtk.util import numpy_support
    data = open(path, "rb").read()
    head, _, body = data.partition(b"\n\n")
    fields = dict(line.split(": ", 1) for line in head.decode().splitlines()[1:] if ": " in line)
    assert fields["type"] == "short" and fields["encoding"] == "raw", "bench needs a raw int16 NRRD"
    sizes = [int(v) for v in fields["sizes"].split()]
    dirs = [[float(x) for x in d.split(",")] for d in re.findall(r"\(([^)]*)\)", fields["space directions"])]
    origin = [float(x) for x in re.findall(r"\(([^)]*)\)", fields["space origin"])[0].split(",")]
    voxels = numpy.frombuffer(body, dtype="<i2", count=sizes[0] * sizes[1] * sizes[2])
    image = vtk.vtkImageData()
    image.SetDimensions(*sizes)
    image.SetSpacing(dirs[0][0], dirs[1][1], dirs[2][2])
    image.SetOrigin(*origin)
    image.GetPointData().SetScalars(numpy_support.numpy_to_vtk(voxels.copy(), deep=True))
    return image


def main():
    path, preset_path, size, frames = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    width, height = (int(v) for v in size.split("x"))
    preset = json.load(open(preset_path))

    image = read_nrrd(path)
    spacing = min(image.GetSpacing())

    # ctview's opacity is per mm, VTK's per "unit distance": set that to 1 mm so that the two agree.
    color = vtk.vtkColorTransferFunction()
    opacity = vtk.vtkPiecewiseFunction()
    for p in preset["points"]:
        color.AddRGBPoint(p["hu"], *p["color"])
        opacity.AddPoint(p["hu"], p["opacity"])
    shading = preset["shading"]

    print("# VTK %s, %dx%dx%d, %dx%d, sample distance %.3f mm" % (
        vtk.vtkVersion.GetVTKVersion(), *image.GetDimensions(), width, height, spacing))
    # One window for every case: an X server resets when its last client leaves (unless -noreset), and a window
    # opened during the reset is refused.
    renderer = vtk.vtkRenderer()
    window = vtk.vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(width, height)
    window.AddRenderer(renderer)
    for mapper_name in ("gpu", "cpu"):
        for mode, shade in (("dvr", True), ("dvr", False), ("mip", False)):
            prop = vtk.vtkVolumeProperty()
            prop.SetColor(color)
            prop.SetScalarOpacity(opacity)
            prop.SetScalarOpacityUnitDistance(1.0)
            prop.SetInterpolationTypeToLinear()
            if shade:
                prop.ShadeOn()
                prop.SetAmbient(shading["ambient"])
                prop.SetDiffuse(shading["diffuse"])
                prop.SetSpecular(shading["specular"])
                prop.SetSpecularPower(shading["shininess"])
            if mapper_name == "gpu":
                mapper = vtk.vtkGPUVolumeRayCastMapper()
                mapper.SetAutoAdjustSampleDistances(False)
                mapper.SetSampleDistance(spacing)
            else:
                mapper = vtk.vtkFixedPointVolumeRayCastMapper()
                mapper.SetAutoAdjustSampleDistances(False)
                mapper.SetSampleDistance(spacing)
                mapper.SetImageSampleDistance(1.0)
            mapper.SetInputData(image)
            if mode == "mip":
                mapper.SetBlendModeToMaximumIntensity()
                mip = vtk.vtkPiecewiseFunction()
                mip.AddPoint(-1024, 1.0)
                mip.AddPoint(3071, 1.0)
                prop.SetScalarOpacity(mip)
            volume = vtk.vtkVolume()
            volume.SetMapper(mapper)
            volume.SetProperty(prop)
            renderer.RemoveAllViewProps()
            renderer.AddVolume(volume)
            camera = vtk.vtkCamera()
            renderer.SetActiveCamera(camera)
            renderer.ResetCamera()
            camera.Elevation(-90)  # from the front, head up (VTK's default looks down the slice axis)
            camera.SetViewUp(0, 0, 1)
            renderer.ResetCamera()
            times = []
            for f in range(frames + 1):
                camera.Azimuth(7)
                t0 = time.perf_counter()
                window.Render()
                times.append((time.perf_counter() - t0) * 1000)
            times = sorted(times[1:])
            median = times[len(times) // 2]
            print("vtk-%s %s %s: %.1f ms/frame" % (mapper_name, mode, "shaded" if shade else "unshaded", median),
                  flush=True)



if __name__ == "__main__":
    main()
