// `ctview info`: the series found, and the chosen series described (text or --json), or every tag (--tags).
#include "app/commands.h"
#include "core/error.h"
#include "core/metadata.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>

namespace ctview::app {

namespace {

using nlohmann::json;

std::string metaOf(const FileHeader& h, const char* key) {
    auto it = h.meta.find(key);
    return it == h.meta.end() ? std::string() : it->second;
}

json seriesListJson(const ScanResult& scan) {
    json list = json::array();
    for (const SeriesInfo& s : scan.series)
        list.push_back({{"number", s.number},
                        {"series_number", s.seriesNumber},
                        {"uid", s.uid},
                        {"description", s.description},
                        {"modality", s.modality},
                        {"slices", s.planes.size()},
                        {"columns", s.columns},
                        {"rows", s.rows},
                        {"slice_thickness_mm", s.thickness},
                        {"default", s.number == scan.defaultSeries},
                        {"note", s.splitNote}});
    return list;
}

json describeJson(const Loaded& l) {
    const FileHeader& h = *l.series.firstHeader;
    const Geometry& g = l.series.volume.geometry();
    const StackPlan& plan = l.series.plan;
    json patient = {{"name", metaOf(h, "PatientName")},     {"id", metaOf(h, "PatientID")},
                    {"sex", metaOf(h, "PatientSex")},       {"age", metaOf(h, "PatientAge")},
                    {"birth_date", metaOf(h, "PatientBirthDate")}};
    json study = {{"date", metaOf(h, "StudyDate")},
                  {"time", metaOf(h, "StudyTime")},
                  {"description", metaOf(h, "StudyDescription")},
                  {"uid", h.studyUID}};
    json windows = json::array();
    for (const WindowPreset& w : fileWindows(h))
        windows.push_back({{"name", w.name}, {"width", w.wl.width}, {"center", w.wl.center}});
    std::set<std::string> syntaxes;
    for (std::size_t f : l.series.series->files) syntaxes.insert(transferSyntaxName(l.scan.headers[f].transferSyntax));
    const auto& fh = l.series.firstHeader->frameHeaders.front();
    json failed = json::array();
    for (const SkippedFile& f : l.series.failed) failed.push_back({{"path", f.path.string()}, {"reason", f.reason}});
    return {
        {"patient", patient},
        {"study", study},
        {"series",
         {{"number", l.series.series->number},
          {"series_number", h.seriesNumber},
          {"description", metaOf(h, "SeriesDescription")},
          {"uid", h.seriesUID},
          {"modality", h.modality},
          {"manufacturer", metaOf(h, "Manufacturer")},
          {"model", metaOf(h, "ManufacturerModelName")},
          {"body_part", metaOf(h, "BodyPartExamined")}}},
        {"acquisition",
         {{"kvp", metaOf(h, "KVP")},
          {"exposure_mAs", metaOf(h, "Exposure")},
          {"tube_current_mA", metaOf(h, "XRayTubeCurrent")},
          {"convolution_kernel", metaOf(h, "ConvolutionKernel")}}},
        {"image",
         {{"columns", g.dims.x},
          {"rows", g.dims.y},
          {"slices", g.dims.z},
          {"acquired_slices", plan.order.size()},
          {"pixel_spacing_mm", {g.spacing.x, g.spacing.y}},
          {"slice_thickness_mm", fh.sliceThickness},
          {"measured_step_mm", plan.measuredStep},
          {"volume_spacing_mm", {g.spacing.x, g.spacing.y, g.spacing.z}},
          {"origin_lps_mm", {g.origin.x, g.origin.y, g.origin.z}},
          {"direction_lps", {{g.direction[0].x, g.direction[0].y, g.direction[0].z},
                             {g.direction[1].x, g.direction[1].y, g.direction[1].z},
                             {g.direction[2].x, g.direction[2].y, g.direction[2].z}}},
          {"orientation", orientationLabel(fh.orientation)},
          {"orientation_cosines", fh.orientation},
          {"resampled", plan.resample},
          {"scalar_type", l.series.volume.type() == ScalarType::Int16 ? "int16" : "float32"},
          {"photometric", h.photometric},
          {"decoder", l.series.decodedNatively ? "native" : "gdcm"},
          {"hu_range", {l.series.minHU, l.series.maxHU}}}},
        {"window_presets", windows},
        {"transfer_syntaxes", syntaxes},
        {"warnings", l.series.warnings},
        {"failed_files", failed},
    };
}

void printText(const Loaded& l) {
    const ScanResult& scan = l.scan;
    std::printf("%s\n", scan.summary().c_str());
    for (const std::string& p : scan.problems) std::printf("  problem: %s\n", p.c_str());
    std::printf("\nSeries:\n");
    std::printf("  %3s %6s  %-32s %-5s %6s  %-9s %s\n", "#", "number", "description", "mod", "slices", "size",
                "thickness");
    for (const SeriesInfo& s : scan.series) {
        char size[32];
        std::snprintf(size, sizeof size, "%dx%d", s.columns, s.rows);
        std::printf("%s %3d %6d  %-32.32s %-5s %6zu  %-9s %.2f mm%s\n", s.number == l.series.series->number ? "*" : " ",
                    s.number, s.seriesNumber, s.description.c_str(), s.modality.c_str(), s.planes.size(), size,
                    s.thickness, s.splitNote.empty() ? "" : "  (split: different orientation or size)");
    }
    const json d = describeJson(l);
    auto line = [](const char* label, const std::string& value) {
        if (!value.empty()) std::printf("  %-20s %s\n", label, value.c_str());
    };
    auto s = [](const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
    std::printf("\nSeries #%d\n", l.series.series->number);
    // Labelled parts of a line, leaving out what the file does not have.
    auto parts = [&](std::initializer_list<std::pair<const char*, json>> items) {
        std::string out;
        for (const auto& [label, value] : items) {
            const std::string v = s(value);
            if (v.empty()) continue;
            out += (out.empty() ? "" : "  ") + (*label ? std::string(label) + " " : std::string()) + v;
        }
        return out;
    };
    const json& p = d["patient"];
    line("Patient", parts({{"", p["name"]}, {"ID", p["id"]}, {"sex", p["sex"]}, {"age", p["age"]}, {"born", p["birth_date"]}}));
    line("Study", parts({{"", d["study"]["date"]}, {"", d["study"]["time"]}, {"", d["study"]["description"]}}));
    line("Series", parts({{"", std::to_string(d["series"]["series_number"].get<int>())}, {"", d["series"]["description"]}}));
    line("Modality", parts({{"", d["series"]["modality"]}, {"", d["series"]["manufacturer"]}, {"", d["series"]["model"]},
                            {"body part", d["series"]["body_part"]}}));
    const json& a = d["acquisition"];
    line("Acquisition", parts({{"kVp", a["kvp"]}, {"exposure (mAs)", a["exposure_mAs"]}, {"tube current (mA)", a["tube_current_mA"]},
                               {"kernel", a["convolution_kernel"]}}));
    const Geometry& g = l.series.volume.geometry();
    const StackPlan& plan = l.series.plan;
    char buf[512];
    std::snprintf(buf, sizeof buf, "%d x %d x %d%s", g.dims.x, g.dims.y, g.dims.z,
                  plan.resample ? "  (resampled)" : "");
    line("Size", buf);
    const double thickness = d["image"]["slice_thickness_mm"].get<double>();
    char thick[32] = "not given";
    if (thickness > 0) std::snprintf(thick, sizeof thick, "%.4g mm", thickness);
    std::snprintf(buf, sizeof buf, "%.4g x %.4g mm pixels; thickness %s; step %.4g mm %s", g.spacing.x, g.spacing.y,
                  thick, plan.measuredStep,
                  plan.orderedByInstance ? "(no positions: assumed)" : "measured from positions");
    line("Spacing", buf);
    const auto& o = l.series.firstHeader->frameHeaders.front().orientation;
    std::snprintf(buf, sizeof buf, "%s  (%.4g %.4g %.4g / %.4g %.4g %.4g)", orientationLabel(o).c_str(), o[0], o[1],
                  o[2], o[3], o[4], o[5]);
    line("Orientation", buf);
    std::snprintf(buf, sizeof buf, "(%.3f, %.3f, %.3f) mm LPS", g.origin.x, g.origin.y, g.origin.z);
    line("Origin", buf);
    std::snprintf(buf, sizeof buf, "%g .. %g HU (%s)", double(l.series.minHU), double(l.series.maxHU),
                  l.series.volume.type() == ScalarType::Int16 ? "int16" : "float32");
    line("Values", buf);
    std::string windows;
    for (const auto& w : d["window_presets"])
    {
        char wl[64];
        std::snprintf(wl, sizeof wl, "%g/%g", w["width"].get<double>(), w["center"].get<double>());
        windows += (windows.empty() ? "" : ", ") + s(w["name"]) + " " + wl;
    }
    line("Window presets", windows.empty() ? "none in the file" : windows);
    std::string ts;
    for (const auto& t : d["transfer_syntaxes"]) ts += (ts.empty() ? "" : ", ") + s(t);
    line("Transfer syntax", ts);
    if (l.series.warnings.empty()) line("Warnings", "none");
    for (const std::string& w : l.series.warnings) line("Warning", w);
}

} // namespace

int runInfo(const CommonOptions& common, const InfoOptions& info) {
    CommonOptions quietCommon = common;
    quietCommon.quiet = true; // warnings are part of the output here
    Loaded l = scanAndLoad(quietCommon);
    if (info.tags) {
        // A file given on the command line is the one dumped; for a folder, the series' first slice.
        const std::filesystem::path file =
            std::filesystem::is_regular_file(common.input) ? std::filesystem::path(common.input) : l.series.firstFile;
        const auto tags = dumpTags(file);
        if (info.json) {
            json arr = json::array();
            for (const TagEntry& t : tags)
                arr.push_back({{"depth", t.depth}, {"tag", t.tag}, {"vr", t.vr}, {"name", t.name}, {"value", t.value}});
            std::cout << json({{"file", file.string()}, {"tags", arr}})
                             .dump(2, ' ', false, json::error_handler_t::replace)
                      << "\n";
        } else {
            std::printf("%s\n", file.string().c_str());
            for (const TagEntry& t : tags)
                std::printf("%*s%-12s %-2s %-36s %s\n", t.depth * 2, "", t.tag.c_str(), t.vr.c_str(), t.name.c_str(),
                            t.value.c_str());
        }
        return 0;
    }
    if (info.json) {
        json out = describeJson(l);
        out["input"] = l.scan.input.string();
        out["summary"] = l.scan.summary();
        out["series_list"] = seriesListJson(l.scan);
        json skipped = json::array();
        for (const SkippedFile& f : l.scan.skipped) skipped.push_back({{"path", f.path.string()}, {"reason", f.reason}});
        out["skipped"] = skipped;
        out["problems"] = l.scan.problems;
        std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
        return 0;
    }
    printText(l);
    return 0;
}

} // namespace ctview::app
