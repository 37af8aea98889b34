#pragma once
// Saving a label layer as a file other tools open, the format chosen by the name (`ctview segment -o` and the
// segment editor's Save use the same code):
// - NAME.seg.nrrd: 3D Slicer's segmentation (names, colours, overlapping segments kept in layers);
// - NAME.nii.gz / .nii / .nrrd: a labelmap, one value per segment (1, 2, ... in the layer's order), with its
//   names in NAME.json beside it (what findLabelTable reads, as TotalSegmentator and nnU-Net write them);
// - NAME.dcm: a DICOM SEG referencing the DICOM series it was drawn on (its study, frame of reference and
//   images), which PACS, 3D Slicer, OHIF and highdicom open beside the CT.
#include "labels/label_layer.h"
#include "sources/series.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ctview {

enum class SegmentationFormat { SegNrrd, Labelmap, DicomSeg };

// From the output's name; throws UsageError naming the ones taken.
SegmentationFormat segmentationFormatFor(const std::filesystem::path& output);

// Writes `layer` (on `ct`'s grid) to `wanted`, or to a free name beside it unless `force`; atomically, so a
// failure leaves nothing behind. Returns the path written. `notes` gets what the user should know (voxels in
// several segments that a labelmap cannot hold). Throws DataError (a DICOM SEG of a series that is not DICOM,
// an unwritable folder) naming the file.
std::filesystem::path writeSegmentationFile(const LabelLayer& layer, const Series& ct,
                                            const std::filesystem::path& wanted, bool force,
                                            std::vector<std::string>* notes = nullptr);

} // namespace ctview
