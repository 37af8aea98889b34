#include "sources/layer_write.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "dicom/dicom_write.h"
#include "labels/label_table.h"
#include "nrrd_nifti/volume_io.h"
#include "volume/colormap.h"
#include "volume/parallel.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

namespace ctview {

namespace {

std::filesystem::path writeSegNrrdLayer(const LabelLayer& layer, const std::filesystem::path& wanted,
                                        bool force) {
    // 3D Slicer's layers are labelmaps: a bit group's segments (and a fraction group's, at 0.5) go to value
    // groups first.
    const bool allValueGroups = std::all_of(layer.segments.begin(), layer.segments.end(),
                                            [](const Segment& s) { return s.kind == GroupKind::Value; });
    const LabelLayer converted = allValueGroups ? LabelLayer{} : withValueGroupsOnly(layer);
    const LabelLayer& l = allValueGroups ? layer : converted;
    std::vector<const std::vector<std::uint8_t>*> groups;
    for (const auto& g : l.groups)
        groups.push_back(&g);
    std::vector<SegNrrdSegment> segments;
    for (const Segment& seg : l.segments)
        segments.push_back({seg.name, seg.color, seg.value, seg.group});
    return writeSegNrrd(groups, l.grid, segments, wanted, force);
}

// One int16 value per segment (its place in the layer, from 1); a voxel in several segments keeps the last.
// One pass per group (not per segment: TotalSegmentator's 117 segments would be 117 passes).
std::filesystem::path writeLabelmap(const LabelLayer& l, const std::filesystem::path& wanted, bool force,
                                    std::vector<std::string>* notes) {
    if (l.segments.size() > 32767)
        throw DataError(wanted.string() + ": a labelmap holds at most 32767 segments");
    Volume out(l.grid, ScalarType::Int16, SharedBuffer::Sharing::Private);
    auto* v = static_cast<std::int16_t*>(out.data());
    std::fill(v, v + l.grid.voxelCount(), std::int16_t(0));
    std::size_t overlapping = 0;
    nlohmann::json table = nlohmann::json::object();
    for (std::size_t gi = 0; gi < l.groups.size(); ++gi) {
        const ByteSegments segment(l, int(gi));
        const std::vector<std::uint8_t>& group = l.groups[gi];
        for (std::size_t n = 0; n < group.size(); ++n)
            if (group[n])
                segment.forEach(group[n], [&, n](std::size_t s) {
                    overlapping += v[n] != 0;
                    v[n] =
                        std::max(v[n], std::int16_t(s + 1)); // the last segment, whatever the group's order
                });
    }
    for (std::size_t s = 0; s < l.segments.size(); ++s)
        table[std::to_string(s + 1)] = l.segments[s].name;
    std::filesystem::path written = writeVolume(out, wanted, force); // not const: returned by move
    writeTextFileAtomically(labelTableBeside(written), table.dump(2) + "\n");
    if (overlapping && notes)
        notes->push_back(std::to_string(overlapping) +
                         " voxels belong to several segments; a labelmap holds one value per voxel, so they "
                         "went to the last (.seg.nrrd or .dcm keep overlaps)");
    return written;
}

// `text` as DICOM's LO takes it: one value (a backslash separates values), at most 64 characters, cut at a
// whole UTF-8 character.
std::string longString(std::string text) {
    std::replace(text.begin(), text.end(), '\\', '/');
    return utf8Prefix(text, 64);
}

// Per segment, per slice: whether the slice holds a voxel of it. One pass per group, on every core.
std::vector<std::vector<char>> slicesHolding(const LabelLayer& l) {
    const Geometry& g = l.grid;
    const std::size_t plane = std::size_t(g.dims.x) * std::size_t(g.dims.y);
    std::vector<std::vector<char>> present(l.segments.size(), std::vector<char>(std::size_t(g.dims.z), 0));
    for (std::size_t gi = 0; gi < l.groups.size(); ++gi) {
        const ByteSegments segment(l, int(gi));
        const std::uint8_t* group = l.groups[gi].data();
        parallelFor(g.dims.z, [&](int kA, int kB) { // each slice's flags are written by one thread
            for (int k = kA; k < kB; ++k) {
                std::array<bool, 256> seen{};
                const std::uint8_t* slice = group + std::size_t(k) * plane;
                for (std::size_t n = 0; n < plane; ++n)
                    seen[slice[n]] = true;
                for (int v = 1; v < 256; ++v)
                    if (seen[std::size_t(v)])
                        segment.forEach(std::uint8_t(v),
                                        [&](std::size_t s) { present[s][std::size_t(k)] = 1; });
            }
        });
    }
    return present;
}

// The patient and study attributes a SEG copies from its CT, so that a PACS files it in the same study.
const char* const kCopiedFields[] = {
    "PatientBirthDate", "PatientSex", "PatientAge",      "StudyDate",
    "StudyTime",        "StudyID",    "AccessionNumber", "ReferringPhysicianName",
    "StudyDescription"};

SegSpec segSpecOf(const LabelLayer& l, const Series& ct, const std::filesystem::path& file) {
    const Provenance& p = ct.about;
    if (p.source != "DICOM" || p.studyUid.empty() || p.listing.uid.empty())
        throw DataError(file.string() + ": a DICOM SEG refers to the DICOM images it was drawn on, and " +
                        p.location + " is " + (p.source.empty() ? "not DICOM" : "a " + p.source + " file") +
                        "; save as .seg.nrrd or .nii.gz instead");
    // Unevenly spaced slices kept as acquired sit on an approximate regular grid, and slices ordered by
    // InstanceNumber have made-up positions: a SEG's frames placed on that grid would not lie on the images.
    if (p.orderedByInstance || (!ct.resampleSummary.empty() && !p.resampled))
        throw DataError(file.string() + ": " + p.location +
                        "'s slices are not evenly spaced at known positions (" +
                        (p.orderedByInstance ? std::string("no ImagePositionPatient") : ct.resampleSummary) +
                        "), so a DICOM SEG's frames would not lie on them; open it resampled (without "
                        "--no-resample) or save as .seg.nrrd");
    const Geometry& g = l.grid;
    SegSpec spec;
    spec.columns = g.dims.x;
    spec.rows = g.dims.y;
    spec.pixelSpacing = {g.spacing.y, g.spacing.x}; // between rows, between columns
    spec.sliceThickness = g.spacing.z;
    for (int a = 0; a < 3; ++a) {
        spec.orientation[std::size_t(a)] = g.direction[0][a];     // along a row: +i
        spec.orientation[std::size_t(a) + 3] = g.direction[1][a]; // along a column: +j
    }
    spec.studyUID = p.studyUid;
    spec.frameOfReferenceUID = p.field("FrameOfReferenceUID");
    spec.referencedSeriesUID = p.listing.uid;
    for (const Provenance::ImageRef& image : p.images)
        spec.sources.push_back({image.sopClass, image.sopInstance, image.frame});
    spec.patientName = p.field("PatientName"); // UTF-8 already (dicom_scan), as the SEG declares
    spec.patientID = p.field("PatientID");
    for (const char* key : kCopiedFields)
        if (!p.field(key).empty())
            spec.strings[key] = p.field(key);
    spec.seriesUID = freshUid();
    spec.sopInstanceUID = freshUid();
    spec.seriesDescription = longString(l.name.empty() ? "Segmentation" : l.name);
    spec.contentLabel = "SEGMENTATION";
    for (std::size_t s = 0; s < l.segments.size(); ++s) {
        SegSpec::Segment seg;
        seg.number = int(s) + 1;
        seg.label = longString(l.segments[s].name);
        seg.lab = rgbToCielab(l.segments[s].color);
        seg.algorithmType = "SEMIAUTOMATIC"; // thresholds, islands and brushes: the user guided a tool
        spec.segments.push_back(seg);
    }
    // One frame per slice that holds the segment (as highdicom and dcmqi write by default): empty planes of
    // a small segment on a long series would be most of the file.
    const std::size_t plane = std::size_t(g.dims.x) * std::size_t(g.dims.y);
    const std::vector<std::vector<char>> present = slicesHolding(l);
    for (std::size_t s = 0; s < l.segments.size(); ++s) {
        const Segment& seg = l.segments[s];
        const std::uint8_t* group = l.groups[std::size_t(seg.group)].data();
        for (int k = 0; k < g.dims.z; ++k) {
            const std::uint8_t* slice = group + std::size_t(k) * plane;
            if (!present[s][std::size_t(k)])
                continue;
            SegSpec::Frame f;
            f.segment = int(s) + 1;
            const glm::dvec3 position = g.voxelToPatient({0, 0, k});
            f.position = {position.x, position.y, position.z};
            // Made as the file is written, a frame at a time (the layer outlives the writing).
            f.fill = [slice, plane, seg](std::uint8_t* out) {
                std::transform(slice, slice + plane, out,
                               [&seg](std::uint8_t v) { return std::uint8_t(holds(seg, v)); });
            };
            if (std::size_t(k) < p.sliceImage.size())
                f.source = p.sliceImage[std::size_t(k)];
            spec.frames.push_back(std::move(f));
        }
    }
    if (spec.frames.empty())
        throw DataError(file.string() + ": no segment has a voxel; a DICOM SEG needs at least one frame");
    return spec;
}

} // namespace

SegmentationFormat segmentationFormatFor(const std::filesystem::path& output) {
    std::string name = output.filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (isSegNrrdName(output))
        return SegmentationFormat::SegNrrd;
    if (name.ends_with(".dcm"))
        return SegmentationFormat::DicomSeg;
    if (name.ends_with(".nii.gz") || name.ends_with(".nii") || name.ends_with(".nrrd"))
        return SegmentationFormat::Labelmap;
    throw UsageError(
        output.string() +
        ": write a segmentation as .seg.nrrd (3D Slicer), .nii.gz, .nii or .nrrd (a labelmap and its "
        "label table) or .dcm (DICOM SEG)");
}

std::filesystem::path writeSegmentationFile(const LabelLayer& layer, const Series& ct,
                                            const std::filesystem::path& wanted, bool force,
                                            std::vector<std::string>* notes) {
    switch (segmentationFormatFor(wanted)) {
    case SegmentationFormat::SegNrrd:
        return writeSegNrrdLayer(layer, wanted, force);
    case SegmentationFormat::Labelmap:
        return writeLabelmap(layer, wanted, force, notes);
    case SegmentationFormat::DicomSeg:
        break;
    }
    const SegSpec spec = segSpecOf(layer, ct, wanted);
    std::filesystem::path target = uniqueOutputPath(wanted, force);
    writeFileAtomically(
        target, [&](const std::filesystem::path& tmp) { writeSegmentation(spec, tmp, target.string()); },
        force);
    return target;
}

} // namespace ctview
