#include "sources/layers.h"

#include "base/error.h"
#include "base/text.h"

namespace ctview {

// Most specific first: the first kind that accepts a file opens it.
#define CTVIEW_LAYER_KINDS(X)                                                                                \
    X(segLayer)        /* layer_seg.cpp: DICOM SEG */                                                        \
    X(rtStructLayer)   /* layer_rtstruct.cpp: RT Structure Sets */                                           \
    X(labelmapLayer)   /* layer_labelmap.cpp: NIfTI-1, NRRD, 3D Slicer's .seg.nrrd (layers too) */           \
    X(maskFolderLayer) /* layer_mask_folder.cpp: a folder of masks (TotalSegmentator's segmentations/) */

#define CTVIEW_DECLARE_LAYER(name) extern const LayerKind name;
CTVIEW_LAYER_KINDS(CTVIEW_DECLARE_LAYER)
#undef CTVIEW_DECLARE_LAYER

const std::vector<const LayerKind*>& layerKinds() {
#define CTVIEW_LIST_LAYER(name) &(name),
    static const std::vector<const LayerKind*> kinds{CTVIEW_LAYER_KINDS(CTVIEW_LIST_LAYER)};
#undef CTVIEW_LIST_LAYER
    return kinds;
}

bool maybeLayer(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        return false;
    for (const LayerKind* k : layerKinds())
        if (k->accepts(file))
            return true;
    return false;
}

bool layerMayBeImage(const std::filesystem::path& file) {
    for (const LayerKind* k : layerKinds())
        if (k->accepts(file))
            return k->mayBeImage;
    return false;
}

LabelLayer openLayer(const std::filesystem::path& file, const Series& base, const LoadOptions& options) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw DataError(file.string() + ": no such file");
    if (base.volume.empty())
        throw DataError(file.string() + ": no series to put its segments on");
    for (const LayerKind* k : layerKinds())
        if (k->accepts(file))
            return k->open(file, base, options);
    std::vector<std::string> names;
    for (const LayerKind* k : layerKinds())
        names.emplace_back(k->name);
    throw DataError(file.string() + ": not a segmentation ctview reads (" + joined(names, ", ") + ")");
}

} // namespace ctview
