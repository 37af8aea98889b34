"""`ctview.snapshot` and `ctview.render`: the pictures `ctview snapshot` and `ctview render` write, pixel for
pixel (the same code draws both), as NumPy arrays; bad options raise before anything is drawn. The tests run
under Xvfb (ctest's suite provides it)."""
import os

import numpy as np
import pytest
from PIL import Image

import ctview
from conftest import run_ctview

pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (the suite runs Xvfb)")


def png(path):
    return np.asarray(Image.open(path).convert("RGB"))


def test_snapshot_is_the_commands_picture(phantom_with_seg, tmp_path):
    vol = ctview.load(phantom_with_seg)
    for args, kwargs in [
        ([], {}),
        (["--view", "grid", "--window", "lung", "--size", "400x300"], {"view": "grid", "window": "lung",
                                                                      "size": (400, 300)}),
        (["--view", "coronal", "--slice", "7", "--segments", "Liver,Bone"], {"view": "coronal", "slice": 7,
                                                                             "segments": ["Liver", "Bone"]}),
    ]:
        out = tmp_path / "cli.png"
        run_ctview("snapshot", phantom_with_seg, *args, "-o", out, "--force")
        ours = ctview.snapshot(vol, **kwargs)
        assert ours.dtype == np.uint8 and ours.shape[2] == 3
        np.testing.assert_array_equal(ours, png(out), err_msg=str(args))


def test_render_is_the_commands_picture(phantom_with_seg, tmp_path):
    vol = ctview.load(phantom_with_seg)
    for args, kwargs in [
        (["--size", "320x240"], {"size": (320, 240)}),
        (["--preset", "mip", "--azimuth", "40", "--elevation", "10", "--size", "200x160"],
         {"preset": "mip", "azimuth": 40, "elevation": 10, "size": (200, 160)}),
        (["--mode", "iso", "--iso", "200", "--view", "left", "--crop", "0,1,0,0.5,0,1", "--size", "160x160"],
         {"mode": "iso", "iso": 200, "view": "left", "crop": (0, 1, 0, 0.5, 0, 1), "size": (160, 160)}),
    ]:
        out = tmp_path / "cli.png"
        run_ctview("render", phantom_with_seg, *args, "-o", out, "--force")
        ours = ctview.render(vol, **kwargs)
        assert ours.shape == png(out).shape
        np.testing.assert_array_equal(ours, png(out), err_msg=str(args))
    assert ctview.render(vol, size=(64, 48)).mean() > 1  # something drawn


def test_bad_picture_options_raise_value_error(phantom):
    vol = ctview.load(phantom)
    with pytest.raises(ValueError, match="--view"):
        ctview.snapshot(vol, view="diagonal")
    with pytest.raises(ValueError, match="--mode"):
        ctview.render(vol, mode="xray")
    with pytest.raises(ValueError, match="--view"):
        ctview.render(vol, view="behind")
    with pytest.raises(ValueError, match="--preset"):
        ctview.render(vol, preset="no-such-preset")
    with pytest.raises(ValueError, match="--slice"):
        ctview.snapshot(vol, slice=999)


def test_tiff_export_reads_in_tifffile_as_the_volumes_hu(phantom, tmp_path):
    """`export --format tiff`: what ImageJ users get, read by tifffile (an independent reader): the axial slice's
    voxels exactly, as int16, and the pixel size in the resolution tags (pixels per centimetre)."""
    tifffile = pytest.importorskip("tifffile")
    vol = ctview.load(phantom)
    run_ctview("export", phantom, "--format", "tiff", "--slice", "5", "-o", tmp_path)
    (written,) = list(tmp_path.glob("*.tif"))
    with tifffile.TiffFile(written) as tif:
        page = tif.pages[0]
        pixels = page.asarray()
        assert pixels.dtype == np.int16
        xres = page.tags["XResolution"].value
        assert page.tags["ResolutionUnit"].value == 3  # centimetre
    # Slice 5 as the viewer numbers axial slices, from the head; the phantom's slices run towards the head
    # (+z in LPS is superior), so number n is index slices - n.
    assert written.stem.endswith("_0005") and vol.direction[2][2] > 0
    k = vol.array.shape[0] - 5
    np.testing.assert_array_equal(pixels, vol.array[k])
    assert xres[0] / xres[1] == pytest.approx(10 / vol.spacing[0], rel=1e-5)
