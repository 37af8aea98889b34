#pragma once
// Finding the series in a folder, a file or a DICOMDIR, and loading one into a Volume.
//
//   ScanResult scan = scanInput(path, options);        // headers only, in isolated workers
//   const SeriesInfo& s = scan.pick(options.series);   // the default series, or the one asked for
//   LoadedSeries vol = loadSeries(scan, s, options);   // pixels, HU, geometry, warnings
#include "core/dicom_scan.h"
#include "core/geometry.h"
#include "core/volume.h"

#include <filesystem>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ctview {

struct LoadOptions {
    std::string series;        // "" = default; a listing number ("2") or a SeriesInstanceUID
    bool resample = true;      // resample tilted / unevenly spaced stacks onto a regular grid
    int workers = 0;           // decoder processes; 0 = one per core
    double timeoutSeconds = 60; // per file
    std::uint64_t memoryLimitBytes = 0; // refuse a series needing more than this; 0 = 90 % of MemAvailable
    std::function<void(const std::string& stage, std::size_t done, std::size_t total)> progress;
    // For showing slices while the rest decode: called with the stack being filled and the stack indices whose
    // pixels are now complete in it (first with none, right after allocation). Calls are serialised; `stack` is
    // only valid during the call, and other slices of it are being written meanwhile, so copy out only `slices`.
    // Not called when the stack is resampled (its slices are not the final volume's).
    std::function<void(const Volume& stack, const std::vector<int>& slices)> slicesReady;
};

struct SeriesInfo {
    int number = 0;            // position in the listing, 1-based (what --series N takes)
    std::string uid;           // SeriesInstanceUID (0020,000E)
    int seriesNumber = 0;      // SeriesNumber (0020,0011)
    std::string description, modality;
    int rows = 0, columns = 0;
    double thickness = 0;      // SliceThickness (0018,0050) as stored
    std::string splitNote;     // why this group was split from others with the same UID
    std::vector<PlaneRef> planes;
    std::vector<std::size_t> files; // indices into ScanResult::files, in path order
};

struct SkippedFile {
    std::filesystem::path path;
    std::string reason;        // "not DICOM", "structured report", "unreadable: crashed the decoder (...)"
};

struct ScanResult {
    std::filesystem::path input;
    std::vector<std::filesystem::path> files;   // every file looked at
    std::vector<FileHeader> headers;            // one per file
    std::vector<SeriesInfo> series;
    std::vector<SkippedFile> skipped;
    std::vector<std::string> problems;          // folders that could not be read, ...
    std::string defaultSeriesUid;               // set when the input was a single file: its series
    int defaultSeries = 0;                      // listing number of the default series (0 if none)

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
    std::vector<std::string> warnings;       // everything the user should know, in plain words
    std::vector<SkippedFile> failed;         // files of this series that could not be decoded
    bool monochrome1 = false;                // PhotometricInterpretation MONOCHROME1: display inverted
    bool decodedNatively = false;            // pixels read by our own code (native LE), not by GDCM workers
    float minHU = 0, maxHU = 0;
};

LoadedSeries loadSeries(const ScanResult& scan, const SeriesInfo& series, const LoadOptions& options = {});

} // namespace ctview
