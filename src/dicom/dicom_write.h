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
struct SegSpec {
    int rows = 0, columns = 0;
    std::array<double, 2> pixelSpacing{1.0, 1.0};        // between rows, between columns
    std::array<double, 6> orientation{1, 0, 0, 0, 1, 0}; // in the shared functional groups, or
    bool perFrameOrientation = false;                    //   repeated in each frame's
    struct Segment {
        int number = 1;
        std::string label;
        std::optional<std::array<int, 3>> lab; // RecommendedDisplayCIELabValue, 0..65535 each
    };
    std::vector<Segment> segments;
    struct Frame {
        std::array<double, 3> position{0, 0, 0};
        int segment = 1;
        std::vector<std::uint8_t> pixels; // rows x columns, row by row: 0/1 (BINARY) or 0..maxFractional
    };
    std::vector<Frame> frames;
    bool fractional = false;
    int maxFractional = 255;
    std::string studyUID, frameOfReferenceUID;
    std::string referencedSeriesUID;    // empty: no ReferencedSeriesSequence (as some tools write)
    std::string patientName, patientID; // written when given (a PACS files the SEG with its CT by them)
};
// Writes `spec` as one SEG file (Explicit VR Little Endian). Throws DataError when GDCM refuses.
void writeSegmentation(const SegSpec& spec, const std::filesystem::path& path);

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

} // namespace ctview
