// `ctview segments`: every segment of the series' label layers (--labels), measured on the CT with the code
// the Segments panel uses (labels/label_layer.h measureSegments): voxels, volume, HU statistics, box.
#include "app/headless.h"
#include "app/subcommands.h"
#include "base/error.h"
#include "base/text.h"
#include "labels/label_layer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace ctview::app {

namespace {

nlohmann::ordered_json rgb255(glm::vec3 c) {
    auto byte = [](float v) { return int(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); };
    return {byte(c.r), byte(c.g), byte(c.b)};
}

nlohmann::ordered_json lps(glm::dvec3 p) {
    return {p.x, p.y, p.z};
}

void printTable(const LabelLayer& layer, const std::vector<SegmentStats>& stats) {
    std::printf("%s (%s): %zu segment%s\n", layer.name.c_str(), layer.kind.c_str(), layer.segments.size(),
                layer.segments.size() == 1 ? "" : "s");
    for (const std::string& note : layer.notes)
        std::printf("  note: %s\n", note.c_str());
    for (const std::string& problem : layer.problems)
        std::printf("  problem: %s\n", problem.c_str());
    if (layer.segments.empty())
        return;
    std::size_t nameWidth = 4;
    for (const Segment& s : layer.segments)
        nameWidth = std::max(nameWidth, s.name.size());
    std::printf("  %5s  %-*s  %10s  %10s  %8s  %7s  %7s  %7s  %s\n", "#", int(nameWidth), "name", "voxels",
                "volume mL", "HU mean", "SD", "min", "max", "box LPS mm");
    for (std::size_t i = 0; i < layer.segments.size(); ++i) {
        const Segment& s = layer.segments[i];
        const SegmentStats& st = stats[i];
        std::printf("  %5d  %-*s  %10zu  %10.3f", s.number, int(nameWidth), s.name.c_str(), st.voxels,
                    st.volumeMl);
        if (st.voxels == 0) {
            std::printf("  (empty)\n");
            continue;
        }
        std::printf("  %8.1f  %7.1f  %7.0f  %7.0f  (%.1f, %.1f, %.1f) .. (%.1f, %.1f, %.1f)\n", st.mean,
                    st.sd, double(st.min), double(st.max), st.bboxMin.x, st.bboxMin.y, st.bboxMin.z,
                    st.bboxMax.x, st.bboxMax.y, st.bboxMax.z);
    }
}

} // namespace

int runSegments(const CommonOptions& common, const SegmentsOptions& o) {
    const std::shared_ptr<Dataset> d = loadDatasetHeadless(common, false);
    if (d->labels.empty())
        throw DataError(common.input +
                        ": no segmentation of this series found beside it; give one with --labels FILE");
    nlohmann::ordered_json layers = nlohmann::ordered_json::array(),
                           segments = nlohmann::ordered_json::array();
    for (const auto& layer : d->labels) {
        const std::vector<SegmentStats>& stats = layer->stats; // measured by the load
        if (!o.json) {
            printTable(*layer, stats);
            continue;
        }
        layers.push_back({{"name", layer->name},
                          {"path", layer->path},
                          {"kind", layer->kind},
                          {"notes", layer->notes},
                          {"problems", layer->problems},
                          {"groups", layer->groups.size()},
                          {"bit_groups", layer->bitGroupCount()},
                          {"bytes", layer->bytes()}});
        for (std::size_t i = 0; i < layer->segments.size(); ++i) {
            const Segment& s = layer->segments[i];
            const SegmentStats& st = stats[i];
            nlohmann::ordered_json j = {{"layer", layer->name}, {"number", s.number},
                                        {"name", s.name},       {"color", rgb255(s.color)},
                                        {"voxels", st.voxels},  {"volume_ml", st.volumeMl}};
            if (st.voxels > 0) {
                j["hu"] = {{"mean", st.mean}, {"sd", st.sd}, {"min", st.min}, {"max", st.max}};
                j["bbox_lps"] = {lps(st.bboxMin), lps(st.bboxMax)};
            } else {
                j["hu"] = nullptr;
                j["bbox_lps"] = nullptr;
            }
            segments.push_back(j);
        }
    }
    if (o.json) // problems: the segmentations found or given that could not be shown, as `info` says them
        std::printf(
            "%s\n",
            nlohmann::ordered_json{{"layers", layers}, {"segments", segments}, {"problems", d->labelNotes}}
                .dump(2)
                .c_str());
    return 0;
}

} // namespace ctview::app
