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

json seriesListJson(const SeriesSource& source) {
    json list = json::array();
    for (const SeriesListing& s : source.series())
        list.push_back({{"number", s.number},
                        {"series_number", s.seriesNumber},
                        {"uid", s.uid},
                        {"description", s.description},
                        {"modality", s.modality},
                        {"slices", s.slices},
                        {"columns", s.columns},
                        {"rows", s.rows},
                        {"slice_thickness_mm", s.thickness},
                        {"default", s.number == source.defaultSeries()},
                        {"note", s.note}});
    return list;
}

void printText(const Loaded& l) {
    const SeriesSource& source = *l.source;
    std::printf("%s\n", source.summary().c_str());
    for (const std::string& p : source.problems()) std::printf("  problem: %s\n", p.c_str());
    std::printf("\nSeries:\n");
    std::printf("  %3s %6s  %-32s %-5s %6s  %-9s %s\n", "#", "number", "description", "mod", "slices", "size",
                "thickness");
    const int chosen = l.series.about.listing.number;
    for (const SeriesListing& s : source.series()) {
        char size[32];
        std::snprintf(size, sizeof size, "%dx%d", s.columns, s.rows);
        std::printf("%s %3d %6d  %-32.32s %-5s %6zu  %-9s %.2f mm%s\n", s.number == chosen ? "*" : " ", s.number,
                    s.seriesNumber, s.description.c_str(), s.modality.c_str(), s.slices, size, s.thickness,
                    s.note.empty() ? "" : "  (split: different orientation or size)");
    }
    std::printf("\nSeries #%d\n", chosen);
    for (const auto& [label, value] : describeLines(l.series))
        if (!value.empty()) std::printf("  %-20s %s\n", label.c_str(), value.c_str());
}

} // namespace

int runInfo(const CommonOptions& common, const InfoOptions& info) {
    CommonOptions quietCommon = common;
    quietCommon.quiet = true; // warnings are part of the output here
    Loaded l = openAndLoad(quietCommon);
    if (info.tags) {
        // The source says what it lists: the DICOM file given (else the series' first slice), or the volume
        // file's header fields.
        const Provenance& about = l.series.about;
        if (!about.listTags) throw DataError(common.input + ": this source has no tags to list");
        const std::string file = about.tagSource;
        const auto tags = about.listTags();
        if (info.json) {
            json arr = json::array();
            for (const TagEntry& t : tags)
                arr.push_back({{"depth", t.depth}, {"tag", t.tag}, {"vr", t.vr}, {"name", t.name}, {"value", t.value}});
            std::cout << json({{"file", file}, {"tags", arr}})
                             .dump(2, ' ', false, json::error_handler_t::replace)
                      << "\n";
        } else {
            std::printf("%s\n", file.c_str());
            for (const TagEntry& t : tags) {
                if (t.tag.empty()) std::printf("%-24s %s\n", t.name.c_str(), t.value.c_str()); // a volume file's field
                else
                    std::printf("%*s%-12s %-2s %-36s %s\n", t.depth * 2, "", t.tag.c_str(), t.vr.c_str(),
                                t.name.c_str(), t.value.c_str());
            }
        }
        return 0;
    }
    if (info.json) {
        json out = describeSeries(l.series);
        out["input"] = l.source->location();
        out["summary"] = l.source->summary();
        out["series_list"] = seriesListJson(*l.source);
        json skipped = json::array();
        for (const SkippedFile& f : l.source->skipped()) skipped.push_back({{"path", f.path.string()}, {"reason", f.reason}});
        out["skipped"] = skipped;
        out["problems"] = l.source->problems();
        std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
        return 0;
    }
    printText(l);
    return 0;
}

} // namespace ctview::app
