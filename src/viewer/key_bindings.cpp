// The keyboard as one table (KeyBinding): every key and mouse action with its help text, and for a key what
// it does. The F1 help (and docs/user/keys.md) is the table's text; the dispatch runs the first row that
// takes the key. A row with no keys is help only (the mouse's actions, handled by input.cpp).
#include "base/text.h"
#include "viewer/input.h"
#include "viewer/measure_gesture.h"

#include <algorithm>
#include <string>

namespace ctview::viewer {

namespace {
using Mods = KeyChord::Mods;

// The shapes of row runs: a slice step for the view the keys act on, a flag toggled.
void stepSlice(KeyContext& c, int delta) {
    if (c.volume)
        setSliceNumber(c.s, c.active, sliceNumberOf(c.s, c.active) + delta);
}
// A 4D series' phase `delta` on, round from the last to the first (and back): what the loop loads.
void stepPhase(KeyContext& c, int delta) {
    if (const int next = c.volume ? phaseAfter(c.s, delta) : 0; next > 0)
        c.commands.push_back({Command::Kind::LoadPhase, "", next});
}
int letterKey(char letter) {
    return keycode::A + (letter - 'A'); // the letters' codes are consecutive
}
void setTool(AppState& s, int key) {
    for (const MeasureTool& t : measureTools())
        if (letterKey(t.key) == key) {
            cancelPending(s); // another tool drops a shape still being clicked out
            s.tool = t.type;
        }
}
// The measuring tools' row of the help, from their table: "D, B, E, P, G, F" and what each draws.
const char* toolKeysText() {
    static const std::string text = [] {
        std::vector<std::string> keys;
        for (const MeasureTool& t : measureTools())
            keys.emplace_back(1, t.key);
        return joined(keys, ", ");
    }();
    return text.c_str();
}
const char* toolActionsText() {
    static const std::string text = [] {
        std::vector<std::string> tools;
        for (const MeasureTool& t : measureTools())
            tools.emplace_back(t.help);
        return "measuring tool for the left button in the slice views: " + joined(tools, ", ") +
               "; values beside each shape";
    }();
    return text.c_str();
}
std::vector<KeyChord> toolKeys() {
    std::vector<KeyChord> keys;
    for (const MeasureTool& t : measureTools())
        keys.push_back({letterKey(t.key)});
    return keys;
}
// Esc's chain: the first of these that applies, and only it (an open list is closed before the table).
void escape(AppState& s) {
    if (s.panels.help)
        s.panels.help = false;
    else if (s.panels.open || s.panels.pacs)
        s.panels.open = s.panels.pacs = false;
    else if (s.gesture.pending >= 0)
        cancelPending(s);
    else if (s.tool)
        s.tool.reset(); // back to the crosshair
    else
        s.maximised = -1;
}
void toggleAllOverlays(Overlays& o) {
    const bool any = o.crosshair || o.letters || o.scaleBar || o.windowLevel || o.probe || o.sliceInfo;
    o.crosshair = o.letters = o.scaleBar = o.windowLevel = o.probe = o.sliceInfo = !any;
}
void deleteSelected(AppState& s) {
    // The selected measurement (its row clicked, or the one just drawn) goes; not while one is being drawn.
    if (s.gesture.drawing < 0 && s.gesture.editing < 0 && s.selectedAnnotation >= 0 &&
        s.selectedAnnotation < int(s.annotations.size())) {
        s.annotations.erase(s.annotations.begin() + s.selectedAnnotation);
        s.selectedAnnotation = -1;
        s.annotationsChanged = true;
    }
}

bool matches(const KeyChord& chord, const Key& k) {
    if (chord.key != k.code)
        return false;
    switch (chord.mods) {
    case Mods::Any:
        return !k.ctrl;
    case Mods::None:
        return !k.ctrl && !k.shift;
    case Mods::Shift:
        return !k.ctrl && k.shift;
    case Mods::Ctrl:
        return k.ctrl;
    }
    return false;
}
} // namespace

const std::vector<KeyBinding>& keyBindings() {
    using S = KeyBinding::Scope;
    static const std::vector<KeyBinding> table = {
        {"Mouse wheel, Up / Down",
         "previous / next slice in the view under the mouse (next: towards the feet, posterior, left)",
         {{keycode::Up}, {keycode::Down}},
         S::Everywhere,
         // In slice numbers: Down goes towards the feet (posterior, left).
         [](KeyContext& c, const Key& k) { stepSlice(c, k.code == keycode::Up ? -1 : 1); }},
        {"Page Up / Page Down",
         "10 slices back / forward",
         {{keycode::PageUp}, {keycode::PageDown}},
         S::Everywhere,
         [](KeyContext& c, const Key& k) { stepSlice(c, k.code == keycode::PageUp ? -10 : 10); }},
        {"Home / End",
         "first / last slice (first: the most superior axial, anterior coronal, rightmost sagittal)",
         {{keycode::Home}, {keycode::End}},
         S::Everywhere,
         [](KeyContext& c, const Key& k) {
             if (c.volume)
                 setSliceNumber(c.s, c.active, k.code == keycode::Home ? 1 : sliceCountOf(c.s, c.active));
         }},
        {"Left click or drag", "move the crosshair there: the other views follow"},
        {"Left click (Segment editor, Islands)", "keep the part of the segment under the click alone"},
        {"Left click (Segment editor, Threshold)",
         "grow the range's voxels connected to the click into the segment"},
        {"Left drag (Segment editor, Paint)", "paint the segment with the brush; Shift + left drag erases"},
        {"Right drag", "window/level: right/left widens/narrows the window, down/up raises/lowers the level"},
        {"Ctrl + wheel", "zoom about the mouse"},
        {"Middle drag, Shift + left drag", "pan"},
        {"Double click, 1 2 3 4",
         "maximise the view (again: back to the 2x2 grid)",
         {{keycode::Digit1}, {keycode::Digit2}, {keycode::Digit3}, {keycode::Digit4}},
         S::Everywhere,
         [](KeyContext& c, const Key& k) { toggleMaximised(c.s, k.code - keycode::Digit1); }},
        {"3D: left drag", "rotate (arcball); coarse while dragging, sharp again when let go"},
        {"3D: left drag (Segment editor, Scissors)",
         "draw a shape: the segment is cut through the whole depth"},
        {"3D: wheel, right drag up/down", "zoom"},
        {"3D: middle drag, Shift + left drag", "pan"},
        {"3D: Shift + A P L R S I",
         "look from anterior, posterior, left, right, superior (head), inferior (feet)",
         [] {
             std::vector<KeyChord> keys;
             for (const ViewFromName& side : viewFromNames())
                 keys.push_back({letterKey(side.letter), Mods::Shift});
             return keys;
         }(),
         S::View3D,
         [](KeyContext& c, const Key& k) {
             for (const ViewFromName& side : viewFromNames())
                 if (k.code == letterKey(side.letter))
                     c.s.view3d.camera.rotation = viewFromRotation(side.from);
         }},
        {"3D: R",
         "reset the 3D camera (anterior view)",
         {{keycode::R, Mods::None}},
         S::View3D,
         [](KeyContext& c, const Key&) { c.s.view3d.camera = defaultCamera3D(); }},
        {toolKeysText(), toolActionsText(), toolKeys(), S::Everywhere,
         [](KeyContext& c, const Key& k) { setTool(c.s, k.code); }},
        {nullptr,
         "Enter closes the polygon being clicked out (the row above says so)",
         {{keycode::Enter}, {keycode::KpEnter}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { closePolygon(c.s); }},
        {"[ / ]",
         "previous / next phase of a 4D series (cardiac, respiratory): every view stays where it is",
         {{keycode::LeftBracket}, {keycode::RightBracket}},
         S::Everywhere,
         [](KeyContext& c, const Key& k) { stepPhase(c, k.code == keycode::RightBracket ? 1 : -1); }},
        {"Left drag on a handle", "reshape a measurement with any tool: the handle (an end, a vertex, a box "
                                  "corner) follows the mouse; the selected one's handles are drawn"},
        {"Space",
         "cine: play the view under the mouse through its slices (speed, loop or bounce: View -> "
         "Cine); any key or a click in the views stops it (Space, Esc and the click do nothing else)",
         {{keycode::Space}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { startCine(c.s, c.view >= 0 ? c.view : c.active, c.in.now); }},
        {"Delete, Backspace",
         "delete the selected measurement (the one just drawn, or its row clicked)",
         {{keycode::Delete}, {keycode::Backspace}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { deleteSelected(c.s); }},
        {"Esc",
         "close an open list (and only that); else close help, else close the Open and PACS dialogs, "
         "else drop an unfinished angle or polygon, else back to the crosshair tool, else back to the "
         "grid",
         {{keycode::Escape}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { escape(c.s); }},
        {"R",
         "reset zoom and pan (in the 3D view: its camera)",
         {{keycode::R, Mods::None}},
         S::Everywhere,
         [](KeyContext& c, const Key&) {
             for (ViewState& vs : c.s.views)
                 vs.camera = {};
         }},
        {"Left drag a crosshair line's end (its dot)",
         "oblique MPR: turn the other two views about this one's normal; they stay orthogonal, and the "
         "wheel and keys step along each view's own normal"},
        {"Shift + R",
         "the turned (oblique) views back to the acquired axes",
         {{keycode::R, Mods::Shift}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { resetOblique(c.s); }},
        {"A",
         "automatic window/level from the histogram",
         {{keycode::A}},
         S::Everywhere,
         [](KeyContext& c, const Key&) {
             if (c.volume && !c.s.scene.base->preview) { // over every voxel: once they are decoded
                 c.s.window = autoWindow(c.s.scene.base->series.volume);
                 c.s.windowName = "auto";
             }
         }},
        {"I",
         "invert the colour map",
         {{keycode::I}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.s.invert = !c.s.invert; }},
        {"L",
         "linear (the default) / nearest-voxel interpolation",
         {{keycode::L}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.s.linear = !c.s.linear; }},
        {"C",
         "show / hide the crosshair",
         {{keycode::C}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.s.prefs.overlays.crosshair = !c.s.prefs.overlays.crosshair; }},
        {"O",
         "show / hide all overlays",
         {{keycode::O}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { toggleAllOverlays(c.s.prefs.overlays); }},
        {"S",
         "save the slice under the mouse as PNG and JPEG (native resolution, current window and "
         "colours); over the 3D view, the 3D render",
         {{keycode::S}},
         S::Everywhere,
         [](KeyContext& c, const Key&) {
             if (c.volume)
                 c.commands.push_back(
                     {c.s.view3d.focused ? Command::Kind::SaveRender : Command::Kind::SaveSlice});
         }},
        {"F12",
         "save a screenshot of the window",
         {{keycode::F12}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.commands.push_back({Command::Kind::Screenshot}); }},
        {"Ctrl + O, drop a folder",
         "open a folder or file",
         {{keycode::O, Mods::Ctrl}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.commands.push_back({Command::Kind::ShowOpen}); }},
        {"drop a SEG, RTSTRUCT or labelmap",
         "add it to the open series as a segmentation layer (a NIfTI or NRRD that is not a labelmap of the "
         "series opens as a series)",
         {},
         S::Everywhere,
         nullptr},
        {"Shift + drop a series",
         "open it beside the open series, side by side in patient space (as --compare)",
         {},
         S::Everywhere,
         nullptr},
        {"Tab",
         "show / hide the side panel",
         {{keycode::Tab}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.s.prefs.sidebar = !c.s.prefs.sidebar; }},
        {"F1",
         "this help",
         {{keycode::F1}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.s.panels.help = !c.s.panels.help; }},
        {"F5",
         "reload shaders from $CTVIEW_SHADER_DIR (development)",
         {{keycode::F5}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.commands.push_back({Command::Kind::ReloadShaders}); }},
        {"Ctrl + Z, Ctrl + Shift + Z (or Ctrl + Y)",
         "undo, redo a window/level, transfer-function or measurement edit; a segment's edit while the "
         "Segment editor is open",
         {{keycode::Z, Mods::Ctrl}, {keycode::Y, Mods::Ctrl}},
         S::Everywhere,
         [](KeyContext& c, const Key& k) {
             const bool redo = k.shift || k.code == keycode::Y; // Ctrl+Y: redo, as 3D Slicer and Windows
             if (c.s.editor.open)
                 redo ? redoSegmentEdit(c.s) : undoSegmentEdit(c.s);
             else
                 redo ? redoEdit(c.s) : undoEdit(c.s);
         }},
        {"Ctrl + Q",
         "quit",
         {{keycode::Q, Mods::Ctrl}},
         S::Everywhere,
         [](KeyContext& c, const Key&) { c.commands.push_back({Command::Kind::Quit}); }},
    };
    return table;
}

const std::vector<Control>& controls() {
    static const std::vector<Control> list = [] {
        std::vector<Control> rows;
        for (const KeyBinding& b : keyBindings())
            if (b.input)
                rows.push_back({b.input, b.action});
        return rows;
    }();
    return list;
}

void handleKeys(KeyContext& c) {
    for (const Key& k : c.in.keys) {
        // With the mouse over a panel the views' keys rest (a digit meant for a field not yet typing in must
        // not maximise a view); the window's own (Ctrl chords, F keys, Esc) work anywhere.
        const bool windowKey =
            k.ctrl || k.code == keycode::Escape || (k.code >= keycode::F1 && k.code <= keycode::F12);
        if (c.in.uiWantsMouse && !windowKey)
            continue;
        // The 3D view's own keys first while the mouse is over it; the rest work as in the slice views.
        const KeyBinding* taken = nullptr;
        for (const KeyBinding::Scope scope : {KeyBinding::Scope::View3D, KeyBinding::Scope::Everywhere}) {
            if (scope == KeyBinding::Scope::View3D && !c.s.view3d.focused)
                continue;
            for (const KeyBinding& b : keyBindings())
                if (!taken && b.scope == scope && b.run &&
                    std::any_of(b.keys.begin(), b.keys.end(),
                                [&](const KeyChord& ch) { return matches(ch, k); }))
                    taken = &b;
            if (taken)
                break;
        }
        if (taken)
            taken->run(c, k);
    }
}

} // namespace ctview::viewer
