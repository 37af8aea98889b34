// `ctview measure`: the values of every annotation in a file on the series, through measure/measure (the code
// the window will show them with).
#include "app/subcommands.h"
#include "base/error.h"
#include "measure/measure.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace ctview::app {

int runMeasure(const CommonOptions& common, const MeasureOptions& o) {
    const AnnotationFile file = loadAnnotationFile(o.annotations); // a bad file fails before the load
    Loaded l = openAndLoad(common);
    const std::string& uid = l.series.about.listing.uid;
    if (!file.series.empty() && !uid.empty() && file.series != uid && !common.quiet)
        std::fprintf(stderr, "ctview: %s: the annotations are for series %s; measuring %s\n",
                     o.annotations.c_str(), file.series.c_str(), uid.c_str());
    std::vector<Measurement> values;
    for (std::size_t n = 0; n < file.annotations.size(); ++n) {
        const Annotation& a = file.annotations[n];
        values.push_back(measure(l.series.volume, a, o.annotations + ": " + annotationName(n + 1, a.label)));
    }
    // A value read on a slice the resampling interpolated (no acquired image there) says so.
    auto interpolated = [&](const Annotation& a) {
        return touchesSlices(l.series.volume.geometry(), a, l.series.interpolatedSlices);
    };
    if (!o.json) {
        for (std::size_t n = 0; n < values.size(); ++n)
            std::printf("%zu %s%s\n", n + 1, describeMeasurement(file.annotations[n], values[n]).c_str(),
                        interpolated(file.annotations[n]) ? kOnInterpolated : "");
        return 0;
    }
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t n = 0; n < values.size(); ++n) {
        const Annotation& a = file.annotations[n];
        const Measurement& m = values[n];
        nlohmann::ordered_json j = {
            {"index", n + 1}, {"type", annotationTypeName(a.type)}, {"label", a.label}};
        switch (a.type) {
        case AnnotationType::Line:
            j["length_mm"] = m.lengthMm;
            j["profile_step_mm"] = m.profileStepMm;
            j["profile_hu"] = m.profile;
            break;
        case AnnotationType::Angle:
            j["angle_deg"] = m.angleDeg;
            break;
        case AnnotationType::Point:
            j["hu"] = m.hu;
            j["voxel"] = {m.voxel.x, m.voxel.y, m.voxel.z};
            break;
        default:
            j["plane"] = m.plane;
            j["slice"] = m.slice;
            j["pixels"] = m.roi.pixels;
            if (m.roi.pixels > 0) {
                j["mean_hu"] = m.roi.mean;
                j["sd_hu"] = m.roi.sd;
                j["min_hu"] = m.roi.min;
                j["max_hu"] = m.roi.max;
            }
            j["area_mm2"] = m.roi.areaMm2;
        }
        j["interpolated_slice"] = interpolated(a);
        out.push_back(j);
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

} // namespace ctview::app
