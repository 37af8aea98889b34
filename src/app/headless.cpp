#include "app/headless.h"

#include "base/text.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>

#include "app/gl_context.h"
#include "base/error.h"
#include "render/gl.h"
#include "ui/panels.h"
#include "viewer/load_task.h"
#include "volume/colormap.h"
#include "volume/view.h"
#include "volume/window.h"

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cstdio>

namespace ctview::app {

glm::ivec2 parseImageSize(const std::string& text, const std::string& option) {
    int width = 0, height = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%dx%d%c", &width, &height, &tail) != 2 || width < 16 || height < 16 ||
        width > 8192 || height > 8192)
        throw UsageError(option + " " + text + ": use WIDTHxHEIGHT, e.g. 800x600 (16..8192)");
    return {width, height};
}

std::shared_ptr<Dataset> loadDatasetHeadless(const CommonOptions& common, bool stats3d) {
    viewer::LoadTask::Staging staging;
    staging.labels = common.labels;
    staging.stats3d = stats3d;
    // A segmentation the command was given and cannot show is a failure (loadNow): its output would lack it.
    std::shared_ptr<Dataset> d =
        viewer::LoadTask::loadNow(common.input, common.series, loadOptionsFor(common), staging);
    if (!common.quiet) {
        for (const std::string& w : d->series.warnings)
            std::fprintf(stderr, "warning: %s\n", w.c_str());
        // What a load says of a layer it shows (names from a table, resampled): notes; what it could not
        // show (voxels or files of it left out, segmentations not opened: labelNotes): warnings.
        for (const auto& layer : d->labels) {
            for (const std::string& note : layer->notes)
                std::fprintf(stderr, "note: %s: %s\n", layer->name.c_str(), note.c_str());
            for (const std::string& problem : layer->problems)
                std::fprintf(stderr, "warning: %s: %s\n", layer->name.c_str(), problem.c_str());
        }
        for (const std::string& note : d->labelNotes)
            std::fprintf(stderr, "warning: %s\n", note.c_str());
    }
    return d;
}

FusionPlan planFusion(const FusionOptions& f) {
    FusionPlan plan;
    plan.options = f;
    if (!f.compare.empty()) {
        if (!f.source.empty())
            throw UsageError("--compare and --fuse: one second series at a time");
        if (!f.mode.empty() && f.mode != "side-by-side")
            throw UsageError("--compare shows the second series beside this one; --fuse-mode " + f.mode +
                             " draws it over this one: use --fuse with it");
        plan.options.source = f.compare;
        plan.options.mode = "side-by-side";
    }
    if (plan.options.mode.empty())
        plan.options.mode = "overlay";
    if (!f.shift.empty())
        plan.toLayer = viewer::layerMovedBy(viewer::parseShift(f.shift, "--fuse-shift"));
    plan.mode = viewer::parseFusionMode(plan.options.mode, "--fuse-mode");
    if (!f.colormap.empty()) {
        try {
            colormapTable(f.colormap);
        } catch (const UsageError& e) {
            throw UsageError("--fuse-colormap: " + std::string(e.what()));
        }
    }
    if (f.window != "file" && f.window != "auto") {
        plan.window = parseWindow(f.window, std::nullopt);
        if (!plan.window)
            throw UsageError("--fuse-window " + f.window +
                             ": use a window preset (as --window), 'file', 'auto' or WIDTH,LEVEL "
                             "in HU");
    }
    if (!(f.opacity >= 0 && f.opacity <= 1))
        throw UsageError("--opacity: use 0..1");
    if (plan.options.source.empty() && (f.registerFirst || !f.shift.empty()))
        throw UsageError(std::string(f.registerFirst ? "--register" : "--fuse-shift") +
                         " moves a second series: give it with --fuse or --compare");
    return plan;
}

void applyFusionLook(viewer::ImageLayerView& layer, const FusionPlan& plan) {
    const FusionOptions& f = plan.options;
    layer.mode = plan.mode;
    layer.opacity = float(f.opacity);
    layer.colormap = !f.colormap.empty() ? f.colormap : viewer::defaultFusionColormap(plan.mode);
    layer.checkerMm = f.checkerMm;
    WindowLevel& window = plan.mode == viewer::FusionMode::Difference ? layer.difference : layer.window;
    if (plan.window)
        window = *plan.window;
    else if (f.window == "auto" && plan.mode != viewer::FusionMode::Difference)
        window = autoWindow(layer.series->series.volume);
}

void fuseHeadless(viewer::AppState& s, const CommonOptions& common, const FusionPlan& plan) {
    CommonOptions other = common;
    other.input = plan.options.source;
    other.series = plan.options.series;
    other.phase = 0;
    other.labels.clear();
    std::shared_ptr<const Dataset> fused = loadDatasetHeadless(other, /*stats3d=*/false);
    glm::dmat4 toLayer = plan.toLayer;
    if (plan.options.registerFirst) {
        const Registration r = registerRigid(s.scene.base->series.volume, fused->series.volume, toLayer);
        toLayer = r.link;
        if (!common.quiet)
            std::fprintf(stderr, "registered %s onto %s: %s\n", plan.options.source.c_str(),
                         common.input.c_str(), viewer::describeRegistration(r).c_str());
        if (const std::string doubt = viewer::registrationDoubt(r); !doubt.empty())
            std::fprintf(stderr, "warning: %s\n",
                         doubt.c_str()); // said even with -q: the picture may mislead
    } else if (!common.quiet && viewer::linkIsAGuess(s.scene.base->series, fused->series)) {
        std::fprintf(stderr,
                     "warning: %s: not in the frame of reference of %s; fused by patient coordinates as "
                     "written (check the alignment; --fuse-shift moves it, --register finds it)\n",
                     plan.options.source.c_str(), common.input.c_str());
    }
    viewer::ImageLayerView layer =
        viewer::makeImageLayer(*s.scene.base, std::move(fused), toLayer, plan.options.registerFirst);
    if (!common.quiet && plan.options.registerFirst)
        std::fprintf(stderr, "linked by %s\n", layer.link.c_str());
    applyFusionLook(layer, plan);
    viewer::setImageLayer(s, std::move(layer));
}

namespace {
// A layer as "LAYER:NAME" names it: its file's name, or its path when another layer has the same name (two
// seg.dcm of two folders).
std::string layerCalled(const Dataset& d, const LabelLayer& layer) {
    for (const auto& other : d.labels)
        if (other.get() != &layer && other->name == layer.name)
            return layer.path;
    return layer.name;
}
// A segment's name as --segment takes it: "LAYER:NAME" when another layer has a segment of that name.
std::string qualifiedName(const Dataset& d, const LabelLayer& layer, const Segment& s) {
    for (const auto& other : d.labels)
        if (other.get() != &layer && std::any_of(other->segments.begin(), other->segments.end(),
                                                 [&](const Segment& o) { return o.name == s.name; }))
            return layerCalled(d, layer) + ":" + s.name;
    return s.name;
}
} // namespace

std::vector<std::pair<std::size_t, std::size_t>> segmentsNamed(const Dataset& d, const std::string& names,
                                                               const std::string& option) {
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        return s;
    };
    std::vector<std::pair<std::size_t, std::size_t>> found;
    std::vector<std::string> all;
    for (const auto& layer : d.labels)
        for (const Segment& s : layer->segments)
            all.push_back(qualifiedName(d, *layer, s));
    std::stringstream list(names);
    std::string given;
    while (std::getline(list, given, ',')) {
        // "LAYER:NAME": only that layer's segments (a name may hold a colon itself: only when LAYER is one;
        // LAYER is the file's name, or its path when two layers have the same name).
        std::string name = given;
        std::optional<std::size_t> only;
        if (const std::size_t colon = given.find(':'); colon != std::string::npos)
            for (std::size_t l = 0; l < d.labels.size() && !only; ++l)
                if (layerCalled(d, *d.labels[l]) == given.substr(0, colon)) {
                    only = l;
                    name = given.substr(colon + 1);
                }
        std::size_t before = found.size();
        // Exact names first; then the same ignoring case; then the file's number.
        for (int pass = 0; pass < 3 && found.size() == before; ++pass)
            for (std::size_t l = 0; l < d.labels.size(); ++l)
                for (std::size_t i = 0; i < d.labels[l]->segments.size() && (!only || *only == l); ++i) {
                    const Segment& s = d.labels[l]->segments[i];
                    const bool match = pass == 0   ? s.name == name
                                       : pass == 1 ? lower(s.name) == lower(name)
                                                   : std::to_string(s.number) == name;
                    if (match)
                        found.emplace_back(l, i);
                }
        if (found.size() == before)
            throw UsageError(option + " " + given + ": no such segment" +
                             (all.empty()
                                  ? " (no segmentation given with --labels or found beside the series)"
                                  : "; there are: " + joined(all, ", ")));
    }
    return found;
}

std::pair<std::size_t, std::size_t> segmentNamed(const Dataset& d, const std::string& name,
                                                 const std::string& option) {
    const auto found = segmentsNamed(d, name, option);
    if (found.size() == 1)
        return found[0];
    std::vector<std::string> each;
    for (const auto& [l, i] : found)
        each.push_back(layerCalled(d, *d.labels[l]) + ":" + d.labels[l]->segments[i].name);
    throw UsageError(option + " " + name + ": names " + std::to_string(found.size()) +
                     " segments; give one: " + joined(each, ", "));
}

void showOnlySegments(viewer::AppState& s, const Dataset& d, const std::string& names) {
    if (names.empty())
        return;
    for (viewer::LabelLayerView& v : s.scene.labels)
        std::fill(v.visible.begin(), v.visible.end(), char(0));
    for (const auto& [layer, segment] : segmentsNamed(d, names, "--segments"))
        s.scene.labels[layer].visible[segment] = 1;
}

struct HeadlessSession::Window {
    GLFWwindow* window = createGlWindow(64, 64, "ctview headless", false);
    Window() { initImGui(window, false); }
    ~Window() {
        shutdownImGui(false);
        destroyGlWindow(window);
    }
};

viewer::AppState alone3d(const viewer::AppState& s) {
    viewer::AppState view = s;
    view.maximised = 3;
    view.view3d.interactUntil = 0;
    return view;
}

HeadlessSession::HeadlessSession(RendererSync sync)
    : window_(std::make_unique<Window>()), renderers_(std::make_unique<Renderers>()), sync_(std::move(sync)) {
}

HeadlessSession::~HeadlessSession() {
    renderers_.reset(); // their GL objects go while the context is still there
}

RgbImage HeadlessSession::draw(viewer::AppState& s, glm::ivec2 size, bool overlays) {
    return drawOffscreen(s, *renderers_, sync_, size, overlays);
}

RgbImage renderHeadless(viewer::AppState& s, glm::ivec2 size, bool overlays, RendererSync sync,
                        ui::RenderFeedback* feedback) {
    HeadlessSession session(std::move(sync));
    RgbImage pixels = session.draw(s, size, overlays);
    if (feedback)
        *feedback = session.feedback();
    return pixels;
}

void burnInAnnotations(const viewer::AppState& s, int v, RgbImage& img) {
    // The view alone, filling the image at zoom 1: the image has the slice's physical aspect, so the slice
    // fits it exactly and voxel centres land where exportSlice put them.
    viewer::AppState view = s;
    view.maximised = v;
    view.views[std::size_t(v)].camera = {};
    view.selectedAnnotation = view.gesture.editing = view.gesture.pending = -1; // no handles, as printed
    const float w = float(img.width), h = float(img.height);
    viewer::layoutCells(view, Rect{0, 0, w, h});
    // The image as the framebuffer's colour (GL's rows run bottom to top), the measurements blended over it.
    std::vector<unsigned char> rgba(std::size_t(img.width) * std::size_t(img.height) * 4, 255);
    for (std::size_t y = 0; y < std::size_t(img.height); ++y)
        for (std::size_t x = 0; x < std::size_t(img.width); ++x)
            for (std::size_t c = 0; c < 3; ++c)
                rgba[((std::size_t(img.height) - 1 - y) * std::size_t(img.width) + x) * 4 + c] =
                    img.rgb[(y * std::size_t(img.width) + x) * 3 + c];
    gl::OffscreenTarget target = gl::makeOffscreenTarget(img.width, img.height);
    glBindTexture(GL_TEXTURE_2D, target.color.id());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, img.width, img.height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    glBindFramebuffer(GL_FRAMEBUFFER, target.fbo.id());
    // A draw list of its own, outside any ImGui frame (the viewer's is over): ImGui's shared data and font
    // are those of the last frame.
    ImDrawList dl(ImGui::GetDrawListSharedData());
    dl._ResetForNewFrame();
    dl.Flags = ImDrawListFlags_AntiAliasedLines | ImDrawListFlags_AntiAliasedLinesUseTex |
               ImDrawListFlags_AntiAliasedFill | ImDrawListFlags_AllowVtxOffset;
    dl.PushTextureID(ImGui::GetIO().Fonts->TexID);
    dl.PushClipRect(ImVec2(0, 0), ImVec2(w, h));
    ui::drawSliceAnnotations(view, v, &dl);
    ImDrawList* lists[] = {&dl};
    ImDrawData data;
    data.Valid = true;
    data.CmdLists = lists;
    data.CmdListsCount = 1;
    data.TotalVtxCount = dl.VtxBuffer.Size;
    data.TotalIdxCount = dl.IdxBuffer.Size;
    data.DisplayPos = ImVec2(0, 0);
    data.DisplaySize = ImVec2(w, h);
    data.FramebufferScale = ImVec2(1, 1);
    ImGui_ImplOpenGL3_RenderDrawData(&data);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target.fbo.id());
    img = gl::readPixels(0, 0, img.width, img.height);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

RgbImage drawOffscreen(viewer::AppState& s, Renderers& renderers, RendererSync& sync, glm::ivec2 size,
                       bool overlays) {
    viewer::layoutCells(s, Rect{0, 0, float(size.x), float(size.y)});
    RgbImage pixels;
    {
        syncRenderer(s, renderers, sync);
        gl::OffscreenTarget target = gl::makeOffscreenTarget(size.x, size.y);
        glBindFramebuffer(GL_FRAMEBUFFER, target.fbo.id());
        drawScene(s, renderers, size, 1.0f, 0.0);
        if (overlays) {
            ImGuiIO& io = ImGui::GetIO();
            io.DisplaySize = ImVec2(float(size.x), float(size.y));
            io.DisplayFramebufferScale = ImVec2(1, 1);
            io.DeltaTime = 1.0f / 60.0f;
            ImGui_ImplOpenGL3_NewFrame();
            ImGui::NewFrame();
            ui::drawOverlays(s, renderers.feedback, ImGui::GetBackgroundDrawList());
            ImGui::Render();
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        }
        glBindFramebuffer(GL_READ_FRAMEBUFFER, target.fbo.id());
        pixels = gl::readPixels(0, 0, size.x, size.y);
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
    }
    return pixels;
}

} // namespace ctview::app
