// RTSTRUCT as a layer: each ROI's CLOSED_PLANAR contours rasterised on the CT's grid by the even-odd rule per
// plane (labels/contours.h: a contour inside another of the same ROI on the same plane is a hole), wherever
// they lie (axial, coronal, between slices: the nearest voxel plane, said so). POINT and OPEN contours are
// the layer's marks and lines (LayerMark), drawn on the slices they lie on. The ROI's colour is
// ROIDisplayColor. GDCM parses the file in an isolated
// worker (dicom/rtstruct_read.h).
#include "base/error.h"
#include "base/text.h"
#include "dicom/rtstruct_read.h"
#include "labels/contours.h"
#include "sources/isolated_file.h"
#include "sources/layers.h"

namespace ctview {

namespace {

LabelLayer openRtStruct(const std::filesystem::path& file, const Series& base, const LoadOptions& options) {
    const RtStruct rt = deserializeRtStruct(isolatedOnFile(
        file, [&] { return serialize(readRtStruct(file)); }, std::max(600.0, options.timeoutSeconds),
        4ull << 30));
    const Geometry& g = base.volume.geometry();
    if (g.voxelCount() >= (std::uint64_t(1) << 32))
        throw DataError(file.string() + ": the series is too large for segmentations (2^32 voxels)");
    const std::string ctFor = base.about.field("FrameOfReferenceUID");
    for (const RtRoi& roi : rt.rois)
        if (!roi.frameOfReference.empty() && !ctFor.empty() && roi.frameOfReference != ctFor &&
            !roi.contours.empty())
            throw DataError(file.string() + ": ROI \"" + roi.name +
                            "\" is drawn in another frame of reference (" + roi.frameOfReference +
                            ") than the series (" + ctFor + ")");
    std::vector<std::string> notes, problems;
    std::size_t between = 0, oblique = 0, outside = 0, unknown = 0, tooFew = 0;
    LabelLayerBuilder builder(g);
    std::vector<LayerMark> marks;
    for (std::size_t roiIndex = 0; roiIndex < rt.rois.size(); ++roiIndex) {
        const RtRoi& roi = rt.rois[roiIndex];
        std::vector<std::vector<glm::dvec3>> closed;
        for (const RtContour& c : roi.contours) {
            std::vector<glm::dvec3> points;
            for (std::size_t i = 0; i + 2 < c.points.size(); i += 3)
                points.emplace_back(c.points[i], c.points[i + 1], c.points[i + 2]);
            if (c.type == "POINT" && !points.empty()) {
                marks.push_back({roiIndex, true, std::move(points)});
                continue;
            }
            if (c.type == "OPEN_PLANAR" || c.type == "OPEN_NONPLANAR") {
                if (points.size() < 2)
                    ++tooFew;
                else
                    marks.push_back({roiIndex, false, std::move(points)});
                continue;
            }
            if (c.type != "CLOSED_PLANAR") {
                ++unknown;
                continue;
            }
            if (points.size() < 3) {
                ++tooFew;
                continue;
            }
            closed.push_back(std::move(points));
        }
        ContourRaster r = rasteriseContours(g, closed);
        between += r.betweenSlices;
        oblique += r.oblique;
        outside += r.outside;
        Segment s;
        s.number = roi.number;
        s.name = roi.name.empty() ? "ROI " + std::to_string(roi.number) : roi.name;
        s.color = roi.hasColor ? glm::vec3(roi.color[0], roi.color[1], roi.color[2]) / 255.0f
                               : labelColor(roi.number);
        builder.add(std::move(s), r.voxels);
    }
    if (between > 0)
        notes.push_back(counted(between, "contour lies", "contours lie") +
                        " between the series' slices: put on the nearest");
    if (oblique > 0)
        notes.push_back(counted(oblique, "contour is", "contours are") +
                        " not in a plane of the series' voxels: projected onto the nearest");
    if (outside > 0)
        problems.push_back(counted(outside, "contour lies", "contours lie") + " outside the series");
    if (unknown > 0)
        problems.push_back(
            counted(unknown, "contour", "contours") +
            " of a geometric type other than CLOSED_PLANAR, OPEN_PLANAR, OPEN_NONPLANAR or POINT "
            "not shown");
    if (tooFew > 0)
        problems.push_back(counted(tooFew, "contour", "contours") +
                           " with too few points (3 for a closed one, 2 for an open one) left out");
    const std::string& ctUid = base.about.listing.uid;
    if (!rt.referencedSeries.empty() && !ctUid.empty() &&
        std::find(rt.referencedSeries.begin(), rt.referencedSeries.end(), ctUid) == rt.referencedSeries.end())
        notes.push_back("references series " + rt.referencedSeries.front() +
                        ", not this one: placed by its contours in patient space");
    LabelLayer layer = builder.take(file.filename().string(), file.string(), "RTSTRUCT");
    layer.notes = std::move(notes);
    layer.problems = std::move(problems);
    layer.references = rt.referencedSeries;
    layer.marks = std::move(marks);
    return layer;
}

} // namespace

extern const LayerKind rtStructLayer;
const LayerKind rtStructLayer{
    "RTSTRUCT",
    [](const std::filesystem::path& file) { return isRtStructFile(file); },
    openRtStruct,
};

} // namespace ctview
