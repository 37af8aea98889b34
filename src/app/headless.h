#pragma once
// What `ctview snapshot` and `ctview render` share: loading a dataset as the window does (LoadTask), and
// drawing an AppState into an offscreen framebuffer through the window's own scene and overlays.
#include "app/scene.h"
#include "app/subcommands.h"
#include "viewer/app_state.h"
#include "viewer/fusion.h"
#include "volume/slice.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ctview::app {

// "WIDTHxHEIGHT" (16..8192 each); throws UsageError naming `option`.
glm::ivec2 parseImageSize(const std::string& text, const std::string& option);

// Loads the input of `common` on the load task, with warnings on stderr unless quiet, and its segmentations
// (given with --labels, or found beside it). `stats3d`: with the 3D view's statistics (false for commands
// that draw no 3D view). Throws DataError.
std::shared_ptr<Dataset> loadDatasetHeadless(const CommonOptions& common, bool stats3d = true);

// The segments of `d`'s label layers that `names` (comma-separated) names, as (layer, segment) pairs: by name
// (exactly, else ignoring case) or by number, each optionally after its layer's file name and a colon
// ("seg.dcm:Liver", "liver.nii.gz:1"; the layer's path when two layers have the same file name) to pick
// among layers that have the same name. Throws UsageError
// naming `option` and the segments there are.
std::vector<std::pair<std::size_t, std::size_t>> segmentsNamed(const Dataset& d, const std::string& names,
                                                               const std::string& option);
// The one segment `name` names (segmentsNamed), else a UsageError listing those it names, each with its
// layer.
std::pair<std::size_t, std::size_t> segmentNamed(const Dataset& d, const std::string& name,
                                                 const std::string& option);

// `--segments NAMES`: only those segments of the scene's label layers are visible (nothing for "").
void showOnlySegments(viewer::AppState& s, const Dataset& d, const std::string& names);

// --fuse and its look, checked before anything is loaded (UsageError naming the option).
struct FusionPlan {
    FusionOptions options;
    glm::dmat4 toLayer{1.0}; // the link to start from: --fuse-shift's
    viewer::FusionMode mode = viewer::FusionMode::Overlay;
    std::optional<WindowLevel> window; // WIDTH,LEVEL or a preset; none: 'file' or 'auto'
};
FusionPlan planFusion(const FusionOptions& f);
// The fused series' look as `plan` says (its mode, opacity, colour map, window; 'auto': over its voxels).
void applyFusionLook(viewer::ImageLayerView& layer, const FusionPlan& plan);
// Loads --fuse's series as the input is loaded (its warnings on stderr unless quiet, and a warning when the
// two are not in one frame of reference), registers it with --register (what that found on stderr unless
// quiet) and puts it over `s`'s base. Throws DataError naming it.
void fuseHeadless(viewer::AppState& s, const CommonOptions& common, const FusionPlan& plan);

// `ctview snapshot` and `ctview render` in two steps, for the commands and for `import ctview`: the options
// checked and parsed before anything is loaded (UsageError), then the picture of a loaded dataset.
struct SnapshotPlan {
    SnapshotOptions options;
    FusionPlan fusion;
    int maximised = -1; // the view shown (0 axial, 1 coronal, 2 sagittal), -1 for the grid
    glm::ivec2 size{0};
    Slab slab;
    std::vector<std::pair<Axis, double>> turns;
    std::vector<Annotation> annotations;
};
SnapshotPlan planSnapshot(const SnapshotOptions& o);
// `addLayers`, when given, adds layers to the state once the dataset is in it (--fuse's series).
RgbImage drawSnapshot(const SnapshotPlan& plan, const std::shared_ptr<Dataset>& d,
                      const std::function<void(viewer::AppState&)>& addLayers = {});
struct RenderPlan {
    RenderOptions options;
    glm::ivec2 size{0};
    RenderPreset preset; // the options' preset with their mode, shading and threshold
    glm::dvec3 cropLo{0.0}, cropHi{1.0};
};
RenderPlan planRender(const RenderOptions& o);
// The state `render` draws the 3D view of (one frame; a turntable turns its camera).
viewer::AppState renderState(const RenderPlan& plan, const std::shared_ptr<Dataset>& d);

// Opens a hidden GL 4.1 window, lays out `s` at `size`, draws the scene (and the overlays when `overlays`),
// and reads the pixels back. `sync` can carry test settings (e.g. a cap on the 3D texture). Throws GlError or
// DataError when no GL context can be had.
// In the current GL context, with `renderers`: lays out `s` at `size`, draws the scene (and the overlays,
// inside an ImGui frame of its own, when `overlays`) into an offscreen framebuffer and reads it back; the
// default framebuffer is bound again after. What `render`, `snapshot` and the viewer's S over the 3D view
// share.
RgbImage drawOffscreen(viewer::AppState& s, Renderers& renderers, RendererSync& sync, glm::ivec2 size,
                       bool overlays);
// The state a picture of the 3D view alone is drawn from (S over the 3D view, the 3D view's "Record"): `s`
// with the 3D view maximised and at full quality (not the coarse frame of an interaction).
viewer::AppState alone3d(const viewer::AppState& s);
// Draws the measurements on view v's slice over `img`, the slice as exportSlice renders it (native
// resolution, the slice filling it), as the window's overlays draw them; the other pixels stay as they are.
// Needs the current GL context and an ImGui context with its OpenGL backend that has drawn a frame (the
// viewer's, after its frame). Throws GlError.
void burnInAnnotations(const viewer::AppState& s, int v, RgbImage& img);
// A hidden GL 4.1 window with ImGui and the renderers, for many pictures in one context (a turntable movie):
// each draw is drawOffscreen's. Throws GlError or DataError when no GL context can be had.
class HeadlessSession {
  public:
    explicit HeadlessSession(RendererSync sync = {});
    ~HeadlessSession();
    HeadlessSession(const HeadlessSession&) = delete;
    HeadlessSession& operator=(const HeadlessSession&) = delete;
    RgbImage draw(viewer::AppState& s, glm::ivec2 size, bool overlays);
    const ui::RenderFeedback& feedback() const { return renderers_->feedback; }
    const Renderers& renderers() const { return *renderers_; }

  private:
    struct Window; // the GLFW window and ImGui, torn down after the renderers
    std::unique_ptr<Window> window_;
    std::unique_ptr<Renderers> renderers_;
    RendererSync sync_;
};
// `feedback`, when given, receives what the renderers had to say (the 3D view's note, ...).
RgbImage renderHeadless(viewer::AppState& s, glm::ivec2 size, bool overlays, RendererSync sync = {},
                        ui::RenderFeedback* feedback = nullptr);

} // namespace ctview::app
