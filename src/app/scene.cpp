#include "app/scene.h"

#include "base/text.h"

#include <glm/gtc/matrix_transform.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace ctview::app {

std::string Renderers::reload() {
    std::string error = slices.reload();
    if (const std::string e = images.reload(); !e.empty())
        error += (error.empty() ? "" : "\n") + e;
    if (const std::string e = labels.reload(); !e.empty())
        error += (error.empty() ? "" : "\n") + e;
    const std::string e3d = volume.reload();
    if (!e3d.empty())
        error += (error.empty() ? "" : "\n") + e3d;
    if (volumeBeside)
        if (const std::string e = volumeBeside->reload(); !e.empty() && e3d.empty())
            error += (error.empty() ? "" : "\n") + e;
    return error;
}

namespace {

// A surface is drawn while the segment it was made of is shown in 3D: its layer shown and in 3D, the segment
// visible (the Segments panel's boxes hide a mesh as they hide voxels).
bool surfaceShown(const viewer::AppState& s, const viewer::SurfaceLayerView& surface) {
    for (const viewer::LabelLayerView& v : s.scene.labels) {
        if (v.layer->lineage.id != surface.layerId)
            continue;
        for (std::size_t i = 0; i < v.layer->segments.size(); ++i)
            if (v.layer->segments[i].number == surface.segmentNumber)
                return v.shown && v.in3d && (i >= v.visible.size() || v.visible[i]);
    }
    return false;
}

// The scene's label layers onto the GPU when they change, and how each is shown (a palette per group: cheap,
// and uploaded only when it changed).
void syncLabels(const viewer::AppState& s, Renderers& r, RendererSync& sync) {
    // Told apart by their lineage ids, not their addresses: a layer made after another was freed may take
    // its address.
    std::vector<const LabelLayer*> layers;
    std::vector<std::uint64_t> ids;
    for (const viewer::LabelLayerView& v : s.scene.labels) {
        layers.push_back(v.layer.get());
        ids.push_back(v.layer->lineage.id);
    }
    if (ids != sync.labelLayers) {
        r.feedback.labelProblems.clear();
        r.labels.setLayers(layers, r.feedback.labelProblems);
        sync.labelLayers = ids;
    }
    for (std::size_t n = 0; n < s.scene.labels.size(); ++n) {
        const viewer::LabelLayerView& v = s.scene.labels[n];
        gl::LabelLook look;
        look.visible = v.visible;
        if (!v.shown)
            look.visible.assign(look.visible.size(), 0);
        look.fill = v.fill ? v.opacity : 0.0f;
        look.outline = v.outline;
        // A segment whose surface mesh is drawn is drawn in 3D as that mesh, not as voxels.
        look.meshIn3d.assign(v.layer->segments.size(), 0);
        for (const viewer::SurfaceLayerView& surface : s.scene.surfaces)
            for (std::size_t i = 0; surface.layerId == v.layer->lineage.id && i < v.layer->segments.size();
                 ++i)
                if (v.layer->segments[i].number == surface.segmentNumber && surfaceShown(s, surface))
                    look.meshIn3d[i] = 1;
        r.labels.setLook(n, look);
    }
}

} // namespace

std::string labels3dNote(const gl::Labels3d& l) {
    if (l.leftOut == 0)
        return {};
    return counted(l.leftOut, "segment", "segments") + " not drawn in 3D: it draws " +
           std::to_string(gl::Labels3d::kMaxGroups) +
           " groups of segments (hide some segments to draw the others)";
}

gl::Labels3d labels3dOf(const viewer::AppState& s, const Renderers& r) {
    std::vector<std::size_t> layers;
    glm::ivec3 lo(std::numeric_limits<int>::max()), hi(std::numeric_limits<int>::min());
    for (std::size_t n = 0; n < s.scene.labels.size(); ++n) {
        const viewer::LabelLayerView& v = s.scene.labels[n];
        if (!v.shown || !v.in3d)
            continue;
        bool any = false;
        const LabelLayer& layer = *v.layer;
        for (std::size_t i = 0; i < layer.segments.size() && i < layer.stats.size(); ++i)
            if ((i >= v.visible.size() || v.visible[i]) && layer.stats[i].voxels > 0) {
                lo = glm::min(lo, layer.stats[i].voxelMin);
                hi = glm::max(hi, layer.stats[i].voxelMax);
                any = true;
            }
        if (any)
            layers.push_back(n);
    }
    if (layers.empty())
        return {};
    gl::Labels3d l = r.labels.labels3d(layers);
    const glm::vec3 dims(s.scene.base->series.volume.geometry().dims);
    l.boxMin = glm::vec3(lo) / dims;
    l.boxMax = (glm::vec3(hi) + 1.0f) / dims;
    return l;
}

std::vector<gl::SurfaceDraw> surfaces3dOf(const viewer::AppState& s) {
    std::vector<gl::SurfaceDraw> draws;
    for (const viewer::SurfaceLayerView& v : s.scene.surfaces)
        if (v.mesh && !v.mesh->indices.empty() && surfaceShown(s, v))
            draws.push_back({v.id, v.mesh, v.colour});
    return draws;
}

namespace {

// The second series' own 3D view (side by side), from the image layer's texture: the same voxels as its
// slice views, on the base's grid, so that one camera shows both at the same place.
void sync3dBeside(const viewer::ImageLayerView* layer, Renderers& r, const RendererSync& sync) {
    r.feedback.beside3d = false;
    if (r.volumeBeside)
        r.volumeBeside->clearVolume();
    if (!layer || !layer->stats || !r.images.hasLayer())
        return;
    try {
        if (!r.volumeBeside)
            r.volumeBeside = std::make_unique<gl::VolumeRenderer>();
        r.volumeBeside->setVolume(*layer->onBase, layer->stats, r.images.texture(), r.images.encoding(),
                                  sync.maxBytes3d, sync.max3dTexture);
        r.feedback.beside3d = true;
    } catch (const gl::GlError& e) {
        // Its slice views still show it; the 3D cell says why it has no 3D view.
        if (r.volumeBeside)
            r.volumeBeside->clearVolume();
        r.feedback.imageProblem = "the second series has no 3D view (" + std::string(e.what()) + ")";
    }
}

// The fused series onto the GPU when it is new, its colour map when it changed, its interpolation the
// slices'.
void syncImageLayer(const viewer::AppState& s, Renderers& r, RendererSync& sync) {
    const viewer::ImageLayerView* layer = s.scene.images.empty() ? nullptr : &s.scene.images.front();
    const std::uint64_t id = layer ? layer->id : 0;
    if (id != sync.imageLayer) {
        sync.imageLayer = id; // tried once per layer, whatever happens
        r.feedback.imageProblem.clear();
        try {
            r.images.setLayer(layer ? layer->onBase.get() : nullptr, id);
        } catch (const gl::GlError& e) {
            r.images.setLayer(nullptr, 0);
            r.feedback.imageProblem = "the fused series is not shown (" + std::string(e.what()) + ")";
        }
        sync3dBeside(layer, r, sync);
    }
    // Side by side with its look linked: the base's colour table (inverted as the base's is).
    const bool linked = layer && layer->mode == viewer::FusionMode::SideBySide && layer->linkLook;
    const std::string wanted = !layer   ? ""
                               : linked ? "base:" + s.colormap + (s.invert ? ":inverted" : "")
                                        : layer->colormap;
    if (layer && sync.imageColormap != wanted) {
        r.images.setColormap(linked ? viewer::displayColormap(s) : colormapTable(layer->colormap));
        sync.imageColormap = wanted;
    }
    r.images.setInterpolation(s.linear);
}

// How the fused series is drawn in the slice views, from its view in the scene (FusionMode's values are the
// look's: SideBySide draws it Alone).
gl::ImageLayerLook imageLayerLook(const viewer::AppState& s, const viewer::ImageLayerView& layer,
                                  const Geometry& base) {
    gl::ImageLayerLook look;
    look.mode = gl::ImageLayerLook::Mode(int(layer.mode));
    look.window = layer.mode == viewer::FusionMode::Difference                     ? layer.difference
                  : layer.mode == viewer::FusionMode::SideBySide && layer.linkLook ? s.window
                                                                                   : layer.window;
    look.opacity = layer.shown ? layer.opacity : 0.0f;
    // Squares of checkerMm in the base's patient space: the texture spans dims * spacing mm per axis.
    look.checker = glm::vec3(glm::dvec3(base.dims) * base.spacing / std::max(layer.checkerMm, 0.1));
    return look;
}

// Stepping from the phase on the GPU to another phase `d` of its 4D series: its 3D texture kept (within
// phaseTextureBytes, the least recently left dropped first); the textures of datasets gone or of another
// series dropped.
void keepPhaseTexture(Renderers& r, RendererSync& sync, const Dataset* d) {
    auto& kept = r.keptPhases;
    kept.erase(std::remove_if(kept.begin(), kept.end(),
                              [d](const Renderers::KeptPhase& k) {
                                  const std::shared_ptr<const Dataset> of = k.of.lock();
                                  return !of || !d || (of.get() != d && !viewer::isAnotherPhase(*d, *of));
                              }),
               kept.end());
    const std::shared_ptr<const Dataset> left = sync.uploadedRef.lock();
    if (!left || left.get() != sync.uploaded || !d || !viewer::isAnotherPhase(*d, *left) ||
        left->series.volume.bytes() > sync.phaseTextureBytes)
        return;
    gl::Texture texture = r.slices.releaseVolumeTexture();
    if (!texture)
        return;
    kept.push_back({left, std::move(texture), left->series.volume.bytes()});
    std::uint64_t total = 0;
    for (const Renderers::KeptPhase& k : kept)
        total += k.bytes;
    for (auto it = kept.begin(); total > sync.phaseTextureBytes && it != kept.end();) {
        total -= it->bytes;
        it = kept.erase(it);
    }
}

// The 3D texture kept for `d` (taken out of the keeping), or an empty one.
gl::Texture takeKeptPhase(Renderers& r, const Dataset* d) {
    for (auto it = r.keptPhases.begin(); it != r.keptPhases.end(); ++it)
        if (it->of.lock().get() == d) {
            gl::Texture texture = std::move(it->texture);
            r.keptPhases.erase(it);
            return texture;
        }
    return {};
}

} // namespace

void syncRenderer(viewer::AppState& s, Renderers& r, RendererSync& sync) {
    Dataset* d = s.hasVolume() ? s.scene.base.get() : nullptr;
    const bool justSet = d != sync.uploaded;
    if (justSet) {
        keepPhaseTexture(r, sync, d);
        sync.uploaded = nullptr; // if the upload throws, the next frame must not think it is there
        sync.uploaded3d = nullptr;
        r.volume.clearVolume();
        // Not yet measured for the new volume: its first 3D frame is a full one (nextQuality3d).
        r.feedback.fullSecondsPerPixel = 0;
        if (gl::Texture kept = d ? takeKeptPhase(r, d) : gl::Texture{}) {
            r.slices.adoptVolumeTexture(std::move(kept), d->series.volume);
        } else if (d) {
            // The finished series progressively (its first picture at once); a preview plane by plane (its
            // slices change as they arrive; a 3D texture of it would be filled, on the main thread, before
            // its first picture, and dropped when the series is complete).
            using Upload = gl::SliceRenderer::Upload;
            const bool tooLarge = sync.planesAbove && d->series.volume.bytes() > sync.planesAbove;
            r.slices.setVolume(d->series.volume, sync.max3dTexture,
                               d->preview || tooLarge   ? Upload::Planes
                               : sync.progressiveUpload ? Upload::Progressive
                                                        : Upload::Whole);
        } else
            r.slices.clearVolume();
        if (d)
            r.slices.setArrived(d->preview ? &d->arrived : nullptr);
        sync.uploaded = d;
        sync.uploadedRef = d ? s.scene.base : nullptr;
        r.slices.setInterpolation(s.linear);
        sync.linear = s.linear;
        sync.dirtySlices.clear();
    } else if (d && !sync.dirtySlices.empty()) {
        r.slices.updateSlices(d->series.volume, sync.dirtySlices);
        sync.dirtySlices.clear();
    }
    // A slab or two a frame, between frames that stay live; not in the frame that shows the series first.
    if (r.slices.uploading() && !justSet)
        r.slices.continueUpload(0.03);
    // The 3D view waits for the whole series (a preview has no statistics) and shares the slices' texture,
    // once that is up.
    if (d && d->stats && sync.uploaded3d != d && !r.slices.uploading()) {
        sync.uploaded3d = d; // tried once per dataset, whatever happens
        try {
            r.volume.setVolume(d->series.volume, d->stats, r.slices.volumeTexture(), r.slices.huTexel(),
                               sync.maxBytes3d, sync.max3dTexture, d->copy3d.get());
            r.feedback.note3d = r.volume.note();
        } catch (const gl::GlError& e) {
            // The 3D view cannot have the volume (GPU memory): the slice views keep working.
            r.volume.clearVolume();
            r.feedback.note3d = std::string("3D view unavailable: ") + e.what();
        }
        d->copy3d.reset(); // on the GPU now (or of no use): its memory goes back
    }
    const bool mono = d && d->series.monochrome1;
    if (!sync.lutSet || sync.colormap != s.colormap || sync.invert != s.invert || sync.monochrome1 != mono) {
        r.slices.setColormap(viewer::displayColormap(s));
        sync.colormap = s.colormap;
        sync.invert = s.invert;
        sync.monochrome1 = mono;
        sync.lutSet = true;
    }
    if (sync.linear != s.linear) {
        r.slices.setInterpolation(s.linear);
        sync.linear = s.linear;
    }
    syncLabels(s, r, sync);
    syncImageLayer(s, r, sync);
}

gl::VolumeRenderSettings volumeSettingsOf(const viewer::AppState& s, bool coarse) {
    gl::VolumeRenderSettings v;
    v.preset = s.view3d.preset;
    v.colormap = s.view3d.preset.colormap;
    v.invert = s.view3d.invert;
    v.camera = s.view3d.camera;
    viewer::effectiveCrop(s, v.cropMin, v.cropMax);
    v.cutPlanes = viewer::cutPlanes(s);
    v.stepScale = s.view3d.stepScale;
    if (coarse) {
        v.stepScale *= kCoarseStepFactor;
        v.opaque = kCoarseOpaque;
    }
    v.skipping = s.view3d.skipping;
    return v;
}

float adaptInteractiveScale(float k, double seconds) {
    // About 35 ms for the 3D image leaves the rest of the frame (panels, the blit, the swap) inside 50 ms: 20
    // frames a second while dragging (bench/drag measures the whole loop).
    if (seconds > 0.045)
        k *= float(std::clamp(std::sqrt(0.035 / seconds), 0.5, 0.95));
    else if (seconds < 0.025)
        k *= 1.15f;
    return std::clamp(k, 0.15f, 1.0f);
}

ui::Quality3d nextQuality3d(bool interacting, ui::Quality3d last, double predictedFullSeconds) {
    using ui::Quality3d;
    if (interacting)
        return Quality3d::Interactive;
    if (last == Quality3d::Interactive && predictedFullSeconds > kReleaseBudgetSeconds)
        return Quality3d::Release;
    return Quality3d::Full;
}

namespace {

// While the segment editor's threshold tool is on: its range over the slices, in the segment's colour.
gl::SliceRenderer::Highlight thresholdPreview(const viewer::AppState& s) {
    const viewer::SegmentEditor& e = s.editor;
    if (!e.previewing() || std::size_t(e.layer) >= s.scene.labels.size())
        return {};
    const LabelLayer& l = *s.scene.labels[std::size_t(e.layer)].layer;
    const glm::vec3 colour = std::size_t(e.segment) < l.segments.size()
                                 ? l.segments[std::size_t(e.segment)].color
                                 : glm::vec3(1, 1, 0);
    return {e.lo, e.hi, 0.5f, colour};
}

// Side by side: the second series' 3D view in the right pane's 3D cell, `cell` (GL pixels) moved by the
// pane's offset, through the same camera, transfer function and quality as the base's (`settings`, `size`);
// without the base's segmentations and surfaces. In one pass: a frame of the base's spread over passes
// draws this one whole.
void drawBeside3d(const viewer::AppState& s, Renderers& r, gl::VolumeRenderSettings settings, glm::ivec2 size,
                  glm::ivec4 cell, float fbScale) {
    if (s.paneOffset <= 0 || !r.volumeBeside || !r.volumeBeside->hasVolume() || s.scene.images.empty() ||
        !s.scene.images.front().shown)
        return;
    settings.labels = {};
    settings.surfaces = {};
    r.volumeBeside->render(settings, size, false, 1); // nothing new to draw: its last image stands
    cell.x += int(std::lround(s.paneOffset * fbScale));
    r.volumeBeside->present(cell);
}

} // namespace

SceneStats drawScene(const viewer::AppState& s, Renderers& r, glm::ivec2 fbSize, float fbScale, double now,
                     bool timed) {
    SceneStats stats;
    glViewport(0, 0, fbSize.x, fbSize.y);
    glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!s.hasVolume())
        return stats;
    r.slices.setHighlight(thresholdPreview(s));
    for (int v = 0; v < 3; ++v) {
        if (s.cells[std::size_t(v)].w <= 0)
            continue;
        const ViewMapping m = viewer::mappingOf(s, v);
        const int slice = viewer::sliceOf(s, v);
        r.slices.draw(m, slice, s.window, s.views[std::size_t(v)].slab, fbSize, fbScale);
        const glm::mat4 toTexture =
            m.oblique() ? m.obliqueToTexture(fbScale) : m.framebufferToTexture(slice, fbScale);
        if (r.images.hasLayer() && !s.scene.images.empty() && s.scene.images.front().shown) {
            const gl::ImageLayerLook look =
                imageLayerLook(s, s.scene.images.front(), s.scene.base->series.volume.geometry());
            if (look.mode != gl::ImageLayerLook::Mode::Alone) {
                r.images.draw(m.rect(), toTexture, fbSize, fbScale, look, r.slices.volumeTexture(),
                              r.slices.huTexel());
            } else if (s.paneOffset > 0) {
                // Side by side: the same view paneOffset to the right, the second series alone.
                Rect beside = m.rect();
                beside.x += s.paneOffset;
                const glm::mat4 toBeside =
                    toTexture *
                    glm::translate(glm::mat4(1.0f), glm::vec3(-s.paneOffset * fbScale, 0.0f, 0.0f));
                r.images.draw(beside, toBeside, fbSize, fbScale, look, 0, {});
            }
        }
        if (!r.labels.empty())
            r.labels.draw(m.rect(), toTexture, fbSize, fbScale);
    }
    const Rect& cell = s.cells[3];
    if (cell.w <= 0 || cell.h <= 0 || !r.volume.hasVolume())
        return stats;
    // The cell in framebuffer pixels, GL's bottom-left origin.
    const int x0 = int(std::lround(cell.x * fbScale)), x1 = int(std::lround((cell.x + cell.w) * fbScale));
    const int y0 = int(std::lround(cell.y * fbScale)), y1 = int(std::lround((cell.y + cell.h) * fbScale));
    if (x1 <= x0 || y1 <= y0)
        return stats;
    using ui::Quality3d;
    const double fullPixels = double(x1 - x0) * double(y1 - y0);
    stats.quality = nextQuality3d(viewer::interacting3d(s, now), r.feedback.last3d,
                                  r.feedback.fullSecondsPerPixel * fullPixels);
    const bool interactive = stats.quality == Quality3d::Interactive;
    const float scale = interactive ? std::clamp(r.feedback.interactiveScale, 0.1f, 1.0f) : 1.0f;
    const glm::ivec2 size(std::max(1, int(std::lround((x1 - x0) * scale))),
                          std::max(1, int(std::lround((y1 - y0) * scale))));
    // The full frame after a Release one, in passes of about kPassSeconds, one a frame.
    int passes = 1;
    if (stats.quality == Quality3d::Full && r.feedback.last3d == Quality3d::Release)
        passes =
            std::clamp(int(std::ceil(r.feedback.fullSecondsPerPixel * fullPixels / kPassSeconds)), 1, 16);
    const auto start = std::chrono::steady_clock::now();
    gl::VolumeRenderSettings settings = volumeSettingsOf(s, stats.quality != Quality3d::Full);
    settings.labels = labels3dOf(s, r);
    r.feedback.labels3dNote = labels3dNote(settings.labels);
    settings.surfaces = surfaces3dOf(s);
    stats.rendered3d = r.volume.render(settings, size, false, passes);
    stats.complete = r.volume.complete();
    if (stats.rendered3d && stats.complete)
        r.feedback.last3d = stats.quality;
    if (timed && stats.rendered3d) {
        glFinish();
        stats.seconds3d = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (interactive) {
            r.feedback.interactiveScale = adaptInteractiveScale(r.feedback.interactiveScale, stats.seconds3d);
        } else if (stats.quality == Quality3d::Full) {
            if (r.volume.passesDone() == 1) // this render began in this frame
                r.feedback.partSeconds = 0;
            r.feedback.partSeconds += stats.seconds3d;
            if (stats.complete)
                r.feedback.fullSecondsPerPixel = r.feedback.partSeconds / fullPixels;
        }
    }
    r.volume.present({x0, fbSize.y - y1, x1 - x0, y1 - y0});
    drawBeside3d(s, r, settings, size, {x0, fbSize.y - y1, x1 - x0, y1 - y0}, fbScale);
    return stats;
}

} // namespace ctview::app
