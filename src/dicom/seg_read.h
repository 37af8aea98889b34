#pragma once
// DICOM Segmentation objects (SEG: Segmentation Storage 1.2.840.10008.5.1.4.1.1.66.4; PS3.3 A.51, C.8.20):
// what the header says (segments, and per frame its plane and segment) and the raw frames. The layer is made
// from them above the seam (sources/layer_seg.cpp); GDCM parses the header in an isolated worker, which then
// copies the Pixel Data into shared memory.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ctview {

inline constexpr const char* kSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

struct SegSegment {
    int number = 0;        // SegmentNumber (0062,0004)
    std::string label;     // SegmentLabel (0062,0005)
    bool hasColor = false; // RecommendedDisplayCIELabValue (0062,000D), L*a*b* scaled to 0..65535
    std::array<int, 3> lab{0, 0, 0};
};

struct SegFrame {
    std::array<double, 3> position{0, 0, 0};             // ImagePositionPatient (0020,0032), LPS mm
    std::array<double, 6> orientation{1, 0, 0, 0, 1, 0}; // ImageOrientationPatient (0020,0037)
    std::array<double, 2> pixelSpacing{1, 1};            // (0028,0030): between rows, between columns
    int segment = 0;                                     // ReferencedSegmentNumber (0062,000B)
    // The image the frame was drawn on: DerivationImageSequence > SourceImageSequence >
    // ReferencedSOPInstanceUID (0008,1155); "" when the SEG does not say.
    std::string sourceInstance;
};

struct SegHeader {
    bool fractional = false;   // SegmentationType (0062,0001) FRACTIONAL (else BINARY)
    int maxFractional = 255;   // MaximumFractionalValue (0062,000E)
    int rows = 0, columns = 0; // of every frame
    int bitsAllocated = 1;     // 1 for BINARY, 8 for FRACTIONAL
    std::vector<SegSegment> segments;
    std::vector<SegFrame> frames; // as stored
    std::string seriesDescription, frameOfReference;
    std::vector<std::string> referencedSeries; // ReferencedSeriesSequence (0008,1115) > SeriesInstanceUID
    std::string transferSyntax;
    bool compressed = false;      // encapsulated frames (a FRACTIONAL SEG's), decoded by GDCM's codecs
    std::uint64_t pixelBytes = 0; // the frames' length uncompressed
};

// True when the file is DICOM (the "DICM" preamble) and its meta header names Segmentation Storage.
bool isSegFile(const std::filesystem::path& file);
// Parses the header. Throws DataError naming the file and what is wrong (not a SEG, no frames, a frame
// without a position or segment, a BINARY SEG's compressed frames, frames that do not fit the Pixel Data).
SegHeader readSegHeader(const std::filesystem::path& file);
// Copies the Pixel Data (header.pixelBytes bytes; compressed frames decoded) into `into`. Throws DataError.
void readSegPixels(const std::filesystem::path& file, const SegHeader& header, void* into);
// For the trip from the worker that parses the header to the parent.
std::string serialize(const SegHeader& h);
SegHeader deserializeSegHeader(const std::string& bytes);

} // namespace ctview
