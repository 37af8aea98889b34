#include "sources/metadata.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

namespace ctview {

std::string orientationLabel(const std::array<double, 6>& o) {
    const double nx = o[1] * o[5] - o[2] * o[4], ny = o[2] * o[3] - o[0] * o[5],
                 nz = o[0] * o[4] - o[1] * o[3];
    const double len = std::sqrt(nx * nx + ny * ny + nz * nz);
    if (len < 1e-6)
        return "unknown";
    const double c = std::cos(10.0 * M_PI / 180.0);
    if (std::abs(nz) / len >= c)
        return "axial";
    if (std::abs(ny) / len >= c)
        return "coronal";
    if (std::abs(nx) / len >= c)
        return "sagittal";
    return "oblique";
}

nlohmann::json describeSeries(const Series& series) {
    const Provenance& p = series.about;
    const Geometry& g = series.volume.geometry();
    using nlohmann::json;
    auto f = [&](const char* keyword) { return p.field(keyword); };
    json patient = {{"name", f("PatientName")},
                    {"id", f("PatientID")},
                    {"sex", f("PatientSex")},
                    {"age", f("PatientAge")},
                    {"birth_date", f("PatientBirthDate")}};
    json study = {{"date", f("StudyDate")},
                  {"time", f("StudyTime")},
                  {"description", f("StudyDescription")},
                  {"uid", p.studyUid}};
    json windows = json::array();
    for (const WindowPreset& w : p.windows)
        windows.push_back({{"name", w.name}, {"width", w.wl.width}, {"center", w.wl.center}});
    json failed = json::array();
    for (const SkippedFile& sf : series.failed)
        failed.push_back({{"path", sf.path.string()}, {"reason", sf.reason}});
    return {
        {"source", {{"kind", p.source}, {"location", p.location}}},
        {"patient", patient},
        {"study", study},
        {"series",
         {{"number", p.listing.number},
          {"series_number", p.listing.seriesNumber},
          {"description", f("SeriesDescription")},
          {"uid", p.listing.uid},
          {"modality", f("Modality")},
          {"manufacturer", f("Manufacturer")},
          {"model", f("ManufacturerModelName")},
          {"body_part", f("BodyPartExamined")}}},
        {"acquisition",
         {{"kvp", f("KVP")},
          {"exposure_mAs", f("Exposure")},
          {"tube_current_mA", f("XRayTubeCurrent")},
          {"convolution_kernel", f("ConvolutionKernel")}}},
        {"image",
         {{"columns", g.dims.x},
          {"rows", g.dims.y},
          {"slices", g.dims.z},
          {"acquired_slices", p.acquiredSlices},
          {"pixel_spacing_mm", {g.spacing.x, g.spacing.y}},
          {"slice_thickness_mm", p.sliceThickness},
          {"measured_step_mm", p.measuredStep},
          {"volume_spacing_mm", {g.spacing.x, g.spacing.y, g.spacing.z}},
          {"origin_lps_mm", {g.origin.x, g.origin.y, g.origin.z}},
          {"direction_lps",
           {{g.direction[0].x, g.direction[0].y, g.direction[0].z},
            {g.direction[1].x, g.direction[1].y, g.direction[1].z},
            {g.direction[2].x, g.direction[2].y, g.direction[2].z}}},
          {"orientation", orientationLabel(p.orientation)},
          {"orientation_cosines", p.orientation},
          {"resampled", p.resampled},
          {"scalar_type", series.volume.type() == ScalarType::Int16 ? "int16" : "float32"},
          {"photometric", p.photometric},
          {"decoder", p.decoder},
          {"hu_range", {series.minHU, series.maxHU}}}},
        {"phases",
         {{"count", std::max<std::size_t>(1, p.listing.phases)},
          {"shown", std::max(1, p.phase)},
          {"by", p.listing.phaseKey},
          {"values", p.listing.phaseValues}}},
        {"window_presets", windows},
        {"transfer_syntaxes", p.encodings},
        {"warnings", series.warnings},
        {"failed_files", failed},
    };
}

std::vector<std::pair<std::string, std::string>> describeLines(const Series& series) {
    using nlohmann::json;
    std::vector<std::pair<std::string, std::string>> out;
    const json d = describeSeries(series);
    auto line = [&](const char* label, const std::string& value) { out.emplace_back(label, value); };
    auto s = [](const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
    // Labelled parts of a line, leaving out what the file does not have.
    auto parts = [&](std::initializer_list<std::pair<const char*, json>> items) {
        std::string text;
        for (const auto& [label, value] : items) {
            const std::string v = s(value);
            if (v.empty())
                continue;
            text += (text.empty() ? "" : "  ") + (*label ? std::string(label) + " " : std::string()) + v;
        }
        return text;
    };
    const json& p = d["patient"];
    line("Patient", parts({{"", p["name"]},
                           {"ID", p["id"]},
                           {"sex", p["sex"]},
                           {"age", p["age"]},
                           {"born", p["birth_date"]}}));
    // A missing StudyDate (0008,0020) is said, not left out: a reader would take the next field for it.
    const bool dated = d["study"]["date"].is_string() && !d["study"]["date"].get<std::string>().empty();
    line("Study", parts({{"", dated ? d["study"]["date"] : json("(no study date)")},
                         {"", d["study"]["time"]},
                         {"", d["study"]["description"]}}));
    const int seriesNumber = d["series"]["series_number"].get<int>();
    line("Source", parts({{"", d["source"]["kind"]}, {"", d["source"]["location"]}}));
    line("Series", parts({{"", seriesNumber > 0 ? std::to_string(seriesNumber) : std::string()},
                          {"", d["series"]["description"]}}));
    line("Modality", parts({{"", d["series"]["modality"]},
                            {"", d["series"]["manufacturer"]},
                            {"", d["series"]["model"]},
                            {"body part", d["series"]["body_part"]}}));
    const json& a = d["acquisition"];
    line("Acquisition", parts({{"kVp", a["kvp"]},
                               {"exposure (mAs)", a["exposure_mAs"]},
                               {"tube current (mA)", a["tube_current_mA"]},
                               {"kernel", a["convolution_kernel"]}}));
    const Geometry& g = series.volume.geometry();
    const Provenance& about = series.about;
    char buf[512];
    std::snprintf(buf, sizeof buf, "%d x %d x %d%s", g.dims.x, g.dims.y, g.dims.z,
                  about.resampled ? "  (resampled)" : "");
    line("Size", buf);
    if (about.listing.phases > 1) {
        // "5 phases x 48 slices by TriggerTime: 0 ms, 100 ms, ...; this is phase 2"
        std::string values;
        for (const std::string& v : about.listing.phaseValues)
            values += (values.empty() ? "" : ", ") + v;
        line("Phases", std::to_string(about.listing.phases) + " phases x " +
                           std::to_string(about.listing.slices) + " slices by " + about.listing.phaseKey +
                           ": " + values + "; this is phase " + std::to_string(std::max(1, about.phase)) +
                           " (--phase N)");
    }
    const double thickness = d["image"]["slice_thickness_mm"].get<double>();
    char thick[32] = "not given";
    if (thickness > 0)
        std::snprintf(thick, sizeof thick, "%.4g mm", thickness);
    std::snprintf(buf, sizeof buf, "%.4g x %.4g mm pixels; thickness %s; step %.4g mm %s", g.spacing.x,
                  g.spacing.y, thick, about.measuredStep,
                  about.orderedByInstance               ? "(no positions: assumed)"
                  : about.source.rfind("DICOM", 0) == 0 ? "measured from positions"
                                                        : "from the file's geometry");
    line("Spacing", buf);
    const auto& o = about.orientation;
    std::snprintf(buf, sizeof buf, "%s  (%.4g %.4g %.4g / %.4g %.4g %.4g)", orientationLabel(o).c_str(), o[0],
                  o[1], o[2], o[3], o[4], o[5]);
    line("Orientation", buf);
    std::snprintf(buf, sizeof buf, "(%.3f, %.3f, %.3f) mm LPS", g.origin.x, g.origin.y, g.origin.z);
    line("Origin", buf);
    std::snprintf(buf, sizeof buf, "%g .. %g HU (%s)", double(series.minHU), double(series.maxHU),
                  series.volume.type() == ScalarType::Int16 ? "int16" : "float32");
    line("Values", buf);
    std::string windows;
    for (const auto& w : d["window_presets"]) {
        char wl[64];
        std::snprintf(wl, sizeof wl, "%g/%g", w["width"].get<double>(), w["center"].get<double>());
        windows += (windows.empty() ? "" : ", ") + s(w["name"]) + " " + wl;
    }
    if (windows.empty()) {
        // What the viewer and `--window file` then use (initialWindow), said so that a reader knows.
        const WindowLevel automatic = initialWindow(series);
        char wl[96];
        std::snprintf(wl, sizeof wl, "none in the file (opens in the automatic window %.0f/%.0f)",
                      automatic.width, automatic.center);
        windows = wl;
    }
    line("Window presets", windows);
    std::string ts;
    for (const auto& t : d["transfer_syntaxes"])
        ts += (ts.empty() ? "" : ", ") + s(t);
    line(about.source.rfind("DICOM", 0) == 0 ? "Transfer syntax" : "Encoding", ts);
    if (series.warnings.empty())
        line("Warnings", "none");
    for (const std::string& w : series.warnings)
        line("Warning", w);
    return out;
}

} // namespace ctview
