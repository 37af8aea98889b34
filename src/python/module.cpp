// `ctview._ctview`, the compiled half of `import ctview` (pybind11): the viewer's own loader and volume
// writers for Python. The pure-Python half (python/ctview/) gives it its names and documentation.
//
// Loading releases the GIL (threads and Dask workers load in parallel); a loaded series' voxels reach NumPy
// without a copy: the array's base is the LoadedSeries, which keeps them alive.
#include "base/error.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/metadata.h"
#include "sources/series.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>

namespace py = pybind11;
using namespace ctview;

namespace {

// A loaded series as Python holds it.
struct LoadedSeries {
    Series series;
};

py::dict listingDict(const SeriesListing& l, int defaultSeries) {
    py::dict d;
    d["number"] = l.number;
    d["uid"] = l.uid;
    d["series_number"] = l.seriesNumber;
    d["description"] = l.description;
    d["modality"] = l.modality;
    d["slices"] = l.slices;
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
        skipped.append(py::make_tuple(f.path.string(), f.reason));
    py::dict d;
    d["kind"] = src->kind();
    d["summary"] = src->summary();
    d["series"] = rows;
    d["skipped"] = skipped;
    d["problems"] = src->problems();
    return d;
}

std::shared_ptr<LoadedSeries> loadSeries(const std::string& source, const std::string& series, bool resample,
                                         int workers) {
    auto loaded = std::make_shared<LoadedSeries>();
    py::gil_scoped_release release;
    LoadOptions options;
    options.series = series;
    options.resample = resample;
    options.workers = workers;
    std::unique_ptr<SeriesSource> src = openSource(source, options);
    const SeriesListing& row = src->pick(series);
    loaded->series = src->load(row.number, options);
    return loaded;
}

// The voxels as a NumPy array of shape (slices, rows, columns), C order, no copy: its base is `self`.
py::array voxels(const py::object& self) {
    const auto& loaded = self.cast<const LoadedSeries&>();
    const Volume& v = loaded.series.volume;
    const glm::ivec3 d = v.geometry().dims;
    const std::vector<py::ssize_t> shape = {d.z, d.y, d.x};
    if (v.type() == ScalarType::Int16)
        return py::array(py::dtype::of<std::int16_t>(), shape, {}, v.data(), self);
    return py::array(py::dtype::of<float>(), shape, {}, v.data(), self);
}

// (column, row, slice, 1) -> LPS mm: the spacing along the direction's columns, then the origin.
py::array_t<double> affine(const LoadedSeries& l) {
    const Geometry& g = l.series.volume.geometry();
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
    const Geometry& g = l.series.volume.geometry();
    py::array_t<double> a({3, 3});
    auto m = a.mutable_unchecked<2>();
    for (py::ssize_t r = 0; r < 3; ++r)
        for (py::ssize_t c = 0; c < 3; ++c)
            m(r, c) = g.direction[int(c)][int(r)]; // column c: voxel axis c in LPS
    return a;
}

// What `info` knows of the series by DICOM keyword.
py::dict meta(const LoadedSeries& l) {
    const Provenance& p = l.series.about;
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
    d["Rows"] = l.series.volume.geometry().dims.y;
    d["Columns"] = l.series.volume.geometry().dims.x;
    return d;
}

std::string writeAs(const LoadedSeries& l, const std::string& path, bool force) {
    volumeFormatFor(path); // a bad name before any work
    const Series& s = l.series;
    FileWindow window;
    if (!s.about.windows.empty())
        window = s.about.windows.front().wl;
    py::gil_scoped_release release;
    return writeVolume(s.volume, path, force, window).string();
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
                PyErr_SetString(PyExc_ValueError, e.what());
            } catch (const DataError& e) {
                loadError(e.what());
            }
        });
    m.def("series", &listSeries, py::arg("source"));
    m.def("load", &loadSeries, py::arg("source"), py::arg("series") = "", py::arg("resample") = true,
          py::arg("workers") = 0);
    py::class_<LoadedSeries, std::shared_ptr<LoadedSeries>>(m, "LoadedSeries")
        .def_property_readonly("array", &voxels)
        .def_property_readonly("affine", &affine)
        .def_property_readonly("direction", &direction)
        .def_property_readonly("spacing",
                               [](const LoadedSeries& l) {
                                   const glm::dvec3 s = l.series.volume.geometry().spacing;
                                   return py::make_tuple(s.x, s.y, s.z);
                               })
        .def_property_readonly("origin",
                               [](const LoadedSeries& l) {
                                   const glm::dvec3 o = l.series.volume.geometry().origin;
                                   return py::make_tuple(o.x, o.y, o.z);
                               })
        .def_property_readonly("meta", &meta)
        .def_property_readonly("warnings", [](const LoadedSeries& l) { return l.series.warnings; })
        .def_property_readonly("info", [](const LoadedSeries& l) { return describeSeries(l.series).dump(); })
        .def_property_readonly(
            "hu_range", [](const LoadedSeries& l) { return py::make_tuple(l.series.minHU, l.series.maxHU); })
        .def("write", &writeAs, py::arg("path"), py::arg("force") = false);
}
