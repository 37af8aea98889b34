// The source registry, and what every source shares: choosing a series, the first window.
#include "sources/series.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "volume/view.h"

#include <algorithm>
#include <cstdlib>

namespace ctview {

// Each source's file defines its SourceKind; this list is the one place that names them, most specific first.
// A new source is one file plus one line here.
#define CTVIEW_SOURCES(X)                                                                                    \
    X(dicomWebSource)    /* source_dicomweb.cpp: http(s) URLs of a DICOMweb study or series */               \
    X(dimseSource)       /* source_dimse.cpp: dicom:// URLs of a DIMSE study or series */                    \
    X(volumeFileSource)  /* source_volume.cpp: NRRD, NIfTI-1 */                                              \
    X(dicomFolderSource) /* source_dicom.cpp: a folder, a file of a series, a DICOMDIR; takes anything else  \
                          */

#define CTVIEW_DECLARE_SOURCE(name) extern const SourceKind name;
CTVIEW_SOURCES(CTVIEW_DECLARE_SOURCE)
#undef CTVIEW_DECLARE_SOURCE

const std::vector<SourceKind>& sourceKinds() {
#define CTVIEW_LIST_SOURCE(name) name,
    static const std::vector<SourceKind> kinds{CTVIEW_SOURCES(CTVIEW_LIST_SOURCE)};
#undef CTVIEW_LIST_SOURCE
    return kinds;
}

std::unique_ptr<SeriesSource> openSource(const std::string& input, const LoadOptions& options) {
    for (const SourceKind& k : sourceKinds())
        if (k.accepts(input))
            return k.open(input, options);
    throw DataError(input + ": not something ctview can open");
}

const SeriesListing& SeriesSource::pick(const std::string& selector) const {
    const std::vector<SeriesListing>& list = series();
    if (list.empty() || defaultSeries() < 1)
        throw DataError(location() + ": no image series found (" + summary() + ")");
    if (selector.empty())
        return list[std::size_t(defaultSeries() - 1)];
    for (const SeriesListing& s : list)
        if (s.uid == selector)
            return s;
    char* end = nullptr;
    const long n = std::strtol(selector.c_str(), &end, 10);
    if (end && *end == '\0' && n >= 1 && n <= long(list.size()))
        return list[std::size_t(n - 1)];
    throw UsageError("--series " + selector + ": no such series (there " +
                     (list.size() == 1 ? std::string("is 1") : "are " + std::to_string(list.size())) +
                     "; `ctview info` lists them)");
}

std::vector<std::string> loadProblems(const Series& s) {
    std::vector<std::string> out;
    auto count = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " slice" : " slices"); };
    if (!s.resampleSummary.empty())
        out.push_back(s.resampleSummary);
    else if (!s.interpolatedSlices.empty()) // a source that does not say why
        out.push_back(count(s.interpolatedSlices.size()) + " interpolated");
    else if (s.about.resampled)
        out.push_back("resampled onto a regular grid (gantry tilt or uneven spacing)");
    if (!s.emptySlices.empty())
        out.push_back(count(s.emptySlices.size()) + " could not be decoded: shown empty");
    return out;
}

WindowLevel initialWindow(const Series& s) {
    if (!s.about.windows.empty())
        return s.about.windows.front().wl;
    // None in the file: the automatic window from the HU histogram (the soft-tissue or lung window of a CT),
    // not the whole value range, which shows a CT washed out.
    if (s.volume.geometry().voxelCount() > 0)
        return autoWindow(s.volume);
    return {std::max(1.0, double(s.maxHU) - s.minHU), (double(s.maxHU) + s.minHU) / 2};
}

const char* initialWindowName(const Series& s) {
    return s.about.windows.empty() ? "auto" : "file";
}

} // namespace ctview
