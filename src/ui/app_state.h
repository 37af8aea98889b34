#pragma once
// Everything the viewer shows and the user can change, as plain data. Panels read and edit it; input handling
// edits it; the renderer draws from it. Nothing here touches GL, so that input handling is tested in-process.
#include "core/loader.h"
#include "core/metadata.h"
#include "core/view.h"
#include "core/window.h"

#include <glm/glm.hpp>

#include <array>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ctview::ui {

// One loaded series with the scan it came from (LoadedSeries points into the scan, so they travel together).
struct Dataset {
    std::shared_ptr<const ScanResult> scan;
    LoadedSeries series;
    bool preview = false;       // slices shown while the series is still loading (the rest read as air)
    std::vector<int> dirtySlices; // preview slices filled since the renderer last uploaded
    std::vector<std::pair<std::string, std::string>> summary; // describeLines(): what `ctview info` prints
    std::vector<TagEntry> tags; // filled on first use by the metadata panel
    bool tagsLoaded = false;
    std::string tagsError;
};

struct ViewState {
    Axis axis = Axis::Axial;
    ViewCamera camera;
};

// What the loader thread reports, copied to the state once a frame.
struct LoadStatus {
    bool active = false;
    std::string input;          // the folder or file being opened
    std::string stage;          // "scanning", "decoding", ...
    std::size_t done = 0, total = 0;
    std::string error;          // the last load's failure, in plain words (empty when it worked)
};

struct Toast {
    std::string text;
    double expires = 0; // glfwGetTime() seconds
    bool error = false;
};

// A mouse drag that started in a view and continues until the button is released, wherever the mouse goes.
struct Drag {
    int view = -1;   // 0..2, or -1 for none
    int button = -1; // 0 left (crosshair), 1 right (window/level), 2 middle (pan)
};

struct Overlays {
    bool crosshair = true, letters = true, scaleBar = true, windowLevel = true, probe = true, sliceInfo = true;
};

struct Panels {
    bool sidebar = true, help = false, open = false, metadataTags = false;
};

// The folder browser of the Open dialog.
struct OpenDialog {
    std::string folder;              // the folder being browsed
    std::vector<std::string> entries; // its sub-folders and files, folders first ("name/")
    std::string error;
    char pathInput[1024] = {};
};

// What a panel asks the frame loop to do this frame.
struct Requests {
    bool saveSlice = false, screenshot = false, quit = false;
    int loadSeries = -1;  // listing number of another series of the current scan
    std::string open;     // a folder or file to open
};

struct AppState {
    std::shared_ptr<Dataset> data;   // null until something has loaded
    LoadStatus load;
    std::vector<std::string> messages; // warnings and skipped files of the current series, in plain words

    std::array<ViewState, 3> views{{{Axis::Axial, {}}, {Axis::Coronal, {}}, {Axis::Sagittal, {}}}};
    int activeView = 0;   // 0..2: the view keys and the save key act on
    int maximised = -1;   // -1: 2x2 grid; 0..3: that cell alone (3 is the 3D cell)
    glm::ivec3 cursor{0}; // crosshair voxel (i, j, k); view v shows slice cursor[frame(v).nAxis]

    WindowLevel window;
    std::string windowName = "file"; // a preset name, "file", "auto" or "custom"
    std::string colormap = "grayscale";
    bool invert = false;
    bool linear = false;             // linear interpolation between voxels instead of nearest

    Overlays overlays;
    Panels panels;
    std::filesystem::path exportDir = "ctview-exports";
    std::vector<std::string> recent; // most recent first
    OpenDialog openDialog;
    std::string shaderError;         // the last shader reload's compiler messages (file:line)

    std::deque<Toast> toasts;
    Drag drag;

    // Probe: the voxel under the mouse, if any.
    bool probeValid = false;
    glm::ivec3 probeVoxel{0};
    float probeHU = 0;
    glm::dvec3 probeLps{0.0};

    // Layout, set once a frame: the sidebar's width and the four cells (axial, coronal, sagittal, 3D).
    Rect viewArea;
    std::array<Rect, 4> cells{};

    bool hasVolume() const { return data && !data->series.volume.empty(); }
};

// The slice frame of view `v` (0..2) for the loaded volume.
SliceFrame frameOf(const AppState& s, int v);
int sliceOf(const AppState& s, int v);
ViewMapping mappingOf(const AppState& s, int v);
// Splits `area` into the cells: a 2x2 grid, or the maximised cell filling it (the others empty).
void layoutCells(AppState& s, const Rect& area);
// Puts a freshly loaded dataset in place: crosshair at the centre, views reset, window from the file.
void adoptDataset(AppState& s, std::shared_ptr<Dataset> d);
// The colour table the views show: the chosen map, inverted when asked or when the series is MONOCHROME1
// (both: not inverted), exactly as `ctview export` does.
ColormapTable displayColormap(const AppState& s);
void addToast(AppState& s, std::string text, double now, bool error = false);

} // namespace ctview::ui
