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
    std::printf("\nSeries #%d\n", l.series.series->number);
    for (const auto& [label, value] : describeLines(l.scan, l.series))
        if (!value.empty()) std::printf("  %-20s %s\n", label.c_str(), value.c_str());
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
        json out = describeSeries(l.scan, l.series);
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
