"""`ctview.segments` and `Volume.segments`: the segmentations beside a series and those given, each mask exactly
what `ctview convert --segment` writes and `ctview segments` measures."""
import json

import nibabel
import numpy as np
import pytest

import ctview
from conftest import run_ctview


def test_the_seg_beside_the_series_is_found_and_each_mask_is_converts(phantom_with_seg, tmp_path):
    vol = ctview.load(phantom_with_seg)
    listed = json.loads(run_ctview("segments", "-q", "--json", phantom_with_seg))["segments"]
    segs = vol.segments
    assert [s.name for s in segs] == [s["name"] for s in listed]
    assert [s.voxels for s in segs] == [s["voxels"] for s in listed]
    for s, row in zip(segs, listed):
        assert s.kind == "DICOM SEG"
        assert s.layer == "segmentation.dcm"
        assert s.volume_ml == pytest.approx(row["volume_ml"])
        assert tuple(round(c * 255) for c in s.color) == tuple(row["color"])
        mask = s.mask
        assert mask.dtype == bool and mask.shape == vol.array.shape
        assert int(mask.sum()) == s.voxels
        assert float(vol.array[mask].mean()) == pytest.approx(row["hu"]["mean"], abs=1e-6)
        out = tmp_path / f"{s.number}.nii"
        run_ctview("convert", phantom_with_seg, "--segment", s.name, "-o", out)
        expected = np.asarray(nibabel.load(str(out)).dataobj).transpose(2, 1, 0) != 0
        np.testing.assert_array_equal(mask, expected)


def test_a_labelmap_given_is_opened_on_the_series_voxel_for_voxel(phantom, tmp_path):
    # A labelmap on the series' own grid (the affine of convert's NIfTI): two labels in known boxes.
    ct = tmp_path / "ct.nii"
    run_ctview("convert", phantom, "-o", ct)
    affine = nibabel.load(str(ct)).affine
    labels = np.zeros((48, 40, 12), np.uint8)  # NIfTI's order: column, row, slice
    labels[5:20, 4:10, 2:5] = 1
    labels[30:40, 20:38, 6:12] = 2
    path = tmp_path / "organs.nii.gz"
    nibabel.save(nibabel.Nifti1Image(labels, affine), str(path))
    segs = ctview.segments(phantom, labels=[path])
    assert [(s.number, s.kind) for s in segs] == [(1, "labelmap"), (2, "labelmap")]
    for s in segs:
        np.testing.assert_array_equal(s.mask, labels.transpose(2, 1, 0) == s.number)
        assert s.voxels == int((labels == s.number).sum())
    # The masks share the layer's bytes, which Python cannot change under the viewer's code.
    with pytest.raises(ValueError):
        segs[0]._group[0, 0, 0] = 9


def test_a_segmentation_that_cannot_be_opened_names_the_file(phantom, tmp_path):
    bad = tmp_path / "broken.nii.gz"
    bad.write_bytes(b"not a NIfTI file at all")
    with pytest.raises(ctview.LoadError, match="broken.nii.gz"):
        ctview.load(phantom, labels=bad)


def test_overlapping_segments_in_bit_groups_each_give_their_own_mask(phantom, tmp_path):
    # Ten boxes one inside another, a layer of 3D Slicer's .seg.nrrd each: every one overlaps all the others,
    # so that eight of them share a bit group (labels/label_layer.h); each mask is still its own box.
    vol = ctview.load(phantom)
    z, y, x = vol.array.shape
    boxes = np.zeros((z, y, x, 10), np.uint8)  # NRRD's order: the layer fastest, then column, row, slice
    for n in range(10):
        boxes[n // 3 : z - n // 3, n : y - n, n : x - n, n] = 1
    a = vol.affine
    axis = [f"({a[0][c]!r},{a[1][c]!r},{a[2][c]!r})" for c in range(3)]
    header = (
        "NRRD0004\ntype: unsigned char\ndimension: 4\nspace: left-posterior-superior\n"
        f"sizes: 10 {x} {y} {z}\nspace directions: none {' '.join(axis)}\n"
        f"kinds: list domain domain domain\nencoding: raw\nspace origin: ({a[0][3]!r},{a[1][3]!r},{a[2][3]!r})\n"
    )
    for n in range(10):
        header += f"Segment{n}_Name:=Box {n + 1}\nSegment{n}_LabelValue:=1\nSegment{n}_Layer:={n}\n"
    path = tmp_path / "boxes.seg.nrrd"
    path.write_bytes(header.encode() + b"\n" + boxes.tobytes())
    segs = ctview.segments(phantom, labels=[path])
    assert [s.name for s in segs] == [f"Box {n + 1}" for n in range(10)]
    layer = json.loads(run_ctview("segments", "-q", "--json", phantom, "--labels", path))["layers"][0]
    assert layer["bit_groups"] >= 1  # the test needs the bit group it claims
    for n, s in enumerate(segs):
        np.testing.assert_array_equal(s.mask, boxes[..., n] != 0)
        assert s.voxels == int(boxes[..., n].sum())


def test_a_fractional_seg_compressed_by_other_tools_reads_as_the_uncompressed_one(phantom, tmp_path):
    # A FRACTIONAL SEG written by pydicom (bench/make_seg.py: probabilities falling across each ellipsoid's
    # edge), then compressed by pydicom (RLE Lossless) and by DCMTK (dcmcjpls: JPEG-LS lossless).
    import subprocess
    import sys
    from pathlib import Path

    import pydicom
    from pydicom.uid import RLELossless

    make_seg = Path(__file__).resolve().parents[2] / "bench" / "make_seg.py"
    plain = tmp_path / "plain.dcm"
    subprocess.run([sys.executable, str(make_seg), str(phantom), str(plain), "3", "--fractional"], check=True,
                   capture_output=True)
    ds = pydicom.dcmread(str(plain))
    assert ds.SegmentationType == "FRACTIONAL"
    ds.compress(RLELossless, ds.pixel_array)
    rle = tmp_path / "rle.dcm"
    ds.save_as(str(rle))
    jls = tmp_path / "jls.dcm"
    subprocess.run(["dcmcjpls", str(plain), str(jls)], check=True, capture_output=True)

    def measured(seg):
        return json.loads(run_ctview("segments", "-q", "--json", phantom, "--labels", seg))["segments"]

    expected = measured(plain)
    assert len(expected) == 3 and all(s["voxels"] > 0 for s in expected)
    masks = [s.mask for s in ctview.segments(phantom, labels=[plain])]
    for compressed in (rle, jls):
        assert pydicom.dcmread(str(compressed), stop_before_pixels=True).file_meta.TransferSyntaxUID.is_compressed
        assert measured(compressed) == [dict(s, layer=compressed.name) for s in expected]
        for mask, s in zip(masks, ctview.segments(phantom, labels=[compressed])):
            np.testing.assert_array_equal(s.mask, mask)
