#include "app/scene.h"

namespace ctview::app {

void syncRenderer(const ui::AppState& s, gl::SliceRenderer& r, RendererSync& sync) {
    const ui::Dataset* d = s.hasVolume() ? s.data.get() : nullptr;
    if (d != sync.uploaded) {
        sync.uploaded = nullptr; // if the upload throws, the next frame must not think it is there
        if (d) r.setVolume(d->series.volume);
        else r.clearVolume();
        sync.uploaded = d;
        r.setInterpolation(s.linear);
        sync.linear = s.linear;
        if (s.data) s.data->dirtySlices.clear();
    } else if (d && !d->dirtySlices.empty()) {
        r.updateSlices(d->series.volume, d->dirtySlices);
        s.data->dirtySlices.clear();
    }
    const bool mono = d && d->series.monochrome1;
    if (!sync.lutSet || sync.colormap != s.colormap || sync.invert != s.invert || sync.monochrome1 != mono) {
        r.setColormap(ui::displayColormap(s));
        sync.colormap = s.colormap;
        sync.invert = s.invert;
        sync.monochrome1 = mono;
        sync.lutSet = true;
    }
    if (sync.linear != s.linear) {
        r.setInterpolation(s.linear);
        sync.linear = s.linear;
    }
}

void drawScene(const ui::AppState& s, gl::SliceRenderer& r, glm::ivec2 fbSize, float fbScale) {
    glViewport(0, 0, fbSize.x, fbSize.y);
    glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!s.hasVolume()) return;
    for (int v = 0; v < 3; ++v) {
        if (s.cells[std::size_t(v)].w <= 0) continue;
        r.draw(ui::mappingOf(s, v), ui::sliceOf(s, v), s.window, fbSize, fbScale);
    }
}

} // namespace ctview::app
