#pragma once
// Writing synthetic DICOM series with GDCM: the bundled phantom, benchmark inputs and the test-series
// generator.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ctview {

enum class WriteSyntax {
    ExplicitLE,
    ImplicitLE,
    ExplicitBE,
    JpegLossless,
    JpegLS,
    Jpeg2000Lossless,
    Rle,
    Deflated,
    JpegExtended
};

struct SeriesSpec {
    int columns = 64, rows = 64, slices = 16;
    std::array<double, 2> pixelSpacing{1.0, 1.0};        // (0028,0030): between rows, between columns
    std::array<double, 6> orientation{1, 0, 0, 0, 1, 0}; // (0020,0037)
    std::vector<std::array<double, 3>> positions; // (0020,0032) per slice; empty: origin + k*step*normal
    std::array<double, 3> origin{0, 0, 0};
    double sliceStep = 1.0;
    double sliceThickness = 1.0; // (0018,0050), written as is

    // The stored value of pixel (i = column, j = row) of slice k; the writer clamps it to the stored range.
    std::function<double(int i, int j, int k)> stored;
    std::function<double(int k)> slope = [](int) { return 1.0; };
    std::function<double(int k)> intercept = [](int) { return 0.0; };
    int bitsAllocated = 16, bitsStored = 16, pixelRepresentation = 1; // bitsAllocated 8, 16 or 32
    std::string photometric = "MONOCHROME2";
    std::optional<int> paddingValue;      // PixelPaddingValue (0028,0120), a stored value
    std::optional<int> paddingRangeLimit; // PixelPaddingRangeLimit (0028,0121)
    WriteSyntax syntax = WriteSyntax::ExplicitLE;
    bool writePositions = true;    // false: no ImagePositionPatient (0020,0032), as some old exporters do
    bool clampToBitsStored = true; // false: `stored` is written as raw 16-bit words (junk above BitsStored)
    // ExplicitBE with 32-bit cells: write each cell as one big-endian long (as pydicom does) instead of two
    // big-endian 16-bit OW words, low word first (as GDCM and DCMTK do).
    bool bigEndianLongs = false;
    bool multiFrame = false; // true: one Enhanced CT file holding every slice (functional groups)

    std::string modality = "CT";
    std::string sopClassUID = "1.2.840.10008.5.1.4.1.1.2"; // CT Image Storage
    std::string studyUID, seriesUID;                       // generated when empty
    int seriesNumber = 1;
    std::function<int(int k)> instanceNumber = [](int k) { return k + 1; };
    std::map<std::string, std::string> strings; // extra tags by keyword: PatientName, KVP, ...
    // Tags of slice k's own (single-frame files), over `strings`: a 4D series' TriggerTime, ContentTime, ...
    std::function<std::map<std::string, std::string>(int k)> perSlice;

    // Called after each slice file is written (slices written, of all): a long write's progress.
    std::function<void(int done, int total)> progress;

    // File name of slice k (relative to the output folder).
    std::function<std::string(int k)> fileName = [](int k) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "IM%04d.dcm", k + 1);
        return std::string(buf);
    };
};

// Writes every slice of `spec` into `folder` (created if needed). Throws DataError on failure.
void writeSeries(const SeriesSpec& spec, const std::filesystem::path& folder);

// One element of a hand-built data set: the value as text (numbers for US/SS/UL, backslash-separated for
// multiple values); its VR comes from the DICOM dictionary.
struct RawElement {
    std::uint16_t group = 0, element = 0;
    std::string value;
};

// Writes a data set exactly as given, with `pixelBytes` (if not empty) as native Pixel Data (7FE0,0010), in
// `transferSyntaxUID` (a native syntax). For files the image writers would never produce: packed 12-bit
// pixels, structured reports, broken headers. Used by tests and fuzz seeds.
void writeRawDicom(const std::filesystem::path& path, const std::vector<RawElement>& elements,
                   const std::string& pixelBytes = {},
                   const std::string& transferSyntaxUID = "1.2.840.10008.1.2.1");

// A DICOM Segmentation (SEG, PS3.3 A.51) to write: its segments and frames, each frame a plane of one segment
// at a position in patient space. BINARY (a bit per pixel, packed as PS3.5 says) or FRACTIONAL (a byte).
// Every module the IOD requires is written (dciodvfy finds no error), so that PACS, 3D Slicer, OHIF and
// highdicom take it; what the CT says of its patient and study is copied through `strings`.
struct SegSpec {
    int rows = 0, columns = 0;
    std::array<double, 2> pixelSpacing{1.0, 1.0};        // between rows, between columns
    double sliceThickness = 1.0;                         // mm, PixelMeasuresSequence's SliceThickness
    std::array<double, 6> orientation{1, 0, 0, 0, 1, 0}; // in the shared functional groups, or
    bool perFrameOrientation = false;                    //   repeated in each frame's
    // A coded concept (PS3.3 8.8): CodeValue, CodingSchemeDesignator, CodeMeaning.
    struct Code {
        std::string value, scheme, meaning;
    };
    struct Segment {
        int number = 1;
        std::string label;
        std::optional<std::array<int, 3>> lab; // RecommendedDisplayCIELabValue, 0..65535 each
        std::string algorithmType = "MANUAL";  // SegmentAlgorithmType: MANUAL, SEMIAUTOMATIC, AUTOMATIC
        // SegmentedPropertyCategory/TypeCodeSequence: what it is. 3D Slicer's default for a new segment.
        Code category{"85756007", "SCT", "Tissue"}, type{"85756007", "SCT", "Tissue"};
    };
    std::vector<Segment> segments;
    // An image the segmentation was drawn on: its SOP Class and Instance UIDs, and its frame (1-based) in a
    // multi-frame file (0: a single-frame file).
    struct Source {
        std::string sopClass, sopInstance;
        int frame = 0;
    };
    struct Frame {
        std::array<double, 3> position{0, 0, 0};
        int segment = 1;
        std::vector<std::uint8_t> pixels; // rows x columns, row by row: 0/1 (BINARY) or 0..maxFractional
        // Or, when `pixels` is empty, writes them into a buffer of rows x columns as the file is made: a
        // segmentation of many frames is not held a byte per pixel beside its packed bits.
        std::function<void(std::uint8_t* out)> fill;
        int source = -1; // index into `sources` of the image this plane is, or -1
    };
    std::vector<Frame> frames;
    bool fractional = false;
    int maxFractional = 255;
    std::string studyUID, frameOfReferenceUID; // generated when empty
    std::string referencedSeriesUID;           // empty: no ReferencedSeriesSequence (as some tools write)
    std::vector<Source> sources;               // the referenced series' images (Common Instance Reference)
    std::string patientName, patientID; // written when given (a PACS files the SEG with its CT by them)
    // Patient and study attributes by keyword (PatientBirthDate, PatientSex, StudyDate, StudyTime, StudyID,
    // AccessionNumber, ReferringPhysicianName, StudyDescription): the CT's, so that the SEG joins its study.
    std::map<std::string, std::string> strings;
    std::string seriesUID, sopInstanceUID; // generated from the output path when empty
    std::string seriesDescription = "ctview test segmentation";
    int seriesNumber = 100;
    std::string contentLabel = "SEGMENTATION"; // ContentLabel (CS: upper case, 16 characters at most)
    std::string creator;                       // ContentCreatorName
    std::string softwareVersion = "ctview";    // SoftwareVersions
};
// Writes `spec` as one SEG file (Explicit VR Little Endian). Throws DataError, naming the file as `shownAs`
// (a temporary file's target) or else `path`, when it cannot be written.
void writeSegmentation(const SegSpec& spec, const std::filesystem::path& path,
                       const std::string& shownAs = {});

// An RT Structure Set to write: ROIs with their contours in patient space (LPS mm).
struct RtStructSpec {
    struct Contour {
        std::string type = "CLOSED_PLANAR";
        std::vector<std::array<double, 3>> points;
    };
    struct Roi {
        int number = 1;
        std::string name;
        std::array<int, 3> color{255, 0, 0};
        std::vector<Contour> contours;
    };
    std::vector<Roi> rois;
    std::string studyUID, frameOfReferenceUID, referencedSeriesUID;
};
// Writes `spec` as one RTSTRUCT file (Explicit VR Little Endian). Throws DataError when GDCM refuses.
void writeRtStruct(const RtStructSpec& spec, const std::filesystem::path& path);

// Writes a DICOMDIR at `folder`/DICOMDIR listing `files` (paths relative to `folder`, DICOM file IDs: at most
// 8 upper-case characters per component). Throws DataError when GDCM refuses.
void writeDicomdir(const std::filesystem::path& folder, const std::vector<std::string>& files);

// A deterministic UID under the 2.25 (UUID-derived) root, from a seed text.
std::string makeUid(const std::string& seed);
// A new UID under the 2.25 root, different on every call (time, process and a random number as the seed).
std::string freshUid();

} // namespace ctview
