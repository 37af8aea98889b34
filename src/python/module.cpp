// `ctview._ctview`, the compiled half of `import ctview` (pybind11): the viewer's own load task, volume
// writers and headless pictures (`snapshot`, `render`) for Python. The pure-Python half (python/ctview/)
// gives it its names and documentation.
//
// Loading and drawing release the GIL (threads and Dask workers load in parallel); a loaded series' voxels
// and its segmentations' bytes reach NumPy without a copy: the arrays' base is the LoadedSeries, which keeps
// them alive.
#include "app/headless.h"
#include "base/error.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/archive.h"
#include "sources/metadata.h"
#include "sources/series.h"
#include "viewer/load_task.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <string>

namespace py = pybind11;
using namespace ctview;

namespace {

// Text that may hold a file name in the file system's bytes (not always UTF-8), as Python decodes such names
// (os.fsdecode: undecodable bytes kept as surrogates, so that the name opens again).
py::str fsText(const std::string& text) {
    return py::reinterpret_steal<py::str>(
        PyUnicode_DecodeFSDefaultAndSize(text.data(), py::ssize_t(text.size())));
}

// A loaded series as Python holds it: the dataset the viewer would show (the series, its segmentations).
struct LoadedSeries {
    std::shared_ptr<Dataset> dataset;
    const Series& series() const { return dataset->series; }
};

py::dict listingDict(const SeriesListing& l, int defaultSeries) {
    py::dict d;
    d["number"] = l.number;
    d["uid"] = l.uid;
    d["series_number"] = l.seriesNumber;
    d["description"] = l.description;
    d["modality"] = l.modality;
    d["slices"] = l.slices;
    d["phases"] = std::max<std::size_t>(1, l.phases); // a 4D series: its phases (slices: of one phase)
    d["columns"] = l.columns;
    d["rows"] = l.rows;
    d["thickness"] = l.thickness;
    d["patient_name"] = l.patientName;
    d["study_date"] = l.studyDate;
    d["note"] = l.note;
    d["default"] = l.number == defaultSeries;
    return d;
}

// The series `source` offers, and what the scan had to say (skipped files, problems).
py::dict listSeries(const std::string& source) {
    std::unique_ptr<SeriesSource> src;
    {
        py::gil_scoped_release release;
        src = openSource(source, {});
    }
    py::list rows;
    for (const SeriesListing& l : src->series())
        rows.append(listingDict(l, src->defaultSeries()));
    py::list skipped;
    for (const SkippedFile& f : src->skipped())
        skipped.append(py::make_tuple(fsText(f.path.string()), fsText(f.reason)));
    py::dict d;
    d["kind"] = src->kind();
    d["summary"] = src->summary();
    d["series"] = rows;
    d["skipped"] = skipped;
    py::list problems;
    for (const std::string& p : src->problems())
        problems.append(fsText(p));
    d["problems"] = problems;
    return d;
}

// An archive's root (a DICOMweb root URL, dicom://AE@HOST:PORT): its studies as `info ROOT --json` lists
// them, each with the URL that opens it.
py::list listStudies(const std::string& root) {
    ArchiveStudies found;
    {
        py::gil_scoped_release release;
        found = findStudies(root, {}, {});
    }
    py::list rows;
    for (std::size_t n = 0; n < found.studies.size(); ++n) {
        const StudyRow& s = found.studies[n];
        py::dict d;
        d["uid"] = s.uid;
        d["url"] = found.urls[n];
        d["patient_name"] = s.patientName;
        d["patient_id"] = s.patientId;
        d["date"] = s.date;
        d["description"] = s.description;
        d["accession"] = s.accession;
        d["modalities"] = s.modalities;
        d["series"] = s.seriesCount;
        d["images"] = s.instanceCount;
        rows.append(d);
    }
    return rows;
}

// The series as the viewer loads it (viewer::LoadTask, as the headless commands do), with the segmentations
// `labels` and those found beside it, measured on it; no 3D statistics.
std::shared_ptr<LoadedSeries> loadSeries(const std::string& source, const std::string& series, bool resample,
                                         int workers, const std::vector<std::string>& labels, int phase) {
    auto loaded = std::make_shared<LoadedSeries>();
    py::gil_scoped_release release;
    LoadOptions options;
    options.series = series;
    options.phase = phase;
    options.resample = resample;
    options.workers = workers;
    viewer::LoadTask::Staging staging;
    staging.labels = labels;
    staging.stats3d = false;
    loaded->dataset = viewer::LoadTask::loadNow(source, series, options, staging);
    return loaded;
}

// An array over memory the series owns is read-only: what was loaded stays what the statistics, the pictures
// and the writers see (`.copy()` gives one to change).
void readOnly(py::array& a) {
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
}

// The voxels as a NumPy array of shape (slices, rows, columns), C order, no copy: its base is `self`.
py::array voxels(const py::object& self) {
    const auto& loaded = self.cast<const LoadedSeries&>();
    const Volume& v = loaded.series().volume;
    const glm::ivec3 d = v.geometry().dims;
    const std::vector<py::ssize_t> shape = {d.z, d.y, d.x};
    py::array a = v.type() == ScalarType::Int16
                      ? py::array(py::dtype::of<std::int16_t>(), shape, {}, v.data(), self)
                      : py::array(py::dtype::of<float>(), shape, {}, v.data(), self);
    readOnly(a);
    return a;
}

// (column, row, slice, 1) -> LPS mm: the spacing along the direction's columns, then the origin.
py::array_t<double> affine(const LoadedSeries& l) {
    const Geometry& g = l.series().volume.geometry();
    py::array_t<double> a({4, 4});
    auto m = a.mutable_unchecked<2>();
    for (py::ssize_t r = 0; r < 4; ++r)
        for (py::ssize_t c = 0; c < 4; ++c)
            m(r, c) = r == 3   ? (c == 3 ? 1.0 : 0.0)
                      : c == 3 ? g.origin[int(r)]
                               : g.direction[int(c)][int(r)] * g.spacing[int(c)];
    return a;
}

py::array_t<double> direction(const LoadedSeries& l) {
    const Geometry& g = l.series().volume.geometry();
    py::array_t<double> a({3, 3});
    auto m = a.mutable_unchecked<2>();
    for (py::ssize_t r = 0; r < 3; ++r)
        for (py::ssize_t c = 0; c < 3; ++c)
            m(r, c) = g.direction[int(c)][int(r)]; // column c: voxel axis c in LPS
    return a;
}

// What `info` knows of the series by DICOM keyword.
py::dict meta(const LoadedSeries& l) {
    const Provenance& p = l.series().about;
    py::dict d;
    for (const auto& [keyword, value] : p.fields)
        d[py::str(keyword)] = value;
    d["SeriesInstanceUID"] = p.listing.uid;
    if (!p.studyUid.empty())
        d["StudyInstanceUID"] = p.studyUid;
    if (p.listing.seriesNumber != 0)
        d["SeriesNumber"] = p.listing.seriesNumber;
    if (p.sliceThickness > 0)
        d["SliceThickness"] = p.sliceThickness;
    if (!p.photometric.empty())
        d["PhotometricInterpretation"] = p.photometric;
    d["Rows"] = l.series().volume.geometry().dims.y;
    d["Columns"] = l.series().volume.geometry().dims.x;
    return d;
}

// Returns the path written, in the file system's bytes.
py::bytes writeAs(const LoadedSeries& l, const std::string& path, bool force) {
    volumeFormatFor(path); // a bad name before any work
    const Series& s = l.series();
    FileWindow window;
    if (!s.about.windows.empty())
        window = s.about.windows.front().wl;
    std::string written;
    {
        py::gil_scoped_release release;
        written = writeVolume(s.volume, path, force, window).string();
    }
    return py::bytes(written);
}

py::tuple lps(glm::dvec3 p) {
    return py::make_tuple(p.x, p.y, p.z);
}

// A segment's description and statistics (measured on the series, as `ctview segments` prints them).
py::dict segmentDict(const LabelLayer& layer, std::size_t i) {
    const Segment& s = layer.segments[i];
    py::dict d;
    d["number"] = s.number;
    d["name"] = s.name;
    d["color"] = py::make_tuple(s.color.r, s.color.g, s.color.b);
    d["group"] = s.group;
    d["value"] = s.value;
    d["bit"] = s.kind == GroupKind::Bits;
    d["fraction"] = s.kind == GroupKind::Fraction;
    if (i < layer.stats.size()) {
        const SegmentStats& st = layer.stats[i];
        d["voxels"] = st.voxels;
        d["volume_ml"] = st.volumeMl;
        d["mean_hu"] = st.mean;
        d["sd_hu"] = st.sd;
        d["min_hu"] = st.min;
        d["max_hu"] = st.max;
        d["box_lps"] = py::make_tuple(lps(st.bboxMin), lps(st.bboxMax));
    }
    return d;
}

// The series' segmentation layers: each with its groups of voxels (uint8 arrays of the volume's shape, no
// copy: their base is `self`; a segment is the voxels of its group that hold its value, or its bit in a bit
// group) and its segments.
py::list layers(const py::object& self) {
    const auto& loaded = self.cast<const LoadedSeries&>();
    py::list out;
    for (const std::shared_ptr<const LabelLayer>& layer : loaded.dataset->labels) {
        const glm::ivec3 d = layer->grid.dims;
        py::list groups;
        for (const std::vector<std::uint8_t>& g : layer->groups) {
            py::array a(py::dtype::of<std::uint8_t>(), std::vector<py::ssize_t>{d.z, d.y, d.x}, {}, g.data(),
                        self);
            readOnly(a);
            groups.append(a);
        }
        py::list segments;
        for (std::size_t i = 0; i < layer->segments.size(); ++i)
            segments.append(segmentDict(*layer, i));
        py::dict l;
        l["name"] = fsText(layer->name);
        l["path"] = fsText(layer->path);
        l["kind"] = layer->kind;
        l["notes"] = layer->notes;
        l["problems"] = layer->problems;
        l["references"] = layer->references;
        l["groups"] = groups;
        l["segments"] = segments;
        out.append(l);
    }
    return out;
}

// An image as NumPy: (height, width, 3) uint8, rows top to bottom.
py::array_t<std::uint8_t> imageArray(const RgbImage& img) {
    py::array_t<std::uint8_t> a({py::ssize_t(img.height), py::ssize_t(img.width), py::ssize_t(3)});
    std::copy(img.rgb.begin(), img.rgb.end(), a.mutable_data());
    return a;
}

// GLFW and the headless GL context are one at a time; the GIL is released meanwhile.
std::mutex& glMutex() {
    static std::mutex m;
    return m;
}

// The 3D view's statistics (histogram, bricks), which `load` leaves out, made on the first picture that may
// show the 3D view, as the commands' load makes them. Under glMutex.
void prepare3d(Dataset& d) {
    if (!d.stats)
        d.stats = std::make_shared<const VolumeStats>(computeVolumeStats(d.series.volume));
}

py::array_t<std::uint8_t> snapshot(const LoadedSeries& l, const app::SnapshotOptions& o) {
    const app::SnapshotPlan plan = app::planSnapshot(o);
    RgbImage img;
    {
        py::gil_scoped_release release;
        std::lock_guard lock(glMutex());
        prepare3d(*l.dataset);
        img = app::drawSnapshot(plan, l.dataset);
    }
    return imageArray(img);
}

py::array_t<std::uint8_t> render(const LoadedSeries& l, const app::RenderOptions& o) {
    const app::RenderPlan plan = app::planRender(o);
    RgbImage img;
    {
        py::gil_scoped_release release;
        std::lock_guard lock(glMutex());
        prepare3d(*l.dataset);
        viewer::AppState s = app::renderState(plan, l.dataset);
        img = app::renderHeadless(s, plan.size, o.overlays);
    }
    return imageArray(img);
}

// The viewer's window on `input`, in this process, until it is closed (as `ctview INPUT` runs it).
void view(const std::string& input, const std::string& series, const std::vector<std::string>& labels,
          bool resample, const std::string& outDir) {
    app::CommonOptions common;
    common.input = input;
    common.series = series;
    common.labels = labels;
    common.noResample = !resample;
    app::ViewerOptions options;
    options.outDir = outDir;
    py::gil_scoped_release release;
    std::lock_guard lock(glMutex());
    app::runViewer(common, options);
}

} // namespace

PYBIND11_MODULE(_ctview, m) {
    m.doc() = "ctview's loader (the compiled part of the ctview package)";
    static py::exception<DataError> loadError(m, "LoadError", PyExc_RuntimeError);
    // By value: pybind11's ExceptionTranslator type.
    py::register_exception_translator(
        [](std::exception_ptr p) { // NOLINT(performance-unnecessary-value-param)
            try {
                if (p)
                    std::rethrow_exception(p);
            } catch (const UsageError& e) {
                PyErr_SetObject(PyExc_ValueError, fsText(e.what()).ptr());
            } catch (const DataError& e) {
                PyErr_SetObject(loadError.ptr(), fsText(e.what()).ptr());
            }
        });
    m.def("series", &listSeries, py::arg("source"));
    m.def("studies", &listStudies, py::arg("root"));
    // The commands' options, field by field (python/ctview/__init__.py fills them from keyword arguments).
    py::class_<app::SnapshotOptions>(m, "SnapshotOptions")
        .def(py::init<>())
        .def_readwrite("view", &app::SnapshotOptions::view)
        .def_readwrite("slice", &app::SnapshotOptions::slice)
        .def_readwrite("window", &app::SnapshotOptions::window)
        .def_readwrite("colormap", &app::SnapshotOptions::colormap)
        .def_readwrite("invert", &app::SnapshotOptions::invert)
        .def_readwrite("linear", &app::SnapshotOptions::linear)
        .def_readwrite("overlays", &app::SnapshotOptions::overlays)
        .def_readwrite("size", &app::SnapshotOptions::size)
        .def_readwrite("annotations", &app::SnapshotOptions::annotations)
        .def_readwrite("slab", &app::SnapshotOptions::slab)
        .def_readwrite("slab_mode", &app::SnapshotOptions::slabMode)
        .def_readwrite("turn", &app::SnapshotOptions::turn)
        .def_readwrite("segments", &app::SnapshotOptions::segments);
    py::class_<app::RenderOptions>(m, "RenderOptions")
        .def(py::init<>())
        .def_readwrite("preset", &app::RenderOptions::preset)
        .def_readwrite("mode", &app::RenderOptions::mode)
        .def_readwrite("azimuth", &app::RenderOptions::azimuth)
        .def_readwrite("elevation", &app::RenderOptions::elevation)
        .def_readwrite("zoom", &app::RenderOptions::zoom)
        .def_readwrite("view", &app::RenderOptions::view)
        .def_readwrite("perspective", &app::RenderOptions::perspective)
        .def_readwrite("no_shading", &app::RenderOptions::noShading)
        .def_readwrite("crop", &app::RenderOptions::crop)
        .def_readwrite("step", &app::RenderOptions::step)
        .def_readwrite("iso", &app::RenderOptions::iso)
        .def_readwrite("colormap", &app::RenderOptions::colormap)
        .def_readwrite("overlays", &app::RenderOptions::overlays)
        .def_readwrite("size", &app::RenderOptions::size)
        .def_readwrite("segments", &app::RenderOptions::segments);
    m.def("snapshot", &snapshot, py::arg("volume"), py::arg("options"));
    m.def("render", &render, py::arg("volume"), py::arg("options"));
    m.def("view", &view, py::arg("input"), py::arg("series"), py::arg("labels"), py::arg("resample"),
          py::arg("out"));
    m.def("load", &loadSeries, py::arg("source"), py::arg("series") = "", py::arg("resample") = true,
          py::arg("workers") = 0, py::arg("labels") = std::vector<std::string>(), py::arg("phase") = 0);
    py::class_<LoadedSeries, std::shared_ptr<LoadedSeries>>(m, "LoadedSeries")
        .def_property_readonly("array", &voxels)
        .def_property_readonly("affine", &affine)
        .def_property_readonly("direction", &direction)
        .def_property_readonly("spacing",
                               [](const LoadedSeries& l) {
                                   const glm::dvec3 s = l.series().volume.geometry().spacing;
                                   return py::make_tuple(s.x, s.y, s.z);
                               })
        .def_property_readonly("origin",
                               [](const LoadedSeries& l) {
                                   const glm::dvec3 o = l.series().volume.geometry().origin;
                                   return py::make_tuple(o.x, o.y, o.z);
                               })
        .def_property_readonly("meta", &meta)
        .def_property_readonly("location",
                               [](const LoadedSeries& l) { return fsText(l.series().about.location); })
        .def_property_readonly("layers", &layers)
        .def_property_readonly("label_notes", [](const LoadedSeries& l) { return l.dataset->labelNotes; })
        .def_property_readonly("warnings", [](const LoadedSeries& l) { return l.series().warnings; })
        .def_property_readonly("info",
                               [](const LoadedSeries& l) { return describeSeries(l.series()).dump(); })
        .def_property_readonly(
            "hu_range",
            [](const LoadedSeries& l) { return py::make_tuple(l.series().minHU, l.series().maxHU); })
        .def("write", &writeAs, py::arg("path"), py::arg("force") = false);
}
