// `ctview measure`: the values of every annotation in a file on the series, through measure/measure (the code
// the window will show them with).
#include "app/subcommands.h"
#include "base/error.h"
#include "measure/measure.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace ctview::app {

namespace {

// The annotations a time-density curve is made of: ROIs (their mean) and points (their voxel).
bool overTime(const Annotation& a) {
    return a.type != AnnotationType::Line && a.type != AnnotationType::Angle;
}

// `ctview measure --over phases`: each ROI's mean HU (and each point's HU) at every phase of the 4D series,
// each phase loaded in turn from the source already open (one phase in memory at a time).
int measureOverPhases(const CommonOptions& common, const MeasureOptions& o, const AnnotationFile& file,
                      Loaded& l) {
    // The source's row: the phases' key and values (the loaded series' own copy is of one phase).
    const SeriesListing listing = l.source->pick(common.series);
    if (listing.phases < 2)
        throw DataError(common.input + ": series " + std::to_string(listing.number) +
                        " is not a 4D series (one volume): --over phases needs several phases");
    struct Curve {
        std::vector<Measurement> values; // per phase
    };
    std::vector<Curve> curves(file.annotations.size());
    for (std::size_t p = 1; p <= listing.phases; ++p) {
        LoadOptions options = loadOptionsFor(common);
        options.phase = int(p);
        const Series phase =
            int(p) == l.series.about.phase ? std::move(l.series) : l.source->load(listing.number, options);
        for (std::size_t n = 0; n < file.annotations.size(); ++n)
            if (overTime(file.annotations[n]))
                curves[n].values.push_back(
                    measure(phase.volume, file.annotations[n],
                            o.annotations + ": " + annotationName(n + 1, file.annotations[n].label)));
    }
    auto valueOf = [](const Annotation& a, const Measurement& m) {
        return a.type == AnnotationType::Point ? m.hu : m.roi.mean;
    };
    auto when = [&](std::size_t p) {
        return p < listing.phaseValues.size() ? listing.phaseValues[p] : "phase " + std::to_string(p + 1);
    };
    if (!o.json) {
        std::printf("%zu phases by %s\n", listing.phases, listing.phaseKey.c_str());
        for (std::size_t n = 0; n < file.annotations.size(); ++n) {
            const Annotation& a = file.annotations[n];
            if (!overTime(a))
                continue;
            std::printf("%zu %s \"%s\" %s:", n + 1, annotationTypeName(a.type), a.label.c_str(),
                        a.type == AnnotationType::Point ? "HU" : "mean HU");
            for (std::size_t p = 0; p < curves[n].values.size(); ++p)
                std::printf("%s %s %.1f", p ? "," : "", when(p).c_str(), valueOf(a, curves[n].values[p]));
            std::printf("\n");
        }
        return 0;
    }
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t n = 0; n < file.annotations.size(); ++n) {
        const Annotation& a = file.annotations[n];
        if (!overTime(a))
            continue;
        nlohmann::ordered_json phases = nlohmann::ordered_json::array();
        for (std::size_t p = 0; p < curves[n].values.size(); ++p) {
            const Measurement& m = curves[n].values[p];
            nlohmann::ordered_json j = {{"phase", p + 1}, {listing.phaseKey, when(p)}};
            if (a.type == AnnotationType::Point) {
                j["hu"] = m.hu;
            } else {
                j["pixels"] = m.roi.pixels;
                j["mean_hu"] = m.roi.mean;
                j["sd_hu"] = m.roi.sd;
            }
            phases.push_back(j);
        }
        out.push_back(
            {{"index", n + 1}, {"type", annotationTypeName(a.type)}, {"label", a.label}, {"phases", phases}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

} // namespace

int runMeasure(const CommonOptions& common, const MeasureOptions& o) {
    const AnnotationFile file = loadAnnotationFile(o.annotations); // a bad file fails before the load
    Loaded l = openAndLoad(common);
    if (o.overPhases)
        return measureOverPhases(common, o, file, l);
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
