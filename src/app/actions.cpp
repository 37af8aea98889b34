#include "app/actions.h"

#include "app/headless.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "measure/measure.h"
#include "media/export.h"
#include "mesh/mesh_io.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/layer_write.h"

#include <algorithm>

#include <ctime>
#include <fstream>

namespace ctview::app {

std::vector<std::filesystem::path> saveSlice(viewer::AppState& s, double now) {
    if (!s.hasVolume())
        return {};
    if (s.scene.base->preview) {
        addToast(s, "The series is still loading: save when it is complete", now, true);
        return {};
    }
    const int v = std::clamp(s.activeView, 0, 2);
    const Axis axis = s.views[std::size_t(v)].axis;
    try {
        const Slab& slab = s.views[std::size_t(v)].slab;
        // Burned in (when asked): the measurements drawn over the export's pixels, as the view draws them.
        std::function<void(RgbImage&)> burnIn;
        if (s.prefs.burnIn)
            burnIn = [&](RgbImage& img) { burnInAnnotations(s, v, img); };
        // A turned view: its plane as shown (sampled as the view samples it).
        const Volume& vol = s.scene.base->series.volume;
        const int series = s.scene.base->series.about.listing.seriesNumber;
        const SlicePlane plane = viewer::planeOf(s, v);
        std::vector<ImageFormat> formats{ImageFormat::Png, ImageFormat::Jpeg};
        if (s.prefs.saveTiff)
            formats.push_back(ImageFormat::Tiff);
        auto written =
            s.mpr.oblique
                ? exportPlane(vol, axis, plane, viewer::sliceNumberOf(s, v), slab, s.linear, s.window,
                              viewer::displayColormap(s), series, formats, s.exportDir, false, burnIn)
                : exportSlice(vol, axis, viewer::sliceOf(s, v), slab, s.window, viewer::displayColormap(s),
                              series, formats, s.exportDir, false, burnIn);
        std::string text = "Saved";
        for (const auto& p : written)
            text += "\n" + p.string();
        // Beside them, what they show: the slice, the window and the measurements on it (never replacing a
        // file).
        if (!written.empty()) {
            const fs::path sidecar =
                uniqueOutputPath(fs::path(written.front()).replace_extension(".json"), false);
            const std::string& uid = s.scene.base->series.about.listing.uid;
            const std::string image = written.front().filename().string();
            const std::string json =
                s.mpr.oblique
                    ? planeSidecarJson(vol, axis, plane, viewer::sliceNumberOf(s, v), slab, s.window.width,
                                       s.window.center, uid, s.annotations, image, s.prefs.burnIn)
                    : sliceSidecarJson(vol, axis, viewer::sliceOf(s, v), slab, s.window.width,
                                       s.window.center, uid, s.annotations, image, s.prefs.burnIn);
            writeFileAtomically(sidecar, [&](const fs::path& tmp) {
                std::ofstream out(tmp, std::ios::binary);
                out << json;
                out.close();
                if (!out)
                    throw DataError(sidecar.string() + ": cannot be written");
            });
            text += "\n" + sidecar.string();
        }
        addToast(s, text, now);
        return written;
    } catch (const std::exception& e) {
        addToast(s, std::string("Could not save the slice: ") + e.what(), now, true);
        return {};
    }
}

glm::ivec2 renderSize3d(const viewer::AppState& s, float fbScale) {
    const Rect cell = s.cells[3];
    glm::dvec2 size(std::max(1.0f, cell.w * fbScale), std::max(1.0f, cell.h * fbScale));
    const double grow = std::max(1.0, 512.0 / std::min(size.x, size.y));
    return glm::ivec2(glm::round(size * grow));
}

std::vector<std::filesystem::path> saveRender(viewer::AppState& s, Renderers& renderers, RendererSync& sync,
                                              float fbScale, double now) {
    if (!s.hasVolume())
        return {};
    if (s.scene.base->preview || !s.scene.base->stats) {
        addToast(s, "The series is still loading: save the 3D view when it is complete", now, true);
        return {};
    }
    try {
        // The 3D view alone, at least as large as it is on screen, at full quality.
        viewer::AppState view = alone3d(s);
        const RgbImage pixels = drawOffscreen(view, renderers, sync, renderSize3d(s, fbScale), false);
        createFolder(s.exportDir);
        const std::string stem =
            std::to_string(s.scene.base->series.about.listing.seriesNumber) + "_3d_" + s.view3d.presetName;
        std::vector<std::filesystem::path> written;
        for (ImageFormat f : {ImageFormat::Png, ImageFormat::Jpeg})
            written.push_back(writeImage(
                pixels, s.exportDir / (stem + (f == ImageFormat::Png ? ".png" : ".jpg")), f, false));
        std::string text = "Saved the 3D view";
        for (const auto& p : written)
            text += "\n" + p.string();
        addToast(s, text, now);
        return written;
    } catch (const std::exception& e) {
        addToast(s, std::string("Could not save the 3D view: ") + e.what(), now, true);
        return {};
    }
}

void restoreAnnotations(viewer::AppState& s, double now) {
    s.annotations.clear();
    viewer::endAnnotationGesture(s);
    s.selectedAnnotation = -1;
    s.annotationsChanged = false;
    s.annotationsSeries = s.hasVolume() ? s.scene.base->series.about.listing.uid : "";
    std::string problem;
    if (annotationStorePath(s.annotationsSeries).empty())
        s.annotationsSeries.clear(); // a volume file has no SeriesInstanceUID: nothing to keep them under
    else
        s.annotations = loadAnnotationStore(s.annotationsSeries, problem).annotations;
    viewer::rebaseAnnotationHistory(s); // what was restored (or nothing) is where undo starts, not an edit
    if (!problem.empty())
        addToast(s, "Measurements not restored: " + problem, now, true);
}

void saveAnnotations(viewer::AppState& s, double now) {
    if (!s.annotationsChanged || s.gesture.drawing >= 0 || s.gesture.pending >= 0 || s.gesture.editing >= 0 ||
        s.annotationsSeries.empty())
        return;
    s.annotationsChanged = false;
    try {
        saveAnnotationStore(AnnotationFile{s.annotationsSeries, s.annotations});
    } catch (const std::exception& e) {
        addToast(s, std::string("Measurements not kept: ") + e.what(), now, true);
    }
}

namespace {

std::string seriesUid(const viewer::AppState& s) {
    return s.scene.base ? s.scene.base->series.about.listing.uid : "";
}

} // namespace

std::filesystem::path saveSegmentation(viewer::AppState& s, double now) {
    const LabelLayer* l = viewer::editedLayer(s);
    if (!l)
        return {};
    const auto& formats = viewer::segmentationFormats();
    const viewer::FileFormat& format =
        formats[std::size_t(std::clamp(s.editor.saveFormat, 0, int(formats.size()) - 1))];
    try {
        createFolder(s.exportDir);
        std::vector<std::string> notes;
        auto written = writeSegmentationFile(
            *l, s.scene.base->series,
            s.exportDir / (localTimeText("segmentation_%Y%m%d_%H%M%S") + format.extension), false, &notes);
        s.editor.unsaved = false;
        discardAutosave(s);
        addToast(s, "Saved the segmentation\n" + written.string(), now);
        s.editor.lastMessage = "Saved as " + written.string(); // lasting, under the tools: the toast goes
        for (const std::string& n : notes)
            addToast(s, n, now, true);
        return written;
    } catch (const std::exception& ex) {
        addToast(s, std::string("Could not save the segmentation: ") + ex.what(), now, true);
        return {};
    }
}

std::filesystem::path segmentationAutosavePath(const std::string& uid) {
    if (!isSafeUid(uid)) // the UID becomes a file name
        return {};
    return userFolder(UserFolder::Data) / "segmentations" / (uid + ".seg.nrrd");
}

void autosaveSegmentation(viewer::AppState& s, double now) {
    viewer::SegmentEditor& e = s.editor;
    const LabelLayer* l = viewer::editedLayer(s);
    if (!l || e.revision == e.autosaved || !e.unsaved)
        return;
    e.autosaved = e.revision;
    const std::filesystem::path path = segmentationAutosavePath(seriesUid(s));
    if (path.empty())
        return; // a volume file has no SeriesInstanceUID to keep them under: Save is the way
    try {
        createFolder(path.parent_path());
        writeSegmentationFile(*l, s.scene.base->series, path, true); // .seg.nrrd: overlaps kept
    } catch (const std::exception& ex) {
        addToast(s, std::string("The segment edits could not be kept aside: ") + ex.what(), now, true);
    }
}

void offerAutosave(viewer::AppState& s, double now) {
    const std::filesystem::path path = segmentationAutosavePath(seriesUid(s));
    std::error_code ec;
    if (path.empty() || !std::filesystem::exists(path, ec))
        return;
    s.editor.restorable = path.string();
    addToast(s,
             "Segment edits of this series were not saved when ctview last closed: restore them in the "
             "Segment editor",
             now);
}

void discardAutosave(const viewer::AppState& s) {
    const std::filesystem::path path = segmentationAutosavePath(seriesUid(s));
    std::error_code ec;
    if (!path.empty())
        std::filesystem::remove(path, ec);
}

void settleAutosaveAtExit(const viewer::AppState& s) {
    if (s.editor.revision > 0 && !s.editor.unsaved)
        discardAutosave(s);
}

std::filesystem::path exportSurface(viewer::AppState& s, double now) {
    const LabelLayer* layer = viewer::editedLayer(s);
    if (!layer)
        return {};
    const LabelLayer& l = *layer;
    const Segment& seg = l.segments[std::size_t(s.editor.segment)];
    try {
        // The mesh the 3D view shows, when it is the segment's as it is now; else made here the same way.
        const std::vector<viewer::SurfaceLayerView>& shown = s.scene.surfaces;
        const bool current = shown.size() == 1 && shown[0].layerId == l.lineage.id &&
                             shown[0].segmentNumber == seg.number && shown[0].mesh;
        // Shared, not copied: a bone's mesh is tens of megabytes.
        const std::shared_ptr<const Mesh> made =
            current ? shown[0].mesh : std::make_shared<const Mesh>(viewer::segmentSurface(l, seg));
        const Mesh& mesh = *made;
        if (mesh.indices.empty())
            throw DataError(seg.name + " is empty");
        createFolder(s.exportDir);
        std::string name = seg.name;
        std::replace_if(
            name.begin(), name.end(), [](char c) { return c == '/' || c == ' ' || c == '\\'; }, '_');
        const glm::u8vec3 colour(glm::round(glm::clamp(seg.color, 0.f, 1.f) * 255.f));
        const auto& formats = viewer::surfaceFormats();
        const char* extension =
            formats[std::size_t(std::clamp(s.editor.surfaceFormat, 0, int(formats.size()) - 1))].extension;
        auto written = writeMesh(mesh, s.exportDir / (name + extension), false,
                                 {"ctview surface of " + seg.name + ", LPS mm", colour});
        addToast(s,
                 "Saved the surface of " + seg.name + " (" + std::to_string(mesh.triangleCount()) +
                     " triangles)\n" + written.string(),
                 now);
        s.editor.lastMessage = "Surface saved as " + written.string();
        return written;
    } catch (const std::exception& ex) {
        addToast(s, std::string("Could not export the surface: ") + ex.what(), now, true);
        return {};
    }
}

std::filesystem::path saveScreenshot(viewer::AppState& s, const RgbImage& pixels, double now) {
    try {
        createFolder(s.exportDir);
        auto written = writeImage(pixels, s.exportDir / localTimeText("screenshot_%Y%m%d_%H%M%S.png"),
                                  ImageFormat::Png, false);
        addToast(s, "Saved screenshot\n" + written.string(), now);
        return written;
    } catch (const std::exception& e) {
        addToast(s, std::string("Could not save the screenshot: ") + e.what(), now, true);
        return {};
    }
}

} // namespace ctview::app
