#pragma once
// Decoding the pixels of one file into its planes of the volume buffer (runs inside an isolated worker).
#include "dicom/dicom_scan.h"
#include "volume/volume.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ctview {

struct DecodeTarget {
    int frame = 0; // frame number in the file
    int slice = 0; // destination plane k in the buffer
    double slope = 1, intercept = 0;
};

struct DecodeJob {
    std::filesystem::path path;
    const FileHeader* header = nullptr;
    std::vector<DecodeTarget> targets;
    void* buffer = nullptr; // the volume's voxels (MAP_SHARED), planes of columns*rows values
    ScalarType type = ScalarType::Int16;
    int columns = 0, rows = 0;
    float paddingHU = -1024; // what PixelPaddingValue (0028,0120) voxels become
    bool ownDecoders = true; // RLE Lossless by ctview's decoder (GDCM when it declines); false: GDCM always
    // decodeNative only: when >= 0, plane k goes to this file at outputOffset + k * plane bytes (pwrite)
    // instead of into `buffer`, so that `ctview convert` never holds the volume (see LoadOptions::streamFd).
    int outputFd = -1;
    std::uint64_t outputOffset = 0;
};

struct DecodeStats {
    double minHU = 0, maxHU = 0;
    bool overflow = false;       // Int16 target, but a value did not fit (or was not an integer)
    bool bigEndianLongs = false; // 32-bit big-endian cells stored as whole longs, not as OW words
    bool ownDecoder = false;     // decoded by ctview's own code (native pixels, RLE), not by GDCM
};

// RLE Lossless (PS3.5 Annex G) by our own decoder: each frame one fragment of byte segments (most significant
// byte first), each segment PackBits. Returns false, having written nothing it cannot stand behind, when the
// file is not what that decoder handles (then GDCM decodes it); throws DataError only for I/O errors.
bool decodeRle(const DecodeJob& job, DecodeStats& stats);

// Decode through GDCM (every transfer syntax it supports) and convert stored values to HU per plane:
// mask to BitsStored, sign-extend when PixelRepresentation is 1, replace padding, then
// HU = stored * RescaleSlope + RescaleIntercept. Throws DataError with the reason on failure.
DecodeStats decodeInto(const DecodeJob& job);

// The fast path for native files (8, 16 or 32 bits, either byte order) whose Pixel Data the scan located
// (header->pixelOffset): pread straight into the volume's planes and convert in place. No GDCM, only
// bounds-checked reads of our own, so it is safe to run on threads in this process. Throws DataError
// (truncated, changed or unreadable file).
DecodeStats decodeNative(const DecodeJob& job);

std::string serialize(const DecodeStats& s);
DecodeStats deserializeDecodeStats(const std::string& bytes);

} // namespace ctview
