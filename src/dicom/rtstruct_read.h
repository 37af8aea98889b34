#pragma once
// DICOM RT Structure Sets (RTSTRUCT: 1.2.840.10008.5.1.4.1.1.481.3; PS3.3 A.19, C.8.8.5/6): each ROI's name,
// colour, frame of reference and contours, as stored. The layer is made from them above the seam
// (sources/layer_rtstruct.cpp); GDCM parses the file in an isolated worker.
#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace ctview {

inline constexpr const char* kRtStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";

struct RtContour {
    std::string type;           // ContourGeometricType (3006,0042): CLOSED_PLANAR, POINT, OPEN_PLANAR, ...
    std::vector<double> points; // ContourData (3006,0050): x, y, z in LPS mm, three per point
};

struct RtRoi {
    int number = 0;               // ROINumber (3006,0022)
    std::string name;             // ROIName (3006,0026)
    std::string frameOfReference; // ReferencedFrameOfReferenceUID (3006,0024)
    bool hasColor = false;        // ROIDisplayColor (3006,002A), 0..255
    std::array<int, 3> color{0, 0, 0};
    std::vector<RtContour> contours;
};

struct RtStruct {
    std::vector<RtRoi> rois;
    std::vector<std::string> referencedSeries; // ReferencedFrameOfReferenceSequence > ... > SeriesInstanceUID
};

// True when the file is DICOM and its meta header names RT Structure Set Storage.
bool isRtStructFile(const std::filesystem::path& file);
// Parses the structure set. Throws DataError naming the file (not an RTSTRUCT, no ROIs, contour data that is
// not x\y\z triples).
RtStruct readRtStruct(const std::filesystem::path& file);
std::string serialize(const RtStruct& s);
RtStruct deserializeRtStruct(const std::string& bytes);

} // namespace ctview
