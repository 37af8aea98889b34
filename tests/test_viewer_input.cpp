// The viewer's input handling in-process: the frame loop turns ImGui's IO into an InputFrame; here the frames
// are made by hand, against a real loaded series and the real AppState, without a window.
#include "testutil.h"
#include "viewer_fixture.h"

#include "app/actions.h"
#include "app/headless.h"
#include "app/share_job.h"
#include "dicom/phantom.h"
#include "edit/mask_ops.h"
#include "measure/measure.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/layers.h"
#include "viewer/crop_gesture.h"
#include "viewer/fusion.h"
#include "viewer/input.h"
#include "viewer/label_task.h"
#include "viewer/load_task.h"
#include "viewer/measure_gesture.h"
#include "viewer/segment_editor.h"
#include "viewer/settings.h"
#include "volume/camera3d.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

using namespace ctview;
using namespace ctview::test;
using viewer::InputFrame;
namespace keycode = viewer::keycode;

namespace {
// Sets an environment variable for one test case; the old value (or its absence) comes back at the end,
// also when a REQUIRE stops the case early.
struct ScopedEnv {
    std::string name, old;
    bool had;
    ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
        const char* o = std::getenv(name.c_str());
        had = o != nullptr;
        old = o ? o : "";
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (had)
            ::setenv(name.c_str(), old.c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;
};
} // namespace

TEST_CASE("docs/user/keys.md: the keys and mouse table is the list F1 shows") {
    const std::string readme = readFile(std::filesystem::path(CTVIEW_GOLDEN_DIR).parent_path().parent_path() /
                                        "docs" / "user" / "keys.md");
    REQUIRE_FALSE(readme.empty());
    std::string table = "| input | action |\n|---|---|\n";
    for (const viewer::Control& c : viewer::controls())
        table += std::string("| ") + c.input + " | " + c.action + " |\n";
    CHECK(readme.find(table) != std::string::npos);
}

TEST_CASE("the window title names patient, study date and series as RadiAnt does, anonymous on request "
          "(issue 32.13)") {
    ViewerFixture f;
    f.s.load.input = (f.dir.path / "series").string();
    CHECK(viewer::windowTitle(f.s) ==
          "ctview - PHANTOM CTVIEW - 2026-01-01 - Phantom thorax-abdomen - series 2 - 48x40x30");
    // For screen sharing: nothing that identifies the patient, not even the folder's name.
    f.s.prefs.anonymousTitle = true;
    CHECK(viewer::windowTitle(f.s) == "ctview - series 2 - 48x40x30");
    // A source that names no patient (a volume file): its file name instead.
    f.s.prefs.anonymousTitle = false;
    Provenance& about = f.s.scene.base->series.about;
    about.fields.clear();
    about.listing.description.clear();
    about.listing.seriesNumber = 0;
    f.s.load.input = "/data/ct.nii.gz";
    CHECK(viewer::windowTitle(f.s) == "ctview - ct.nii.gz - 48x40x30");
    CHECK(viewer::windowTitle(*std::make_unique<viewer::AppState>()) == "ctview");
}

// Issue 32.8: the crop box was labelled i/j/k, and k ran from the feet, against the slice numbers. Its rows
// are the patient's axes now, in the numbers' direction, each on the voxel axis it runs along.
TEST_CASE("the crop box's rows are R-L, A-P and S-I, counted as the slice numbers are") {
    ViewerFixture f; // LPS axes: i to the left, j to the back, k to the head
    const auto axes = viewer::anatomicalAxes(f.s);
    CHECK(std::string(axes[0].name) == "R-L");
    CHECK(axes[0].voxelAxis == 0);
    CHECK_FALSE(axes[0].flip);
    CHECK(std::string(axes[1].name) == "A-P");
    CHECK(axes[1].voxelAxis == 1);
    CHECK_FALSE(axes[1].flip);
    CHECK(std::string(axes[2].name) == "S-I");
    CHECK(axes[2].voxelAxis == 2);
    CHECK(axes[2].flip); // k runs to the head; S-I (slice 1 at the top) runs against it
    for (const auto& ax : axes) {
        const SliceFrame fr = viewer::frameOf(f.s, viewer::viewOf(f.s, ax.voxelAxis == 2   ? Axis::Axial
                                                                       : ax.voxelAxis == 1 ? Axis::Coronal
                                                                                           : Axis::Sagittal));
        CHECK(fr.nFlip == ax.flip);
    }
}

TEST_CASE("viewer input: the wheel moves the slice of the view under the mouse only") {
    ViewerFixture f;
    const int axial0 = viewer::sliceNumberOf(f.s, 0), coronal0 = viewer::sliceOf(f.s, 1),
              sagittal0 = viewer::sliceOf(f.s, 2);
    InputFrame in = at(f.centreOf(0));
    in.wheel = -1; // towards the user: next slice
    viewer::handleInput(f.s, in);
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceNumberOf(f.s, 0) == axial0 + 2);
    CHECK(viewer::sliceOf(f.s, 1) == coronal0);
    CHECK(viewer::sliceOf(f.s, 2) == sagittal0);
    in.wheel = 3;
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceNumberOf(f.s, 0) == axial0 - 1);
    // Clamped at the ends.
    in.wheel = 1000;
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceNumberOf(f.s, 0) == 1); // slice numbers count from 1 (issue 32.5)
    // ImGui has the mouse (a panel is under it): the views ignore the wheel.
    in.wheel = -1;
    in.uiWantsMouse = true;
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceNumberOf(f.s, 0) == 1);
}

TEST_CASE("viewer input: keys step slices in the active view, ignored while ImGui has the keyboard") {
    ViewerFixture f;
    InputFrame in = at(f.centreOf(1)); // over the coronal view: it becomes active
    const int c0 = viewer::sliceOf(f.s, 1);
    in.keys = {{keycode::Down}, {keycode::Down}, {keycode::PageDown}};
    viewer::handleInput(f.s, in);
    CHECK(f.s.activeView == 1);
    CHECK(viewer::sliceOf(f.s, 1) == std::min(c0 + 12, viewer::frameOf(f.s, 1).count - 1));
    in.keys = {{keycode::Home}};
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceOf(f.s, 1) == 0);
    in.keys = {{keycode::End}};
    in.uiWantsKeyboard = true;
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceOf(f.s, 1) == 0);
    in.uiWantsKeyboard = false;
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceOf(f.s, 1) == viewer::frameOf(f.s, 1).count - 1);
    // The mouse over a panel: the views' keys rest (a digit does not maximise a view, Home does not move the
    // slice), the window's own work (F1: the help).
    in.uiWantsMouse = true;
    in.keys = {{keycode::Home}, {keycode::Digit2}};
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceOf(f.s, 1) == viewer::frameOf(f.s, 1).count - 1);
    CHECK(f.s.maximised == -1);
    in.keys = {{keycode::F1}};
    viewer::handleInput(f.s, in);
    CHECK(f.s.panels.help);
}

TEST_CASE("viewer: [ and ] step a 4D series' phases, round, another phase keeps the views where they are "
          "(issue 31)") {
    ViewerFixture f;
    Provenance& about = f.s.scene.base->series.about;
    about.listing.phases = 3;
    about.phase = 1;
    InputFrame in = at(f.centreOf(0));
    in.keys = {{keycode::RightBracket}};
    CHECK(viewer::handleInput(f.s, in) == viewer::Commands{{viewer::Command::Kind::LoadPhase, "", 2}});
    in.keys = {{keycode::LeftBracket}}; // from the first back to the last
    CHECK(viewer::handleInput(f.s, in) == viewer::Commands{{viewer::Command::Kind::LoadPhase, "", 3}});
    // Another phase of the same series arrives: the crosshair, the window and the zoom stay.
    f.s.cursor = {3, 4, 5};
    f.s.window = {123, 45};
    f.s.windowName = "custom";
    f.s.views[0].camera.zoom = 2.5;
    // (The same voxels will do: what matters is which series and phase they are.)
    const auto sameSeries = [&](int phase, const std::string& uid) {
        auto d = std::make_shared<Dataset>();
        d->source = f.s.scene.base->source;
        d->series.volume = f.s.scene.base->series.volume.alias();
        d->series.about = f.s.scene.base->series.about;
        d->series.about.phase = phase;
        d->series.about.listing.uid = uid;
        return d;
    };
    const auto next = sameSeries(2, about.listing.uid);
    CHECK(viewer::isAnotherPhase(*f.s.scene.base, *next));
    viewer::adoptDataset(f.s, next);
    CHECK(f.s.cursor == glm::ivec3(3, 4, 5));
    CHECK(f.s.window.width == 123);
    CHECK(f.s.views[0].camera.zoom == 2.5);
    // Another series (or the same phase again) starts afresh, as every load did.
    const auto other = sameSeries(1, "another series");
    CHECK_FALSE(viewer::isAnotherPhase(*f.s.scene.base, *other));
    viewer::adoptDataset(f.s, other);
    CHECK(f.s.cursor != glm::ivec3(3, 4, 5));
    // Cine over the phases: each step asks for the next phase (round), at the slice shown.
    {
        Provenance& shown = f.s.scene.base->series.about;
        shown.listing.phases = 3;
        shown.phase = 3;
        f.s.cine.overPhases = true;
        viewer::startCine(f.s, 0, 0.0);
        const int slice = viewer::sliceNumberOf(f.s, 0);
        InputFrame tick = at(f.centreOf(0));
        tick.now = 10.0;
        CHECK(viewer::handleInput(f.s, tick) == viewer::Commands{{viewer::Command::Kind::LoadPhase, "", 1}});
        CHECK(viewer::sliceNumberOf(f.s, 0) == slice);
        viewer::stopCine(f.s);
        f.s.cine.overPhases = false;
    }
    // A 3D series: the keys do nothing.
    f.s.scene.base->series.about.listing.phases = 0;
    f.s.scene.base->series.about.phase = 0;
    in.keys = {{keycode::RightBracket}};
    CHECK(viewer::handleInput(f.s, in).empty());
}

TEST_CASE(
    "viewer input: the first slice is the head end, Down and the wheel go towards the feet (issue 14.5)") {
    ViewerFixture f;
    const Geometry& g = f.s.scene.base->series.volume.geometry();
    auto z = [&] { return g.voxelToPatient(glm::dvec3(f.s.cursor)).z; }; // LPS: +z is superior
    auto y = [&] { return g.voxelToPatient(glm::dvec3(f.s.cursor)).y; }; // +y is posterior
    InputFrame in = at(f.centreOf(0));
    in.keys = {{keycode::Home}};
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceNumberOf(f.s, 0) == 1);
    double top = z();
    for (int k = 0; k < g.dims.z; ++k)
        CHECK(g.voxelToPatient({0, 0, k}).z <= top); // the most superior slice
    in.keys = {{keycode::Down}};
    viewer::handleInput(f.s, in);
    CHECK(z() < top);
    CHECK(viewer::sliceNumberOf(f.s, 0) == 2);
    top = z();
    in.keys = {};
    in.wheel = -1; // towards the user
    viewer::handleInput(f.s, in);
    CHECK(z() < top);
    in.wheel = 0;
    in.keys = {{keycode::PageDown}};
    const double before = z();
    viewer::handleInput(f.s, in);
    CHECK(z() < before);
    in.keys = {{keycode::End}};
    viewer::handleInput(f.s, in);
    CHECK(viewer::sliceNumberOf(f.s, 0) == g.dims.z);
    for (int k = 0; k < g.dims.z; ++k)
        CHECK(g.voxelToPatient({0, 0, k}).z >= z()); // the most inferior

    // Coronal: Home is the most anterior slice, Down goes posterior.
    InputFrame co = at(f.centreOf(1));
    co.keys = {{keycode::Home}};
    viewer::handleInput(f.s, co);
    const double front = y();
    for (int j = 0; j < g.dims.y; ++j)
        CHECK(g.voxelToPatient({0, j, 0}).y >= front);
    co.keys = {{keycode::Down}};
    viewer::handleInput(f.s, co);
    CHECK(y() > front);

    // Saving slice 1 of the axial view names it 0001 and writes what `export --slice 1` writes.
    in = at(f.centreOf(0));
    in.keys = {{keycode::Home}};
    viewer::handleInput(f.s, in);
    const auto saved = app::saveSlice(f.s, 0);
    REQUIRE(saved.size() == 2);
    CHECK(saved[0].filename() == "2_axial_0001.png");
    TempDir cli;
    f.s.window = {400, 40};
    const auto again = app::saveSlice(f.s, 0);
    REQUIRE(again.size() == 2);
    const Run r = run("export " + q(f.dir.path / "series") + " --axis axial --slice 1 --window 400,40 -o " +
                      q(cli.path));
    REQUIRE(r.code == 0);
    CHECK(readFile(again[0]) == readFile(cli.path / "2_axial_0001.png"));
}

TEST_CASE("viewer input: right-drag changes window/level") {
    ViewerFixture f;
    f.s.window = {400, 40};
    InputFrame press = at(f.centreOf(0));
    press.clicked[1] = press.down[1] = true;
    viewer::handleInput(f.s, press);
    InputFrame drag = at(f.centreOf(0) + glm::dvec2(30, -10));
    drag.down[1] = true;
    drag.mouseDelta = {30, -10};
    viewer::handleInput(f.s, drag);
    // Sensitivity max(0.5, 400/400) = 1 HU per pixel: wider by 30, level down by 10.
    CHECK(f.s.window.width == Approx(430));
    CHECK(f.s.window.center == Approx(30));
    CHECK(f.s.windowName == "custom");
    // The drag goes on outside the view until the button is released.
    drag.mouse = {5, 5};
    drag.mouseDelta = {-100, 0};
    viewer::handleInput(f.s, drag);
    CHECK(f.s.window.width == Approx(430 - 100 * 430 / 400.0)); // sensitivity follows the width
    InputFrame release = at({5, 5});
    release.released[1] = true;
    viewer::handleInput(f.s, release);
    CHECK(f.s.gesture.drag.view == -1);
}

TEST_CASE("viewer input: a click moves the crosshair, and the other views follow") {
    ViewerFixture f;
    const ViewMapping m = viewer::mappingOf(f.s, 0);
    const glm::ivec3 target(10, 31, viewer::sliceOf(f.s, 0)); // voxel (i, j) on the axial slice
    InputFrame click = at(m.voxelToScreen(target));
    click.clicked[0] = click.down[0] = true;
    viewer::handleInput(f.s, click);
    CHECK(f.s.cursor == target);
    // The coronal view now shows row j = 31, the sagittal view column i = 10.
    CHECK(viewer::sliceOf(f.s, 1) == 31);
    CHECK(viewer::sliceOf(f.s, 2) == 10);
    // The probe reads the voxel under the mouse: HU, index and LPS position.
    CHECK(f.s.gesture.probe.valid);
    CHECK(f.s.gesture.probe.voxel == target);
    CHECK(f.s.gesture.probe.hu == f.s.scene.base->series.volume.at(10, 31, target.z));
    CHECK(f.s.gesture.probe.lps.x ==
          Approx(f.s.scene.base->series.volume.geometry().voxelToPatient(glm::dvec3(target)).x));
}

TEST_CASE("viewer input: double click and keys 1-4 maximise a view, Esc returns to the grid") {
    ViewerFixture f;
    InputFrame dbl = at(f.centreOf(2));
    dbl.clicked[0] = dbl.doubleClicked[0] = dbl.down[0] = true;
    viewer::handleInput(f.s, dbl);
    CHECK(f.s.maximised == 2);
    InputFrame keys = at({0, 0});
    keys.keys = {{keycode::Escape}};
    viewer::handleInput(f.s, keys);
    CHECK(f.s.maximised == -1);
    keys.keys = {{keycode::Digit4}};
    viewer::handleInput(f.s, keys);
    CHECK(f.s.maximised == 3);
    keys.keys = {{keycode::Q, true}};
    CHECK(viewer::handleInput(f.s, keys) == viewer::Commands{{viewer::Command::Kind::Quit}});
}

TEST_CASE(
    "viewer: S saves the slice as PNG and JPEG, the same files `ctview export` writes, never overwriting") {
    ViewerFixture f;
    InputFrame in = at(f.centreOf(1)); // coronal
    in.wheel = -2;
    viewer::handleInput(f.s, in);
    f.s.window = {350, 50};
    f.s.colormap = "inferno";
    f.s.invert = true;
    in.wheel = 0;
    in.keys = {{keycode::S}};
    const auto actions = viewer::handleInput(f.s, in);
    REQUIRE(actions == viewer::Commands{{viewer::Command::Kind::SaveSlice}});
    const auto saved = app::saveSlice(f.s, 0);
    REQUIRE(saved.size() == 2);
    const int k = viewer::sliceNumberOf(f.s, 1); // the coronal view: numbered from the front, from 1
    CHECK(k == viewer::sliceOf(f.s, 1) + 1);
    char name[64];
    std::snprintf(name, sizeof name, "2_coronal_%04d", k);
    CHECK(saved[0] == f.out.path / (std::string(name) + ".png"));
    CHECK(saved[1] == f.out.path / (std::string(name) + ".jpg"));
    CHECK(f.s.toasts.back().text.find(saved[0].string()) != std::string::npos);

    TempDir cli;
    const Run r = run("export " + q(f.dir.path / "series") + " --axis coronal --slice " + std::to_string(k) +
                      " --window 350,50 --colormap inferno --invert --format png,jpg -o " + q(cli.path));
    REQUIRE(r.code == 0);
    CHECK(readFile(saved[0]) == readFile(cli.path / (std::string(name) + ".png")));
    CHECK(readFile(saved[1]) == readFile(cli.path / (std::string(name) + ".jpg")));

    // Again: new names, the first files untouched.
    const std::string before = readFile(saved[0]);
    const auto again = app::saveSlice(f.s, 0);
    REQUIRE(again.size() == 2);
    CHECK(again[0] == f.out.path / (std::string(name) + "-1.png"));
    CHECK(readFile(saved[0]) == before);

    // "TIFF (HU)" on: S also writes the slice's HU, the file `export --format tiff` writes.
    f.s.prefs.saveTiff = true;
    const auto withTiff = app::saveSlice(f.s, 0);
    REQUIRE(withTiff.size() == 3);
    CHECK(withTiff[2] == f.out.path / (std::string(name) + ".tif"));
    const Run tiff = run("export " + q(f.dir.path / "series") + " --axis coronal --slice " +
                         std::to_string(k) + " --format tiff -o " + q(cli.path));
    REQUIRE(tiff.code == 0);
    CHECK(readFile(withTiff[2]) == readFile(cli.path / (std::string(name) + ".tif")));
}

TEST_CASE(
    "viewer: a thick slab is what the probe reads and S saves, with the slab in the sidecar (issue 12)") {
    ViewerFixture f;
    f.s.window = {400, 40};
    const SliceFrame fr = viewer::frameOf(f.s, 1); // coronal
    viewer::ViewState& view = f.s.views[1];
    view.slab = {4.2 * fr.nSpacing, SlabMode::Mip}; // 2 slices each side
    const Volume& vol = f.s.scene.base->series.volume;
    // The probe over the coronal view: the slab's value at the voxel under the mouse, not the voxel's.
    const ViewMapping m = viewer::mappingOf(f.s, 1);
    int differs = 0;
    for (int h = 2; h < fr.width; h += 3) {
        glm::ivec3 target = f.s.cursor;
        target[fr.hAxis] = h;
        viewer::handleInput(f.s, at(m.voxelToScreen(target)));
        REQUIRE(f.s.gesture.probe.valid);
        REQUIRE(f.s.gesture.probe.voxel == target);
        float best = -1e9f;
        for (int d = -2; d <= 2; ++d) {
            glm::ivec3 p = target;
            p[fr.nAxis] += d;
            best = std::max(best, vol.at(p.x, p.y, p.z));
        }
        CHECK(f.s.gesture.probe.hu == best);
        differs += f.s.gesture.probe.hu != vol.at(target.x, target.y, target.z);
    }
    CHECK(differs > 0); // the phantom is not the same along y everywhere
    // S saves the slab as `ctview export --slab` writes it, named for it, with a sidecar that says so.
    f.s.activeView = 1;
    const auto saved = app::saveSlice(f.s, 0);
    REQUIRE(saved.size() == 2);
    char name[64];
    std::snprintf(name, sizeof name, "2_coronal_%04d_mip%gmm", viewer::sliceNumberOf(f.s, 1),
                  view.slab.thickness);
    CHECK(saved[0] == f.out.path / (std::string(name) + ".png"));
    TempDir cli;
    char slabArg[32];
    std::snprintf(slabArg, sizeof slabArg, "%g", view.slab.thickness);
    const Run r = run("export " + q(f.dir.path / "series") + " --axis coronal --slice " +
                      std::to_string(viewer::sliceNumberOf(f.s, 1)) + " --slab " + slabArg +
                      " --window 400,40 -o " + q(cli.path));
    REQUIRE(r.code == 0);
    CHECK(readFile(saved[0]) == readFile(cli.path / (std::string(name) + ".png")));
    const auto sidecar = nlohmann::json::parse(readFile(f.out.path / (std::string(name) + ".json")));
    CHECK(sidecar["slab"]["mode"] == "mip");
    CHECK(sidecar["slab"]["thickness_mm"].get<double>() == Approx(view.slab.thickness));
    CHECK(sidecar["slab"]["slices"] == 5);
    // Thin again: no slab in the name or the sidecar.
    view.slab.thickness = 0;
    const auto thin = app::saveSlice(f.s, 0);
    REQUIRE(thin.size() == 2);
    CHECK(thin[0].filename().string().find("mip") == std::string::npos);
    CHECK_FALSE(nlohmann::json::parse(readFile(std::filesystem::path(thin[0]).replace_extension(".json")))
                    .contains("slab"));
}

TEST_CASE(
    "viewer: Space plays the view under the mouse at its speed, loops or bounces, any key or click stops") {
    ViewerFixture f;
    const glm::dvec2 over = f.centreOf(1); // the coronal view
    const int count = viewer::frameOf(f.s, 1).count;
    const int axial = viewer::sliceOf(f.s, 0);
    viewer::setSliceNumber(f.s, 1, count - 2); // slice numbers run 1 .. count
    f.s.prefs.cineFps = 4;                     // a step every 0.25 s
    InputFrame space = at(over);
    space.keys = {{keycode::Space}};
    space.now = 100;
    viewer::handleInput(f.s, space);
    REQUIRE(f.s.cine.view == 1);
    // Frames: nothing until the step is due, then one step a frame at most.
    auto frame = [&](double now) {
        InputFrame in = at(over);
        in.now = now;
        viewer::handleInput(f.s, in);
        return viewer::sliceNumberOf(f.s, 1);
    };
    CHECK(frame(100.1) == count - 2);
    CHECK(frame(100.25) == count - 1);
    CHECK(frame(100.3) == count - 1);
    CHECK(frame(100.5) == count);
    CHECK(frame(100.75) == 1); // loop: from the last to the first
    CHECK(frame(101.0) == 2);
    CHECK(frame(103.0) == 3); // a long frame: one step, not eight (no slice is skipped)
    CHECK(frame(103.1) == 3); // and the next is due a step after that frame
    CHECK(frame(103.25) == 4);
    CHECK(viewer::sliceOf(f.s, 0) == axial); // only the coronal view moves
    // The probe reads the slice shown now.
    REQUIRE(f.s.gesture.probe.valid);
    CHECK(f.s.gesture.probe.voxel[viewer::frameOf(f.s, 1).nAxis] == viewer::sliceOf(f.s, 1));
    // Space stops it and does nothing else (it does not start again).
    space.now = 104;
    viewer::handleInput(f.s, space);
    CHECK(f.s.cine.view == -1);
    CHECK(viewer::sliceNumberOf(f.s, 1) == 4);
    CHECK(frame(105) == 4);
    // Another key stops it and does what it does: Down goes on to the next slice.
    space.now = 106;
    viewer::handleInput(f.s, space);
    REQUIRE(f.s.cine.view == 1);
    InputFrame down = at(over);
    down.keys = {{keycode::Down}};
    down.now = 106.1;
    viewer::handleInput(f.s, down);
    CHECK(f.s.cine.view == -1);
    CHECK(viewer::sliceNumberOf(f.s, 1) == 5);

    // Bounce, over the axial view this time: turns round at each end.
    f.s.prefs.cineBounce = true;
    f.s.prefs.cineFps = 10;
    const int axialCount = viewer::frameOf(f.s, 0).count;
    viewer::setSliceNumber(f.s, 0, axialCount - 1);
    space.mouse = f.centreOf(0);
    space.now = 200;
    viewer::handleInput(f.s, space);
    REQUIRE(f.s.cine.view == 0);
    auto axialFrame = [&](double now) {
        InputFrame in = at(f.centreOf(0));
        in.now = now;
        viewer::handleInput(f.s, in);
        return viewer::sliceNumberOf(f.s, 0);
    };
    CHECK(axialFrame(200.1) == axialCount);
    CHECK(axialFrame(200.2) == axialCount - 1);
    CHECK(axialFrame(200.3) == axialCount - 2);
    // A click in a view stops it and does not move the crosshair.
    const glm::ivec3 cursor = f.s.cursor;
    InputFrame click = at(f.centreOf(0) + glm::dvec2(40, 30));
    click.clicked[0] = click.down[0] = true;
    click.now = 200.4;
    viewer::handleInput(f.s, click);
    CHECK(f.s.cine.view == -1);
    CHECK(f.s.cursor == cursor);
    // Speed and mode are kept in the settings.
    viewer::Settings st;
    viewer::captureSettings(f.s, st);
    const auto text = nlohmann::json::parse(viewer::settingsText(st));
    CHECK(text["cine"]["fps"] == 10);
    CHECK(text["cine"]["bounce"] == true);
    viewer::AppState fresh;
    viewer::applySettings(st, fresh);
    CHECK(fresh.prefs.cineFps == 10);
    CHECK(fresh.prefs.cineBounce);
}

TEST_CASE("3D view input: drag rotates, wheel zooms, Shift+letters pick a side, R resets") {
    ViewerFixture f; // the 2x2 grid
    viewer::AppState& s = f.s;
    const glm::dvec2 c = f.centreOf(3);
    viewer::InputFrame in;
    in.mouse = c;
    in.clicked[0] = in.down[0] = true;
    in.now = 10;
    in.mouseDelta = {300, 0}; // the mouse jumped here and clicked within one frame: that jump is not a drag
    viewer::handleInput(s, in);
    CHECK(s.view3d.focused);
    CHECK(s.view3d.camera == defaultCamera3D());
    in.clicked[0] = false;
    in.mouse = c + glm::dvec2(40, 0);
    in.mouseDelta = {40, 0};
    viewer::handleInput(s, in);
    CHECK(std::abs(glm::dot(s.view3d.camera.rotation, defaultCamera3D().rotation)) < 0.999);
    CHECK(viewer::interacting3d(s, 10.1));
    CHECK(!viewer::interacting3d(s, 11));
    in.down[0] = false;
    in.released[0] = true;
    in.mouseDelta = {};
    in.now = 10.05;
    viewer::handleInput(s, in);
    CHECK(s.gesture.drag.view == -1);
    // Released: the sharp frame is due now, not a quarter second later (issue 14.16).
    CHECK(!viewer::interacting3d(s, 10.05));

    viewer::InputFrame wheel;
    wheel.mouse = c;
    wheel.wheel = 2;
    viewer::handleInput(s, wheel);
    CHECK(s.view3d.camera.zoom == Approx(1.15 * 1.15));
    const int axial = viewer::sliceOf(s, 0);
    CHECK(viewer::sliceOf(s, 0) == axial); // the wheel over the 3D view leaves the slices alone

    viewer::InputFrame keys;
    keys.mouse = c;
    keys.keys = {{keycode::L, false, true}};
    const bool linear = s.linear;
    viewer::handleInput(s, keys);
    CHECK(std::abs(glm::dot(s.view3d.camera.rotation, viewFromRotation(ViewFrom::Left))) == Approx(1.0));
    CHECK(s.linear == linear); // Shift+L over the 3D view is the left view, not the interpolation toggle
    keys.keys = {{keycode::R, false, false}};
    viewer::handleInput(s, keys);
    CHECK(s.view3d.camera == defaultCamera3D());
    // Double click maximises the 3D view like the others.
    viewer::InputFrame dbl;
    dbl.mouse = c;
    dbl.doubleClicked[0] = true;
    viewer::handleInput(s, dbl);
    CHECK(s.maximised == 3);
}

TEST_CASE("3D view: the crop box's handles drag its faces along their axes (issue 32.8)") {
    ViewerFixture f; // anterior view: the patient's left (high i) on screen right, the head (high k) up
    viewer::AppState& s = f.s;
    const glm::dvec2 c = f.centreOf(3);
    REQUIRE(s.scene.base->stats);
    // Hidden: a press on where the top handle would be turns the volume.
    std::array<viewer::CropHandle, 6> h = viewer::cropHandles(s);
    CHECK(viewer::cropHandleUnder(s, h[5].screen) == -1);
    f.drag(h[5].screen, h[5].screen + glm::dvec2(0, 40));
    CHECK(s.view3d.cropMax == glm::dvec3(1.0));
    CHECK_FALSE(s.view3d.camera == defaultCamera3D());
    s.view3d.camera = defaultCamera3D();

    s.view3d.showCropBox = true;
    h = viewer::cropHandles(s);
    // The front and back faces are seen head-on: no handles over the middle, where a drag turns the volume.
    CHECK_FALSE(h[2].visible);
    CHECK_FALSE(h[3].visible);
    for (int i : {0, 1, 4, 5})
        CHECK(h[std::size_t(i)].visible);
    // The faces' handles sit where the box is drawn: S above I, L right of R, on the view's centre line.
    const double height = h[4].screen.y - h[5].screen.y, width = h[1].screen.x - h[0].screen.x;
    CHECK(height > 100);
    CHECK(width > 100);
    CHECK(h[5].screen.x == Approx(c.x).margin(1));
    CHECK(h[0].screen.y == Approx(c.y).margin(1));
    CHECK(viewer::cropHandleUnder(s, h[5].screen + glm::dvec2(3, -2)) == 5);
    CHECK(viewer::cropHandleUnder(s, c) == -1);

    // The top face dragged down a quarter of the box: the head's quarter is cut away; the camera stays.
    f.drag(h[5].screen, h[5].screen + glm::dvec2(0, height / 4));
    CHECK(s.view3d.cropMax.z == Approx(0.75).margin(1e-9));
    CHECK(s.view3d.cropMin == glm::dvec3(0.0));
    CHECK(s.view3d.camera == defaultCamera3D());
    CHECK(s.gesture.crop.handle == -1);
    // The patient's right face dragged to the middle: only the left half stays.
    h = viewer::cropHandles(s);
    f.drag(h[0].screen, h[0].screen + glm::dvec2(width / 2, 0));
    CHECK(s.view3d.cropMin.x == Approx(0.5).margin(1e-9));
    // Dragged past the opposite face: one voxel is kept (30 slices along k).
    h = viewer::cropHandles(s);
    f.drag(h[5].screen, h[5].screen + glm::dvec2(0, 2 * height));
    CHECK(s.view3d.cropMax.z == Approx(1.0 / 30).margin(1e-9));
    CHECK(s.view3d.cropMin.z == 0.0);
    // In perspective, turned: the face still follows the mouse. Dragged to where the point a quarter of the
    // box further down its axis is drawn, the top face is there.
    s.view3d.cropMin = glm::dvec3(0.0);
    s.view3d.cropMax = glm::dvec3(1.0);
    s.view3d.camera.perspective = true;
    s.view3d.camera.rotation = orbitRotation(35, 20);
    h = viewer::cropHandles(s);
    REQUIRE(h[5].visible);
    const Geometry& g = s.scene.base->series.volume.geometry();
    const CameraMatrices cm = cameraMatrices(s.view3d.camera, g, {s.cells[3].w, s.cells[3].h});
    glm::dvec2 target;
    REQUIRE(projectToScreen(cm, s.cells[3],
                            g.voxelToPatient(glm::dvec3(0.5, 0.5, 0.75) * glm::dvec3(g.dims) - 0.5), target));
    f.drag(h[5].screen, target);
    CHECK(s.view3d.cropMax.z == Approx(0.75).margin(1e-6));
    s.view3d.camera = defaultCamera3D();
    // Shift on a handle pans, as anywhere in the 3D view.
    h = viewer::cropHandles(s);
    const glm::dvec3 before = s.view3d.cropMax;
    f.drag(h[1].screen, h[1].screen + glm::dvec2(30, 0), true);
    CHECK(s.view3d.cropMax == before);
    CHECK(s.view3d.camera.pan.x != 0.0);
}

TEST_CASE("viewer: a save that cannot be written is a toast, not a crash") {
    ViewerFixture f;
    f.s.exportDir = "/proc/ctview-cannot-write-here";
    CHECK(app::saveSlice(f.s, 0).empty());
    REQUIRE_FALSE(f.s.toasts.empty());
    CHECK(f.s.toasts.back().error);
}

TEST_CASE("viewer input: the probe follows keyboard navigation without the mouse moving (issue 14.2)") {
    ViewerFixture f;
    const glm::dvec2 over = f.centreOf(0); // the mouse rests over the axial view
    viewer::handleInput(f.s, at(over));
    REQUIRE(f.s.gesture.probe.valid);
    for (int key :
         {keycode::End, keycode::PageUp, keycode::PageUp, keycode::Up, keycode::Home, keycode::Down}) {
        InputFrame in = at(over);
        in.keys = {{key}};
        viewer::handleInput(f.s, in);
        INFO("key " << key);
        REQUIRE(f.s.gesture.probe.valid);
        // The voxel under the mouse on the slice shown, and its value.
        CHECK(f.s.gesture.probe.voxel[viewer::frameOf(f.s, 0).nAxis] == viewer::sliceOf(f.s, 0));
        const glm::ivec3 v = f.s.gesture.probe.voxel;
        CHECK(f.s.gesture.probe.hu == f.s.scene.base->series.volume.at(v.x, v.y, v.z));
    }
}

TEST_CASE(
    "viewer input: S over the 3D view asks for the 3D render, over a slice view for the slice (issue 14.3)") {
    ViewerFixture f;
    InputFrame over3d = at(f.centreOf(3));
    over3d.keys = {{keycode::S}};
    CHECK(viewer::handleInput(f.s, over3d) == viewer::Commands{{viewer::Command::Kind::SaveRender}});
    InputFrame overAxial = at(f.centreOf(0));
    overAxial.keys = {{keycode::S}};
    CHECK(viewer::handleInput(f.s, overAxial) == viewer::Commands{{viewer::Command::Kind::SaveSlice}});
}

namespace {
// The 3D view maximised (key 4), and a frame with the mouse over it for Esc (its key still to be set).
InputFrame maximise3dForEsc(ViewerFixture& f) {
    InputFrame four = at(f.centreOf(3));
    four.keys = {{keycode::Digit4}};
    viewer::handleInput(f.s, four);
    REQUIRE(f.s.maximised == 3);
    return at(f.centreOf(3));
}
} // namespace

TEST_CASE("viewer input: Esc with a list open closes the list, and nothing else (issue 14.1)") {
    ViewerFixture f;
    InputFrame esc = maximise3dForEsc(f);
    esc.popupOpen = true; // a combo's list (ImGui popup) is open
    esc.uiWantsMouse = true;
    esc.keys = {{keycode::Escape}};
    CHECK(viewer::handleInput(f.s, esc) == viewer::Commands{{viewer::Command::Kind::ClosePopups}});
    CHECK(f.s.maximised == 3); // the layout stays: the popup owned the key
    esc.popupOpen = false;
    esc.uiWantsMouse = false;
    CHECK(viewer::handleInput(f.s, esc).empty());
    CHECK(f.s.maximised == -1);
}

TEST_CASE("viewer input: Esc closes the Open and PACS dialogs before anything else but the help") {
    ViewerFixture f;
    InputFrame esc = maximise3dForEsc(f);
    esc.keys = {{keycode::Escape}};
    for (bool* dialog : {&f.s.panels.open, &f.s.panels.pacs}) {
        *dialog = true;
        viewer::handleInput(f.s, esc);
        CHECK_FALSE(*dialog);
        CHECK(f.s.maximised == 3); // the layout stays
    }
    // The help first, then the dialog.
    f.s.panels.help = f.s.panels.open = true;
    viewer::handleInput(f.s, esc);
    CHECK_FALSE(f.s.panels.help);
    CHECK(f.s.panels.open);
    viewer::handleInput(f.s, esc);
    CHECK_FALSE(f.s.panels.open);
    CHECK(f.s.maximised == 3);
    // Typing in a dialog's field: Esc is the field's (ImGui leaves the field), the dialog stays.
    f.s.panels.open = true;
    esc.uiWantsKeyboard = true;
    viewer::handleInput(f.s, esc);
    CHECK(f.s.panels.open);
}

TEST_CASE(
    "viewer: Ctrl+Z and Ctrl+Shift+Z undo and redo window/level and transfer-function edits (issue 14.14)") {
    ViewerFixture f;
    const WindowLevel before = f.s.window;
    const auto pointsBefore = f.s.view3d.preset.points;
    viewer::trackUndo(f.s, false); // the state as loaded is the first one
    CHECK_FALSE(viewer::presetModified(f.s));
    // A right-drag in the axial view changes the window; the edit ends with the release.
    InputFrame press = at(f.centreOf(0));
    press.clicked[1] = press.down[1] = true;
    viewer::handleInput(f.s, press);
    InputFrame drag = at(f.centreOf(0) + glm::dvec2(40, 25));
    drag.down[1] = true;
    drag.mouseDelta = {40, 25};
    viewer::handleInput(f.s, drag);
    viewer::trackUndo(f.s, true); // still dragging: not an edit yet
    InputFrame release = at(f.centreOf(0) + glm::dvec2(40, 25));
    release.released[1] = true;
    viewer::handleInput(f.s, release);
    viewer::trackUndo(f.s, false);
    const WindowLevel dragged = f.s.window;
    REQUIRE(dragged.width != before.width);
    // A transfer-function edit (as the editor makes it: a point added).
    f.s.view3d.preset.points.push_back({500.0f, 0.5f, glm::vec3(1.0f)});
    sortTf(f.s.view3d.preset.points);
    viewer::trackUndo(f.s, false);
    CHECK(viewer::presetModified(f.s));
    auto key = [&](bool shift) {
        InputFrame in = at(f.centreOf(0));
        in.keys = {{keycode::Z, true, shift}};
        viewer::handleInput(f.s, in);
        viewer::trackUndo(f.s, false);
    };
    key(false); // undo the point
    CHECK(f.s.view3d.preset.points == pointsBefore);
    CHECK_FALSE(viewer::presetModified(f.s));
    CHECK(f.s.window.width == dragged.width);
    key(false); // undo the window
    CHECK(f.s.window.width == before.width);
    CHECK(f.s.window.center == before.center);
    key(false); // nothing more to undo: nothing changes
    CHECK(f.s.window.width == before.width);
    key(true); // redo the window
    CHECK(f.s.window.width == dragged.width);
    InputFrame ctrlY = at(f.centreOf(0)); // Ctrl+Y redoes too (3D Slicer's and Windows' key)
    ctrlY.keys = {{keycode::Y, true, false}};
    viewer::handleInput(f.s, ctrlY);
    viewer::trackUndo(f.s, false);
    CHECK(f.s.view3d.preset.points.size() == pointsBefore.size() + 1); // the point
    key(false);
    key(true); // redo the point
    CHECK(f.s.view3d.preset.points.size() == pointsBefore.size() + 1);
    // A new edit after an undo drops what could have been redone.
    key(false);
    f.s.window = {123, 45};
    viewer::trackUndo(f.s, false);
    key(true);
    CHECK(f.s.window.width == 123);
    CHECK(f.s.view3d.preset.points == pointsBefore);
}

TEST_CASE("measuring tools: D drags a ruler, B a box, P a point, in LPS, kept per series, restored on open "
          "(issue 12)") {
    ViewerFixture f;
    TempDir data;
    const ScopedEnv dataHome("XDG_DATA_HOME", data.path.string());
    const Geometry& g = f.s.scene.base->series.volume.geometry();
    const ViewMapping m = viewer::mappingOf(f.s, 0);
    const int k = viewer::sliceOf(f.s, 0);
    app::restoreAnnotations(f.s, 0);
    REQUIRE(f.s.annotations.empty());
    REQUIRE_FALSE(f.s.annotationsSeries.empty());
    auto key = [&](int code) {
        InputFrame in = at(f.centreOf(0));
        in.keys = {{code}};
        viewer::handleInput(f.s, in);
    };
    // Press on voxel centre (5, 6), drag to (25, 6), release: a line between their centres, 20 voxels long.
    auto drag = [&](glm::ivec3 a, glm::ivec3 b) {
        InputFrame press = at(m.voxelToScreen(a));
        press.clicked[0] = press.down[0] = true;
        viewer::handleInput(f.s, press);
        InputFrame move = at(m.voxelToScreen(b));
        move.down[0] = true;
        move.mouseDelta = m.voxelToScreen(b) - m.voxelToScreen(a);
        viewer::handleInput(f.s, move);
        InputFrame release = at(m.voxelToScreen(b));
        release.released[0] = true;
        viewer::handleInput(f.s, release);
    };
    const glm::ivec3 cursor = f.s.cursor;
    key(keycode::D);
    CHECK(f.s.tool == AnnotationType::Line);
    drag({5, 6, k}, {25, 6, k});
    REQUIRE(f.s.annotations.size() == 1);
    const Annotation& line = f.s.annotations[0];
    CHECK(line.type == AnnotationType::Line);
    for (int c = 0; c < 3; ++c) {
        CHECK(line.points[0][c] == Approx(g.voxelToPatient({5, 6, k})[c]).margin(1e-6));
        CHECK(line.points[1][c] == Approx(g.voxelToPatient({25, 6, k})[c]).margin(1e-6));
    }
    CHECK(measure(f.s.scene.base->series.volume, line, "l").lengthMm == Approx(20 * g.spacing.x));
    CHECK(f.s.cursor == cursor); // the crosshair stayed where it was
    // A box from (5, 5) to (9, 8): 5 x 4 voxel centres inside.
    key(keycode::B);
    drag({5, 5, k}, {9, 8, k});
    REQUIRE(f.s.annotations.size() == 2);
    CHECK(measure(f.s.scene.base->series.volume, f.s.annotations[1], "b").roi.pixels == 20);
    // A click without a drag makes a box with no area: dropped. A point is a click.
    drag({7, 7, k}, {7, 7, k});
    CHECK(f.s.annotations.size() == 2);
    key(keycode::P);
    drag({3, 4, k}, {3, 4, k});
    REQUIRE(f.s.annotations.size() == 3);
    CHECK(measure(f.s.scene.base->series.volume, f.s.annotations[2], "p").voxel == glm::ivec3(3, 4, k));
    // A quick drag whose moves arrive with the release: the shape ends where the button came up.
    key(keycode::D);
    {
        InputFrame press = at(m.voxelToScreen(glm::ivec3(2, 2, k)));
        press.clicked[0] = press.down[0] = true;
        viewer::handleInput(f.s, press);
        InputFrame release = at(m.voxelToScreen(glm::ivec3(12, 2, k)));
        release.released[0] = true;
        viewer::handleInput(f.s, release);
    }
    REQUIRE(f.s.annotations.size() == 4);
    CHECK(measure(f.s.scene.base->series.volume, f.s.annotations[3], "q").lengthMm ==
          Approx(10 * g.spacing.x));
    // Delete removes the selected one: the one just drawn.
    CHECK(f.s.selectedAnnotation == 3);
    key(keycode::Delete);
    CHECK(f.s.annotations.size() == 3);
    CHECK(f.s.selectedAnnotation == -1);
    key(keycode::Delete); // nothing selected: nothing goes
    CHECK(f.s.annotations.size() == 3);
    // G: drag the first arm from (20, 5) to the vertex (10, 5), then click (10, 15): a right angle. Until the
    // click the angle is not kept; Esc would drop it.
    key(keycode::G);
    drag({20, 5, k}, {10, 5, k});
    CHECK(f.s.gesture.pending == 3);
    viewer::handleInput(f.s, at(m.voxelToScreen(glm::ivec3(14, 15, k)))); // the second arm follows the mouse
    CHECK(f.s.annotations[3].points[2][0] == Approx(g.voxelToPatient({14, 15, k}).x));
    drag({10, 15, k}, {10, 15, k});
    CHECK(f.s.gesture.pending == -1);
    REQUIRE(f.s.annotations.size() == 4);
    CHECK(measure(f.s.scene.base->series.volume, f.s.annotations[3], "g").angleDeg == Approx(90));
    key(keycode::Delete);
    key(keycode::G);
    drag({20, 5, k}, {10, 5, k});
    CHECK(f.s.annotations.size() == 4);
    key(keycode::Escape); // the unfinished angle goes, the tool stays
    CHECK(f.s.annotations.size() == 3);
    CHECK(f.s.tool == AnnotationType::Angle);
    // F: a click per vertex of the triangle (2, 10), (6, 10), (2, 14); Enter closes it: the 15 voxel centres
    // on and inside it. A double click closes one too (and does not maximise the view).
    key(keycode::F);
    for (glm::ivec3 c : {glm::ivec3(2, 10, k), glm::ivec3(6, 10, k), glm::ivec3(2, 14, k)})
        drag(c, c);
    CHECK(f.s.gesture.pending == 3);
    key(keycode::Enter);
    CHECK(f.s.gesture.pending == -1);
    REQUIRE(f.s.annotations.size() == 4);
    CHECK(f.s.annotations[3].points.size() == 3);
    const Measurement tri = measure(f.s.scene.base->series.volume, f.s.annotations[3], "f");
    CHECK(tri.roi.pixels == 15);
    for (glm::ivec3 c : {glm::ivec3(12, 10, k), glm::ivec3(16, 10, k), glm::ivec3(12, 14, k)})
        drag(c, c);
    InputFrame twice = at(m.voxelToScreen(glm::ivec3(12, 14, k)));
    twice.clicked[0] = twice.doubleClicked[0] = twice.down[0] = true;
    viewer::handleInput(f.s, twice);
    CHECK(f.s.maximised == -1);
    REQUIRE(f.s.annotations.size() == 5);
    CHECK(f.s.annotations[4].points.size() == 3);
    f.s.annotations.resize(3);
    f.s.selectedAnnotation = -1;
    // Two vertices and Enter: not a polygon, dropped.
    drag({1, 1, k}, {1, 1, k});
    drag({4, 1, k}, {4, 1, k});
    key(keycode::Enter);
    CHECK(f.s.annotations.size() == 3);
    // Esc: back to the crosshair; a click moves it again.
    key(keycode::Escape);
    CHECK_FALSE(f.s.tool);

    // S saves the slice with a sidecar: the slice as numbered, the window, and the measurements on it.
    {
        InputFrame over = at(f.centreOf(0));
        viewer::handleInput(f.s, over);
        const auto images = app::saveSlice(f.s, 0);
        REQUIRE(images.size() == 2);
        const auto sidecar = std::filesystem::path(images[0]).replace_extension(".json");
        REQUIRE(std::filesystem::exists(sidecar));
        const auto j = nlohmann::json::parse(readFile(sidecar));
        CHECK(j["image"] == images[0].filename().string());
        CHECK(j["axis"] == "axial");
        CHECK(j["slice"] == viewer::sliceNumberOf(f.s, 0));
        CHECK(j["series"] == f.s.annotationsSeries);
        CHECK(j["window"]["width"] == f.s.window.width);
        REQUIRE(j["annotations"].size() == 3);
        CHECK(j["annotations"][0]["type"] == "line");
        CHECK_THAT(j["annotations"][1]["value"].get<std::string>(), Catch::Contains("20 pixels"));
        // A second save keeps the first sidecar and names the next one after its image.
        const auto again = app::saveSlice(f.s, 0);
        CHECK(std::filesystem::exists(std::filesystem::path(again[0]).replace_extension(".json")));
        CHECK(nlohmann::json::parse(readFile(sidecar)) == j); // the first one untouched
    }
    // Kept, atomically, under the series' UID; a fresh window on the same series finds them.
    app::saveAnnotations(f.s, 0);
    const auto store = annotationStorePath(f.s.annotationsSeries);
    REQUIRE(std::filesystem::exists(store));
    CHECK(std::filesystem::path(store).parent_path().parent_path().parent_path() == data.path);
    viewer::AppState again;
    viewer::adoptDataset(again, f.s.scene.base);
    app::restoreAnnotations(again, 0);
    REQUIRE(again.annotations.size() == 3);
    CHECK(again.annotations[1].points == f.s.annotations[1].points);

    // A broken file is moved aside and reported, never overwritten.
    std::ofstream(store) << "{ broken";
    viewer::AppState broken;
    viewer::adoptDataset(broken, f.s.scene.base);
    app::restoreAnnotations(broken, 0);
    CHECK(broken.annotations.empty());
    REQUIRE_FALSE(broken.toasts.empty());
    CHECK_THAT(broken.toasts.back().text,
               Catch::Contains("not restored") && Catch::Contains("broken-1.json"));
    CHECK(readFile(store.parent_path() / (store.stem().string() + ".broken-1.json")) == "{ broken");
}

TEST_CASE("measurements: handles reshape them with any tool, Ctrl+Z / Ctrl+Shift+Z undo and redo every edit, "
          "restored ones are not an edit (issue 12)") {
    ViewerFixture f;
    TempDir data;
    const ScopedEnv dataHome("XDG_DATA_HOME", data.path.string());
    const Volume& vol = f.s.scene.base->series.volume;
    const Geometry& g = vol.geometry();
    const ViewMapping m = viewer::mappingOf(f.s, 0);
    const int k = viewer::sliceOf(f.s, 0);
    // One kept measurement from an earlier session: restoring it is not an edit, Ctrl+Z leaves it.
    Annotation kept;
    kept.type = AnnotationType::Point;
    kept.points = {g.voxelToPatient({40, 30, k})};
    saveAnnotationStore(AnnotationFile{f.s.scene.base->series.about.listing.uid, {kept}});
    // As the frame loop does: input, then the undo history (an edit counts once the button is up).
    auto frame = [&](const InputFrame& in) {
        viewer::handleInput(f.s, in);
        viewer::trackUndo(f.s, in.down[0]);
    };
    viewer::trackUndo(f.s, false);
    f.s.window.width += 100; // an edit before the restore: undoing it must keep the restored measurement
    viewer::trackUndo(f.s, false);
    app::restoreAnnotations(f.s, 0);
    REQUIRE(f.s.annotations.size() == 1);
    auto key = [&](int code, bool ctrl = false, bool shift = false) {
        InputFrame in = at(f.centreOf(0));
        in.keys = {{code, ctrl, shift}};
        frame(in);
    };
    auto drag = [&](glm::dvec3 a, glm::dvec3 b) {
        InputFrame press = at(m.voxelToScreen(a));
        press.clicked[0] = press.down[0] = true;
        frame(press);
        InputFrame move = at(m.voxelToScreen(b));
        move.down[0] = true;
        move.mouseDelta = m.voxelToScreen(b) - m.voxelToScreen(a);
        frame(move);
        InputFrame release = at(m.voxelToScreen(b));
        release.released[0] = true;
        frame(release);
    };
    auto pixels = [&](std::size_t n) { return measure(vol, f.s.annotations.at(n), "a").roi.pixels; };
    auto length = [&](std::size_t n) { return measure(vol, f.s.annotations.at(n), "a").lengthMm; };

    key(keycode::D);
    drag({5, 6, k}, {25, 6, k});
    REQUIRE(f.s.annotations.size() == 2);
    CHECK(length(1) == Approx(20 * g.spacing.x));
    // With the crosshair tool, a press on the line's end grabs it (and does not move the crosshair); a press
    // a little off the end (within the reach) grabs it too.
    key(keycode::Escape);
    REQUIRE_FALSE(f.s.tool);
    const glm::ivec3 cursor = f.s.cursor;
    drag(glm::dvec3(25, 6, k) + glm::dvec3(0.1, 0.1, 0), {25, 16, k});
    REQUIRE(f.s.annotations.size() == 2);
    CHECK(f.s.cursor == cursor);
    CHECK(f.s.gesture.editing == -1);
    CHECK(length(1) == Approx(std::hypot(20 * g.spacing.x, 10 * g.spacing.y)));
    CHECK(glm::length(f.s.annotations[1].points[0] - g.voxelToPatient({5, 6, k})) <
          1e-6); // the other end stayed
    // A box's corner that is not one of its two stored points: (9, 5) takes the second corner's h and the
    // first's v. Dragged to (11, 3): the box (5..11) x (3..8), 7 x 6 voxel centres, the opposite corner
    // fixed.
    key(keycode::B);
    drag({5, 5, k}, {9, 8, k});
    REQUIRE(f.s.annotations.size() == 3);
    CHECK(pixels(2) == 20);
    drag({9, 5, k}, {11, 3, k}); // the box tool is still on: a handle wins over a new box
    REQUIRE(f.s.annotations.size() == 3);
    CHECK(pixels(2) == 42);
    CHECK(f.s.selectedAnnotation == 2);
    CHECK(f.s.annotationsChanged);

    // Undo, one edit at a time, back to the restored state (and no further); then redo all of it.
    key(keycode::Z, true);
    CHECK(pixels(2) == 20);
    key(keycode::Z, true);
    CHECK(f.s.annotations.size() == 2);
    key(keycode::Z, true);
    CHECK(length(1) == Approx(20 * g.spacing.x));
    key(keycode::Z, true);
    REQUIRE(f.s.annotations.size() == 1);
    CHECK(f.s.annotations[0] == kept);
    key(keycode::Z, true); // the window edit before the restore: undone, the kept point stays
    CHECK(f.s.annotations.size() == 1);
    CHECK(f.s.window.width == Approx(initialWindow(f.s.scene.base->series).width));
    for (int n = 0; n < 5; ++n)
        key(keycode::Z, true, true);
    REQUIRE(f.s.annotations.size() == 3);
    CHECK(pixels(2) == 42);
    CHECK(length(1) == Approx(std::hypot(20 * g.spacing.x, 10 * g.spacing.y)));

    // Delete is an edit too (the box selected, as by a click on its row).
    f.s.selectedAnnotation = 2;
    key(keycode::Delete);
    CHECK(f.s.annotations.size() == 2);
    key(keycode::Z, true);
    REQUIRE(f.s.annotations.size() == 3);
    CHECK(pixels(2) == 42);
    // Ctrl+Z on a polygon still being clicked out drops it, and only it.
    key(keycode::F);
    drag({20, 20, k}, {20, 20, k});
    drag({26, 20, k}, {26, 20, k});
    CHECK(f.s.gesture.pending == 3);
    key(keycode::Z, true);
    CHECK(f.s.gesture.pending == -1);
    CHECK(f.s.annotations.size() == 3);
    CHECK(pixels(2) == 42);
    // A window edit between a polygon's clicks is an edit of its own: Ctrl+Z after the polygon takes the
    // polygon alone, the next one the window (not both at once).
    const double width = f.s.window.width;
    drag({20, 20, k}, {20, 20, k});
    drag({26, 20, k}, {26, 20, k});
    f.s.window.width = width + 250; // as the panel's field or a right drag would, mid-polygon
    viewer::trackUndo(f.s, false);
    drag({26, 27, k}, {26, 27, k});
    key(keycode::Enter);
    REQUIRE(f.s.annotations.size() == 4);
    REQUIRE(f.s.gesture.pending == -1);
    key(keycode::Z, true);
    CHECK(f.s.annotations.size() == 3);
    CHECK(f.s.window.width == width + 250);
    key(keycode::Z, true);
    CHECK(f.s.annotations.size() == 3);
    CHECK(f.s.window.width == width);
    key(keycode::Z, true, true);
    key(keycode::Z, true, true);
    CHECK(f.s.annotations.size() == 4);
    CHECK(f.s.window.width == width + 250);
    // Ctrl+Z mid-polygon drops the polygon but keeps a window edit made meanwhile.
    drag({30, 30, k}, {30, 30, k});
    drag({34, 30, k}, {34, 30, k});
    f.s.window.width = width + 400;
    viewer::trackUndo(f.s, false);
    key(keycode::Z, true);
    CHECK(f.s.gesture.pending == -1);
    CHECK(f.s.annotations.size() == 4);
    CHECK(f.s.window.width == width + 400);
    key(keycode::Escape);
    // What undo and redo leave is kept like any edit.
    app::saveAnnotations(f.s, 0);
    std::string problem;
    CHECK(loadAnnotationStore(f.s.annotationsSeries, problem).annotations == f.s.annotations);
}

TEST_CASE("key table: no two rows of one scope take the same key, and every key row says what it does") {
    using Mods = viewer::KeyChord::Mods;
    auto overlap = [](Mods a, Mods b) {
        if (a == Mods::Ctrl || b == Mods::Ctrl)
            return a == b;
        return a == Mods::Any || b == Mods::Any || a == b;
    };
    const auto& table = viewer::keyBindings();
    int keys = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const viewer::KeyBinding& a = table[i];
        CHECK((a.run != nullptr) == !a.keys.empty()); // a key does something; a mouse row has no key
        CHECK(a.action != nullptr);
        keys += int(a.keys.size());
        for (std::size_t j = i + 1; j < table.size(); ++j) {
            const viewer::KeyBinding& b = table[j];
            if (a.scope != b.scope)
                continue;
            for (const viewer::KeyChord& x : a.keys)
                for (const viewer::KeyChord& y : b.keys) {
                    INFO((a.input ? a.input : a.action) << " and " << (b.input ? b.input : b.action));
                    CHECK_FALSE((x.key == y.key && overlap(x.mods, y.mods)));
                }
        }
    }
    CHECK(keys >= 40);
}

namespace {
// A new segment in the editor, thresholded to the bone (300..3071 HU) of the whole series.
void boneSegment(viewer::AppState& s) {
    REQUIRE(viewer::newSegment(s));
    s.editor.lo = 300;
    s.editor.hi = 3071;
    REQUIRE(viewer::applyThreshold(s));
}
} // namespace

TEST_CASE("segment editor: with the Islands tool, a click in a slice view keeps the part under it, Ctrl+Z "
          "undoes it, the segmentation saves as a .seg.nrrd that reads back") {
    ViewerFixture f;
    boneSegment(f.s);
    const Volume& ct = f.s.scene.base->series.volume;
    const glm::ivec3 dims = ct.geometry().dims;
    const Mask bone = thresholdMask(ct, 300, 3071);
    const std::size_t all = f.s.scene.labels[0].layer->stats[0].voxels;
    REQUIRE(all == countVoxels(bone));
    // A bone voxel on the axial view's slice, and where it is on screen.
    const int k = viewer::sliceOf(f.s, 0);
    glm::ivec3 voxel(-1);
    for (int j = 0; j < dims.y && voxel.x < 0; ++j)
        for (int i = 0; i < dims.x && voxel.x < 0; ++i)
            if (bone[ct.index(i, j, k)])
                voxel = {i, j, k};
    REQUIRE(voxel.x >= 0);
    const std::size_t part = countVoxels(keepIslandAt(bone, dims, voxel, Connectivity::Faces6));
    REQUIRE(part < all); // the phantom's bone is in several parts

    const glm::ivec3 cursor = f.s.cursor;
    f.s.editor.open = true;
    f.s.editor.tool = viewer::SegmentEditor::Tool::Islands;
    viewer::InputFrame press = at(viewer::mappingOf(f.s, 0).voxelToScreen(voxel));
    press.clicked[0] = press.down[0] = true;
    viewer::handleInput(f.s, press);
    CHECK(f.s.scene.labels[0].layer->stats[0].voxels == part);
    CHECK(f.s.cursor == cursor); // the click edited; the crosshair stayed
    // Ctrl+Z undoes the segment's edit while the editor is open (not the window/level history).
    viewer::InputFrame undo = at({0, 0});
    undo.keys.push_back({keycode::Z, true, false});
    undo.ctrl = true;
    viewer::handleInput(f.s, undo);
    CHECK(f.s.scene.labels[0].layer->stats[0].voxels == all);

    // Saved into the export folder as 3D Slicer's format, read back as the same voxels.
    const auto saved = app::saveSegmentation(f.s, 0);
    REQUIRE(std::filesystem::exists(saved));
    CHECK(saved.string().ends_with(".seg.nrrd"));
    CHECK_FALSE(f.s.editor.unsaved);
    const Volume back = readVolumeFile(saved);
    std::size_t set = 0;
    for (std::size_t v = 0; v < back.geometry().voxelCount(); ++v)
        set += back.int16Data()[v] == 1 ? 1 : 0;
    CHECK(set == all);
    // ... and, chosen in "Save as", as a DICOM SEG of the phantom's series that reads back the same.
    f.s.editor.saveFormat = 2;
    REQUIRE(std::string(viewer::segmentationFormats()[2].extension) == ".dcm");
    const auto seg = app::saveSegmentation(f.s, 0);
    REQUIRE(seg.string().ends_with(".dcm"));
    const LabelLayer segBack = openLayer(seg, f.s.scene.base->series, {});
    REQUIRE(segBack.segments.size() == 1);
    CHECK(segBack.segments[0].name == f.s.scene.labels[0].layer->segments[0].name);
    CHECK(countVoxels(segmentMask(segBack, segBack.segments[0])) == all);

    // Its surface as an STL beside it, named for the segment: 50 bytes a triangle after the 84-byte header.
    const auto stl = app::exportSurface(f.s, 0);
    REQUIRE(std::filesystem::exists(stl));
    CHECK(stl.filename() == "Segment_1.stl");
    CHECK(f.s.editor.lastMessage == "Surface saved as " + stl.string());
    const auto bytes = std::filesystem::file_size(stl);
    CHECK(bytes > 84);
    CHECK((bytes - 84) % 50 == 0);
    // ... or, chosen in "Surface", as an OBJ with normals.
    f.s.editor.surfaceFormat = 1;
    const auto obj = app::exportSurface(f.s, 0);
    CHECK(obj.filename() == "Segment_1.obj");
    CHECK(readFile(obj).find("\nvn ") != std::string::npos);
}

TEST_CASE("segment editor: an edit reaches the GPU as the box it changed, and the views show what uploading "
          "the whole layer shows") {
    ViewerFixture f;
    boneSegment(f.s);
    const glm::ivec2 size(1000, 800);
    RgbImage before, after;
    {
        app::HeadlessSession session;
        before = session.draw(f.s, size, false);
        const std::uint64_t drawn = f.s.scene.labels[0].layer->lineage.id;
        // Grown by about a voxel (10 x 12 x 13.8 mm): the bone's outline moves in every view, the 3D view's
        // too.
        f.s.editor.marginMm = 15;
        REQUIRE(viewer::changeMargin(f.s, viewer::MarginEdit::Grow));
        const LayerLineage& lineage = f.s.scene.labels[0].layer->lineage;
        REQUIRE(lineage.editedFrom == drawn); // what the session's textures hold: the box goes up alone
        after = session.draw(f.s, size, false);
        CHECK(after.rgb != before.rgb);
        // Then the bone of the crop box's right half removed (thresholded at a range no voxel has): the bone
        // left of the cut gets an edge there, outside the box the edit changed (the neighbours' bits of a
        // value group's texels go up with the box).
        f.s.view3d.cropMin.x = 0.5;
        f.s.editor.lo = 3000;
        f.s.editor.hi = 3001;
        const std::size_t grown = f.s.scene.labels[0].layer->stats[0].voxels;
        const std::uint64_t grownId = f.s.scene.labels[0].layer->lineage.id;
        REQUIRE(viewer::applyThreshold(f.s));
        REQUIRE(f.s.scene.labels[0].layer->lineage.editedFrom == grownId);
        CHECK(f.s.scene.labels[0].layer->stats[0].voxels < grown);
        after = session.draw(f.s, size, false);
    }
    // A session of its own uploads the whole layer: the same picture.
    const RgbImage whole = app::renderHeadless(f.s, size, false);
    REQUIRE(whole.rgb.size() == after.rgb.size());
    std::size_t differ = 0;
    for (std::size_t n = 0; n < whole.rgb.size(); ++n)
        differ += whole.rgb[n] != after.rgb[n];
    CHECK(differ == 0);
}

TEST_CASE("segment editor: every edit is kept aside for the series, after a crash it is offered back, "
          "restored as the edited layer, and gone once saved") {
    TempDir data;
    const ScopedEnv dataHome("XDG_DATA_HOME", data.path.string());
    std::size_t voxels = 0;
    std::filesystem::path kept;
    {
        ViewerFixture f;
        boneSegment(f.s);
        voxels = f.s.scene.labels[0].layer->stats[0].voxels;
        app::autosaveSegmentation(f.s, 0);
        kept = app::segmentationAutosavePath(f.s.scene.base->series.about.listing.uid);
        REQUIRE(std::filesystem::exists(kept));
        CHECK(kept.parent_path() == data.path / "ctview" / "segmentations");
        // The window goes without saving (a crash): the file stays.
    }
    ViewerFixture g; // the same series again (the phantom's UIDs are fixed)
    app::offerAutosave(g.s, 0);
    REQUIRE(g.s.editor.restorable == kept.string());
    // Nothing new is made over it until it is restored or let go.
    CHECK_FALSE(viewer::newSegment(g.s));
    CHECK(g.s.editor.lastMessage == "first restore the edits kept from last time, or discard them");
    // Restore (as the panel's button: the label task opens it, then it becomes the edited layer).
    g.s.editor.adopting = std::exchange(g.s.editor.restorable, {});
    viewer::LabelTask task(g.s.editor.adopting, g.s.scene.base, fastOptions(), false, nullptr);
    task.wait();
    std::string error;
    bool image = false;
    viewer::adoptRestoredEdits(g.s, task.take(error, image));
    REQUIRE(error.empty());
    REQUIRE(g.s.scene.labels.size() == 1);
    CHECK(g.s.scene.labels[0].layer->name == "Restored segmentation");
    CHECK(g.s.scene.labels[0].layer->stats[0].voxels == voxels);
    CHECK(g.s.editor.editing());
    CHECK(g.s.editor.unsaved);
    // Restored, then the window closed without an edit: the kept copy stays for next time...
    app::settleAutosaveAtExit(g.s);
    CHECK(std::filesystem::exists(kept));
    // ... unless the edits were let go ("Quit without saving", as the panel's button does it).
    {
        const std::string keptBytes = readFile(kept);
        viewer::AppState quit = g.s;
        quit.editor.unsaved = false;
        app::settleAutosaveAtExit(quit);
        CHECK_FALSE(std::filesystem::exists(kept));
        std::ofstream(kept, std::ios::binary) << keptBytes; // kept again for what follows
    }
    // More edits go on being kept; saving lets the kept copy go.
    REQUIRE(viewer::keepLargestIsland(g.s));
    app::autosaveSegmentation(g.s, 0);
    CHECK(std::filesystem::exists(kept));
    const std::filesystem::path saved = app::saveSegmentation(g.s, 0);
    REQUIRE_FALSE(saved.empty());
    CHECK_FALSE(std::filesystem::exists(kept));
    CHECK(g.s.editor.lastMessage == "Saved as " + saved.string()); // under the tools, after the toast
}

TEST_CASE("segment editor: scissors drawn over the 3D view cut the segment through the whole depth") {
    ViewerFixture f;
    boneSegment(f.s);
    const Volume& ct = f.s.scene.base->series.volume;
    const Geometry& g = ct.geometry();
    const Rect r = f.s.cells[3];
    // A rectangle over the left half of the 3D view, dragged out corner by corner.
    const glm::dvec2 a(r.x + 2, r.y + 2), b(r.x + r.w / 2, r.y + r.h - 2);
    const std::vector<glm::dvec2> corners = {a, {b.x, a.y}, b, {a.x, b.y}};
    // What it holds, found here with the camera's own projection and a plain rectangle test.
    const CameraMatrices cm = cameraMatrices(f.s.view3d.camera, g, {r.w, r.h});
    const Mask bone = thresholdMask(ct, 300, 3071);
    std::size_t inside = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                glm::dvec2 at;
                if (bone[ct.index(i, j, k)] && projectToScreen(cm, r, g.voxelToPatient({i, j, k}), at) &&
                    at.x > a.x && at.x < b.x && at.y > a.y && at.y < b.y)
                    ++inside;
            }
    const std::size_t all = countVoxels(bone);
    REQUIRE(inside > 0);
    REQUIRE(inside < all);
    auto cut = [&] {
        f.s.editor.open = true;
        f.s.editor.tool = viewer::SegmentEditor::Tool::Scissors;
        viewer::InputFrame press = at(corners[0]);
        press.clicked[0] = press.down[0] = true;
        viewer::handleInput(f.s, press);
        for (std::size_t c = 1; c < corners.size(); ++c) {
            viewer::InputFrame move = at(corners[c]);
            move.down[0] = true;
            move.mouseDelta = corners[c] - corners[c - 1];
            viewer::handleInput(f.s, move);
        }
        viewer::InputFrame release = at(corners.back());
        release.released[0] = true;
        viewer::handleInput(f.s, release);
    };
    const Camera3D camera = f.s.view3d.camera;
    cut();
    CHECK(f.s.scene.labels[0].layer->stats[0].voxels == all - inside);
    CHECK(f.s.view3d.camera.rotation == camera.rotation); // the drag cut; it did not turn the volume
    CHECK(f.s.editor.scissorsPath.empty());
    REQUIRE(viewer::undoSegmentEdit(f.s));
    f.s.editor.keepInside = true;
    cut();
    CHECK(f.s.scene.labels[0].layer->stats[0].voxels == inside);
}

TEST_CASE(
    "segment editor: a paint stroke in the axial view paints the voxels within the brush of its path on "
    "that slice, Shift erases, a ball reaches the slices around, Only on a HU range") {
    ViewerFixture f;
    REQUIRE(viewer::newSegment(f.s));
    const Volume& ct = f.s.scene.base->series.volume;
    const Geometry& g = ct.geometry();
    const int k = viewer::sliceOf(f.s, 0);
    const ViewMapping m = viewer::mappingOf(f.s, 0);
    // From a quarter to three quarters across the slice, through its middle row.
    const glm::ivec3 a(g.dims.x / 4, g.dims.y / 2, k), b(3 * g.dims.x / 4, g.dims.y / 2, k);
    const glm::dvec3 pa = g.voxelToPatient(glm::dvec3(a)), pb = g.voxelToPatient(glm::dvec3(b));
    f.s.editor.open = true;
    f.s.editor.tool = viewer::SegmentEditor::Tool::Paint;
    f.s.editor.brushMm = 4;
    auto stroke = [&](bool shift) {
        viewer::InputFrame press = at(m.voxelToScreen(a));
        press.clicked[0] = press.down[0] = true;
        press.shift = shift;
        viewer::handleInput(f.s, press);
        for (int n = 1; n <= 4; ++n) {
            viewer::InputFrame move =
                at(m.voxelToScreen(a) + (m.voxelToScreen(b) - m.voxelToScreen(a)) * (n / 4.0));
            move.down[0] = true;
            move.mouseDelta = (m.voxelToScreen(b) - m.voxelToScreen(a)) / 4.0;
            viewer::handleInput(f.s, move);
        }
        viewer::InputFrame release = at(m.voxelToScreen(b));
        release.released[0] = true;
        viewer::handleInput(f.s, release);
    };
    // Expected: the voxels of slice k within 4 mm of the segment a-b (a capsule), counted here.
    auto capsule = [&](int slices, const std::function<bool(glm::ivec3)>& also) {
        std::size_t n = 0;
        for (int kk = std::max(0, k - slices); kk <= std::min(g.dims.z - 1, k + slices); ++kk)
            for (int j = 0; j < g.dims.y; ++j)
                for (int i = 0; i < g.dims.x; ++i) {
                    const glm::dvec3 q = g.voxelToPatient({i, j, kk});
                    const glm::dvec3 ab = pb - pa;
                    const double t = std::clamp(glm::dot(q - pa, ab) / glm::dot(ab, ab), 0.0, 1.0);
                    if (glm::length(q - (pa + t * ab)) <= double(f.s.editor.brushMm) && also({i, j, kk}))
                        ++n;
                }
        return n;
    };
    const std::size_t painted = capsule(0, [](glm::ivec3) { return true; });
    REQUIRE(painted > 0);
    stroke(false);
    CHECK(f.s.scene.labels[0].layer->stats[0].voxels == painted);
    CHECK(f.s.scene.labels[0].layer->stats[0].voxelMin.z == k);
    CHECK(f.s.scene.labels[0].layer->stats[0].voxelMax.z == k);
    CHECK(f.s.editor.stroke.empty());
    stroke(true); // Shift: erase the same stroke
    CHECK(f.s.scene.labels[0].layer->stats[0].voxels == 0);
    // A ball (of a radius past the next slices) reaches the slices within it; only on a HU range.
    f.s.editor.brushMm = float(1.5 * g.spacing.z);
    f.s.editor.sphere = true;
    f.s.editor.limitToRange = true;
    f.s.editor.lo = -200;
    f.s.editor.hi = 200;
    stroke(false);
    const std::size_t soft = capsule(g.dims.z, [&](glm::ivec3 v) {
        const float hu = ct.at(v.x, v.y, v.z);
        return hu >= -200 && hu <= 200;
    });
    CHECK(f.s.scene.labels[0].layer->stats[0].voxels == soft);
    CHECK(f.s.scene.labels[0].layer->stats[0].voxelMin.z < k);
}

TEST_CASE(
    "viewer: Share saves a de-identified copy of the series with its SEG, which opens as the original does") {
    TempDir in, out;
    REQUIRE(run("make-phantom --size 32x24x6 --segmentation " + q(in.path / "case")).code == 0);
    app::CommonOptions common;
    common.input = (in.path / "case").string();
    common.quiet = true;
    viewer::AppState s;
    viewer::adoptDataset(s, app::loadDatasetHeadless(common, false));
    s.exportDir = out.path;
    const auto files = app::shareableFiles(s);
    REQUIRE(files.size() == 7); // 6 slices and the SEG
    app::ShareJob::Request r;
    r.files = files;
    r.copyInto = out.path / "copy";
    {
        app::ShareJob job(r);
        for (int n = 0; n < 600 && !job.finished(); ++n)
            ::usleep(50000);
        REQUIRE(job.finished());
        bool failed = true;
        CHECK_THAT(job.result(failed), Catch::Contains("Saved an anonymised copy: 7 of 7 files"));
        CHECK_FALSE(failed);
    }
    const Run info = run("info --json " + q(out.path / "copy"));
    REQUIRE(info.code == 0);
    const auto j = nlohmann::json::parse(info.out);
    CHECK(j["patient"]["name"] == "ANONYMOUS");
    CHECK(j["segmentations"]["layers"].size() == 1);
    // Sending to a node that is not there: a one-line failure, the window's state untouched.
    r.node = "dicom://NOBODY@127.0.0.1:1";
    app::ShareJob send(r);
    for (int n = 0; n < 600 && !send.finished(); ++n)
        ::usleep(50000);
    bool failed = false;
    CHECK_THAT(send.result(failed),
               Catch::Contains("Could not send: NOBODY@127.0.0.1:1: connection refused"));
    CHECK(failed);
}

TEST_CASE("viewer input: side by side, the second series' views act on the same planes, its window its own") {
    ViewerFixture f;
    viewer::ImageLayerView layer = viewer::makeImageLayer(*f.s.scene.base, f.s.scene.base);
    layer.mode = viewer::FusionMode::SideBySide;
    layer.window = {1000, 200};
    viewer::setImageLayer(f.s, std::move(layer));
    viewer::layoutCells(f.s, Rect{340, 0, 660, 800});
    // The base's views in the left half (329 wide), the second series' the same 331 pixels to the right.
    CHECK(f.s.paneOffset == Approx(331.0f));
    CHECK(f.s.cells[0].w == Approx((329.0f - 2) / 2));
    CHECK(f.s.cells[1].x + f.s.cells[1].w <= 340 + 329.0f);
    // The wheel over the second series' axial view moves the axial slice (both sides show it).
    const int axial0 = viewer::sliceNumberOf(f.s, 0), coronal0 = viewer::sliceOf(f.s, 1);
    InputFrame wheel = at(f.centreOf(0) + glm::dvec2(f.s.paneOffset, 0));
    wheel.wheel = -1;
    viewer::handleInput(f.s, wheel);
    CHECK(viewer::sliceNumberOf(f.s, 0) == axial0 + 1);
    CHECK(viewer::sliceOf(f.s, 1) == coronal0);
    // Over its coronal view, the coronal slice.
    wheel.mouse = f.centreOf(1) + glm::dvec2(f.s.paneOffset, 0);
    viewer::handleInput(f.s, wheel);
    CHECK(viewer::sliceOf(f.s, 1) == coronal0 + 1);
    // A right drag there sets the second series' window, not the base's; on the left, the base's.
    const WindowLevel base = f.s.window;
    auto rightDrag = [&](glm::dvec2 from) {
        InputFrame press = at(from);
        press.clicked[1] = press.down[1] = true;
        viewer::handleInput(f.s, press);
        InputFrame move = at(from + glm::dvec2(40, 20));
        move.down[1] = true;
        move.mouseDelta = {40, 20};
        viewer::handleInput(f.s, move);
        InputFrame release = at(from + glm::dvec2(40, 20));
        release.released[1] = true;
        viewer::handleInput(f.s, release);
    };
    rightDrag(f.centreOf(0) + glm::dvec2(f.s.paneOffset, 0));
    CHECK(f.s.window.width == base.width);
    CHECK(f.s.window.center == base.center);
    CHECK(f.s.scene.images.front().window.width == Approx(1000 + 40 * 2.5));
    CHECK(f.s.scene.images.front().window.center == Approx(200 + 20 * 2.5));
    rightDrag(f.centreOf(0));
    CHECK(f.s.window.width > base.width);
    CHECK(f.s.scene.images.front().window.width == Approx(1100));
    // With its look linked to the base's, a right drag on its side sets the base's window.
    f.s.scene.images.front().linkLook = true;
    const WindowLevel before = f.s.window;
    rightDrag(f.centreOf(0) + glm::dvec2(f.s.paneOffset, 0));
    CHECK(f.s.window.width > before.width);
    // Overlay mode (or the layer hidden): the views take the whole area again.
    f.s.scene.images.front().mode = viewer::FusionMode::Overlay;
    viewer::layoutCells(f.s, Rect{340, 0, 660, 800});
    CHECK(f.s.paneOffset == 0.0f);
    CHECK(f.s.cells[1].x + f.s.cells[1].w == Approx(1000.0f));
}

TEST_CASE(
    "viewer input: Align here, a landmark clicked on each side, moves the second series by the difference") {
    ViewerFixture f;
    viewer::ImageLayerView layer = viewer::makeImageLayer(*f.s.scene.base, f.s.scene.base);
    layer.mode = viewer::FusionMode::SideBySide;
    viewer::setImageLayer(f.s, std::move(layer));
    viewer::layoutCells(f.s, Rect{340, 0, 660, 800});
    const glm::ivec3 cursor = f.s.cursor;
    auto click = [&](glm::dvec2 p) {
        InputFrame in = at(p);
        in.clicked[0] = in.down[0] = true;
        const viewer::Commands c = viewer::handleInput(f.s, in);
        InputFrame up = at(p);
        up.released[0] = true;
        viewer::handleInput(f.s, up);
        return c;
    };
    f.s.gesture.align.step = 1;
    const glm::dvec2 left = f.centreOf(0) + glm::dvec2(-20, 10);
    const glm::dvec2 right = f.centreOf(0) + glm::dvec2(f.s.paneOffset + 15, -5);
    // A click on the right first waits for the left one; neither moves the crosshair.
    CHECK(click(right).empty());
    CHECK(f.s.gesture.align.step == 1);
    CHECK(click(left).empty());
    CHECK(f.s.gesture.align.step == 2);
    const viewer::Commands done = click(right);
    REQUIRE(done.size() == 1);
    CHECK(done.front().kind == viewer::Command::Kind::Realign);
    CHECK(f.s.gesture.align.step == 0);
    CHECK(f.s.cursor == cursor);
    // The landmark under the right click (base point q) should show where the left click was (p): the layer's
    // point at base point p is what it showed at q.
    const glm::dvec3 p = viewer::patientUnder(f.s, 0, left);
    const glm::dvec3 q = viewer::patientUnder(f.s, 0, right - glm::dvec2(f.s.paneOffset, 0));
    const glm::dvec3 at = glm::dvec3(f.s.gesture.align.link * glm::dvec4(p, 1));
    CHECK(glm::length(at - q) < 1e-9);
    // Esc leaves the gesture.
    f.s.gesture.align.step = 1;
    f.key(viewer::keycode::Escape);
    CHECK(f.s.gesture.align.step == 0);
}
