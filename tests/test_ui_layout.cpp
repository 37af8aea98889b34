// The panels' layout, tested without a display: an ImGui context of its own (fonts built, nothing rendered),
// frames of a given size, and the windows ImGui laid out, by name (imgui_internal.h). What a user of a small
// window or a long path name sees clipped, these tests see as a window that leaves the display.
#include "testutil.h"

#include "app/gl_context.h"
#include "base/text.h"
#include "ui/panels.h"
#include "viewer/input.h"
#include "viewer/segment_editor.h"
#include "viewer/settings.h"

#include <catch2/catch.hpp>
#include <imgui_internal.h>

#include <algorithm>

using namespace ctview;

namespace {

struct ImGuiFrame {
    ImGuiContext* context;
    explicit ImGuiFrame(glm::vec2 display) {
        context = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(display.x, display.y);
        io.DeltaTime = 1.0f / 60.0f;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h); // the atlas must exist; nothing is drawn
    }
    ~ImGuiFrame() { ImGui::DestroyContext(context); }
    // Runs `draw` in a few frames (auto-resizing windows settle on the second).
    template <class F> void frames(F draw, int n = 3) {
        for (int i = 0; i < n; ++i) {
            ImGui::NewFrame();
            draw();
            ImGui::EndFrame();
        }
    }
};

// A series of `g`'s grid with every voxel 0 HU: what the panels and overlays need of a loaded one.
std::shared_ptr<Dataset> blankDataset(const Geometry& g) {
    auto d = std::make_shared<Dataset>();
    d->series.volume = Volume(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    return d;
}
Geometry grid(glm::ivec3 dims) {
    Geometry g;
    g.dims = dims;
    return g;
}

bool inside(const ImGuiWindow* w, glm::vec2 display) {
    return w->Pos.x >= -0.5f && w->Pos.y >= -0.5f && w->Pos.x + w->Size.x <= display.x + 0.5f &&
           w->Pos.y + w->Size.y <= display.y + 0.5f;
}

} // namespace

TEST_CASE("toasts stay inside the window, a long path wrapped, whole (issue 14.10)") {
    for (const glm::vec2 display : {glm::vec2(800, 600), glm::vec2(1400, 900)}) {
        INFO("display " << display.x << "x" << display.y);
        ImGuiFrame f(display);
        viewer::AppState s;
        s.viewArea = Rect{display.x * 0.3f, 0, display.x * 0.7f, display.y};
        const std::string path =
            "/home/someone/.config/ctview/presets/" + std::string(90, 'x') + "-ux-check.json";
        viewer::addToast(s, "Preset saved: " + path, 0.0);
        ui::RenderFeedback feedback;
        f.frames([&] { ui::drawStatus(s, feedback, 0.5); });
        const ImGuiWindow* toast = ImGui::FindWindowByName("##toast0");
        REQUIRE(toast);
        CHECK(inside(toast, display));
        CHECK(toast->Pos.x >= s.viewArea.x - 0.5f);
        // Wrapped, not cut: the text's extent fits the window (which grew in height instead).
        CHECK(toast->ContentSize.x <= toast->Size.x);
        CHECK(toast->Size.y > 2.5f * ImGui::GetTextLineHeight());
    }
}

TEST_CASE("F1 help: every row whole inside the window, long actions wrapped, at any window size") {
    std::vector<std::pair<const char*, const char*>> help;
    for (const viewer::Control& c : viewer::controls())
        help.emplace_back(c.input, c.action);
    for (const glm::vec2 display : {glm::vec2(800, 600), glm::vec2(1400, 900), glm::vec2(1920, 1080)}) {
        INFO("display " << display.x << "x" << display.y);
        ImGuiFrame f(display);
        viewer::AppState s;
        s.panels.help = true;
        f.frames([&] { ui::drawHelp(s, help); });
        const ImGuiWindow* w = ImGui::FindWindowByName("Keys and mouse (F1 or Esc to close)");
        REQUIRE(w);
        CHECK(inside(w, display));
        // Nothing wider than the window: the longest action (the measuring tools, over 250 characters) wraps.
        CHECK(w->ContentSizeIdeal.x <= w->ContentRegionRect.GetWidth() + 0.5f);
        // Every row is reachable: the window is its content's height, or scrolls to it.
        CHECK((w->ContentSize.y <= w->ContentRegionRect.GetHeight() + 0.5f || w->ScrollbarY));
    }
}

TEST_CASE("the Open and PACS dialogs fit a small window, whole") {
    for (const glm::vec2 display : {glm::vec2(640, 480), glm::vec2(800, 600), glm::vec2(1400, 900)}) {
        INFO("display " << display.x << "x" << display.y);
        ImGuiFrame f(display);
        viewer::AppState s;
        s.panels.open = s.panels.pacs = true;
        viewer::Commands commands;
        f.frames([&] {
            ui::drawOpenDialog(s, commands);
            ui::drawPacsDialog(s, commands);
        });
        for (const char* name :
             {"Open a DICOM folder or file, or a NRRD/NIfTI file", "PACS (DICOMweb, DIMSE)"}) {
            INFO(name);
            const ImGuiWindow* w = ImGui::FindWindowByName(name);
            REQUIRE(w);
            CHECK(inside(w, display));
        }
    }
}

TEST_CASE(
    "the Open dialog draws any recent entry: empty, duplicate, '##', very long, vanished (issue 32.1)") {
    // An empty entry used to abort the window ("Cannot have an empty ID at the root of a window") in every
    // session, since it was saved in settings.json; "##" and "###" in a path cut or re-identified its label.
    test::TempDir here;
    const std::string longPath = "/" + std::string(5000, 'x');
    ImGuiFrame f({800, 600});
    viewer::AppState s;
    s.panels.open = true;
    s.prefs.recent = {"",    "",       here.path.string(), "/data/a##b",
                      "###", longPath, here.path.string(), "/vanished/folder"};
    viewer::Commands commands;
    f.frames([&] { ui::drawOpenDialog(s, commands); });
    const ImGuiWindow* w = ImGui::FindWindowByName("Open a DICOM folder or file, or a NRRD/NIfTI file");
    REQUIRE(w);
    CHECK(inside(w, {800, 600}));
    CHECK(commands.empty());
}

TEST_CASE("the folder browser's order is natural: I2, I10, I100, not I10, I100, I2 (issue 32.11)") {
    std::vector<std::string> names = {"I100",     "I10", "IM0001", "I2",    "I110",
                                      "DICOMDIR", "I1",  "IM0010", "IM0002"};
    std::sort(names.begin(), names.end(), naturalLess);
    CHECK(names == std::vector<std::string>{"DICOMDIR", "I1", "I2", "I10", "I100", "I110", "IM0001", "IM0002",
                                            "IM0010"});
}

// Issue 32.11: the Measurements panel cut its rows at the panel's edge; each is now wrapped, whole.
TEST_CASE("the Measurements panel shows every value whole, wrapped to its width") {
    ImGuiFrame f({800, 600});
    viewer::AppState s;
    viewer::adoptDataset(s, blankDataset(grid({32, 32, 8})));
    Annotation roi;
    roi.type = AnnotationType::Ellipse;
    roi.points = {{2, 2, 3}, {20, 25, 3}};
    roi.label = "a long label for the liver ROI that a user typed";
    s.annotations = {roi, roi};
    f.frames([&] {
        ImGui::SetNextWindowSize(ImVec2(300, 500));
        ImGui::Begin("panel");
        viewer::Commands commands;
        ui::drawMeasurePanel(s, commands);
        ImGui::End();
    });
    const ImGuiWindow* w = ImGui::FindWindowByName("panel");
    REQUIRE(w);
    CHECK(w->ContentSizeIdeal.x <= w->ContentRegionRect.GetWidth() + 0.5f); // nothing beyond the edge
    CHECK(w->ContentSize.y > 4 * ImGui::GetTextLineHeight());               // two rows of several lines
}

TEST_CASE("text wraps at spaces only: numbers stay whole, a word wider than the line is broken to fit") {
    ImGuiFrame f({800, 600});
    f.frames([] {}, 1);
    const std::string row = "ellipse: mean 39.8 HU, SD 11.7 HU, area 1943.56 mm2, min -12 max 95";
    for (float width : {60.0f, 90.0f, 140.0f, 300.0f}) {
        INFO("width " << width);
        const std::string lines = ui::wrapAtSpaces(row, width);
        std::string joined = lines;
        std::replace(joined.begin(), joined.end(), '\n', ' ');
        CHECK(joined == row); // nothing lost, every break where a space was
        std::size_t start = 0;
        while (start <= lines.size()) {
            const std::size_t end = std::min(lines.find('\n', start), lines.size());
            const std::string line = lines.substr(start, end - start);
            CHECK(ImGui::CalcTextSize(line.c_str()).x <= width + 0.5f);
            CHECK((line.empty() || line.back() != '.')); // ImGui's TextWrapped broke "11." from "7"
            start = end + 1;
        }
    }
    const std::string path = "/a/very/long/path/without/any/space/in/it/at/all.dcm";
    const std::string broken = ui::wrapAtSpaces(path, 80);
    CHECK(broken.find('\n') != std::string::npos);
    std::string back = broken;
    back.erase(std::remove(back.begin(), back.end(), '\n'), back.end());
    CHECK(back == path);
}

// Issue 32.11: two ROIs' labels drawn over each other, and labels cut at the view's edge at 800x600.
TEST_CASE("measurement labels keep clear of each other and inside their view") {
    const Rect cell{100, 50, 300, 200};
    std::vector<Rect> placed;
    const glm::vec2 size(120, 14);
    const glm::vec2 a = ui::placeLabel({150, 100}, size, cell, placed);
    const glm::vec2 b = ui::placeLabel({160, 105}, size, cell, placed); // would overlap the first
    CHECK(a == glm::vec2(150, 100));
    CHECK((b.y >= a.y + size.y || b.y + size.y <= a.y));
    const glm::vec2 edge = ui::placeLabel({370, 240}, size, cell, placed); // past the right and bottom edges
    CHECK(edge.x + size.x <= cell.x + cell.w);
    CHECK(edge.y + size.y <= cell.y + cell.h);
    for (std::size_t i = 0; i < placed.size(); ++i)
        for (std::size_t j = i + 1; j < placed.size(); ++j) {
            const Rect &p = placed[i], &q = placed[j];
            INFO(i << " and " << j);
            CHECK_FALSE((p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h));
        }
}

TEST_CASE("a measurement's label keeps off the other shapes' lines when a line near it is free of them") {
    const Rect cell{0, 0, 400, 300};
    const glm::vec2 size(100, 14);
    std::vector<Rect> placed;
    // Another box's top edge runs through where the label wants to be: it goes to the nearest line clear of
    // it.
    const std::vector<ui::ScreenSegment> edge = {{{50, 105}, {350, 105}}};
    const glm::vec2 p = ui::placeLabel({100, 100}, size, cell, placed, edge);
    CHECK(p.x == 100);
    CHECK((p.y > 105 || p.y + size.y < 105));
    CHECK(std::abs(p.y - 100) <= 3 * (size.y + 2)); // still beside its own shape
    // A line that is everywhere near (a vertical one through the label's column): kept where it was, off
    // the labels alone, rather than far from its shape.
    std::vector<Rect> none;
    const std::vector<ui::ScreenSegment> column = {{{120, 0}, {120, 300}}};
    CHECK(ui::placeLabel({100, 100}, size, cell, none, column) == glm::vec2(100, 100));
}

TEST_CASE("plot scales tick at round values, as many as fit (issue 32.12)") {
    CHECK(ui::tickStep(4095, 8) == 1000); // the transfer-function editor's -1024..3071
    CHECK(ui::tickStep(4095, 4) == 2000);
    CHECK(ui::tickStep(200, 5) == 50);
    CHECK(ui::tickStep(37, 4) == 10);
    CHECK(ui::tickStep(0.8, 4) == Approx(0.2));
}

TEST_CASE("elideFront keeps a path's end within the width, behind '...'") {
    ImGuiFrame f({800, 600});
    f.frames(
        [&] {
            const std::string path = "/home/someone/studies/" + std::string(300, 'y') + "/DICOM/S0001";
            const std::string shown = ui::elideFront(path, 200);
            CHECK(ImGui::CalcTextSize(shown.c_str()).x <= 200);
            CHECK(shown.rfind("...", 0) == 0);
            CHECK(path.size() > shown.size());
            CHECK(path.compare(path.size() - (shown.size() - 3), std::string::npos, shown.substr(3)) == 0);
            CHECK(ui::elideFront("/short", 200) == "/short");
            CHECK(ImGui::CalcTextSize(ui::elideFront(path, 1).c_str()).x <= ImGui::CalcTextSize("...").x + 1);
        },
        1);
}

TEST_CASE("damaged settings files never reach the window with what it cannot draw (fuzz, issue 32.1)") {
    // A valid file, then thousands of damaged copies: values swapped for other types and odd strings, bytes
    // flipped, cut short. Each is loaded, applied, and the dialogs that show its lists are drawn: no throw,
    // no abort, and the recent list only ever holds what the viewer can show and open.
    test::TempDir dir;
    const auto path = dir.path / "settings.json";
    viewer::Settings good;
    good.prefs.recent = {"/data/a", "/data/b", "http://localhost:8042/dicom-web/studies/1.2.3"};
    good.prefs.pacsServers = {"http://localhost:8042/dicom-web"};
    const std::string valid = viewer::settingsText(good);
    const std::vector<std::string> odd = {R"("")",
                                          "7",
                                          "null",
                                          "[]",
                                          "{}",
                                          R"([""])",
                                          R"(["", "/x", "/x", 5, "rel/path", "/a\u0000b", "/c\nz"])",
                                          R"("\u0000")",
                                          R"(["###", "##"])",
                                          "true",
                                          "-1e308",
                                          "\"/" + std::string(5000, 'z') + "\""};
    std::mt19937 random(32);
    ImGuiFrame f({800, 600});
    for (int round = 0; round < 1500; ++round) {
        std::string text = valid;
        if (round % 3 == 0) {
            // A value (after a ':' or inside the recent list) replaced by an odd one.
            std::vector<std::size_t> at;
            for (std::size_t n = 0; n < text.size(); ++n)
                if (text[n] == ':' || text[n] == '[' || text[n] == ',')
                    at.push_back(n + 1);
            const std::size_t from = at[random() % at.size()];
            std::size_t to = from;
            while (to < text.size() && text[to] != ',' && text[to] != '\n' && text[to] != ']')
                ++to;
            text.replace(from, to - from, " " + odd[random() % odd.size()]);
        } else if (round % 3 == 1) {
            for (int flips = 1 + int(random() % 4); flips > 0; --flips)
                text[random() % text.size()] = char(random() % 256);
        } else {
            text.resize(random() % text.size());
        }
        std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
        std::string problem;
        viewer::Settings loaded;
        REQUIRE_NOTHROW(loaded = viewer::loadSettings(path, problem));
        INFO(text);
        CHECK(loaded.prefs.recent.size() <= viewer::kMaxRecent);
        for (std::size_t n = 0; n < loaded.prefs.recent.size(); ++n) {
            CHECK(viewer::isValidRecent(loaded.prefs.recent[n]));
            CHECK(std::count(loaded.prefs.recent.begin(), loaded.prefs.recent.end(),
                             loaded.prefs.recent[n]) == 1);
        }
        viewer::AppState s;
        viewer::applySettings(loaded, s);
        s.panels.open = s.panels.pacs = true;
        viewer::Commands commands;
        f.frames(
            [&] {
                ui::drawOpenDialog(s, commands);
                ui::drawPacsDialog(s, commands);
            },
            1);
    }
}

TEST_CASE("the series table shows patient, study date and modality, and sorts by them (issue 14.12)") {
    ImGuiFrame f({1400, 900});
    struct TwoPatients final : SeriesSource {
        std::vector<SeriesListing> rows;
        TwoPatients() : SeriesSource("two") {
            rows.resize(2);
            rows[0].number = 1, rows[0].patientName = "BETA^TWO", rows[0].studyDate = "20231130",
            rows[0].modality = "MR";
            rows[1].number = 2, rows[1].patientName = "ALPHA^ONE", rows[1].studyDate = "20240102",
            rows[1].modality = "CT";
        }
        std::string kind() const override { return "test"; }
        const std::vector<SeriesListing>& series() const override { return rows; }
        int defaultSeries() const override { return 1; }
        std::string summary() const override { return "2 series"; }
        Provenance describe(int) const override { return {}; }
        Series load(int, const LoadOptions&) const override { return {}; }
    };
    viewer::AppState s;
    s.scene.base = std::make_shared<Dataset>();
    s.scene.base->source = std::make_shared<TwoPatients>();
    viewer::Commands commands;
    ImGuiTable* table = nullptr;
    f.frames([&] {
        ImGui::SetNextWindowSize(ImVec2(340, 400));
        ImGui::Begin("side");
        ui::drawSeriesPanel(s, commands);
        table = ImGui::TableFindByID(ImGui::GetID("series"));
        ImGui::End();
    });
    REQUIRE(table);
    std::vector<std::string> names;
    for (int c = 0; c < table->ColumnsCount; ++c)
        names.push_back(ImGui::TableGetColumnName(table, c));
    CHECK(std::find(names.begin(), names.end(), "patient") != names.end());
    CHECK(std::find(names.begin(), names.end(), "date") != names.end());
    CHECK(std::find(names.begin(), names.end(), "mod") != names.end());
    CHECK((table->Flags & ImGuiTableFlags_Sortable) != 0);
    // Sorted by patient: the order the panel draws its rows in.
    CHECK(ui::seriesRowOrder(s.scene.base->source->series(), "patient", true) == std::vector<int>{1, 0});
    CHECK(ui::seriesRowOrder(s.scene.base->source->series(), "date", false) == std::vector<int>{1, 0});
}

TEST_CASE("Metadata: the tag table shows tag, name and value in the side panel's width (issue 14.9)") {
    ImGuiFrame f({1400, 900});
    viewer::AppState s;
    s.scene.base = blankDataset(grid({2, 2, 2}));
    s.scene.base->series.about.listTags = [] { return std::vector<TagEntry>{}; };
    s.scene.base->tagsLoaded = true;
    s.scene.base->tags = {
        {0, "(0008,0060)", "CS", "Modality", "CT"},
        {0, "(0008,103E)", "LO", "Series Description", "PANCREAS DI, iDose (3) with a long description"},
        {0, "(0028,1055)", "LO", "Window Center & Width Explanation", "WINDOW1\\WINDOW2"}};
    ImGuiTable* table = nullptr;
    f.frames(
        [&] {
            ImGui::SetNextWindowSize(ImVec2(340, 800));
            ImGui::Begin("side");
            ImGui::GetStateStorage()->SetInt(ImGui::GetID("tags"), 1); // the tree node open
            ui::drawMetadataPanel(s);
            ImGui::End();
        },
        4);
    // The table inside the tree node: found among the context's tables by its columns.
    ImGuiContext& imgui = *ImGui::GetCurrentContext();
    for (int i = 0; i < imgui.Tables.GetMapSize(); ++i)
        if (ImGuiTable* t = imgui.Tables.TryGetMapData(i);
            t && t->ColumnsCount == 3 && std::string(ImGui::TableGetColumnName(t, 2)) == "value")
            table = t;
    REQUIRE(table);
    REQUIRE(table->ColumnsCount == 3);
    // Every column visible at a readable width without dragging a border; the value gets the most.
    for (int c = 0; c < 3; ++c) {
        INFO("column " << c);
        CHECK(table->Columns[c].WidthGiven >= 60);
    }
    CHECK(table->Columns[2].WidthGiven >= 140);
    CHECK(table->Columns[2].MinX < table->OuterRect.Max.x); // the value column starts inside what is shown
}

TEST_CASE("load problems: a banner over the views until dismissed, and the slice overlay marks the slice "
          "(issue 14.4)") {
    ImGuiFrame f({1400, 900});
    viewer::AppState s;
    auto d = blankDataset(grid({8, 8, 10}));
    d->series.interpolatedSlices = {4};
    d->series.emptySlices = {7};
    viewer::adoptDataset(s, d);
    viewer::layoutCells(s, Rect{340, 0, 1060, 900});
    ui::RenderFeedback feedback;
    f.frames([&] { ui::drawStatus(s, feedback, 0.0); });
    const ImGuiWindow* banner = ImGui::FindWindowByName("##loadproblems");
    REQUIRE(banner);
    CHECK(banner->Active);
    CHECK(banner->Pos.x >= s.viewArea.x);
    CHECK(viewer::sliceNote(s, 0, 4) == "interpolated");
    CHECK(viewer::sliceNote(s, 0, 7) == "empty: not decoded");
    CHECK(viewer::sliceNote(s, 0, 5).empty());
    CHECK(viewer::sliceNote(s, 1, 4)
              .empty()); // a coronal slice cuts across every k: nothing to say of it alone
    // "details" opens the load's warnings in the banner itself, wrapped inside the views (issue 32.4: it
    // only opened the side panel, already open, so nothing changed).
    s.scene.base->series.warnings = {"uneven slice spacing: steps from 4.000 to 7.000 mm (usual 4.000 mm)",
                                     std::string(300, 'x') + " a long warning that must wrap"};
    const float closed = banner->Size.y;
    s.loadBannerDetails = true;
    f.frames([&] { ui::drawStatus(s, feedback, 0.0); });
    CHECK(banner->Size.y > closed + 2 * ImGui::GetTextLineHeight()); // two warnings, one of several lines
    CHECK(banner->ContentSize.x <= banner->Size.x);                  // wrapped, not cut
    CHECK(banner->Pos.x + banner->Size.x <= s.viewArea.x + s.viewArea.w + 0.5f);
    s.loadBannerDismissed = true;
    f.frames([&] { ui::drawStatus(s, feedback, 0.0); });
    CHECK_FALSE(ImGui::FindWindowByName("##loadproblems")->Active);
}

TEST_CASE(
    "the side panel shrinks with a small window and keeps the width the user dragged it to (issue 14.8)") {
    for (const glm::vec2 display : {glm::vec2(800, 600), glm::vec2(1400, 900)}) {
        INFO("display " << display.x << "x" << display.y);
        ImGuiFrame f(display);
        viewer::AppState s;
        viewer::Commands commands;
        f.frames([&] { ui::drawSidebar(s, commands); });
        const ImGuiWindow* side = ImGui::FindWindowByName("##sidebar");
        REQUIRE(side);
        CHECK(side->Size.x <= 0.35f * display.x + 0.5f);               // at 800 px: at most 280, not 340
        CHECK(side->Size.x == Approx(ui::sidebarWidth(s, display.x))); // the views are laid out beside it
        CHECK(side->Size.y == Approx(display.y));
    }
    // A width the user chose is kept (and saved with the settings) within the same bounds.
    viewer::AppState s;
    s.prefs.sidebarWidth = 420;
    CHECK(ui::sidebarWidth(s, 1400) == Approx(420));
    CHECK(ui::sidebarWidth(s, 800) == Approx(280));
    CHECK(ui::sidebarWidth(s, 500) == Approx(200)); // never narrower than its controls need
}

TEST_CASE(
    "slice overlays never overlap each other or leave their view, at 800x600 as at 1400x900 (issue 14.8)") {
    for (const glm::vec2 display : {glm::vec2(800, 600), glm::vec2(1400, 900), glm::vec2(500, 380)}) {
        ImGuiFrame f(display);
        viewer::AppState s;
        Geometry g = grid({128, 128, 300}); // three-digit slice numbers, long positions
        g.spacing = {2.9, 2.9, 1.25};
        g.origin = {-185.4, -201.7, -1130.5};
        auto d = blankDataset(g);
        d->series.interpolatedSlices = {150};
        viewer::adoptDataset(s, d);
        s.cursor = {64, 64, 150}; // an interpolated slice: the longest slice line
        s.window = {1500, -600};
        s.windowName = "lung";
        s.gesture.probe.valid = true;
        s.gesture.probe.voxel = {127, 127, 150};
        s.gesture.probe.hu = -1024.5f;
        s.gesture.probe.lps = {-183.5, -199.9, -943.2};
        // A second series fused over it, as a difference: its line (and the probe's) find room too.
        viewer::ImageLayerView fused;
        fused.onBase = std::make_shared<const Volume>(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
        fused.mode = viewer::FusionMode::Difference;
        s.scene.images.push_back(fused);
        viewer::layoutCells(s, Rect{ui::sidebarWidth(s, display.x), 0,
                                    display.x - ui::sidebarWidth(s, display.x), display.y});
        for (int maximised : {-1, 0}) {
            s.maximised = maximised;
            viewer::layoutCells(s, Rect{ui::sidebarWidth(s, display.x), 0,
                                        display.x - ui::sidebarWidth(s, display.x), display.y});
            for (int v = 0; v < 3; ++v) {
                if (s.cells[std::size_t(v)].w <= 0)
                    continue;
                s.activeView = v;
                s.views[std::size_t(v)].camera.zoom = 2.5;               // adds the zoom line
                s.views[std::size_t(v)].slab = {100, SlabMode::Average}; // and the slab's
                s.cine.view = v;                                         // and the cine's
                Provenance& about = s.scene.base->series.about;          // and a 4D series' phase
                about.listing.phases = 5;
                about.listing.phaseValues = {"0 ms", "100 ms", "200 ms", "300 ms", "400 ms"};
                about.phase = 2;
                INFO("display " << display.x << "x" << display.y << ", maximised " << maximised << ", view "
                                << v);
                std::vector<ui::OverlayItem> items;
                f.frames([&] { items = ui::sliceOverlayItems(s, v); }, 1);
                const Rect& cell = s.cells[std::size_t(v)];
                auto has = [&](ui::OverlayItem::Kind k) {
                    return std::any_of(items.begin(), items.end(),
                                       [&](const ui::OverlayItem& i) { return i.kind == k; });
                };
                // At these sizes everything finds room.
                // The interpolated slice says so on a line of its own (issue 32.4), in the axial view.
                if (v == 0)
                    CHECK(has(ui::OverlayItem::Kind::SliceNote));
                for (auto k : {ui::OverlayItem::Kind::SliceInfo, ui::OverlayItem::Kind::Slab,
                               ui::OverlayItem::Kind::Phase, ui::OverlayItem::Kind::Zoom,
                               ui::OverlayItem::Kind::Cine, ui::OverlayItem::Kind::Window,
                               ui::OverlayItem::Kind::Probe, ui::OverlayItem::Kind::ScaleBar})
                    CHECK(has(k));
                CHECK(std::count_if(items.begin(), items.end(), [](const ui::OverlayItem& i) {
                          return i.kind == ui::OverlayItem::Kind::Letter;
                      }) == 4);
                // The fused series says how it is drawn and its window (a flat grey difference is then not
                // read as a broken view).
                CHECK(std::any_of(items.begin(), items.end(), [](const ui::OverlayItem& i) {
                    return i.text.rfind("fused: difference", 0) == 0;
                }));
                for (std::size_t a = 0; a < items.size(); ++a) {
                    const Rect& b = items[a].box;
                    INFO("'" << items[a].text << "' at " << b.x << "," << b.y << " " << b.w << "x" << b.h);
                    CHECK((b.x >= cell.x && b.y >= cell.y && b.x + b.w <= cell.x + cell.w &&
                           b.y + b.h <= cell.y + cell.h));
                    for (std::size_t c = a + 1; c < items.size(); ++c) {
                        const Rect& o = items[c].box;
                        INFO("and '" << items[c].text << "' at " << o.x << "," << o.y << " " << o.w << "x"
                                     << o.h);
                        const float gap =
                            ui::kOverlayGap; // side by side they keep apart, not only off each other
                        CHECK_FALSE((b.x < o.x + o.w + gap && o.x < b.x + b.w + gap && b.y < o.y + o.h &&
                                     o.y < b.y + b.h));
                    }
                }
            }
        }
    }
}

TEST_CASE("transfer-function editor: every point is whole in view, clear of the scrollbar, inside the editor "
          "(issue 14.14)") {
    ImGuiFrame f({800, 600});
    viewer::AppState s;
    auto d = std::make_shared<Dataset>();
    auto stats = std::make_shared<VolumeStats>();
    stats->minHU = -1024, stats->maxHU = 1200; // points beyond the volume's values too
    stats->histogram.assign(64, 10);
    d->stats = stats;
    s.scene.base = d;
    s.view3d.preset.points = {
        {-1024, 1.0f, {1, 1, 1}}, {0, 0.0f, {1, 0, 0}}, {1200, 0.5f, {0, 1, 0}}, {3071, 1.0f, {0, 0, 1}}};
    for (float width : {280.0f, 200.0f}) {
        INFO("panel width " << width);
        ui::TfEditorLayout layout;
        viewer::Commands commands;
        f.frames([&] {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(width, 400));
            ImGui::Begin("##panel", nullptr, ImGuiWindowFlags_NoSavedSettings);
            layout = ui::drawTransferFunctionEditor(s, commands);
            ImGui::Dummy(ImVec2(10, 1000)); // a panel taller than the window: it has a scrollbar
            ImGui::End();
        });
        const ImGuiWindow* w = ImGui::FindWindowByName("##panel");
        REQUIRE(w);
        REQUIRE(w->ScrollbarY);
        const ImRect clip = w->InnerClipRect; // what shows, without the scrollbar
        const Rect& a = layout.area;
        CHECK(a.x + a.w <= clip.Max.x + 0.5f);
        REQUIRE(layout.points.size() == 4);
        for (const glm::vec2& p : layout.points) {
            INFO("point at " << p.x << "," << p.y << ", editor " << a.x << ".." << a.x + a.w << ", shown to "
                             << clip.Max.x);
            const float rad = layout.radius;
            CHECK((p.x - rad >= a.x && p.x + rad <= a.x + a.w && p.y - rad >= a.y && p.y + rad <= a.y + a.h));
            CHECK((p.x - rad >= clip.Min.x && p.x + rad <= clip.Max.x));
        }
        CHECK(layout.points[3].x > layout.points[2].x); // 3071 HU lies right of 1200, not on it
    }
}

TEST_CASE("segment editor: a long name in the name field is cut after a whole UTF-8 character") {
    ImGuiFrame f({800, 600});
    viewer::AppState s;
    viewer::adoptDataset(s, blankDataset(grid({16, 16, 4})));
    REQUIRE(viewer::newSegment(s));
    std::string name;
    for (int n = 0; n < 200; ++n)
        name += "\xc3\x84"; // Ä: two bytes each, so that a cut at an odd byte splits one
    name += "x";
    REQUIRE(viewer::setSegmentLook(s, name, {1, 0, 0}));
    s.editor.open = true;
    viewer::Commands commands;
    f.frames([&] {
        ImGui::SetNextWindowSize(ImVec2(340, 560));
        ImGui::Begin("panel");
        ui::drawSegmentEditorPanel(s, commands);
        ImGui::End();
    });
    const std::string draft = s.editor.nameDraft.data();
    CHECK(isUtf8(draft));
    CHECK(draft.size() > 200);
    CHECK(name.compare(0, draft.size(), draft) == 0);
}

TEST_CASE("the viewer's default window fits a smaller screen, a size that fits is kept") {
    CHECK(app::fittedWindowSize({1400, 900}, {1920, 1080}) == glm::ivec2(1400, 900));
    CHECK(app::fittedWindowSize({1400, 900}, {1280, 800}) == glm::ivec2(1152, 720)); // 90 % each way
    CHECK(app::fittedWindowSize({1400, 900}, {1280, 1024}) == glm::ivec2(1152, 900));
    CHECK(app::fittedWindowSize({1400, 900}, {600, 400}) == glm::ivec2(640, 480)); // no smaller than this
    CHECK(app::fittedWindowSize({1400, 900}, {0, 0}) == glm::ivec2(1400, 900));    // no monitor said
}
