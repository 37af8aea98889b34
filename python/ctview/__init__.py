"""ctview for Python: CT series loaded as the viewer loads them, as NumPy arrays in patient space.

    import ctview
    for row in ctview.series("~/scans/CT1"):       # what a folder, file, DICOMDIR, NRRD/NIfTI or URL offers
        print(row["number"], row["description"], row["slices"])
    vol = ctview.load("~/scans/CT1")                # the default series; series=N or a SeriesInstanceUID
    vol.array                                       # HU, int16 or float32, (slices, rows, columns), no copy
    vol.affine                                      # (column, row, slice, 1) -> LPS mm, as `ctview convert`

Errors are ctview.LoadError (a bad or missing file, named in the message) and ValueError (a series that is not
there); the GIL is released while loading, so threads load in parallel.
"""
import json
import os

from . import _ctview

LoadError = _ctview.LoadError

__all__ = ["LoadError", "Volume", "load", "series"]


def _path(source):
    """A path or URL as the loader takes it: ~ expanded, os.PathLike accepted."""
    source = os.fspath(source)
    return source if "://" in source else os.path.expanduser(source)


def series(source):
    """The series `source` offers, each a dict: number, uid, series_number, description, modality, slices,
    columns, rows, thickness (mm as stored), patient_name, study_date, note, and default (the one `load`
    opens when no series is asked for)."""
    return _ctview.series(_path(source))["series"]


class Volume:
    """A loaded series: its voxels (`array`) and where they lie in patient space."""

    def __init__(self, loaded):
        self._loaded = loaded

    @property
    def array(self):
        """HU per voxel, shape (slices, rows, columns), C order: int16, or float32 where rescaling gives
        fractions. The volume's own memory (no copy); the array keeps it alive."""
        return self._loaded.array

    @property
    def affine(self):
        """4x4: (column, row, slice, 1) -> patient millimetres, LPS (as DICOM): what `ctview convert` writes."""
        return self._loaded.affine

    @property
    def spacing(self):
        """Millimetres between voxel centres along columns, rows and slices (the affine's axes 0, 1, 2)."""
        return self._loaded.spacing

    @property
    def origin(self):
        """LPS millimetres of voxel (0, 0, 0)'s centre: the first slice's first pixel."""
        return self._loaded.origin

    @property
    def direction(self):
        """3x3: column c is the unit LPS direction of voxel axis c (columns, rows, slices)."""
        return self._loaded.direction

    @property
    def meta(self):
        """What `ctview info` shows, by DICOM keyword: PatientName, StudyDate, SliceThickness, ..."""
        return self._loaded.meta

    @property
    def warnings(self):
        """Everything the user should know about the load, in plain words (a gap, a resampled tilt, ...)."""
        return self._loaded.warnings

    @property
    def info(self):
        """`ctview info --json`'s description of the series, as a dict."""
        return json.loads(self._loaded.info)

    @property
    def shape(self):
        return self.array.shape

    def to_nifti(self, path, force=False):
        """Writes a NIfTI-1 file (.nii or .nii.gz) as `ctview convert` does; returns the path written (a free
        name beside `path` unless `force`)."""
        return self._write(path, (".nii", ".nii.gz"), force)

    def to_nrrd(self, path, force=False):
        """Writes a NRRD file as `ctview convert` does; returns the path written."""
        return self._write(path, (".nrrd",), force)

    def _write(self, path, endings, force):
        path = os.fspath(path)
        if not path.endswith(endings):
            raise ValueError(f"{path}: the name must end in {' or '.join(endings)}")
        return self._loaded.write(os.path.expanduser(path), force)

    def __repr__(self):
        s, r, c = self.shape
        return f"<ctview.Volume {c}x{r}x{s} {self.array.dtype} {self.meta.get('Modality', '')}>"


def load(source, series=None, resample=True, workers=0):
    """Loads one series of `source` (the default one, or `series`: its number in `series(source)` or its
    SeriesInstanceUID) as the viewer does: sorted by position, rescaled to HU, tilted or unevenly spaced stacks
    resampled onto a regular grid unless `resample` is False. `workers`: decoder processes (0: one per core)."""
    selector = "" if series is None else str(series)
    return Volume(_ctview.load(_path(source), selector, resample, workers))
