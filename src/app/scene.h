#pragma once
// The picture: the slice views drawn by the SliceRenderer and the 3D view by the VolumeRenderer, from the
// AppState. The window's frame loop and the headless `ctview snapshot` and `ctview render` all go through
// here, so that what they write is what the window shows.
#include "render/image_layer_renderer.h"
#include "render/label_renderer.h"
#include "render/slice_renderer.h"
#include "render/volume_renderer.h"
#include "ui/render_feedback.h"
#include "viewer/app_state.h"

#include <glm/glm.hpp>

#include <memory>
#include <string>

namespace ctview::app {

// The renderers, created once the GL context exists.
struct Renderers {
    gl::SliceRenderer slices;
    gl::ImageLayerRenderer images; // a second series fused over the slices (the scene's image layer)
    gl::LabelRenderer labels;      // the scene's label layers over the slices
    gl::VolumeRenderer volume;
    // Side by side: the second series' own 3D view, from the image layer's texture (made when first needed:
    // its shaders cost a headless command that never shows one).
    std::unique_ptr<gl::VolumeRenderer> volumeBeside;
    // The 3D textures of other phases of the 4D series on show, kept on the GPU when a step leaves them (the
    // one left last at the back), so that stepping back to one uploads nothing (RendererSync's
    // phaseTextureBytes). An entry goes when its phase is no longer kept in memory.
    struct KeptPhase {
        std::weak_ptr<const Dataset> of;
        gl::Texture texture;
        std::uint64_t bytes = 0;
    };
    std::vector<KeptPhase> keptPhases;
    ui::RenderFeedback feedback; // what they have to say to the user (shown by the overlays and status panel)
    // Reloads every shader from $CTVIEW_SHADER_DIR; returns the compiler's messages, or "" when all compiled.
    std::string reload();
};

// What the renderers currently hold, so that only changes reach the GPU (a new volume is the only upload).
struct RendererSync {
    const Dataset* uploaded = nullptr;
    std::weak_ptr<const Dataset> uploadedRef; // the same, while it lives
    const Dataset* uploaded3d = nullptr;
    std::vector<std::uint64_t> labelLayers; // the scene's label layers on the GPU (their LayerLineage ids)
    std::uint64_t imageLayer = 0;           // the fused series on the GPU (ImageLayerView::id; 0: none)
    std::string imageColormap;              // the colour map its lookup holds
    std::vector<int> dirtySlices; // slices of the uploaded preview filled since (the load task's news)
    std::string colormap;
    bool invert = false, monochrome1 = false, linear = false, lutSet = false;
    std::uint64_t maxBytes3d = 0; // caps a downsampled 3D copy (tests); 0: only GL's limits
    int max3dTexture = 0;         // pretends GL_MAX_3D_TEXTURE_SIZE is this (tests of plane mode); 0: GL's
    // The window: a finished series goes up over several frames, shown plane by plane meanwhile (see
    // SliceRenderer::setVolume). Headless commands upload it whole, for the frame they draw.
    bool progressiveUpload = false;
    // A volume of more bytes than this is shown plane by plane, without a 3D texture of its own size (a
    // software renderer such as llvmpipe keeps textures in the process's memory: a second copy of the
    // volume); 0: no limit. The viewer sets it, with maxBytes3d, on a software renderer.
    std::uint64_t planesAbove = 0;
    // Other phases of a 4D series keep their 3D textures when a step leaves them (Renderers::keptPhases),
    // together at most this many bytes; 0: none kept.
    std::uint64_t phaseTextureBytes = 0;
};

// Uploads a new volume, colour map or interpolation when the state asks for them. Throws GlError.
void syncRenderer(viewer::AppState& s, Renderers& r, RendererSync& sync);

// The label layers shown in 3D (viewer::LabelLayerView::in3d) as the volume renderer takes them: the label
// renderer's textures of their groups, and the box of their visible segments (their voxel boxes' union).
gl::Labels3d labels3dOf(const viewer::AppState& s, const Renderers& r);
// What the 3D view says of the segments it leaves out; "" when it draws every one shown.
std::string labels3dNote(const gl::Labels3d& l);

// The scene's surface meshes as the volume renderer draws them.
std::vector<gl::SurfaceDraw> surfaces3dOf(const viewer::AppState& s);

// The coarse frames (Interactive and Release quality): the step this many times the user's, and rays stopped
// once this opaque.
inline constexpr double kCoarseStepFactor = 2.0;
inline constexpr float kCoarseOpaque = 0.95f;

// The 3D view's settings from the state; `coarse`: those of the coarse frames (above).
gl::VolumeRenderSettings volumeSettingsOf(const viewer::AppState& s, bool coarse);

// A full-quality 3D frame predicted to take longer than this is preceded by a Release frame: with the
// frame loop's few milliseconds, a full frame within it is on screen within 0.3 s of the release.
inline constexpr double kReleaseBudgetSeconds = 0.25;
// After a Release frame the full one is rendered in passes of about this time, one a frame (interleaved
// bands of rows, gl::VolumeRenderer::render), so that the viewer stays live (a new drag starts at once) while
// the picture is refined.
inline constexpr double kPassSeconds = 0.06;

// The quality of the next 3D frame, from whether the user is dragging, the quality of the image on screen,
// and how long a full-quality frame is predicted to take (0: not known).
ui::Quality3d nextQuality3d(bool interacting, ui::Quality3d last, double predictedFullSeconds);

struct SceneStats {
    bool rendered3d = false; // the 3D image was rendered this frame (else presented again)
    ui::Quality3d quality = ui::Quality3d::Full;
    bool complete = true; // false while the 3D image is rendered in passes (kPassSeconds) with passes left
    double seconds3d = 0; // how long it took, when `timed`
};

// The viewer's adaptive quality: the next interactive frame's pixel scale after one took `seconds`. Keeps
// dragging at 20 frames a second: fewer pixels when a coarse frame took too long, more when it was quick.
float adaptInteractiveScale(float scale, double seconds);

// Clears the view area and draws the slice views and the 3D view into the bound framebuffer. With `timed`,
// waits for the 3D render to finish and measures it, for the viewer's adaptive quality (r.feedback: the
// interactive pixel scale, the full frame's time).
SceneStats drawScene(const viewer::AppState& s, Renderers& r, glm::ivec2 fbSize, float fbScale, double now,
                     bool timed = false);

} // namespace ctview::app
