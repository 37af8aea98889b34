#pragma once
// One series model for every source. A `SeriesSource` is something that offers series — a local DICOM folder,
// file or DICOMDIR, a volume file (NRRD, NIfTI), a DICOMweb study or series — and loads one of them into a
// `Series`: the HU volume with its geometry in patient space (LPS), and a neutral account of where it came
// from. Nothing downstream (the load task, panels, overlays, export, the commands) sees files, headers or
// scans.
//
//   std::unique_ptr<SeriesSource> src = openSource(input, options); // scans; the registry picks the kind
//   const SeriesListing& row = src->pick(options.series);            // the default series, or the one asked
//   for Series s = src->load(row.number, options);                       // pixels, HU, geometry, warnings
//
// Adding a source: one file that implements SeriesSource and defines a `SourceKind`, and one line in the list
// in series_source.cpp (see docs/dev/architecture.md).
#include "volume/load_options.h"
#include "volume/volume.h"
#include "volume/window.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ctview {

// What a source says a series is, before or after loading: the rows of `ctview info`'s list.
struct SeriesListing {
    int number = 0;       // position in the listing, 1-based (what --series N takes)
    std::string uid;      // SeriesInstanceUID (0020,000E), or the file for a volume file
    int seriesNumber = 0; // SeriesNumber (0020,0011); 0 when the source has none
    std::string description, modality;
    std::size_t slices = 0;
    int columns = 0, rows = 0;
    double thickness = 0; // SliceThickness (0018,0050) as stored; 0 when not given
    std::string note;     // e.g. why this group was split from others with the same UID
    std::string patientName,
        studyDate; // PatientName (0010,0010), StudyDate (0008,0020): a folder may hold several
    // A 4D series: its phases (0: one volume), what tells them apart (a kTemporalKeys keyword) and each
    // phase's value as text ("200 ms"); `slices` is then the slices of one phase.
    std::size_t phases = 0;
    std::string phaseKey;
    std::vector<std::string> phaseValues;
};

// Where a loaded series came from, in words every source can fill: no pointers into scans or headers.
struct Provenance {
    std::string source;    // "DICOM", "NRRD", "NIfTI-1"
    std::string location;  // the input it came from (a path or a URL)
    SeriesListing listing; // its row in the source's listing
    int phase = 0;         // a 4D series: the phase loaded (1-based, of listing.phases); 0: not 4D
    // Descriptive fields by DICOM keyword (PatientName, PatientID, PatientSex, PatientAge, PatientBirthDate,
    // StudyDate, StudyTime, StudyDescription, StudyID, AccessionNumber, ReferringPhysicianName,
    // SeriesDescription, Modality, Manufacturer, ManufacturerModelName, BodyPartExamined, KVP, Exposure,
    // XRayTubeCurrent, ConvolutionKernel, FrameOfReferenceUID, SpecificCharacterSet): DICOMweb's
    // JSON and the NRRD/NIfTI headers map onto the same names. Absent when the source does not have them.
    std::map<std::string, std::string> fields;
    std::string studyUid;
    std::string photometric;            // PhotometricInterpretation (0028,0004), "" when not DICOM
    std::vector<WindowPreset> windows;  // the source's own window presets, first = the one to show first
    std::vector<std::string> encodings; // transfer syntaxes, or the file's encoding ("raw", "gzip")
    std::string decoder;                // "native", "gdcm", "teem", "niftiio"
    // The acquisition as stored, beside the volume's regular grid.
    std::size_t acquiredSlices = 0;
    double sliceThickness = 0;      // mm, 0 when not given
    double measuredStep = 0;        // mm between acquired slices
    bool resampled = false;         // the volume is a resampling of the acquired stack (tilt, uneven spacing)
    bool orderedByInstance = false; // no positions: slices in InstanceNumber order, step assumed
    std::array<double, 6> orientation{1, 0, 0, 0, 1, 0}; // row and column cosines (LPS), as (0020,0037)
    // The DICOM images the series was made of, for what refers to them (a DICOM SEG saved from the editor):
    // `images` in stacking order, and per volume slice k the index of the image it is, -1 where it is none
    // (a resampled stack). Empty for other sources.
    struct ImageRef {
        std::string sopClass, sopInstance;
        int frame = 0; // 1-based frame of a multi-frame file; 0 for a single-frame file
    };
    std::vector<ImageRef> images;
    std::vector<int> sliceImage;
    // The DICOM files of the series (path order), for what sends or de-identifies what is open. Empty for
    // other sources.
    std::vector<std::filesystem::path> files;
    // Every header entry of the series (its first file for DICOM), for the tag browser and `info --tags`;
    // `tagSource` names what is listed. May throw DataError. Null when the source has nothing to list.
    std::string tagSource;
    std::function<std::vector<TagEntry>()> listTags;

    std::string field(const std::string& keyword) const {
        auto it = fields.find(keyword);
        return it == fields.end() ? std::string() : it->second;
    }
};

// A loaded series: the volume and everything the user should know about it.
struct Series {
    Volume volume;
    float minHU = 0, maxHU = 0;
    bool monochrome1 = false;          // PhotometricInterpretation MONOCHROME1: display inverted
    std::vector<std::string> warnings; // everything the user should know, in plain words
    std::vector<SkippedFile> failed;   // files of this series that could not be decoded
    // Slices of the volume (k, along its third axis) that hold no acquired image: in a gap of the stack,
    // filled by interpolation; or from a file that could not be decoded, left empty. Ascending.
    std::vector<int> interpolatedSlices, emptySlices;
    // Why and how the stack was resampled, in the words every view uses ("uneven spacing (4.0 and 7.0 mm):
    // resampled to 4.0 mm; 10 of 28 displayed slices are interpolated"); "" when it was not.
    std::string resampleSummary;
    Provenance about;
    std::optional<VolumeLayout> streamed; // the voxels went to LoadOptions::streamFd (see there)
};

// What the views say about a loaded series before anything else, one short line each (the resampling's
// summary, "1 slice could not be decoded: shown empty"); empty when
// nothing is unusual. The details stay in the warnings.
std::vector<std::string> loadProblems(const Series& s);

// What a series is first shown with: the source's first window, else the automatic window (autoWindow).
WindowLevel initialWindow(const Series& s);
// What the window and level overlay calls that window: "file" (the series' own), or "auto" when it has none.
const char* initialWindowName(const Series& s);

class SeriesSource {
  public:
    virtual ~SeriesSource() = default;
    const std::string& location() const { return location_; } // the input as given
    virtual std::string kind() const = 0;                     // "DICOM folder", "NRRD file", ...

    // The series it offers, and the one opened when none is asked for (its number; 0 when there is none).
    virtual const std::vector<SeriesListing>& series() const = 0;
    virtual int defaultSeries() const = 0;
    // "212 files: 134 slices of series 3, 70 of series 4, 8 skipped: 6 not DICOM, 2 structured reports"
    virtual std::string summary() const = 0;
    virtual std::vector<SkippedFile> skipped() const { return {}; }
    virtual std::vector<std::string> problems() const { return {}; } // folders that could not be read, ...
    // Files of the input that hold segmentations (DICOM SEG, RTSTRUCT): the load offers them as layers of the
    // series they belong to (sources/layers.h). Those that could not be had (a DICOMweb series that failed to
    // arrive) are said in `problems`.
    virtual std::vector<std::filesystem::path> segmentationFiles(std::vector<std::string>& problems) const {
        (void)problems;
        return {};
    }

    // The default series, or the one `selector` names (its number or its UID); throws UsageError for an
    // unknown one and DataError when there is no series at all.
    const SeriesListing& pick(const std::string& selector) const;
    // What is known of series `number` before its pixels are (shown while it loads); cheap.
    virtual Provenance describe(int number) const = 0;
    // Loads series `number` with `options`' progress and slicesReady callbacks. Safe to call again for
    // another series of the same source, one load at a time.
    virtual Series load(int number, const LoadOptions& options) const = 0;

  protected:
    explicit SeriesSource(std::string location) : location_(std::move(location)) {}

  private:
    std::string location_;
};

// One kind of source: whether it takes an input, and how to open it (scan a folder, read a header, ...).
struct SourceKind {
    const char* name;
    bool (*accepts)(const std::string& input);
    std::unique_ptr<SeriesSource> (*open)(const std::string& input, const LoadOptions& options);
};
// Every kind, most specific first; the last (the DICOM folder) accepts anything.
const std::vector<SourceKind>& sourceKinds();
// The first kind that accepts `input`, opened. Throws DataError when the input cannot be opened.
std::unique_ptr<SeriesSource> openSource(const std::string& input, const LoadOptions& options = {});

} // namespace ctview
