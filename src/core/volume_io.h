#pragma once
// Writing the HU volume with its full geometry: NRRD (LPS, as DICOM) and NIfTI-1 (.nii, .nii.gz; RAS sform and
// qform, as NIfTI defines). Readable by 3D Slicer, ITK and nibabel.
#include "core/volume.h"

#include <filesystem>

namespace ctview {

enum class VolumeFormat { Nrrd, Nifti, NiftiGz };

// From the file name: .nrrd, .nii, .nii.gz; throws UsageError otherwise.
VolumeFormat volumeFormatFor(const std::filesystem::path& p);

// Returns the path written (a free name next to `wanted` unless `force`).
std::filesystem::path writeVolume(const Volume& v, const std::filesystem::path& wanted, bool force);

// Readers for our own round-trip tests and tools: they accept what writeVolume writes (raw NRRD, NIfTI-1).
Volume readNrrd(const std::filesystem::path& p);
Volume readNifti(const std::filesystem::path& p);

} // namespace ctview
