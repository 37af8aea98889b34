#pragma once
// Finding the series in a folder, a file or a DICOMDIR, and loading one into a Volume: the DICOM machinery
// behind the DICOM folder source (source_dicom.cpp). Everything else sees a SeriesSource and a Series.
//
//   ScanResult scan = scanInput(path, options);        // headers only, in isolated workers
//   const SeriesInfo& s = scan.pick(options.series);   // the default series, or the one asked for
//   LoadedSeries vol = loadSeries(scan, s, options);   // pixels, HU, geometry, warnings
#include "core/dicom_scan.h"
#include "core/geometry.h"
#include "core/series.h"
#include "core/volume.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ctview {

struct SeriesInfo {
    int number = 0;       // position in the listing, 1-based (what --series N takes)
    std::string uid;      // SeriesInstanceUID (0020,000E)
    int seriesNumber = 0; // SeriesNumber (0020,0011)
    std::string description, modality;
    int rows = 0, columns = 0;
    double thickness = 0;  // SliceThickness (0018,0050) as stored
    std::string splitNote; // why this group was split from others with the same UID
    std::vector<PlaneRef> planes;
    std::vector<std::size_t> files; // indices into ScanResult::files, in path order
};

struct ScanResult {
    std::filesystem::path input;
    std::vector<std::filesystem::path> files; // every file looked at
    std::vector<FileHeader> headers;          // one per file
    std::vector<SeriesInfo> series;
    std::vector<SkippedFile> skipped;
    std::vector<std::string> problems; // folders that could not be read, ...
    std::string defaultSeriesUid;      // set when the input was a single file: its series
    int defaultSeries = 0;             // listing number of the default series (0 if none)

    // The default series, or the one `selector` names; throws UsageError for an unknown one and DataError
    // when there is no image series at all.
    const SeriesInfo& pick(const std::string& selector) const;
    // "212 files: 134 slices of series 3, 70 of series 4, 8 skipped: 6 not DICOM, 2 structured reports"
    std::string summary() const;
};

ScanResult scanInput(const std::filesystem::path& input, const LoadOptions& options = {});

struct LoadedSeries {
    Volume volume;
    StackPlan plan;
    const SeriesInfo* series = nullptr;
    const FileHeader* firstHeader = nullptr; // the header of the first plane in stacking order
    std::filesystem::path firstFile;
    std::vector<std::string> warnings;    // everything the user should know, in plain words
    std::vector<SkippedFile> failed;      // files of this series that could not be decoded
    std::vector<int> interpolated, empty; // volume slices (k) in a gap of the stack / of a file that failed
    bool monochrome1 = false;             // PhotometricInterpretation MONOCHROME1: display inverted
    bool decodedNatively = false;  // native pixels read by our own code on threads, not by GDCM workers
    bool decodedByOwnCode = false; // every file decoded by our own code (native, or our RLE decoder)
    float minHU = 0, maxHU = 0;
};

LoadedSeries loadSeries(const ScanResult& scan, const SeriesInfo& series, const LoadOptions& options = {});

} // namespace ctview
