#pragma once
// Segmentations as layers of a loaded series (labels/label_layer.h): the kinds of file that hold them, one
// row each, as the sources are. Adding a kind is one file (`layer_X.cpp` defining a `const LayerKind`) and
// one line of CTVIEW_LAYER_KINDS in layers.cpp.
#include "labels/label_layer.h"
#include "sources/series.h"
#include "volume/load_options.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ctview {

struct LayerKind {
    const char* name; // "labelmap (NIfTI, NRRD)"
    bool (*accepts)(const std::filesystem::path& file);
    // The file's segments on `base`'s grid. Throws DataError naming the file and the reason.
    LabelLayer (*open)(const std::filesystem::path& file, const Series& base, const LoadOptions& options);
    bool mayBeImage = false; // a file of this kind may as well be an image to open (NIfTI, NRRD)
};
const std::vector<const LayerKind*>& layerKinds();

// `file` as a layer on base's grid, by the first kind that accepts it. Throws DataError naming the file
// (also when no kind takes it).
LabelLayer openLayer(const std::filesystem::path& file, const Series& base, const LoadOptions& options);
// Whether some kind takes `file` (by its name and first bytes; not read whole).
bool maybeLayer(const std::filesystem::path& file);
// Whether the kind that takes `file` may as well be an image (a NIfTI or NRRD): what the file holds decides.
bool layerMayBeImage(const std::filesystem::path& file);

} // namespace ctview
