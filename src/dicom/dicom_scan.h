#pragma once
// Reading DICOM headers (never pixel data) of one file: what kind of object it is and everything the loader
// needs to group, order and decode it. Runs inside an isolated worker (see isolate.h).
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ctview {

// The transfer syntax UIDs (PS3.5 A, PS3.6) whose pixels ctview reads with its own code.
namespace syntax {
inline constexpr const char* kImplicitLE = "1.2.840.10008.1.2";
inline constexpr const char* kExplicitLE = "1.2.840.10008.1.2.1";
inline constexpr const char* kExplicitBE = "1.2.840.10008.1.2.2"; // retired, still in old archives
inline constexpr const char* kRle = "1.2.840.10008.1.2.5";
} // namespace syntax

// What tells the phases of a 4D series apart (planes at the same positions, taken at different times), in the
// order they are tried: the first that every plane has and that parts them, at clear gaps in its values, into
// phases of one plane per position (dicom/phases.h). A trigger time or acquisition time may drift from slice
// to slice within a phase. Enhanced CT's per-frame TemporalPositionIndex (FrameContentSequence) and
// NominalCardiacTriggerDelayTime (CardiacSynchronizationSequence) fill the first two.
struct TemporalKey {
    std::uint16_t group, element;
    const char* keyword;
    const char* unit; // how `info` shows a phase's value ("" a plain number, "s" a time of day)
};
inline constexpr std::array<TemporalKey, 6> kTemporalKeys{{
    {0x0020, 0x0100, "TemporalPositionIdentifier", ""},
    {0x0018, 0x1060, "TriggerTime", "ms"},
    {0x0020, 0x9241, "NominalPercentageOfCardiacPhase", "%"},
    {0x0020, 0x0012, "AcquisitionNumber", ""},
    {0x0008, 0x0032, "AcquisitionTime", "s"},
    {0x0008, 0x0033, "ContentTime", "s"},
}};

// One 2D image plane: a single-frame file, or one frame of a multi-frame (Enhanced CT) file.
struct FrameHeader {
    int frame = 0;                           // frame number inside the file (0-based)
    std::array<double, 3> position{0, 0, 0}; // ImagePositionPatient (0020,0032), mm, LPS
    bool hasPosition = false;
    std::array<double, 6> orientation{1, 0, 0,
                                      0, 1, 0}; // ImageOrientationPatient (0020,0037): row, column cosines
    bool hasOrientation = false;
    std::array<double, 2> pixelSpacing{
        1, 1}; // PixelSpacing (0028,0030): row spacing (between rows), column spacing
    bool hasPixelSpacing = false;
    double sliceThickness = 0;       // SliceThickness (0018,0050), mm (0 if absent)
    double slope = 1, intercept = 0; // RescaleSlope (0028,1053), RescaleIntercept (0028,1052)
    // The kTemporalKeys' values (times of day in seconds since midnight); bit n of timeKnown: the plane has
    // the n-th.
    std::array<double, kTemporalKeys.size()> time{};
    unsigned timeKnown = 0;
};

enum class FileKind { Image, NonImage, NotDicom, Unreadable };

struct FileHeader {
    FileKind kind = FileKind::Unreadable;
    std::string reason; // NonImage: what it is ("structured report", ...); Unreadable: why

    std::string sopClassUID, sopInstanceUID, studyUID, seriesUID, modality, transferSyntax;
    int seriesNumber = 0, instanceNumber = 0, acquisitionNumber = 0;
    bool hasInstanceNumber = false;

    // Image pixel module (0028,xxxx)
    int rows = 0, columns = 0, frames = 1, samplesPerPixel = 1;
    int bitsAllocated = 16, bitsStored = 16, highBit = 15, pixelRepresentation = 0;
    std::string photometric = "MONOCHROME2";
    std::optional<double> paddingValue;      // PixelPaddingValue (0028,0120), raw stored value
    std::optional<double> paddingRangeLimit; // PixelPaddingRangeLimit (0028,0121)
    double gantryTilt = 0;                   // GantryDetectorTilt (0018,1120), degrees
    std::uint64_t fileSize = 0;
    // Native pixel data located in the file (0 when compressed or not found):
    // the byte offset of the value of the top-level Pixel Data (7FE0,0010) and its length.
    std::uint64_t pixelOffset = 0, pixelLength = 0;
    // RLE Lossless (1.2.840.10008.1.2.5): the offset of the first item (the Basic Offset Table) of the
    // top-level encapsulated Pixel Data, for ctview's own RLE decoder (0 when not located).
    std::uint64_t rleOffset = 0;

    std::vector<FrameHeader> frameHeaders;    // one per frame
    std::map<std::string, std::string> meta;  // descriptive fields by keyword (PatientName, KVP, ...)
    std::vector<std::string> referencedFiles; // DICOMDIR: the files it lists (absolute paths)
};

// True if the first bytes look like DICOM: "DICM" at offset 128, or a raw data set starting with group
// 0002 or 0008 (files without the Part 10 preamble). Cheap; run before anything else touches the file.
bool sniffDicom(const std::filesystem::path& path);
// True when the file has the Part 10 preamble and its meta header (the first KiB) names `sopClassUid`
// (MediaStorageSOPClassUID, 0002,0002): which kind of object it is, without parsing it.
bool metaNamesSopClass(const std::filesystem::path& path, const std::string& sopClassUid);

// Parse the header of one file. Throws only on I/O errors; a non-image object is returned with kind NonImage.
FileHeader scanFile(const std::filesystem::path& path);

// Where the value of the top-level Pixel Data (7FE0,0010) of a native (uncompressed) file lies, found without
// GDCM: `expectedBytes` is what the header promises (rows x columns x frames x bits / 8).
struct PixelDataLocation {
    bool found = false;        // a Pixel Data element whose length is the promised one
    std::uint64_t offset = 0;  // of the value, in bytes from the start of the file
    std::uint64_t length = 0;  // the element's length (the promised bytes, rounded up to even)
    std::uint64_t missing = 0; // bytes of the value past the end of the file (a truncated file)
};
// The first item of an encapsulated (undefined-length) top-level Pixel Data element, or 0: searched in the
// first MiB of an explicit VR little-endian file, the last such element found (an icon's comes earlier).
std::uint64_t locateEncapsulatedPixelData(const std::filesystem::path& path, std::uint64_t fileSize);
PixelDataLocation locatePixelData(const std::filesystem::path& path, const std::string& transferSyntax,
                                  std::uint64_t expectedBytes, std::uint64_t fileSize);

// Serialisation for the trip from worker process to parent.
std::string serialize(const FileHeader& h);
FileHeader deserializeFileHeader(const std::string& bytes);

} // namespace ctview
