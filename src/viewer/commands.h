#pragma once
// The one channel from the user to the frame loop: what a key (app/input.cpp) or a panel's button asks for
// that is more than a change of view state (which they make themselves). The frame loop carries every command
// out in one place (app/viewer.cpp), in the order given.
#include <string>
#include <vector>

namespace ctview::viewer {

struct Command {
    enum class Kind {
        SaveSlice,        // S / "Save slice": the active view's slice as PNG and JPEG
        SaveRender,       // S over the 3D view: the 3D render as PNG and JPEG, as `ctview render` makes it
        Screenshot,       // F12: the whole window as PNG
        Quit,             // Ctrl+Q
        ShowOpen,         // Ctrl+O: the Open dialog
        ReloadShaders,    // F5
        ClosePopups,      // Esc while a combo's list or another popup is open: close it (and do nothing else)
        Open,             // `path`: a folder or file (dropped, chosen in the Open dialog, or recent)
        LoadSeries,       // `series`: another series of the open source, by its listing number
        SavePreset,       // the 3D view's preset, titled `path`, in the user's presets
        Interacting3D,    // a 3D panel control is being dragged: render coarse and fast for a moment
        RecordMovie,      // Cine's "Record movie": view `series` (0..2) as a movie, `path` "mp4" or "gif"
        RecordTurntable,  // the 3D view's "Record": it turning from the current camera, `path` "mp4" or "gif"
        Resample,         // the series again, irregular stacks resampled (`series` 1) or kept as acquired (0)
        AddLabels,        // `path`: a segmentation onto the open series; `series` 1: dropped (an image opens)
        SaveSegmentation, // the segment editor's layer as .seg.nrrd into the export folder
        ExportSurface,    // the segment being edited as an STL surface into the export folder
        RestoreEdits,     // the series' autosaved segment edits (editor.restorable) back as the edited layer
        DiscardEdits,     // ... or let go
        ShareCopy,        // "Save anonymised copy": the series (and its DICOM segmentations) de-identified
        ShareSend,        // "Send": the same (de-identified when s.share.anonymise) to the node `path`
        LoadPhase,        // `series`: another phase (1-based) of the open 4D series, the views kept
        Fuse,             // `path` (series `series` of it, 0: as the loader picks) fused over the open series
        Compare,          // the same, side by side with it
        Register,         // the second series registered onto the open one (rigid), from where it is now
        Realign,          // the second series moved as "Align here" found (gesture.align.link)
        TimeCurve,        // measurement `series` (an index of s.annotations) at every phase of the 4D series
    };
    Kind kind;
    std::string path;
    int series = 0;

    bool operator==(const Command& o) const { return kind == o.kind && path == o.path && series == o.series; }
};
using Commands = std::vector<Command>;

} // namespace ctview::viewer
