// Measurements and ROIs (measure/measure) against values worked out by hand on known volumes, and `ctview
// measure` on a generated series whose HU are a formula of (i, j, k).
#include "testutil.h"

#include "base/error.h"
#include "measure/measure.h"
#include "volume/slice.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <set>

using namespace ctview;
using namespace ctview::test;

namespace {
// 1 mm voxels (i to L, j to P, k to S) from the origin, HU = 100 on slice k = 2 inside i, j in 4..9 x 3..7,
// else i + 10 j.
Volume known(glm::dvec3 spacing = {1, 1, 2}) {
    Geometry g;
    g.dims = {20, 16, 6};
    g.spacing = spacing;
    g.origin = {10, -5, 100};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < 6; ++k)
        for (int j = 0; j < 16; ++j)
            for (int i = 0; i < 20; ++i)
                v.set(i, j, k, k == 2 && i >= 4 && i <= 9 && j >= 3 && j <= 7 ? 100.0f : float(i + 10 * j));
    return v;
}
glm::dvec3 at(const Volume& v, double i, double j, double k) {
    return v.geometry().voxelToPatient({i, j, k});
}
Annotation shape(AnnotationType t, std::vector<glm::dvec3> points, std::string label = "") {
    return Annotation{t, std::move(points), std::move(label)};
}
} // namespace

TEST_CASE("measure: ROIs count the voxels whose centres lie inside, on the shape's own slice") {
    const Volume v = known({0.5, 0.8, 2.0});
    // A rectangle from voxel centre (4, 3) to (9, 7) on slice 2: 6 x 5 voxels of 100 HU.
    const Measurement r = measure(v, shape(AnnotationType::Rectangle, {at(v, 4, 3, 2), at(v, 9, 7, 2)}), "r");
    CHECK(r.roi.pixels == 30);
    CHECK(r.roi.mean == Approx(100));
    CHECK(r.roi.sd == Approx(0).margin(1e-9));
    CHECK((r.roi.min == 100 && r.roi.max == 100));
    CHECK(r.roi.areaMm2 == Approx(5 * 0.5 * 4 * 0.8));
    CHECK(r.plane == "axial");
    CHECK(r.slice ==
          sliceNumber(sliceFrame(v.geometry(), Axis::Axial), 2)); // numbered as the viewer shows it
    // Drawn from the other corner, the same.
    CHECK(measure(v, shape(AnnotationType::Rectangle, {at(v, 9, 7, 2), at(v, 4, 3, 2)}), "r").roi.pixels ==
          30);
    // Half a voxel off the slice still counts as on it; the box's edge through voxel centres counts as
    // inside.
    CHECK(
        measure(v, shape(AnnotationType::Rectangle, {at(v, 4, 3, 2.4), at(v, 9, 7, 1.6)}), "r").roi.pixels ==
        30);
}

TEST_CASE("measure: a circle, a triangle, a line, an angle and a point against hand counts") {
    const Volume v = known({1, 1, 2});
    // A circle of radius 2 mm about voxel (10, 10) on slice 4: the lattice points with x^2 + y^2 <= 4 are 13.
    const Measurement c = measure(v, shape(AnnotationType::Ellipse, {at(v, 8, 8, 4), at(v, 12, 12, 4)}), "c");
    CHECK(c.roi.pixels == 13);
    CHECK(c.roi.areaMm2 == Approx(M_PI * 4));
    CHECK(c.roi.mean ==
          Approx(10 + 10 * 10)); // i + 10 j is linear: its mean over a symmetric set is the centre's
    // A right triangle with legs of 4 voxels: x, y >= 0, x + y <= 4 holds 15 lattice points; area 8 mm^2.
    const Measurement t =
        measure(v, shape(AnnotationType::Polygon, {at(v, 2, 2, 1), at(v, 6, 2, 1), at(v, 2, 6, 1)}), "t");
    CHECK(t.roi.pixels == 15);
    CHECK(t.roi.areaMm2 == Approx(8));
    CHECK(t.roi.min == 2 + 10 * 2);
    CHECK(t.roi.max == 2 + 10 * 6);
    // A coronal rectangle (j fixed): the plane is found from the shared coordinate.
    const Measurement cor =
        measure(v, shape(AnnotationType::Rectangle, {at(v, 1, 5, 0), at(v, 3, 5, 3)}), "cor");
    CHECK(cor.plane == "coronal");
    CHECK(cor.roi.pixels == 3 * 4);
    CHECK(cor.roi.areaMm2 == Approx(2 * 6));

    const Measurement line = measure(v, shape(AnnotationType::Line, {at(v, 0, 0, 0), at(v, 3, 4, 0)}), "l");
    CHECK(line.lengthMm == Approx(5));
    REQUIRE(line.profile.size() == 6); // every 1 mm from the first point, both ends included
    CHECK(line.profile.front() == 0);
    CHECK(line.profile.back() == 3 + 10 * 4);
    const Measurement angle =
        measure(v, shape(AnnotationType::Angle, {at(v, 5, 0, 0), at(v, 0, 0, 0), at(v, 3, 3, 0)}), "a");
    CHECK(angle.angleDeg == Approx(45));
    const Measurement p = measure(v, shape(AnnotationType::Point, {at(v, 7.3, 5.2, 2.9)}), "p");
    CHECK(p.voxel == glm::ivec3(7, 5, 3));
    CHECK(p.hu == 7 + 10 * 5);
}

TEST_CASE("measure: shapes that leave the volume or lie in no voxel plane are errors naming the annotation") {
    const Volume v = known();
    CHECK_THROWS_WITH(measure(v, shape(AnnotationType::Point, {at(v, 25, 0, 0)}), "annotation 3 (\"far\")"),
                      Catch::Contains("annotation 3 (\"far\")") && Catch::Contains("outside the volume"));
    CHECK_THROWS_WITH(measure(v, shape(AnnotationType::Rectangle, {at(v, 1, 1, 0), at(v, 4, 4, 3)}), "r"),
                      Catch::Contains("do not lie in one axial, coronal or sagittal plane"));
    // A polygon in a tilted plane is measured there (test_mpr.cpp); one past the volume is still an error.
    CHECK(
        measure(v, shape(AnnotationType::Polygon, {at(v, 1, 1, 0), at(v, 5, 1, 1), at(v, 1, 5, 2)}), "tilted")
            .plane == "oblique");
    CHECK_THROWS_WITH(measure(v,
                              shape(AnnotationType::Polygon,
                                    {at(v, 1, 1, 0), at(v, 5, 1, 0), at(v, 5, 5, 0), at(v, 1, 5, 4)}),
                              "bent"),
                      Catch::Contains("bent") && Catch::Contains("do not lie in one plane"));
    CHECK_THROWS_WITH(
        measure(v, shape(AnnotationType::Angle, {at(v, 1, 1, 0), at(v, 1, 1, 0), at(v, 3, 1, 0)}), "a"),
        Catch::Contains("no length"));
}

TEST_CASE("measure cache: measure()'s values for the annotation as it is now, its errors every time") {
    Volume v = known({1, 1, 2});
    MeasureCache cache;
    Annotation box = shape(AnnotationType::Rectangle, {at(v, 4, 3, 2), at(v, 9, 7, 2)});
    CHECK(cache.get(v, box, "r").roi.mean == Approx(100));
    // Moved a voxel to the left: a new value, not the one remembered.
    box.points = {at(v, 3, 3, 2), at(v, 9, 7, 2)};
    const Measurement& moved = cache.get(v, box, "r");
    CHECK(moved.roi.pixels == measure(v, box, "r").roi.pixels);
    CHECK(moved.roi.mean == Approx(measure(v, box, "r").roi.mean));
    CHECK(moved.roi.mean < 100);
    // Another volume with other voxels under the same annotation: its own value.
    Volume other = known({1, 1, 2});
    other.set(3, 3, 2, 1000);
    CHECK(cache.get(other, box, "r").roi.max == 1000);
    CHECK(cache.get(v, box, "r").roi.max == 100);
    // Voxels changed in place: forget() gives the new value.
    v.set(5, 5, 2, -500);
    cache.forget();
    CHECK(cache.get(v, box, "r").roi.min == -500);
    // An error is thrown again on every call, under the name asked for.
    const Annotation far = shape(AnnotationType::Point, {at(v, 25, 0, 0)});
    CHECK_THROWS_WITH(cache.get(v, far, "annotation 3"), Catch::Contains("annotation 3"));
    CHECK_THROWS_WITH(cache.get(v, far, "annotation 3"), Catch::Contains("outside the volume"));
    CHECK_THROWS_WITH(cache.get(v, far, "line"), Catch::Contains("line"));
}

TEST_CASE("annotation files: round trip, a bad entry is named") {
    AnnotationFile f;
    f.series = "1.2.3";
    f.annotations = {shape(AnnotationType::Polygon, {{1, 2, 3}, {4, 5, 6}, {7, 8, 9.5}}, "lesion"),
                     shape(AnnotationType::Point, {{0, 0, 0}})};
    const AnnotationFile back = parseAnnotations(annotationsToJson(f), "x.json");
    CHECK(back.series == "1.2.3");
    REQUIRE(back.annotations.size() == 2);
    CHECK(back.annotations[0].type == AnnotationType::Polygon);
    CHECK(back.annotations[0].points[2] == glm::dvec3(7, 8, 9.5));
    CHECK(back.annotations[0].label == "lesion");
    auto fails = [](const std::string& json) {
        try {
            parseAnnotations(json, "f.json");
        } catch (const DataError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK_THAT(fails("{"), Catch::Contains("f.json: not valid JSON"));
    CHECK_THAT(fails("[]"), Catch::Contains("expected {"));
    CHECK_THAT(fails(R"({"annotations": [{"type": "point", "points": [[0,0,0]]},
                                        {"type": "line", "label": "ruler", "points": [[0,0,0],[1,1,1],[2,2,2]]}]})"),
               Catch::Contains("annotation 2 (\"ruler\"): a line has 2 points, not 3"));
    CHECK_THAT(fails(R"({"annotations": [{"type": "circle", "points": []}]})"),
               Catch::Contains("annotation 1: unknown type \"circle\""));
    CHECK_THAT(fails(R"({"annotations": [{"type": "point", "points": [[0,0]]}]})"),
               Catch::Contains("three numbers"));
    CHECK_THAT(fails(R"({"annotations": [{"type": "polygon", "points": [[0,0,0],[1,0,0]]}]})"),
               Catch::Contains("at least 3 points"));
}

TEST_CASE("ctview measure: the values of a file's annotations on a series, bad files exit 1, usage 2") {
    TempDir dir, out;
    // HU(i, j, k) = i + 3 j + 7 k - 1224 (smallSeries' stored pattern and intercept); LPS = origin + (0.6 i,
    // 0.8 j, 2.5 k) with origin (-10, 20, -30).
    writeSeries(smallSeries(12, 10, 8), dir.path);
    auto lps = [](double i, double j, double k) {
        return "[" + std::to_string(-10 + 0.6 * i) + ", " + std::to_string(20 + 0.8 * j) + ", " +
               std::to_string(-30 + 2.5 * k) + "]";
    };
    const std::filesystem::path file = out.path / "a.json";
    std::ofstream(file) << R"({"series": "", "annotations": [)"
                        << R"({"type": "point", "label": "p", "points": [)" << lps(3, 4, 2) << "]},"
                        << R"({"type": "rectangle", "label": "box", "points": [)" << lps(1, 2, 2) << ","
                        << lps(4, 5, 2) << "]},"
                        << R"({"type": "line", "points": [)" << lps(0, 0, 0) << "," << lps(5, 0, 0) << "]}]}";
    const Run r = run("measure " + q(dir.path) + " --annotations " + q(file) + " --json");
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out.substr(r.out.find('[')));
    REQUIRE(j.size() == 3);
    CHECK(j[0]["hu"] == 3 + 12 + 14 - 1224);
    CHECK(j[1]["pixels"] == 16);
    CHECK(j[1]["mean_hu"].get<double>() == Approx(2.5 + 10.5 + 14 - 1224));
    CHECK(j[1]["min_hu"].get<double>() == 1 + 6 + 14 - 1224);
    CHECK(j[1]["max_hu"].get<double>() == 4 + 15 + 14 - 1224);
    CHECK(j[1]["area_mm2"].get<double>() == Approx(3 * 0.6 * 3 * 0.8));
    CHECK(j[1]["plane"] == "axial");
    CHECK(j[2]["length_mm"].get<double>() == Approx(3.0));
    const Run text = run("measure " + q(dir.path) + " --annotations " + q(file));
    CHECK(text.code == 0);
    CHECK_THAT(text.out, Catch::Contains("1 point \"p\": -1195 HU at voxel (3, 4, 2)") &&
                             Catch::Contains("2 rectangle \"box\" (axial ") && Catch::Contains("16 pixels"));

    std::ofstream(out.path / "bad.json")
        << R"({"annotations": [{"type": "point", "label": "far", "points": [[900, 0, 0]]}]})";
    const Run bad = run("measure " + q(dir.path) + " --annotations " + q(out.path / "bad.json"));
    CHECK(bad.code == 1);
    CHECK_THAT(bad.out,
               Catch::Contains("bad.json: annotation 1 (\"far\")") && Catch::Contains("outside the volume"));
    CHECK(run("measure " + q(dir.path)).code == 2); // --annotations is required
    CHECK(run("measure " + q(dir.path) + " --annotations " + q(out.path / "none.json")).code == 1);
}

TEST_CASE("measuring tools: one row per kind, each with its own key, read and written by its name") {
    std::set<char> keys;
    std::set<std::string> names;
    for (const MeasureTool& t : measureTools()) {
        INFO(t.name);
        CHECK(keys.insert(t.key).second);
        CHECK(names.insert(t.name).second);
        CHECK(&measureTool(t.type) == &t);
        CHECK(std::string(annotationTypeName(t.type)) == t.name);
        // The file format knows it by that name, with as many points as the row says.
        AnnotationFile f;
        f.series = "1.2.3";
        f.annotations.push_back({t.type, std::vector<glm::dvec3>(t.minPoints, glm::dvec3(1, 2, 3)), "x"});
        const AnnotationFile back = parseAnnotations(annotationsToJson(f), "t");
        REQUIRE(back.annotations.size() == 1);
        CHECK(back.annotations[0].type == t.type);
        if (t.minPoints > 1) {
            AnnotationFile fewer = f;
            fewer.annotations[0].points.pop_back();
            CHECK_THROWS_AS(parseAnnotations(annotationsToJson(fewer), "t"), DataError);
        }
    }
    CHECK(names.size() == 6); // every AnnotationType
}

TEST_CASE("a measurement's value reads the same beside its shape, in the panel and in `ctview measure`") {
    Measurement m;
    m.lengthMm = 192.4321;
    m.angleDeg = 35.25;
    m.hu = -106;
    m.roi.mean = 40.06;
    m.roi.sd = 12.04;
    m.roi.areaMm2 = 450.4;
    m.roi.pixels = 12;
    m.plane = "axial";
    for (const MeasureTool& t : measureTools()) {
        const Annotation a{t.type, {}, ""};
        const std::string shown = shortValue(a, m), described = describeMeasurement(a, m);
        INFO(shown << " | " << described);
        if (t.type == AnnotationType::Line || t.type == AnnotationType::Angle ||
            t.type == AnnotationType::Point)
            CHECK(described.find(shown) != std::string::npos);
    }
    CHECK(shortValue({AnnotationType::Line, {}, ""}, m) == "192.43 mm");
    const std::string roi = shortValue({AnnotationType::Ellipse, {}, ""}, m);
    CHECK(roi == "mean 40.1 HU, SD 12.0, 4.50 cm2");
    CHECK(describeMeasurement({AnnotationType::Ellipse, {}, ""}, m).find("(4.50 cm2)") != std::string::npos);
}
