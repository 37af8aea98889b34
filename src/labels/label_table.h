#pragma once
// The names and colours of a labelmap's values, from where the tools that write labelmaps put them:
// - 3D Slicer's .seg.nrrd: header fields Segment<N>_Name, _Color ("r g b", 0..1), _LabelValue, _Layer;
// - ITK-SNAP's label description file: `VALUE R G B A VIS MSH "NAME"` per line (colours 0..255, # comments);
// - a JSON table beside the file, as TotalSegmentator and nnU-Net write them: {"1": "spleen", ...},
//   {"spleen": 1, ...} or nnU-Net's dataset.json {"labels": {...}};
// - a plain text table: `VALUE NAME` per line.
#include "labels/label_layer.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ctview {

// From a .seg.nrrd's key/value fields, each segment with its layer (Segment<N>_Layer) and label value; empty
// when there are no Segment fields. `layers` is set to how many layers the file declares.
std::vector<LabelTableEntry>
slicerSegmentTable(const std::vector<std::pair<std::string, std::string>>& fields, int* layers = nullptr);
// Parses a sidecar file (ITK-SNAP, JSON or plain text, told apart by content). Throws DataError naming the
// file when it is none of them.
std::vector<LabelTableEntry> readLabelTable(const std::filesystem::path& file);
// The sidecar of a labelmap, if one is there: NAME.txt, NAME.json, NAME.label.txt, NAME_labels.json (NAME the
// file's name without .nii.gz / .nii / .nrrd / .seg.nrrd), then labels.txt, labels.json or dataset.json in
// its folder (not with `folderTables` false). Empty when there is none.
std::filesystem::path findLabelTable(const std::filesystem::path& labelmap, bool folderTables = true);
// A labelmap's file name without .seg.nrrd, .nii.gz, .nii, .nrrd or .nhdr ("liver" of "liver.nii.gz").
std::string labelmapStem(const std::filesystem::path& p);
// Where a JSON table written for `labelmap` goes so that findLabelTable finds it: NAME.json beside it.
std::filesystem::path labelTableBeside(const std::filesystem::path& labelmap);

} // namespace ctview
