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

__all__ = ["LoadError", "Segment", "Volume", "load", "render", "segments", "series", "snapshot", "studies", "view"]


def _path(source):
    """A path or URL as the loader takes it: ~ expanded, os.PathLike accepted, in the file system's bytes (a
    name that is not UTF-8 opens too)."""
    source = os.fspath(source)
    if isinstance(source, bytes):
        return source
    return os.fsencode(source if "://" in source else os.path.expanduser(source))


def series(source):
    """The series `source` offers, each a dict: number, uid, series_number, description, modality, slices,
    phases (a 4D series: more than 1; slices are then of one phase), columns, rows, thickness (mm as stored),
    patient_name, study_date, note, and default (the one `load` opens when no series is asked for)."""
    return _ctview.series(_path(source))["series"]


def studies(root):
    """The studies on a PACS, given its root: a DICOMweb root URL (http[s]://HOST/dicom-web) or a DIMSE archive
    (dicom://AE@HOST:PORT). Each a dict: uid, url (what `series` and `load` open), patient_name, patient_id,
    date, description, accession, modalities, series, images."""
    return _ctview.studies(_path(root))


class Segment:
    """One segment of a segmentation on the series' grid (a DICOM SEG's, an RTSTRUCT ROI rasterised, a
    labelmap's value), measured on the series as `ctview segments` measures it."""

    def __init__(self, layer, d, group):
        self.layer = layer["name"]  # the file it came from
        self.path = layer["path"]
        self.kind = layer["kind"]  # "DICOM SEG", "RTSTRUCT", "labelmap"
        self.number = d["number"]  # the file's own: SegmentNumber, ROINumber or the label value
        self.name = d["name"]
        self.color = d["color"]  # sRGB, 0..1
        self.voxels = d.get("voxels", 0)
        self.volume_ml = d.get("volume_ml", 0.0)
        self.mean_hu, self.sd_hu = d.get("mean_hu", 0.0), d.get("sd_hu", 0.0)
        self.min_hu, self.max_hu = d.get("min_hu", 0.0), d.get("max_hu", 0.0)
        self.box_lps = d.get("box_lps")  # LPS mm of the first and last voxel centres, per axis
        self._group, self._value, self._bit = group, d["value"], d.get("bit", False)
        self._fraction = d.get("fraction", False)

    @property
    def mask(self):
        """True where the segment is: a bool array of the series' shape (slices, rows, columns). Segments may
        overlap (each voxel may be in several)."""
        if self._fraction:  # a FRACTIONAL SEG's: the group's byte is the fraction (0..255), in at 0.5
            return self._group >= 128
        if self._bit:  # one of eight overlapping segments sharing the group's byte, a bit each
            return (self._group & self._value) != 0
        return self._group == self._value

    def __repr__(self):
        return f"<ctview.Segment {self.number} {self.name!r} {self.voxels} voxels, {self.volume_ml:.2f} mL>"


class Volume:
    """A loaded series: its voxels (`array`) and where they lie in patient space, and the segmentations opened
    on it (`segments`)."""

    def __init__(self, loaded, labels=(), resample=True):
        self._loaded = loaded
        self._opened = (list(labels), resample)  # what `view` opens again

    @property
    def array(self):
        """HU per voxel, shape (slices, rows, columns), C order: int16, or float32 where rescaling gives
        fractions. The volume's own memory (no copy), read-only (`.copy()` for one to change); the array keeps
        it alive."""
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
    def segments(self):
        """The segments of the segmentations given to `load` (`labels`) and of those found beside the series
        (a SEG or RTSTRUCT in its folder or study that references it), in order."""
        out = []
        for layer in self._loaded.layers:
            groups = layer["groups"]  # the layer's own bytes (read-only), shared by the segments of a group
            out.extend(Segment(layer, d, groups[d["group"]]) for d in layer["segments"])
        return out

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
        return os.fsdecode(self._loaded.write(os.fsencode(os.path.expanduser(path)), force))

    def __repr__(self):
        s, r, c = self.shape
        return f"<ctview.Volume {c}x{r}x{s} {self.array.dtype} {self.meta.get('Modality', '')}>"


def load(source, series=None, resample=True, workers=0, labels=(), phase=None):
    """Loads one series of `source` (the default one, or `series`: its number in `series(source)` or its
    SeriesInstanceUID) as the viewer does: sorted by position, rescaled to HU, tilted or unevenly spaced stacks
    resampled onto a regular grid unless `resample` is False. `workers`: decoder processes (0: one per core).
    `labels`: segmentation files to open on it (DICOM SEG, RTSTRUCT, NIfTI/NRRD labelmaps, .seg.nrrd); those
    beside it are found too. A given file that cannot be opened on the series raises LoadError. `phase`: of a
    4D series (its `phases` in `series(source)`), 1-based; None: the first."""
    selector = "" if series is None else str(series)
    if phase is not None and int(phase) < 1:
        raise ValueError(f"phase={phase}: phases are numbered from 1")
    if isinstance(labels, (str, os.PathLike)):
        labels = [labels]
    files = [_path(f) for f in labels]
    try:
        loaded = _ctview.load(_path(source), selector, resample, workers, files, 0 if phase is None else int(phase))
    except ValueError as e:  # the command line's words for the same mistake, in this function's
        raise ValueError(_python_words(str(e))) from None
    except LoadError as e:
        raise LoadError(_python_words(str(e))) from None
    return Volume(loaded, files, resample)


def _python_words(message):
    """A loader message that names the command line's options and commands, in this module's terms."""
    for cli, python in (("--series ", "series="), ("--phase ", "phase="), ("`ctview info` lists them",
                        "ctview.series() lists them"), ("`ctview info ", "ctview.studies(")):
        message = message.replace(cli, python)
    return message.replace("` lists its studies", ") lists its studies")


def segments(source, labels=(), series=None):
    """The segments of `source`'s series (see `load`) with their masks: `load(...).segments`."""
    return load(source, series=series, labels=labels).segments


def _loaded(volume):
    """The compiled series behind a Volume, or a source (path or URL) loaded now."""
    return (volume if isinstance(volume, Volume) else load(volume))._loaded


def _size(size):
    width, height = size
    return f"{int(width)}x{int(height)}"


def _names(segments):
    if segments is None:
        return ""
    return segments if isinstance(segments, str) else ",".join(str(s) for s in segments)


def snapshot(volume, view="axial", slice=None, window="file", colormap="grayscale", invert=False, size=(512, 512),
             overlays=True, nearest=False, slab=0.0, slab_mode="mip", turn="", segments=None, annotations=None):
    """The slice views as `ctview snapshot` draws them (the window's own code, headless): an RGB image as a
    (height, width, 3) uint8 array. `volume`: a Volume or a source to load. `view`: axial, coronal, sagittal or
    grid; `slice`: its number from 1 (default: the middle); `window`: "file", "auto", a preset name (lung,
    bone, ...) or "WIDTH,LEVEL"; `segments`: the names (or numbers) of the segments to show (default all);
    `annotations`: a measurement file to draw. Needs a display (X or Xvfb)."""
    o = _ctview.SnapshotOptions()
    o.view, o.window, o.colormap, o.invert = view, str(window), colormap, bool(invert)
    o.slice = -1 if slice is None else int(slice)
    o.size, o.overlays, o.linear = _size(size), bool(overlays), not nearest
    o.slab, o.slab_mode, o.turn, o.segments = float(slab), slab_mode, turn, _names(segments)
    o.annotations = "" if annotations is None else os.fspath(annotations)
    return _ctview.snapshot(_loaded(volume), o)


def render(volume, preset="ct-bone", mode=None, size=(800, 600), azimuth=0.0, elevation=0.0, view=None, zoom=1.0,
           perspective=False, shading=True, crop=None, step=1.0, iso=None, colormap=None, segments=None,
           overlays=False):
    """The 3D view as `ctview render` draws it (the window's raymarcher, headless): an RGB image as a
    (height, width, 3) uint8 array. `preset`: a bundled preset (ct-bone, ct-lung, ...), a preset .json file,
    or one saved in the window; `mode`: dvr, mip, minip, avg or iso; `azimuth`/`elevation` in degrees from
    the front, or `view` (anterior, left, superior, ...); `crop`: six fractions (i0, i1, j0, j1, k0, k1);
    `colormap`: recolours it. Needs a display (X or Xvfb)."""
    o = _ctview.RenderOptions()
    o.preset, o.mode = os.fspath(preset), mode or ""
    o.size, o.azimuth, o.elevation, o.zoom = _size(size), float(azimuth), float(elevation), float(zoom)
    o.view, o.perspective, o.no_shading = view or "", bool(perspective), not shading
    o.crop = "" if crop is None else ",".join(str(float(c)) for c in crop)
    o.step = float(step)
    if iso is not None:
        o.iso = float(iso)
    o.colormap, o.segments, o.overlays = colormap or "", _names(segments), bool(overlays)
    return _ctview.render(_loaded(volume), o)


def view(volume=None, series=None, labels=(), out="ctview-exports", resample=True):
    """Opens the viewer's window, as `ctview SOURCE` does, and returns when it is closed: scroll, window/level,
    measure, render in 3D, segment. `volume`: a Volume (its source, series, segmentations and resampling are
    opened again in the window) or a source; none: the last one opened. `labels`: segmentations to show (more);
    `out`: where S and F12 save. Needs a display."""
    if isinstance(labels, (str, os.PathLike)):
        labels = [labels]
    files = [_path(f) for f in labels]
    if isinstance(volume, Volume):
        source, series = _path(volume._loaded.location), volume.meta.get("SeriesInstanceUID", series)
        files = volume._opened[0] + files
        resample = volume._opened[1]
    else:
        source = b"" if volume is None else _path(volume)
    selector = "" if series is None else str(series)
    _ctview.view(source, selector, files, resample, os.fspath(out))
