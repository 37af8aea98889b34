// 4D series (issue 31): planes that share positions, told apart by a temporal attribute, grouped into phases
// (dicom/phases.h); each phase loads as a volume of its own, exact; `info` lists them and `convert` writes
// them as one 4D NIfTI/NRRD. The series are written here by GDCM, every plane's value telling its phase,
// position and pixel apart.
#include "testutil.h"

#include "base/error.h"
#include "dicom/loader.h"
#include "dicom/phases.h"
#include "sources/series.h"
#include "viewer/curve_task.h"
#include "viewer/load_task.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

using namespace ctview;
using namespace ctview::test;

namespace {

constexpr int kCols = 6, kRows = 5;

// The HU of pixel (i, j) at position s of phase p: every value different.
int huOf(int i, int j, int s, int p) {
    return (p + 1) * 1000 + s * 50 + j * 8 + i;
}

// A 4D series of `phases` x `slices` planes, one file each, written in an order that is neither phase nor
// position order; `tags(p, s)` gives plane (p, s) its temporal tags. `skip`: planes left out ({p, s}).
SeriesSpec spec4d(int phases, int slices,
                  std::function<std::map<std::string, std::string>(int p, int s)> tags,
                  std::vector<std::pair<int, int>> skip = {}) {
    std::vector<std::pair<int, int>> planes; // (p, s) of file k
    for (int s = slices - 1; s >= 0; --s)
        for (int p = 0; p < phases; ++p)
            if (std::find(skip.begin(), skip.end(), std::make_pair(p, s)) == skip.end())
                planes.emplace_back(p, s);
    SeriesSpec spec = smallSeries(kCols, kRows, int(planes.size()));
    spec.intercept = [](int) { return 0.0; };
    spec.positions.clear();
    for (const auto& [p, s] : planes)
        spec.positions.push_back({-10.0, 20.0, -30.0 + 2.5 * s});
    spec.stored = [planes](int i, int j, int k) {
        const auto& [p, s] = planes[std::size_t(k)];
        return double(huOf(i, j, s, p));
    };
    spec.perSlice = [planes, tags](int k) {
        const auto& [p, s] = planes[std::size_t(k)];
        return tags(p, s);
    };
    return spec;
}

Series loadPhase(const std::filesystem::path& folder, int phase) {
    LoadOptions o = fastOptions();
    o.phase = phase;
    const auto src = openSource(folder.string(), o);
    return src->load(src->pick("").number, o);
}

// Every voxel of phase p (1-based) as written.
void requirePhase(const Series& got, int p, int slices) {
    const Volume& v = got.volume;
    REQUIRE(v.geometry().dims == glm::ivec3(kCols, kRows, slices));
    for (int s = 0; s < slices; ++s)
        for (int j = 0; j < kRows; ++j)
            for (int i = 0; i < kCols; ++i)
                REQUIRE(v.at(i, j, s) == float(huOf(i, j, s, p - 1)));
}

// Phases told apart by TriggerTime, `step` ms apart.
SeriesSpec triggered(int phases, int slices, int step) {
    return spec4d(phases, slices, [step](int p, int) {
        return std::map<std::string, std::string>{{"TriggerTime", std::to_string(p * step)}};
    });
}

} // namespace

TEST_CASE("4D: each temporal attribute tells the phases apart, each phase's volume is exact") {
    struct Case {
        const char* keyword;
        std::function<std::string(int p, int s)> value;
    };
    const std::vector<Case> cases = {
        {"TemporalPositionIdentifier", [](int p, int) { return std::to_string(p + 1); }},
        {"TriggerTime", [](int p, int) { return std::to_string(p * 100); }},
        {"NominalPercentageOfCardiacPhase", [](int p, int) { return std::to_string(p * 25); }},
        {"AcquisitionNumber", [](int p, int) { return std::to_string(p + 3); }},
        // Times that differ from slice to slice within a phase too: the k-th in time at each position.
        {"AcquisitionTime",
         [](int p, int s) { return "1200" + std::to_string(10 + p * 10) + "." + std::to_string(s); }},
        {"ContentTime",
         [](int p, int s) { return "0930" + std::to_string(20 + p * 5) + "." + std::to_string(s * 2); }},
    };
    for (const Case& c : cases) {
        INFO(c.keyword);
        TempDir dir;
        writeSeries(spec4d(3, 4,
                           [&](int p, int s) {
                               return std::map<std::string, std::string>{{c.keyword, c.value(p, s)}};
                           }),
                    dir.path);
        const auto src = openSource(dir.path.string(), fastOptions());
        REQUIRE(src->series().size() == 1);
        const SeriesListing& row = src->series().front();
        CHECK(row.phases == 3);
        CHECK(row.slices == 4);
        CHECK(row.phaseKey == c.keyword);
        for (int p = 1; p <= 3; ++p) {
            const Series got = loadPhase(dir.path, p);
            requirePhase(got, p, 4);
            CHECK(got.about.phase == p);
            CHECK(got.warnings.empty());
        }
        CHECK_THROWS_AS(loadPhase(dir.path, 4), UsageError);
    }
}

TEST_CASE("4D Enhanced CT: one multi-frame file, phases by its per-frame temporal entries, each exact") {
    // The frames of one Enhanced CT file, positions repeating once per phase, told apart by each temporal
    // entry of the per-frame functional groups in turn (FrameContentSequence's TemporalPositionIndex,
    // CardiacSynchronizationSequence's NominalCardiacTriggerDelayTime and NominalPercentageOfCardiacPhase).
    struct Case {
        const char* entry;
        const char* key; // the temporal key it fills
        std::function<std::string(int p)> value;
        std::vector<std::string> shown;
    };
    const std::vector<Case> cases = {
        {"TemporalPositionIndex",
         "TemporalPositionIdentifier",
         [](int p) { return std::to_string(p + 1); },
         {"1", "2", "3"}},
        {"NominalCardiacTriggerDelayTime",
         "TriggerTime",
         [](int p) { return std::to_string(400 - 150 * p); },
         {"100 ms", "250 ms", "400 ms"}},
        {"NominalPercentageOfCardiacPhase",
         "NominalPercentageOfCardiacPhase",
         [](int p) { return std::to_string(10 + 30 * p); },
         {"10 %", "40 %", "70 %"}},
    };
    for (const Case& c : cases) {
        INFO(c.entry);
        TempDir dir;
        SeriesSpec spec = spec4d(3, 4, [&](int p, int) {
            return std::map<std::string, std::string>{{c.entry, c.value(p)}};
        });
        spec.multiFrame = true;
        spec.fileName = [](int) { return std::string("enhanced.dcm"); };
        writeSeries(spec, dir.path);
        const auto src = openSource(dir.path.string(), fastOptions());
        REQUIRE(src->series().size() == 1);
        const SeriesListing& row = src->series().front();
        CHECK(row.phases == 3);
        CHECK(row.slices == 4);
        CHECK(row.phaseKey == c.key);
        CHECK(row.phaseValues == c.shown);
        // Phase n in time order: the trigger delay falls as p rises, so its phase 1 is the frames of p = 2.
        const bool reversed = std::string(c.entry) == "NominalCardiacTriggerDelayTime";
        for (int p = 1; p <= 3; ++p) {
            const Series got = loadPhase(dir.path, p);
            requirePhase(got, reversed ? 4 - p : p, 4);
            CHECK(got.warnings.empty());
        }
    }
}

TEST_CASE("4D: the first attribute that differs at every position wins, values in time order") {
    TempDir dir;
    // AcquisitionNumber the same everywhere, TriggerTime telling the phases apart (given out of order).
    writeSeries(spec4d(3, 2,
                       [](int p, int) {
                           return std::map<std::string, std::string>{
                               {"AcquisitionNumber", "1"}, {"TriggerTime", std::to_string(500 - p * 200)}};
                       }),
                dir.path);
    const auto src = openSource(dir.path.string(), fastOptions());
    const SeriesListing& row = src->series().front();
    CHECK(row.phaseKey == "TriggerTime");
    CHECK(row.phaseValues == std::vector<std::string>{"100 ms", "300 ms", "500 ms"});
    // Phase 1 is the earliest: the planes written as p = 2 (TriggerTime 100).
    requirePhase(loadPhase(dir.path, 1), 3, 2);
    CHECK(phaseValueText(4, 12 * 3600 + 30 * 60 + 5.25) == "12:30:05.25");
}

TEST_CASE("4D: true duplicates keep today's rule, an incomplete phase is loaded and said") {
    {
        TempDir dir; // the same planes twice, nothing temporal between them
        writeSeries(spec4d(2, 3,
                           [](int, int) {
                               return std::map<std::string, std::string>{{"TriggerTime", "0"}};
                           }),
                    dir.path);
        const auto src = openSource(dir.path.string(), fastOptions());
        CHECK(src->series().front().phases == 0);
        const Series got = loadPhase(dir.path, 0);
        CHECK(got.volume.geometry().dims.z == 3);
        CHECK_THAT(got.warnings.front(), Catch::Contains("share a position"));
        CHECK_THROWS_WITH(loadPhase(dir.path, 2), Catch::Contains("has no phases"));
    }
    TempDir dir; // phase 2 lacks position 1
    writeSeries(
        spec4d(3, 4,
               [](int p, int) {
                   return std::map<std::string, std::string>{{"TriggerTime", std::to_string(p * 100)}};
               },
               {{1, 1}}),
        dir.path);
    const auto src = openSource(dir.path.string(), fastOptions());
    CHECK(src->series().front().phases == 3);
    requirePhase(loadPhase(dir.path, 1), 1, 4);
    requirePhase(loadPhase(dir.path, 3), 3, 4);
    const Series two = loadPhase(dir.path, 2);
    bool said = false;
    for (const std::string& w : two.warnings)
        said = said || w.find("phase 2 has images at 3 of the series' 4 positions") != std::string::npos;
    CHECK(said);
}

TEST_CASE("4D: drifting times stay in their phase, a gap shifts nothing, midnight, not 4D stays 3D") {
    const auto tags = [](const char* keyword, std::function<std::string(int, int)> v) {
        return [keyword, v](int p, int s) { return std::map<std::string, std::string>{{keyword, v(p, s)}}; };
    };
    {
        INFO("a trigger time that drifts half a millisecond a slice");
        TempDir dir;
        writeSeries(
            spec4d(3, 4, tags("TriggerTime", [](int p, int s) { return std::to_string(p * 100 + s * 0.5); })),
            dir.path);
        CHECK(openSource(dir.path.string(), fastOptions())->series().front().phases == 3);
        for (int p = 1; p <= 3; ++p)
            requirePhase(loadPhase(dir.path, p), p, 4);
    }
    {
        INFO("acquisition times, phase 2 without position 2: phase 3 keeps its own planes");
        TempDir dir;
        writeSeries(spec4d(3, 6,
                           tags("AcquisitionTime",
                                [](int p, int s) { return "1000" + std::to_string(10 + 20 * p + s); }),
                           {{1, 2}}),
                    dir.path);
        requirePhase(loadPhase(dir.path, 3), 3, 6);
        requirePhase(loadPhase(dir.path, 1), 1, 6);
        // Its own planes where it has them, found by their place in patient space (the gap at position 2
        // is the planner's to fill).
        const Series two = loadPhase(dir.path, 2);
        const Geometry& g = two.volume.geometry();
        int found = 0;
        for (int k = 0; k < g.dims.z; ++k) {
            const double z = g.voxelToPatient({0, 0, k}).z;
            const int s = int(std::lround((z + 30.0) / 2.5));
            if (std::abs(z - (-30.0 + 2.5 * s)) < 1e-6 && s >= 0 && s < 6 && s != 2) {
                CHECK(two.volume.at(0, 0, k) == float(huOf(0, 0, s, 1)));
                ++found;
            }
        }
        CHECK(found == 5);
    }
    {
        INFO("across midnight: the later phase after the earlier");
        TempDir dir;
        writeSeries(spec4d(2, 3,
                           tags("ContentTime",
                                [](int p, int s) {
                                    return p == 0 ? "2359" + std::to_string(50 + s)
                                                  : "00000" + std::to_string(s);
                                })),
                    dir.path);
        const SeriesListing row = openSource(dir.path.string(), fastOptions())->series().front();
        REQUIRE(row.phases == 2);
        CHECK(row.phaseValues.front().rfind("23:59:5", 0) == 0);
        requirePhase(loadPhase(dir.path, 1), 1, 3);
    }
    {
        INFO("one slice written twice, later: a repeated slice, not a phase");
        TempDir dir;
        SeriesSpec spec = spec4d(2, 6, tags("AcquisitionTime", [](int p, int s) {
                                     return "1200" + std::to_string(10 + p * 30 + s);
                                 }));
        // Keep phase 1 whole and one plane of phase 2.
        writeSeries(spec4d(2, 6,
                           tags("AcquisitionTime",
                                [](int p, int s) { return "1200" + std::to_string(10 + p * 30 + s); }),
                           {{1, 0}, {1, 1}, {1, 2}, {1, 4}, {1, 5}}),
                    dir.path);
        const auto src = openSource(dir.path.string(), fastOptions());
        CHECK(src->series().front().phases == 0);
        const Series got = loadPhase(dir.path, 0);
        CHECK(got.volume.geometry().dims.z == 6);
        CHECK_THAT(got.warnings.front(), Catch::Contains("share a position"));
    }
    {
        INFO("a time the file writes wrongly: the file is read, its time unknown");
        TempDir dir;
        writeSeries(spec4d(2, 3,
                           tags("ContentTime",
                                [](int p, int s) {
                                    return s == 1 ? std::string("1200nan") : "12000" + std::to_string(p);
                                })),
                    dir.path);
        const auto src = openSource(dir.path.string(), fastOptions());
        CHECK(src->skipped().empty());
        CHECK(src->series().front().phases == 0); // not every plane has the time: no phases by it
    }
}

TEST_CASE("4D on the command line: info lists the phases, convert writes one 4D file, --phase one phase") {
    TempDir dir;
    writeSeries(
        spec4d(3, 4,
               [](int p, int) {
                   return std::map<std::string, std::string>{{"TriggerTime", std::to_string(p * 100)}};
               }),
        dir.path / "ct");
    const Run text = run("info " + q(dir.path / "ct"));
    CHECK(text.code == 0);
    CHECK_THAT(text.out, Catch::Contains("3 phases x 4 slices") &&
                             Catch::Contains("by TriggerTime: 0 ms, 100 ms, 200 ms; this is phase 1"));
    const auto j = nlohmann::json::parse(run("info --json --phase 2 " + q(dir.path / "ct")).out);
    CHECK(j["series_list"][0]["phases"] == 3);
    CHECK(j["phases"]["count"] == 3);
    CHECK(j["phases"]["shown"] == 2);
    CHECK(run("info --phase 4 " + q(dir.path / "ct")).code == 2);

    // One 4D NIfTI: dim[0] 4, dim[4] 3, the phases one after the other, each equal to --phase N's file.
    for (const std::string ext : {".nii", ".nrrd", ".nii.gz"}) {
        INFO(ext);
        const auto all = dir.path / ("all" + ext);
        const Run converted = run("convert " + q(dir.path / "ct") + " -o " + q(all));
        REQUIRE(converted.code == 0);
        CHECK_THAT(converted.out, Catch::Contains("(3 phases)"));
        // ctview opens it again as a 4D series: each volume a phase, exactly the DICOM phase's voxels.
        const auto back = openSource(all.string(), fastOptions());
        REQUIRE(back->series().size() == 1);
        CHECK(back->series().front().phases == 3);
        CHECK(back->series().front().phaseValues ==
              std::vector<std::string>{"volume 1", "volume 2", "volume 3"});
        for (int p = 1; p <= 3; ++p) {
            LoadOptions o = fastOptions();
            o.phase = p;
            const Series got = back->load(1, o);
            requirePhase(got, p, 4);
            CHECK(got.about.phase == p);
        }
        LoadOptions beyond = fastOptions();
        beyond.phase = 4;
        CHECK_THROWS_WITH(back->load(1, beyond), Catch::Contains("has 3 phases"));
        CHECK_THAT(run("info " + q(all)).out, Catch::Contains("3 phases x 4 slices"));
        if (ext == ".nii.gz")
            continue; // compressed: the same bytes once gunzipped (checked by the Python tests' nibabel)
        std::ifstream in(all, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        const std::size_t header = ext == ".nii" ? 352 : 4096,
                          phaseBytes = std::size_t(kCols * kRows * 4) * 2;
        REQUIRE(bytes.size() == header + 3 * phaseBytes);
        if (ext == ".nii") {
            std::int16_t dim[8];
            std::memcpy(dim, bytes.data() + 40, sizeof dim);
            CHECK(dim[0] == 4);
            CHECK(dim[4] == 3);
        } else {
            CHECK_THAT(bytes.substr(0, 600), Catch::Contains("dimension: 4") &&
                                                 Catch::Contains("sizes: 6 5 4 3") &&
                                                 Catch::Contains("kinds: domain domain domain list"));
        }
        for (int p = 1; p <= 3; ++p) {
            const auto one = dir.path / ("phase" + std::to_string(p) + ext);
            REQUIRE(run("convert --phase " + std::to_string(p) + " " + q(dir.path / "ct") + " -o " + q(one))
                        .code == 0);
            std::ifstream o(one, std::ios::binary);
            const std::string single((std::istreambuf_iterator<char>(o)), {});
            REQUIRE(single.size() == header + phaseBytes);
            CHECK(bytes.compare(header + std::size_t(p - 1) * phaseBytes, phaseBytes, single, header,
                                phaseBytes) == 0);
        }
    }
}

TEST_CASE("4D: measure --over phases gives each ROI's mean and each point's HU at every phase, exactly") {
    TempDir dir;
    writeSeries(triggered(3, 4, 250), dir.path / "ct");
    // Voxel (i, j, s) lies at LPS (-10 + i, 20 + j, -30 + 2.5 s). A point on voxel (2, 3, 1); a rectangle
    // over voxels i 1..3, j 1..2 of slice 2 (their centres on its edges count); a line, which has no curve.
    {
        std::ofstream f(dir.path / "roi.json");
        f << R"({"annotations": [{"type": "point", "points": [[-8.8, 22.4, -27.5]], "label": "p"},
            {"type": "rectangle", "points": [[-9.4, 20.8, -25], [-8.2, 21.6, -25]], "label": "box"},
            {"type": "line", "points": [[-10, 20, -30], [-5, 20, -30]]}]})";
    }
    const Run text = run("measure " + q(dir.path / "ct") + " --annotations " + q(dir.path / "roi.json") +
                         " --over phases");
    INFO(text.out);
    REQUIRE(text.code == 0);
    CHECK_THAT(text.out,
               Catch::Contains("3 phases by TriggerTime") &&
                   Catch::Contains("1 point \"p\" HU: 0 ms 1076.0, 250 ms 2076.0, 500 ms 3076.0") &&
                   Catch::Contains("2 rectangle \"box\" mean HU: 0 ms 1114.0, 250 ms 2114.0, 500 ms 3114.0"));
    CHECK(text.out.find("line") == std::string::npos);
    const auto j = nlohmann::json::parse(run("measure " + q(dir.path / "ct") + " --annotations " +
                                             q(dir.path / "roi.json") + " --over phases --json")
                                             .out);
    REQUIRE(j.size() == 2);
    CHECK(j[1]["label"] == "box");
    CHECK(j[1]["phases"][2]["TriggerTime"] == "500 ms");
    CHECK(j[1]["phases"][2]["pixels"] == 6);
    CHECK(j[1]["phases"][2]["mean_hu"] == 3114.0);
    CHECK(j[0]["phases"][1]["hu"] == 2076.0);

    // A series with one volume: no curve to make, said.
    writeSeries(smallSeries(kCols, kRows, 4), dir.path / "plain");
    const Run plain = run("measure " + q(dir.path / "plain") + " --annotations " + q(dir.path / "roi.json") +
                          " --over phases");
    CHECK(plain.code == 1);
    CHECK_THAT(plain.out, Catch::Contains("not a 4D series"));
}

TEST_CASE("4D: the window's curve over phases loads the phases not kept and measures each, exactly") {
    TempDir dir;
    writeSeries(triggered(3, 4, 250), dir.path / "ct");
    Annotation box; // voxels i 1..3, j 1..2 of slice 2, as in the test above
    box.type = AnnotationType::Rectangle;
    box.points = {{-9.4, 20.8, -25}, {-8.2, 21.6, -25}};
    viewer::LoadTask::Staging staging;
    staging.stats3d = false;
    LoadOptions second = fastOptions();
    second.phase = 2;
    // Phase 2 kept by the window: taken as it is (its voxels are not read again).
    std::map<int, std::shared_ptr<Dataset>> kept{
        {2, viewer::LoadTask::loadNow((dir.path / "ct").string(), "", second, staging)}};
    viewer::CurveTask task((dir.path / "ct").string(), 1, 3, box, kept, fastOptions(), nullptr);
    task.wait();
    std::string error;
    const std::vector<float> curve = task.take(error);
    INFO(error);
    REQUIRE(curve.size() == 3);
    CHECK(curve[0] == 1114.0f);
    CHECK(curve[1] == 2114.0f);
    CHECK(curve[2] == 3114.0f);
    // A measurement outside the volume: no curve, and why.
    Annotation far = box;
    far.points = {{500, 500, -25}, {510, 510, -25}};
    viewer::CurveTask outside((dir.path / "ct").string(), 1, 3, far, {}, fastOptions(), nullptr);
    outside.wait();
    CHECK(outside.take(error).empty());
    CHECK_FALSE(error.empty());
}
