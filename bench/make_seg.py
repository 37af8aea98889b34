#!/usr/bin/python3
"""Writes a BINARY DICOM SEG over a CT series with pydicom + NumPy (not ctview: the benchmark's input comes from
another tool), as TotalSegmentator writes one for a whole body: SEGMENTS segments (default 96), one frame per
segment and slice where the segment is, per-frame PlanePositionSequence and
SegmentIdentificationSequence, ReferencedSeriesSequence naming the CT. Deterministic (seeded).

With --overlap the segments are overlapping ellipsoids (every one overlaps several others); by default they are
disjoint, as a labelmap's (TotalSegmentator's organs): the cells of SEGMENTS random seeds within the body's
ellipse, each present on most of the stack.

With --fractional (ellipsoids too) the SEG is FRACTIONAL, each segment a PROBABILITY that falls from 1 to 0
across its ellipsoid's edge (0.5 on it), a byte per pixel.

Usage: bench/make_seg.py CT_FOLDER OUT.dcm [SEGMENTS] [--overlap] [--fractional]"""
import glob, os, sys
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"


def read_ct(folder):
    slices = []
    for f in sorted(glob.glob(os.path.join(folder, "**", "*"), recursive=True)):
        if not os.path.isfile(f):
            continue
        try:
            d = pydicom.dcmread(f, stop_before_pixels=True)
        except Exception:
            continue
        if "ImagePositionPatient" in d:
            slices.append(d)
    normal = np.cross(np.array(slices[0].ImageOrientationPatient[:3], float),
                      np.array(slices[0].ImageOrientationPatient[3:], float))
    slices.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, float), normal)))
    return slices


def main():
    args = [a for a in sys.argv[1:] if a not in ("--overlap", "--fractional")]
    if len(args) < 2 or any(a in ("-h", "--help") for a in args):
        print(__doc__)
        sys.exit(0 if any(a in ("-h", "--help") for a in args) else 2)
    fractional = "--fractional" in sys.argv
    overlap = "--overlap" in sys.argv or fractional
    folder, out = args[0], args[1]
    count = int(args[2]) if len(args) > 2 else 96
    ct = read_ct(folder)
    first = ct[0]
    rows, cols, nz = int(first.Rows), int(first.Columns), len(ct)
    rng = np.random.default_rng(27)
    jj, ii = np.mgrid[0:rows, 0:cols]

    ds = FileDataset(out, {}, file_meta=FileMetaDataset(), preamble=b"\0" * 128)
    ds.file_meta.MediaStorageSOPClassUID = SEG_STORAGE
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = SEG_STORAGE, ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "SEG"
    for kw in ("PatientName", "PatientID", "StudyInstanceUID", "StudyDate", "FrameOfReferenceUID"):
        if kw in first:
            setattr(ds, kw, getattr(first, kw))
    ds.SeriesInstanceUID, ds.SeriesNumber, ds.InstanceNumber = generate_uid(), 300, 1
    ds.SeriesDescription = "bench: %d segments" % count
    ref = Dataset()
    ref.SeriesInstanceUID = first.SeriesInstanceUID
    ref.ReferencedInstanceSequence = Sequence()
    for d in ct:
        r = Dataset()
        r.ReferencedSOPClassUID, r.ReferencedSOPInstanceUID = d.SOPClassUID, d.SOPInstanceUID
        ref.ReferencedInstanceSequence.append(r)
    ds.ReferencedSeriesSequence = Sequence([ref])
    ds.SegmentationType = "FRACTIONAL" if fractional else "BINARY"
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = rows, cols
    if fractional:
        ds.SegmentationFractionalType, ds.MaximumFractionalValue = "PROBABILITY", 255
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    else:
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 1, 1, 0, 0
    ds.LossyImageCompression = "00"
    shared = Dataset()
    pm = Dataset()
    pm.PixelSpacing = first.PixelSpacing
    pm.SliceThickness = first.get("SliceThickness", 1)
    po = Dataset()
    po.ImageOrientationPatient = first.ImageOrientationPatient
    shared.PixelMeasuresSequence = Sequence([pm])
    shared.PlaneOrientationSequence = Sequence([po])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])

    if not overlap:
        # The cells of `count` seeds in the body's ellipse: each pixel of the ellipse to its nearest seed.
        inside = ((ii - cols / 2) / (0.42 * cols)) ** 2 + ((jj - rows / 2) / (0.32 * rows)) ** 2 <= 1
        angle, radius = rng.uniform(0, 2 * np.pi, count), np.sqrt(rng.uniform(0, 1, count))
        si = cols / 2 + 0.42 * cols * radius * np.cos(angle)
        sj = rows / 2 + 0.32 * rows * radius * np.sin(angle)
        cell = np.full((rows, cols), -1, np.int32)
        best = np.full((rows, cols), np.inf)
        for n in range(count):
            d = (ii - si[n]) ** 2 + (jj - sj[n]) ** 2
            closer = d < best
            cell[closer], best[closer] = n, d[closer]
        cell[~inside] = -1
    segments, frames, bits = Sequence(), Sequence(), []
    for n in range(1, count + 1):
        s = Dataset()
        s.SegmentNumber, s.SegmentLabel = n, "Structure %03d" % n
        s.SegmentAlgorithmType = "AUTOMATIC"
        s.SegmentAlgorithmName = "bench/make_seg.py"
        s.RecommendedDisplayCIELabValue = [int(rng.integers(20000, 60000)), int(rng.integers(10000, 55000)),
                                           int(rng.integers(10000, 55000))]
        segments.append(s)
        # A tall ellipsoid, most of the stack high, anywhere in the field of view: neighbours overlap.
        ci, cj = rng.uniform(0.25, 0.75) * cols, rng.uniform(0.25, 0.75) * rows
        ri, rj = rng.uniform(0.08, 0.2) * cols, rng.uniform(0.08, 0.2) * rows
        ck, rk = rng.uniform(0.45, 0.55) * nz, rng.uniform(0.4, 0.5) * nz
        if not overlap:
            own = cell == n - 1
        for k in range(nz):
            t = 1.0 - ((k - ck) / rk) ** 2
            if t <= 0:
                continue
            q = ((ii - ci) / ri) ** 2 + ((jj - cj) / rj) ** 2
            if fractional:  # 1 well inside, 0.5 on the ellipsoid, 0 at 1.3 times its squared radius
                p = np.clip((1.3 - q / t) / 0.6, 0.0, 1.0)
                mask = np.round(p * 255).astype(np.uint8)
            else:
                mask = own if not overlap else q <= t
            if not mask.any():
                continue
            bits.append(mask)
            f = Dataset()
            pp = Dataset()
            pp.ImagePositionPatient = ct[k].ImagePositionPatient
            si = Dataset()
            si.ReferencedSegmentNumber = n
            f.PlanePositionSequence = Sequence([pp])
            f.SegmentIdentificationSequence = Sequence([si])
            frames.append(f)
    ds.SegmentSequence = segments
    ds.PerFrameFunctionalGroupsSequence = frames
    ds.NumberOfFrames = len(frames)
    if fractional:
        ds.PixelData = np.stack(bits).tobytes()
    else:
        ds.PixelData = np.packbits(np.stack(bits).ravel(), bitorder="little").tobytes()
    ds.save_as(out, write_like_original=False)
    print("%s: %d segments, %d frames, %.0f MB" % (out, count, len(frames), os.path.getsize(out) / 1e6))


main()
