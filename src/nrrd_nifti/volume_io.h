#pragma once
// Writing the HU volume with its full geometry: NRRD (LPS, as DICOM) and NIfTI-1 (.nii, .nii.gz; RAS sform
// and qform, as NIfTI defines). Readable by 3D Slicer, ITK and nibabel.
#include "volume/volume.h"
#include "volume/window.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ctview {

enum class VolumeFormat { Nrrd, Nifti, NiftiGz };

// From the file name: .nrrd, .nii, .nii.gz; throws UsageError otherwise.
VolumeFormat volumeFormatFor(const std::filesystem::path& p);

// The display window a written file carries, so that it opens as its series did: NIfTI cal_min/cal_max
// (level -/+ width / 2), NRRD the key "ctview window" (width,level in HU).
using FileWindow = std::optional<WindowLevel>;
inline constexpr const char* kNrrdWindowKey = "ctview window";

// Returns the path written (a free name next to `wanted` unless `force`). Written atomically (a temporary
// file renamed), so that a failure leaves nothing behind.
std::filesystem::path writeVolume(const Volume& v, const std::filesystem::path& wanted, bool force,
                                  const FileWindow& window = {});

// A 4D series as one file: its phases (each the same grid and type) one after the other along a fourth axis
// (NIfTI dim[4]; NRRD a "list" axis), as 3D Slicer's sequences, nibabel and ITK read them.
std::filesystem::path writeVolumePhases(const std::vector<const Volume*>& phases,
                                        const std::filesystem::path& wanted, bool force,
                                        const FileWindow& window = {});

// writeVolume for `ctview convert`, which streams the voxels: `produce(fd)` loads the series with the open
// output file `fd` and either writes its planes itself, from volumeDataOffset(format) on, returning their
// grid and type (LoadOptions::streamFd), or returns a volume held in memory, which is written after the
// header. A .nii.gz gets fd -1 and must return a held volume. `window` is read after `produce` returns (the
// load that produce runs is what knows it).
std::filesystem::path
writeVolumeStreamed(const std::filesystem::path& wanted, bool force,
                    const std::function<std::variant<VolumeLayout, const Volume*>(int fd)>& produce,
                    const FileWindow& window = {});

// A segmentation as 3D Slicer writes it (.seg.nrrd): the label value of each voxel (uint8, Volume's order) in
// one layer, or in several when segments overlap (a first axis of layers, voxel by voxel), and the segments,
// named and coloured in the header's Segment<N>_ fields, so that Slicer opens it with the names (and ctview
// reads it back as a layer). gzip-compressed, as Slicer writes it. Returns the path written (a free name next
// to `wanted` unless `force`), written atomically.
struct SegNrrdSegment {
    std::string name;
    glm::vec3 color{1, 0, 0}; // sRGB 0..1
    int labelValue = 1;
    int layer = 0;
};
std::filesystem::path writeSegNrrd(const std::vector<const std::vector<std::uint8_t>*>& layers,
                                   const Geometry& g, const std::vector<SegNrrdSegment>& segments,
                                   const std::filesystem::path& wanted, bool force);
// True for a name ending in .seg.nrrd (any case).
bool isSegNrrdName(const std::filesystem::path& p);

// Where the voxels start in a .nrrd (4096: its header is padded to a page, whatever the grid) or a .nii
// (352) that ctview writes; 0 for .nii.gz (compressed: no fixed place).
std::uint64_t volumeDataOffset(VolumeFormat f);
// The header of such a .nrrd or .nii file for that grid and type, volumeDataOffset(f) bytes long.
std::string volumeHeader(VolumeFormat f, const VolumeLayout& layout, const FileWindow& window = {});

// Reading volume files as 3D Slicer, ITK, nibabel and dcm2niix write them: NRRD (attached or detached .nhdr,
// raw or compressed, any space; through Teem, the reference NRRD library) and NIfTI-1 (.nii, .nii.gz; sform,
// else qform, else pixdim, as nibabel decides; through nifticlib). Values are scaled (NIfTI
// scl_slope/scl_inter) and kept as int16 when every value is an exact int16, else float32. Geometry comes out
// in LPS.
struct VolumeFileHeader {
    VolumeFormat format = VolumeFormat::Nrrd;
    Geometry geometry;                                       // LPS, mm
    std::string valueType;                                   // as stored: "int16", "uint16", "float32", ...
    bool integerValues = true;                               // the stored type is an integer type
    double slope = 1, intercept = 0;                         // value = stored * slope + intercept
    std::string encoding;                                    // "raw", "gzip", ...
    std::string description;                                 // NIfTI descrip, NRRD content
    std::vector<std::pair<std::string, std::string>> fields; // what the file says, in its own words, in order
    std::vector<WindowPreset> windows; // NIfTI cal_min/cal_max, NRRD "ctview window", when set
    std::vector<std::string> warnings; // e.g. no orientation in the file: identity assumed
    // Where the voxels start in the file when they lie there as they are, in this machine's byte order (an
    // uncompressed single-file NIfTI): they are then read straight into the volume, a slab at a time on
    // every core, instead of through the library's own copy. 0: read through the library.
    std::uint64_t rawOffset = 0;
    int layers = 1; // a first axis of layers (3D Slicer's .seg.nrrd with overlapping segments): that many
                    // volumes of `geometry`, interleaved voxel by voxel
    int phases = 1; // a fourth axis (a 4D series' phases, as `convert` writes them; NIfTI's time): that many
                    // volumes of `geometry`, one after the other
};

// Bytes per value of a stored type as VolumeFileHeader::valueType names it ("int16": 2, "float64": 8).
std::size_t valueTypeBytes(const std::string& valueType);

// True when the name says NRRD or NIfTI (.nrrd, .nhdr, .nii, .nii.gz) or the first bytes do.
bool isVolumeFile(const std::filesystem::path& p);
// The header; throws DataError naming the file and the problem (not NRRD/NIfTI, 4D, vector or colour data,
// ...).
VolumeFileHeader readVolumeHeader(const std::filesystem::path& p);
// Fills `into` (of header.geometry, int16 or float32) with the values. Returns false when `into` is int16 and
// a value is not an exact int16 (read again into a float32 volume). Throws DataError when the data is short.
// `layer`: which of header.layers; `phase`: which of header.phases (from 0).
bool readVolumeData(const std::filesystem::path& p, const VolumeFileHeader& header, Volume& into,
                    int layer = 0, int phase = 0);
// True when readVolumeData reads the values with our own code alone (an uncompressed single-file NIfTI in
// this machine's byte order: pread and a conversion), no library parsing the file: no need for an isolated
// worker, and the volume may be this process's own memory.
bool readsWithoutLibrary(const VolumeFileHeader& header);
// For the trip from the worker that parses a header to the parent.
std::string serialize(const VolumeFileHeader& h);
VolumeFileHeader deserializeVolumeHeader(const std::string& bytes);

// Header and data in this process (tests and tools; the viewer reads through the libraries in isolated
// workers, source_volume.cpp).
Volume readVolumeFile(const std::filesystem::path& p);
inline Volume readNrrd(const std::filesystem::path& p) {
    return readVolumeFile(p);
}
inline Volume readNifti(const std::filesystem::path& p) {
    return readVolumeFile(p);
}

} // namespace ctview
