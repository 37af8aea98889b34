// `ctview info`: the series found, and the chosen series described (text or --json), or every tag (--tags).
#include "app/headless.h"
#include "app/subcommands.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "dicomweb/dicomweb.h" // the cache (ctview cache)
#include "sources/archive.h"
#include "sources/metadata.h"

#include <nlohmann/json.hpp>

#include <algorithm>

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
                        {"phases", std::max<std::size_t>(1, s.phases)},
                        {"columns", s.columns},
                        {"rows", s.rows},
                        {"slice_thickness_mm", s.thickness},
                        {"default", s.number == source.defaultSeries()},
                        {"patient_name", s.patientName},
                        {"study_date", s.studyDate},
                        {"note", s.note}});
    return list;
}

// A table cell `width` characters wide: the text padded, or cut with "…" where it is longer. Never cut
// silently: a cut ID would read as another valid ID (Pancreas-CT-CB_001 as Pancreas-CT-CB_0); `--json` has
// the whole value, and identifiers get columns as wide as their longest value.
std::string cell(const std::string& text, std::size_t width) {
    if (text.size() <= width)
        return text + std::string(width - text.size(), ' ');
    const std::string kept = utf8Prefix(text, width - 1);
    return kept + "…" + std::string(width - 1 - kept.size(), ' ');
}

// The segmentations of the series (found beside it, or given with --labels): each file's kind and segments,
// what its load said, and the files that could not be opened or belong to another series.
void printSegmentations(const Dataset& d) {
    if (d.labels.empty() && d.labelNotes.empty())
        return;
    std::printf("\nSegmentations\n");
    for (const auto& layer : d.labels) {
        std::vector<std::string> names;
        for (const Segment& s : layer->segments)
            names.push_back(s.name);
        std::printf("  %s (%s): %zu %s: %s\n", layer->name.c_str(), layer->kind.c_str(),
                    layer->segments.size(), layer->segments.size() == 1 ? "segment" : "segments",
                    joined(names, ", ").c_str());
        for (const std::string& note : layer->notes)
            std::printf("    %s\n", note.c_str());
        for (const std::string& problem : layer->problems)
            std::printf("    problem: %s\n", problem.c_str());
    }
    for (const std::string& note : d.labelNotes)
        std::printf("  %s\n", note.c_str());
}

json segmentationsJson(const Dataset& d) {
    json layers = json::array();
    for (const auto& layer : d.labels) {
        json segments = json::array();
        for (const Segment& s : layer->segments)
            segments.push_back({{"number", s.number}, {"name", s.name}});
        layers.push_back({{"name", layer->name},
                          {"path", layer->path},
                          {"kind", layer->kind},
                          {"segments", segments},
                          {"notes", layer->notes},
                          {"problems", layer->problems}});
    }
    return {{"layers", layers}, {"problems", d.labelNotes}};
}

void printText(const SeriesSource& source, const Series& series) {
    std::printf("%s\n", source.summary().c_str());
    for (const std::string& p : source.problems())
        std::printf("  problem: %s\n", p.c_str());
    std::printf("\nSeries:\n");
    std::printf("  %3s %6s  %s %s %-5s %6s  %-9s %s\n", "#", "number", cell("patient", 20).c_str(),
                cell("description", 32).c_str(), "mod", "slices", "size", "thickness");
    const int chosen = series.about.listing.number;
    for (const SeriesListing& listed : source.series()) {
        // An archive's listing knows the size only once the instances are asked for: the loaded series'
        // fills its own row (the table then agrees with the lines below), the others show "-".
        const SeriesListing& s = listed;
        const bool isChosen = s.number == chosen;
        glm::ivec3 dims{s.columns, s.rows, 0};
        double thick = s.thickness;
        std::string patient = s.patientName; // a listing from the cache, offline, has none
        if (isChosen && dims.x == 0) {
            dims = series.volume.geometry().dims;
            thick = series.about.sliceThickness;
        }
        if (isChosen && patient.empty())
            patient = series.about.field("PatientName");
        const std::string note = !s.note.empty() ? "  (split: different orientation or size)"
                                 : s.phases > 1  ? "  (" + std::to_string(s.phases) + " phases x " +
                                                      std::to_string(s.slices) + " slices)"
                                                : "";
        char size[32] = "-", thickness[32] = "-";
        if (dims.x > 0)
            std::snprintf(size, sizeof size, "%dx%d", dims.x, dims.y);
        if (thick > 0)
            std::snprintf(thickness, sizeof thickness, "%.2f mm", thick);
        std::printf("%s %3d %6d  %s %s %-5s %6zu  %-9s %s%s\n", isChosen ? "*" : " ", listed.number,
                    s.seriesNumber, cell(patient, 20).c_str(), cell(s.description, 32).c_str(),
                    s.modality.c_str(), s.slices, size, thickness, note.c_str());
    }
    std::printf("\nSeries #%d\n", chosen);
    for (const auto& [label, value] : describeLines(series))
        if (!value.empty())
            std::printf("  %-20s %s\n", label.c_str(), value.c_str());
}

// An archive's root (DICOMweb or DIMSE): its studies (QIDO-RS or C-FIND), filtered.
int listStudies(const CommonOptions& common, const InfoOptions& info) {
    const ArchiveStudies found = findStudies(common.input, info.studies, loadOptionsFor(common));
    const std::vector<StudyRow>& studies = found.studies;
    if (info.json) {
        json list = json::array();
        for (std::size_t n = 0; n < studies.size(); ++n) {
            const StudyRow& s = studies[n];
            list.push_back({{"patient_name", s.patientName},
                            {"patient_id", s.patientId},
                            {"date", s.date},
                            {"description", s.description},
                            {"accession", s.accession},
                            {"modalities", s.modalities},
                            {"series", s.seriesCount},
                            {"images", s.instanceCount},
                            {"uid", s.uid},
                            {"url", found.urls[n]}});
        }
        std::cout << json({{"input", found.root}, {"kind", found.kind}, {"studies", list}})
                         .dump(2, ' ', false, json::error_handler_t::replace)
                  << "\n";
        return 0;
    }
    std::printf("%zu %s on %s\n\n", studies.size(), studies.size() == 1 ? "study" : "studies",
                found.root.c_str());
    std::size_t idWidth = 2; // as wide as the longest PatientID: an identifier is never cut
    for (const StudyRow& s : studies)
        idWidth = std::max(idWidth, s.patientId.size());
    std::printf("%s %s %s %s %s %6s %6s  %s\n", cell("patient", 24).c_str(), cell("id", idWidth).c_str(),
                cell("date", 8).c_str(), cell("description", 28).c_str(), cell("modality", 9).c_str(),
                "series", "images", "StudyInstanceUID");
    for (const StudyRow& s : studies)
        std::printf("%s %s %s %s %s %6d %6d  %s\n", cell(s.patientName, 24).c_str(),
                    cell(s.patientId, idWidth).c_str(), cell(s.date.empty() ? "-" : s.date, 8).c_str(),
                    cell(s.description, 28).c_str(), cell(s.modalities, 9).c_str(), s.seriesCount,
                    s.instanceCount, s.uid.c_str());
    if (!studies.empty())
        std::printf("\nOpen one: ctview %s\n", found.urls.front().c_str());
    return 0;
}

} // namespace

int runInfo(const CommonOptions& common, const InfoOptions& info) {
    const StudyQuery& q = info.studies;
    const bool filters = !q.patientName.empty() || !q.patientId.empty() || !q.accession.empty() ||
                         !q.date.empty() || !q.modality.empty() || q.limit > 0;
    const bool root = isArchiveRoot(common.input);
    if (filters && !root)
        throw UsageError(
            "--patient, --patient-id, --accession, --date, --modality and --limit filter the studies of "
            "an archive's root (a DICOMweb root http[s]://HOST/PATH, or dicom://AE@HOST:PORT)");
    if (root)
        return listStudies(common, info);
    CommonOptions quietCommon = common;
    quietCommon.quiet = true; // warnings are part of the output here
    if (!info.tags) {
        // The series and its segmentations, as the viewer opens them (no 3D view: no statistics for it).
        const std::shared_ptr<Dataset> d = loadDatasetHeadless(quietCommon, false);
        const SeriesSource& source = *d->source;
        if (info.json) {
            json out = describeSeries(d->series);
            out["input"] = source.location();
            out["summary"] = source.summary();
            out["series_list"] = seriesListJson(source);
            json skipped = json::array();
            for (const SkippedFile& f : source.skipped())
                skipped.push_back({{"path", f.path.string()}, {"reason", f.reason}});
            out["skipped"] = skipped;
            out["problems"] = source.problems();
            out["segmentations"] = segmentationsJson(*d);
            std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
            return 0;
        }
        printText(source, d->series);
        printSegmentations(*d);
        return 0;
    }
    Loaded l = openAndLoad(quietCommon);
    {
        // The source says what it lists: the DICOM file given (else the series' first slice), or the volume
        // file's header fields.
        const Provenance& about = l.series.about;
        if (!about.listTags)
            throw DataError(common.input + ": this source has no tags to list");
        const std::string file = about.tagSource;
        const auto tags = about.listTags();
        if (info.json) {
            json arr = json::array();
            for (const TagEntry& t : tags)
                arr.push_back(
                    {{"depth", t.depth}, {"tag", t.tag}, {"vr", t.vr}, {"name", t.name}, {"value", t.value}});
            std::cout
                << json({{"file", file}, {"tags", arr}}).dump(2, ' ', false, json::error_handler_t::replace)
                << "\n";
        } else {
            std::printf("%s\n", file.c_str());
            for (const TagEntry& t : tags) {
                if (t.tag.empty())
                    std::printf("%-24s %s\n", t.name.c_str(), t.value.c_str()); // a volume file's field
                else
                    std::printf("%*s%-12s %-2s %-36s %s\n", t.depth * 2, "", t.tag.c_str(), t.vr.c_str(),
                                t.name.c_str(), t.value.c_str());
            }
        }
        return 0;
    }
}

} // namespace ctview::app

namespace ctview::app {

int runCache(bool list, bool clear) {
    const std::filesystem::path root = dicomWebCacheRoot();
    if (clear) {
        const auto all = listCache();
        for (const CachedSeries& c : all)
            removeCachedSeries(c.folder);
        std::printf("removed %zu cached series from %s\n", all.size(), root.string().c_str());
        return 0;
    }
    (void)list; // listing is the default
    const auto all = listCache();
    std::uint64_t total = 0;
    for (const CachedSeries& c : all)
        total += c.bytes;
    std::printf("%s: %zu series, %s (limit %s; CTVIEW_CACHE_LIMIT_MB changes it)\n", root.string().c_str(),
                all.size(), humanBytes(total).c_str(), humanBytes(cacheLimitBytes()).c_str());
    for (const CachedSeries& c : all)
        std::printf("  %-26s %s/%s  %zu images  %s%s\n", c.server.c_str(), c.study.c_str(), c.series.c_str(),
                    c.files, humanBytes(c.bytes).c_str(), c.complete ? "" : "  (incomplete)");
    return 0;
}

} // namespace ctview::app
