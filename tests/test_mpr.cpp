// Oblique MPR (issue 12): the turned planes' geometry, HU sampled at oblique positions against formulas, an
// oblique plane through a known structure, the crosshair's line ends turning the views in-process, and the
// GPU's turned view against the CPU's.
#include "golden.h"
#include "testutil.h"
#include "viewer_fixture.h"

#include "app/actions.h"
#include "app/headless.h"
#include "dicom/phantom.h"
#include "measure/measure.h"
#include "viewer/input.h"
#include "viewer/load_task.h"
#include "volume/mpr.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>

using namespace ctview;
using namespace ctview::test;
using viewer::InputFrame;
namespace keycode = viewer::keycode;

namespace {
// HU a linear function of the voxel position, so that trilinear interpolation is exact between voxels: any
// oblique sample has a value known in closed form. Anisotropic voxels and a direction matrix that is not the
// identity (the stack turned 20 degrees about S), so that LPS and voxel space differ.
Volume ramp() {
    Geometry g;
    g.dims = {40, 36, 24};
    g.spacing = {0.8, 0.9, 2.0};
    g.origin = {-20, -15, 40};
    g.direction = rotationAbout({0, 0, 1}, glm::radians(20.0));
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                v.set(i, j, k, float(3 * i - 2 * j + 7 * k - 100));
    return v;
}
double rampAt(glm::dvec3 ijk) {
    return 3 * ijk.x - 2 * ijk.y + 7 * ijk.z - 100;
}
bool near(glm::dvec3 a, glm::dvec3 b, double eps = 1e-9) {
    return glm::length(a - b) <= eps;
}
} // namespace

TEST_CASE("oblique MPR: unturned, the planes and the mapping are the acquired views'") {
    const Volume v = ramp();
    const Geometry& g = v.geometry();
    Mpr m;
    m.centre = g.voxelToPatient({10, 20, 7});
    const Rect cell{100, 50, 400, 300};
    for (Axis axis : {Axis::Axial, Axis::Coronal, Axis::Sagittal}) {
        const SliceFrame f = sliceFrame(g, axis);
        const SlicePlane acquired = acquiredPlane(g, f), turned = viewPlane(g, axis, m);
        INFO(axisName(axis));
        CHECK(near(turned.right, acquired.right));
        CHECK(near(turned.down, acquired.down));
        CHECK(near(turned.normal, acquired.normal));
        CHECK(tiltDegrees(g, axis, m) == Approx(0).margin(1e-9));
        // The normal points towards higher slice numbers (towards the feet, posterior, the patient's left).
        glm::dvec3 next = glm::dvec3(g.dims - 1) * 0.5;
        next[f.nAxis] += f.nFlip ? -1 : 1;
        CHECK(acquired.distance(g.voxelToPatient(next)) == Approx(f.nSpacing));
        // Every voxel centre lands where the acquired mapping puts it, and the shader's map agrees.
        const int slice = int(std::lround(g.patientToVoxel(m.centre)[f.nAxis]));
        const ViewCamera cam{1.7, {3, -4}};
        const ViewMapping exact(f, cell, cam), general(f, turned, g, cell, cam);
        for (glm::ivec3 ijk : {glm::ivec3(0, 0, 0), glm::ivec3(39, 35, 23), glm::ivec3(10, 20, 7)}) {
            ijk[f.nAxis] = slice;
            CHECK(near(glm::dvec3(exact.voxelToScreen(ijk), 0), glm::dvec3(general.voxelToScreen(ijk), 0),
                       1e-6));
        }
        const glm::mat4 a = exact.framebufferToTexture(slice, 2), b = general.obliqueToTexture(2);
        for (int c = 0; c < 4; ++c)
            for (int r = 0; r < 3; ++r)
                CHECK(a[c][r] == Approx(b[c][r]).margin(1e-5));
    }
}

TEST_CASE("oblique MPR: HU at oblique positions are trilinear (nearest with interpolation off), exact on a "
          "linear ramp") {
    const Volume v = ramp();
    const Geometry& g = v.geometry();
    Mpr m;
    m.oblique = true;
    m.rotation = rotationAbout(glm::normalize(glm::dvec3(1, 1, 0.3)), glm::radians(33.0));
    m.centre = g.voxelToPatient({21.3, 17.8, 11.4});
    int outside = 0;
    for (Axis axis : {Axis::Axial, Axis::Coronal, Axis::Sagittal}) {
        const SliceFrame f = sliceFrame(g, axis);
        const SlicePlane p = viewPlane(g, axis, m);
        INFO(axisName(axis));
        // Orthonormal, through the crosshair, and the three views' normals the acquired ones turned.
        CHECK(std::abs(glm::dot(p.right, p.down)) < 1e-12);
        CHECK(std::abs(glm::dot(p.right, p.normal)) < 1e-12);
        CHECK(std::abs(p.distance(m.centre)) < 1e-9);
        CHECK(near(p.normal, m.rotation * acquiredPlane(g, f).normal, 1e-12));
        for (bool linear : {true, false}) {
            const SliceImage img = extractPlane(v, f, p, {}, linear);
            int inside = 0;
            for (int y = 0; y < img.height; ++y)
                for (int x = 0; x < img.width; ++x) {
                    const glm::dvec2 mm =
                        (glm::dvec2(x + 0.5, y + 0.5) - glm::dvec2(img.width, img.height) * 0.5) *
                        img.pixelSize;
                    const glm::dvec3 ijk = g.patientToVoxel(p.at(mm));
                    const float hu = img.hu[std::size_t(y * img.width + x)];
                    const bool in = glm::all(glm::greaterThanEqual(ijk, glm::dvec3(-0.5))) &&
                                    glm::all(glm::lessThan(ijk, glm::dvec3(g.dims) - 0.5));
                    if (!in) {
                        REQUIRE(std::isnan(hu)); // black beyond the volume, as the view shows it
                        ++outside;
                        continue;
                    }
                    ++inside;
                    // Clamped at the faces, as a GL_LINEAR texture with CLAMP_TO_EDGE samples.
                    const glm::dvec3 c = glm::clamp(ijk, glm::dvec3(0.0), glm::dvec3(g.dims - 1));
                    REQUIRE(hu == Approx(linear ? rampAt(c) : rampAt(glm::round(c))).margin(2e-3));
                }
            CHECK(inside > 100);
        }
    }
    CHECK(outside > 0); // a turned plane leaves the box at its corners
}

TEST_CASE("oblique MPR: a plane across a tilted rod shows its circle, the ROI measured there is the rod's") {
    // A rod of 1000 HU, radius 6 mm, along a direction tilted from every voxel axis, in 0 HU.
    Geometry g;
    g.dims = {64, 64, 48};
    g.spacing = {0.7, 0.7, 1.0};
    g.origin = {-22.4, -22.4, -24};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    const glm::dvec3 axisDir = glm::normalize(glm::dvec3(0.4, -0.3, 1.0)), centre = volumeCentre(g);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const glm::dvec3 d = g.voxelToPatient({i, j, k}) - centre;
                v.set(i, j, k, glm::length(d - axisDir * glm::dot(d, axisDir)) <= 6.0 ? 1000.0f : 0.0f);
            }
    // Turn the axial view's normal (S... here towards the feet) onto the rod's axis.
    Mpr m;
    m.oblique = true;
    m.centre = centre;
    const SlicePlane axial0 = acquiredPlane(g, sliceFrame(g, Axis::Axial));
    const glm::dvec3 to = -axisDir; // the axial normal points towards the feet (-S)
    const glm::dvec3 turnAxis = glm::cross(axial0.normal, to);
    m.rotation = rotationAbout(turnAxis, std::asin(glm::length(turnAxis)));
    const SlicePlane p = viewPlane(g, Axis::Axial, m);
    REQUIRE(near(p.normal, to, 1e-9));
    CHECK(tiltDegrees(g, Axis::Axial, m) == Approx(glm::degrees(std::acos(axisDir.z))));
    // The picture: a disc of radius 6 mm about the crosshair (the rod's cross-section is a circle only in
    // this plane; the acquired axial plane cuts an ellipse).
    const SliceImage img = extractPlane(v, sliceFrame(g, Axis::Axial), p, {}, true);
    int bright = 0;
    for (float hu : img.hu)
        bright += hu > 500;
    CHECK(bright * img.pixelSize * img.pixelSize == Approx(M_PI * 36).epsilon(0.08));
    // An ellipse drawn in that view (a polygon of its outline: turned views keep boxes as polygons), radius 4
    // mm: all rod; its area the circle's; measured on the plane's own grid.
    Annotation roi{AnnotationType::Polygon, {}, "rod"};
    for (int n = 0; n < 64; ++n) {
        const double t = 2 * M_PI * n / 64;
        roi.points.push_back(p.at(4.0 * glm::dvec2(std::cos(t), std::sin(t))));
    }
    REQUIRE(liesOnPlane(g, roi, p));
    const Measurement r = measure(v, roi, "rod");
    CHECK(r.plane == "oblique");
    CHECK(r.roi.mean == Approx(1000).margin(1e-3));
    CHECK(r.roi.sd == Approx(0).margin(1e-3));
    CHECK(r.roi.areaMm2 == Approx(64 * std::sin(2 * M_PI / 64) / 2 * 16).epsilon(1e-9));
    CHECK(r.roi.pixels * 0.49 == Approx(r.roi.areaMm2).epsilon(0.1)); // 0.7 mm grid
    // Not on the acquired axial slices: the same shape there would be an ellipse of rod and background.
    CHECK_FALSE(liesOnPlane(g, roi, acquiredPlane(g, sliceFrame(g, Axis::Axial))));
}

namespace {} // namespace

TEST_CASE("viewer input: dragging a crosshair line's end turns the other views about this one's normal, "
          "Shift+R turns them back (issue 12)") {
    ViewerFixture f;
    viewer::AppState& s = f.s;
    const Geometry& g = s.scene.base->series.volume.geometry();
    const glm::ivec3 cursor = s.cursor;
    const SlicePlane axial0 = viewer::planeOf(s, 0), coronal0 = viewer::planeOf(s, 1),
                     sagittal0 = viewer::planeOf(s, 2);
    // In the axial view, the coronal plane's line (horizontal) and its handle on the right.
    const auto lines = viewer::crosshairLines(s, 0);
    REQUIRE(lines.size() == 2);
    const auto coronalLine =
        std::find_if(lines.begin(), lines.end(), [](const auto& l) { return l.view == 1; });
    REQUIRE(coronalLine != lines.end());
    CHECK(std::abs(coronalLine->direction.y) < 1e-12);
    const double reach = viewer::turnHandleDistance(s.cells[0]);
    const glm::dvec2 c = coronalLine->centre,
                     handle = c + glm::dvec2(std::abs(coronalLine->direction.x), 0) * reach;
    // Clockwise on the screen by 30 degrees.
    const double turn = glm::radians(30.0);
    f.drag(handle, c + reach * glm::dvec2(std::cos(turn), std::sin(turn)));
    REQUIRE(s.mpr.oblique);
    // The axial view keeps its picture; the coronal and sagittal planes turned 30 degrees about its normal,
    // all three still orthogonal and through the crosshair, which stayed where it was.
    const SlicePlane axial = viewer::planeOf(s, 0), coronal = viewer::planeOf(s, 1),
                     sagittal = viewer::planeOf(s, 2);
    CHECK(near(axial.normal, axial0.normal, 1e-12));
    CHECK(near(axial.right, axial0.right, 1e-12));
    CHECK(glm::dot(coronal.normal, coronal0.normal) == Approx(std::cos(turn)));
    CHECK(glm::dot(sagittal.normal, sagittal0.normal) == Approx(std::cos(turn)));
    CHECK(std::abs(glm::dot(coronal.normal, axial.normal)) < 1e-12);
    CHECK(std::abs(glm::dot(coronal.normal, sagittal.normal)) < 1e-12);
    CHECK(near(s.mpr.centre, g.voxelToPatient(glm::dvec3(cursor)), 1e-9));
    // The coronal line turned on the screen with the mouse: clockwise, its right end now below the centre.
    for (const auto& l : viewer::crosshairLines(s, 0))
        if (l.view == 1)
            CHECK(std::abs(l.direction.y) == Approx(std::sin(turn)));
    // Turning the coronal view's screen right along with its normal (its up stays superior).
    CHECK(near(coronal.down, coronal0.down, 1e-12));
    CHECK(glm::dot(coronal.right, coronal0.right) == Approx(std::cos(turn)));
    CHECK(tiltDegrees(g, Axis::Coronal, s.mpr) == Approx(30));

    // Down over the coronal view steps along its own normal, one normalStep; the other planes stay.
    const glm::dvec3 before = s.mpr.centre;
    const int number = viewer::sliceNumberOf(s, 1);
    const glm::dvec2 overCoronal(s.cells[1].x + s.cells[1].w / 2, s.cells[1].y + s.cells[1].h / 2);
    f.key(keycode::Down, false, overCoronal);
    f.key(keycode::Down, false, overCoronal);
    CHECK(viewer::sliceNumberOf(s, 1) == number + 2);
    const double step = normalStep(g, coronal.normal);
    CHECK(step == Approx(planeSteps(g, coronal).step));
    // Onto the plane numbered so: the volume's centre lies on the numbers' grid (planeSteps).
    const PlaneSteps steps = planeSteps(g, coronal);
    CHECK(glm::dot(s.mpr.centre - volumeCentre(g), coronal.normal) ==
          Approx(steps.first + (number + 2 - 1) * step)); // numbers from 1
    CHECK(std::abs(glm::dot(s.mpr.centre - before, coronal.normal) - 2 * step) <= step / 2 + 1e-9);
    CHECK(near(viewer::planeOf(s, 0).origin, axial.origin, 1e-9));
    CHECK(near(viewer::planeOf(s, 2).origin, sagittal.origin, 1e-9));

    // The probe reads the turned plane's sample under the mouse.
    const glm::dvec2 over(s.cells[1].x + s.cells[1].w * 0.45, s.cells[1].y + s.cells[1].h * 0.55);
    viewer::handleInput(s, at(over));
    REQUIRE(s.gesture.probe.valid);
    const glm::dvec3 lps = viewer::mappingOf(s, 1).screenToPatient(over);
    CHECK(near(s.gesture.probe.lps, lps, 1e-9));
    CHECK(s.gesture.probe.hu ==
          Approx(sampleHu(s.scene.base->series.volume, g.patientToVoxel(lps), s.linear)));

    // Shift+R: the acquired axes again, the crosshair at the voxel nearest where it was.
    const glm::dvec3 last = s.mpr.centre;
    f.key(keycode::R, true);
    CHECK_FALSE(s.mpr.oblique);
    CHECK(near(viewer::planeOf(s, 1).normal, coronal0.normal, 1e-12));
    const glm::dvec3 ijk = g.patientToVoxel(last);
    CHECK(s.cursor == glm::ivec3(glm::round(ijk)));
}

TEST_CASE("viewer: S over a turned view saves its plane, named and described as oblique, an ellipse drawn "
          "there is a polygon on the plane, measured there (issue 12)") {
    ViewerFixture f;
    viewer::AppState& s = f.s;
    const Volume& vol = s.scene.base->series.volume;
    s.mpr.oblique = true;
    s.mpr.centre = volumeCentre(vol.geometry());
    s.mpr.rotation =
        rotationAbout({0, 0, 1}, glm::radians(25.0)) * rotationAbout({1, 0, 0}, glm::radians(15.0));
    s.linear = true;
    s.activeView = 1;
    const auto written = app::saveSlice(s, 0);
    REQUIRE(written.size() == 2);
    const std::string name = written[0].filename().string();
    CHECK(name.find("_coronal-oblique_") != std::string::npos);
    const SlicePlane plane = viewer::planeOf(s, 1);
    const RgbImage expected = renderSlice(extractPlane(vol, viewer::frameOf(s, 1), plane, {}, true), s.window,
                                          viewer::displayColormap(s));
    REQUIRE(written[0].extension() == ".png");
    const Image saved = readPng(written[0]);
    CHECK(saved.width == expected.width);
    CHECK(saved.rgb == expected.rgb);
    const nlohmann::json side =
        nlohmann::json::parse(readFile(std::filesystem::path(written[0]).replace_extension(".json")));
    CHECK(side["axis"] == "coronal-oblique");
    CHECK(side["slice"] == viewer::sliceNumberOf(s, 1));
    CHECK(glm::dvec3(side["plane"]["normal"][0], side["plane"]["normal"][1], side["plane"]["normal"][2]) ==
          plane.normal);

    // The ellipse tool in the tilted coronal view.
    s.tool = AnnotationType::Ellipse;
    const Rect& r = s.cells[1];
    f.drag({r.x + r.w * 0.4, r.y + r.h * 0.4}, {r.x + r.w * 0.6, r.y + r.h * 0.55});
    REQUIRE(s.annotations.size() == 1);
    const Annotation& a = s.annotations[0];
    CHECK(a.type == AnnotationType::Polygon);
    CHECK(a.points.size() == 64);
    CHECK(liesOnPlane(vol.geometry(), a, plane));
    CHECK(viewer::onView(s, 1, a));
    CHECK_FALSE(viewer::onView(s, 0, a));
    const Measurement m = measure(vol, a, "ellipse");
    CHECK(m.plane == "oblique");
    CHECK(m.roi.pixels > 20); // the phantom's voxels are coarse
    // The box's extent on the screen, in mm: the ellipse's area.
    const double mmPerPx = 1 / viewer::mappingOf(s, 1).pixelsPerMm();
    CHECK(m.roi.areaMm2 == Approx(M_PI * (r.w * 0.1 * mmPerPx) * (r.h * 0.075 * mmPerPx)).epsilon(0.01));
}

TEST_CASE("oblique MPR: the GPU draws the turned view the CPU samples, thin and as a slab") {
    REQUIRE(haveDisplay());
    ViewerFixture f;
    viewer::AppState& s = f.s;
    const Volume& vol = s.scene.base->series.volume;
    s.prefs.overlays = {false, false, false, false, false, false};
    s.mpr.oblique = true;
    s.mpr.centre = volumeCentre(vol.geometry()) + glm::dvec3(3, -2, 4);
    s.mpr.rotation = rotationAbout(glm::normalize(glm::dvec3(1, 2, 0.5)), glm::radians(28.0));
    s.window = {400, 40};
    for (int v = 0; v < 3; ++v)
        for (bool slab : {false, true}) {
            s.maximised = v;
            s.views[std::size_t(v)].slab = slab ? Slab{6, SlabMode::Mip} : Slab{};
            for (bool linear : {false, true}) {
                s.linear = linear;
                // The view alone, zoom 1, at 2 pixels per mm; each pixel's centre sampled on the CPU where
                // the view's mapping puts it.
                const SliceFrame fr = viewer::frameOf(s, v);
                const glm::ivec2 size(int(fr.width * fr.hSpacing * 2), int(fr.height * fr.vSpacing * 2));
                const RgbImage gpu = app::renderHeadless(s, size, false);
                const ViewMapping m = viewer::mappingOf(s, v);
                SliceImage cpu;
                cpu.width = size.x;
                cpu.height = size.y;
                for (int y = 0; y < size.y; ++y)
                    for (int x = 0; x < size.x; ++x)
                        cpu.hu.push_back(planeValue(vol, m.screenToPatient({x + 0.5, y + 0.5}),
                                                    m.plane().normal, s.views[std::size_t(v)].slab, linear));
                const RgbImage want = renderSlice(cpu, s.window, viewer::displayColormap(s));
                REQUIRE(gpu.width == want.width);
                int wrong = 0;
                for (std::size_t n = 0; n < want.rgb.size(); ++n)
                    wrong += std::abs(int(gpu.rgb[n]) - int(want.rgb[n])) > (linear ? 3 : 0);
                INFO(axisName(s.views[std::size_t(v)].axis)
                     << (slab ? " slab" : " thin") << (linear ? " linear" : " nearest"));
                // Sampling positions in float on the GPU: a pixel on a voxel's (nearest) or the volume's
                // edge may fall the other way.
                CHECK(wrong <= int(want.rgb.size() / 100));
            }
        }
}

TEST_CASE("oblique MPR: the 3D view outlines where each turned plane cuts the volume's box") {
    const Volume v = ramp();
    const Geometry& g = v.geometry();
    // Unturned through the middle: the box's cross-section, 4 corners.
    SlicePlane axial = acquiredPlane(g, sliceFrame(g, Axis::Axial));
    CHECK(planeOutline(g, axial).size() == 4);
    // Turned about a skew axis: 3 to 6 corners, each on the plane and on a face of the box, in order round it
    // (a convex polygon: every turn the same way).
    Mpr m;
    m.oblique = true;
    m.centre = g.voxelToPatient({5, 30, 3});
    m.rotation = rotationAbout(glm::normalize(glm::dvec3(1, -2, 1)), glm::radians(40.0));
    for (Axis axis : {Axis::Axial, Axis::Coronal, Axis::Sagittal}) {
        const SlicePlane p = viewPlane(g, axis, m);
        const std::vector<glm::dvec3> outline = planeOutline(g, p);
        INFO(axisName(axis));
        REQUIRE(outline.size() >= 3);
        REQUIRE(outline.size() <= 6);
        double turn = 0;
        for (std::size_t n = 0; n < outline.size(); ++n) {
            CHECK(std::abs(p.distance(outline[n])) < 1e-9);
            const glm::dvec3 ijk = g.patientToVoxel(outline[n]);
            bool onFace = false;
            for (int c = 0; c < 3; ++c) {
                CHECK(ijk[c] >= -0.5 - 1e-9);
                CHECK(ijk[c] <= g.dims[c] - 0.5 + 1e-9);
                onFace =
                    onFace || std::abs(ijk[c] + 0.5) < 1e-9 || std::abs(ijk[c] - (g.dims[c] - 0.5)) < 1e-9;
            }
            CHECK(onFace);
            const glm::dvec2 a = p.coordinates(outline[n]),
                             b = p.coordinates(outline[(n + 1) % outline.size()]),
                             c = p.coordinates(outline[(n + 2) % outline.size()]);
            const double cross = (b - a).x * (c - b).y - (b - a).y * (c - b).x;
            CHECK(cross > 0);
            turn += cross;
        }
        CHECK(turn > 0);
    }
    // A plane beyond the box: nothing.
    axial.origin += axial.normal * 1000.0;
    CHECK(planeOutline(g, axial).empty());
}

TEST_CASE("snapshot --turn: the turned view as the window draws it after the same turns, bad values exit 2") {
    REQUIRE(haveDisplay());
    TempDir out;
    const std::string common =
        "snapshot " + q(glPhantom()) + " --view sagittal --window 400,40 --no-overlays --size 200x160 ";
    const Run r = run(common + "--turn axial:30,coronal:-10 -o " + q(out.path / "turned.png"));
    INFO(r.out);
    REQUIRE(r.code == 0);
    ScanResult scan;
    auto d = std::make_shared<Dataset>();
    d->series.volume = loadFolder(glPhantom(), scan).volume;
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    s.prefs.overlays = {false, false, false, false, false, false};
    s.window = {400, 40};
    s.maximised = s.activeView = 2;
    viewer::turnViews(s, 0, glm::radians(30.0));
    viewer::turnViews(s, 1, glm::radians(-10.0));
    const RgbImage want = app::renderHeadless(s, {200, 160}, false);
    const Image got = readPng(out.path / "turned.png");
    CHECK(got.rgb == want.rgb);
    REQUIRE(run(common + "-o " + q(out.path / "plain.png")).code == 0);
    CHECK(readPng(out.path / "plain.png").rgb != got.rgb);
    for (const char* bad : {"axial", "axial:x", "top:30", "axial:30,", "axial:30deg"}) {
        const Run b = run(common + "--turn " + bad + " -o " + q(out.path / "bad.png"));
        INFO(bad << ": " << b.out);
        CHECK(b.code == 2);
        CHECK(b.out.find("--turn") != std::string::npos);
    }
}

TEST_CASE("export --turn: the turned view's planes, each the viewer's S-export of it, all along its normal") {
    TempDir out;
    const std::string common =
        "export " + q(glPhantom()) + " --axis coronal --turn axial:30 --window 400,40 -q ";
    ScanResult scan;
    auto d = std::make_shared<Dataset>();
    d->series.volume = loadFolder(glPhantom(), scan).volume;
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    s.window = {400, 40};
    viewer::turnViews(s, 0, glm::radians(30.0)); // the axial view's line ends, as --turn axial:30
    const int coronal = 1;
    REQUIRE(s.views[coronal].axis == Axis::Coronal);
    const Volume& vol = d->series.volume;
    const std::string prefix = std::to_string(scan.pick("").seriesNumber) + "_coronal-oblique_";
    for (bool linear : {false, true}) {
        INFO((linear ? "linear" : "nearest"));
        const Run r = run(common + "--slice 7 " + (linear ? "" : "--nearest ") + "-o " + q(out.path / "one") +
                          " --format png,jpg");
        INFO(r.out);
        REQUIRE(r.code == 0);
        viewer::setSliceNumber(s, coronal, 7);
        const RgbImage want = renderSlice(
            extractPlane(vol, viewer::frameOf(s, coronal), viewer::planeOf(s, coronal), {}, linear), s.window,
            viewer::displayColormap(s));
        const auto file = out.path / "one" / (prefix + (linear ? "0007-1.png" : "0007.png"));
        CHECK(r.out.find(file.filename().string()) != std::string::npos);
        const Image got = readPng(file);
        CHECK(got.width == want.width);
        CHECK(got.rgb == want.rgb);
    }
    // --slice all: one file per plane along the turned normal, numbered as the viewer numbers them.
    const Run all = run(common + "--slice all -o " + q(out.path / "all"));
    REQUIRE(all.code == 0);
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(out.path / "all"))
        files += e.path().extension() == ".png";
    CHECK(int(files) == viewer::sliceCountOf(s, coronal));
    CHECK(std::filesystem::exists(out.path / "all" / (prefix + "0001.png"))); // numbers from 1
    CHECK_FALSE(std::filesystem::exists(out.path / "all" / (prefix + "0000.png")));
    // Out of range, and a --turn that is not VIEW:DEGREES: usage errors, nothing written.
    const Run far = run(common + "--slice " + std::to_string(viewer::sliceCountOf(s, coronal) + 1) + " -o " +
                        q(out.path / "far"));
    CHECK(far.code == 2);
    CHECK(far.out.find("out of range") != std::string::npos);
    const Run bad = run("export " + q(glPhantom()) + " --turn axial30 -o " + q(out.path / "bad"));
    CHECK(bad.code == 2);
    CHECK(bad.out.find("--turn") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out.path / "far"));
}
