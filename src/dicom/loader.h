#pragma once
// Finding the series in a folder, a file or a DICOMDIR, and loading one into a Volume: the DICOM machinery
// behind the DICOM folder source (source_dicom.cpp). Everything else sees a SeriesSource and a Series.
//
//   ScanResult scan = scanInput(path, options);        // headers only, in isolated workers
//   const FileGroup& s = scan.pick(options.series);   // the default series, or the one asked for
//   DecodedStack vol = loadSeries(scan, s, options);   // pixels, HU, geometry, warnings
#include "dicom/decode.h"
#include "dicom/dicom_scan.h"
#include "dicom/phases.h"
#include "dicom/stack_plan.h"
#include "volume/load_options.h"
#include "volume/volume.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ctview {

// The files of one series as the scan grouped them (by SeriesInstanceUID, orientation and image size): a
// row of the listing, and what loadSeries decodes.
struct FileGroup {
    int number = 0;       // position in the listing, 1-based (what --series N takes)
    std::string uid;      // SeriesInstanceUID (0020,000E)
    int seriesNumber = 0; // SeriesNumber (0020,0011)
    std::string description, modality;
    int rows = 0, columns = 0;
    double thickness = 0;  // SliceThickness (0018,0050) as stored
    std::string splitNote; // why this group was split from others with the same UID
    std::vector<PlaneRef> planes;
    std::vector<std::size_t> files; // indices into ScanResult::files, in path order
    PhaseSplit phases;              // a 4D series' phases (dicom/phases.h); key -1: one volume
};

struct ScanResult {
    std::filesystem::path input;
    std::vector<std::filesystem::path> files; // every file looked at
    std::vector<FileHeader> headers;          // one per file
    std::vector<FileGroup> series;
    std::vector<SkippedFile> skipped;
    std::vector<std::string> problems; // folders that could not be read, ...
    std::string defaultSeriesUid;      // set when the input was a single file: its series
    int defaultSeries = 0;             // listing number of the default series (0 if none)

    // The default series, or the one `selector` names; throws UsageError for an unknown one and DataError
    // when there is no image series at all.
    const FileGroup& pick(const std::string& selector) const;
    // "212 files: 134 slices of series 3, 70 of series 4, 8 skipped: 6 not DICOM, 2 structured reports"
    std::string summary() const;
};

ScanResult scanInput(const std::filesystem::path& input, const LoadOptions& options = {});
// Groups scan.files/headers into scan.series (by SeriesInstanceUID, orientation and image size) and picks the
// default: the second half of scanInput, for files that were scanned as they arrived.
void groupSeries(ScanResult& scan);

// One FileGroup decoded: the stacked volume and everything the user should know about it (the sources turn it
// into a Series).
struct DecodedStack {
    Volume volume;
    StackPlan plan;
    const FileGroup* series = nullptr;
    const FileHeader* firstHeader = nullptr; // the header of the first plane in stacking order
    std::filesystem::path firstFile;
    std::vector<std::string> warnings;    // everything the user should know, in plain words
    std::vector<SkippedFile> failed;      // files of this series that could not be decoded
    std::vector<int> interpolated, empty; // volume slices (k) in a gap of the stack / of a file that failed
    std::string resampleSummary;          // why and how it was resampled (resampleSummary); "" when not
    bool monochrome1 = false;             // PhotometricInterpretation MONOCHROME1: display inverted
    bool decodedNatively = false;  // native pixels read by our own code on threads, not by GDCM workers
    bool decodedByOwnCode = false; // every file decoded by our own code (native, or our RLE decoder)
    bool decodedOnArrival = false; // the planes ArrivingStack decoded were taken, not decoded again
    float minHU = 0, maxHU = 0;
    std::optional<VolumeLayout> streamed; // the planes went to LoadOptions::streamFd; `volume` is empty
    int phase = 0;                        // a 4D series: the phase this is (1-based); 0: not 4D
};

// Planes decoded while their files were still arriving (ArrivingStack): a stack of `expected` slots and
// where each (file, frame) went. loadSeries takes them instead of decoding again when they are what it would
// decode.
struct StagedPlanes {
    Volume stack;
    std::map<std::pair<std::string, int>, int> slots; // (file path, frame) -> k in `stack`
    std::map<std::string, DecodeStats> stats;         // per file path
    float paddingHU = -1024;                          // what padding became (DecodeJob::paddingHU)
    bool native = true;                               // every file read by decodeNative
};

// `staged`: planes already decoded (moved out of it when used); null to decode every file.
DecodedStack loadSeries(const ScanResult& scan, const FileGroup& series, const LoadOptions& options = {},
                        StagedPlanes* staged = nullptr);

// One series whose files arrive one by one (a DICOMweb transfer writing them to a folder): each batch is
// scanned and decoded at once, while the rest is still on its way, into slots of one stack of `expected`
// planes. The stack is laid out along the normal from the first two positions that arrive, and the planes
// that land where that layout puts them are shown through `options.slicesReady` as they come (a PACS sends a
// series in the order the scanner stored it: along the stack, one way or the other). Planes arriving out of
// that order are decoded into free slots and put in place at the end. Not thread-safe: one thread calls all.
class ArrivingStack {
  public:
    ArrivingStack(std::size_t expected, const LoadOptions& options);
    ~ArrivingStack();
    ArrivingStack(const ArrivingStack&) = delete;
    ArrivingStack& operator=(const ArrivingStack&) = delete;
    // Scans and decodes newly arrived files; `last`: no more will come. Never throws: what cannot be staged
    // is decoded again by loadSeries.
    void add(const std::vector<std::filesystem::path>& files, bool last);
    // Every file added, as scanInput would have scanned a folder holding just them.
    ScanResult scan(const std::filesystem::path& folder);
    // The decoded planes; null when staging gave up (then loadSeries decodes the files).
    std::shared_ptr<StagedPlanes> staged();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ctview
