#pragma once
// What keys and buttons do beyond changing the state: saving files.
#include "app/scene.h"
#include "viewer/app_state.h"
#include "volume/slice.h"

#include <filesystem>
#include <vector>

namespace ctview::app {

// The active view's slice as PNG and JPEG at native resolution with the current window and colour map, into
// the export folder, never overwriting: the same pixels as `ctview export` with the same settings. A toast
// names the files (or the error). Returns the paths written.
std::vector<std::filesystem::path> saveSlice(viewer::AppState& s, double now);

// The size a picture of the 3D view is saved or recorded at: the 3D cell's size in framebuffer pixels
// (`fbScale`), grown to at least 512 pixels on its shorter side.
glm::ivec2 renderSize3d(const viewer::AppState& s, float fbScale);
// S over the 3D view: the 3D view rendered as `ctview render` renders it (same scene code, full quality, no
// overlays) at renderSize3d, as PNG and JPEG into the export folder, never overwriting; a toast names the
// files. Needs the viewer's GL context.
std::vector<std::filesystem::path> saveRender(viewer::AppState& s, Renderers& renderers, RendererSync& sync,
                                              float fbScale, double now);

// The measurements kept for the loaded series (measure/measure's store), replacing those shown; a kept file
// that does not parse is moved aside and named in a toast. Called when a series has loaded.
void restoreAnnotations(viewer::AppState& s, double now);
// Keeps the measurements of the loaded series when they changed (atomically); a failure is a toast. Called
// every frame: it writes only after a change.
void saveAnnotations(viewer::AppState& s, double now);

// The segment editor's layer (the one of the segment being edited) as 3D Slicer's .seg.nrrd into the export
// folder, never overwriting: its segments named and coloured, overlapping ones in layers. A toast names the
// file (or the error). Returns the path written, or an empty one.
std::filesystem::path saveSegmentation(viewer::AppState& s, double now);

// Crash safety for the segment editor. Where the edits of series `uid` are kept until they are saved or
// discarded: the user's data folder, segmentations/UID.seg.nrrd (empty for an unusable UID).
std::filesystem::path segmentationAutosavePath(const std::string& uid);
// After an edit: the edited layer written there (aside and renamed), so that a crash loses nothing. A failure
// is a toast. Called every frame: it writes only after an edit.
void autosaveSegmentation(viewer::AppState& s, double now);
// When a series has loaded: its autosave, if a session left one, is offered (editor.restorable and a toast).
void offerAutosave(viewer::AppState& s, double now);
// The loaded series' autosave removed: its edits were saved, or the user let them go.
void discardAutosave(const viewer::AppState& s);
// At the window's end: the autosave goes when this session's edits (made here or restored) were saved or let
// go ("Quit without saving"); unsaved ones stay, to be offered back.
void settleAutosaveAtExit(const viewer::AppState& s);

// The surface of the segment being edited as a binary STL into the export folder, as `ctview surface
// --segment` makes it (closed, smoothed, LPS millimetres); a toast names the file and its triangles (or the
// error).
std::filesystem::path exportSurface(viewer::AppState& s, double now);

// A screenshot (the whole window's pixels) as PNG into the export folder; a toast names it.
std::filesystem::path saveScreenshot(viewer::AppState& s, const RgbImage& pixels, double now);

} // namespace ctview::app
