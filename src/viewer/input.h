#pragma once
// Mouse and keyboard in the slice views, as a function of one frame's input and the AppState, so that it is
// tested in-process: the frame loop fills an InputFrame from ImGui's IO; tests fill it by hand.
#include "viewer/app_state.h"

#include <glm/glm.hpp>

#include <array>
#include <vector>

namespace ctview::viewer {

// Key codes as the window reports them. Their values are GLFW's (printable keys are their ASCII capitals and
// digits), so the window passes its codes through unchanged; app/ checks each against GLFW at compile time.
// Input needs no window library.
namespace keycode {
inline constexpr int Space = ' ';
inline constexpr int Digit1 = '1', Digit2 = '2', Digit3 = '3', Digit4 = '4';
inline constexpr int A = 'A', B = 'B', C = 'C', D = 'D', F = 'F', G = 'G', I = 'I', L = 'L', O = 'O', P = 'P',
                     Q = 'Q', R = 'R', S = 'S', Y = 'Y',
                     Z = 'Z'; // the letters are consecutive: A + n is the n-th
inline constexpr int Escape = 256, Enter = 257, Tab = 258, Backspace = 259, Delete = 261;
inline constexpr int Right = 262, Left = 263, Down = 264, Up = 265, PageUp = 266, PageDown = 267, Home = 268,
                     End = 269;
inline constexpr int F1 = 290, F5 = 294, F12 = 301, KpEnter = 335;
inline constexpr int LeftBracket = '[', RightBracket = ']';
} // namespace keycode

struct Key {
    int code = 0;      // keycode
    bool ctrl = false; // Control was held
    bool shift = false;
};

struct InputFrame {
    glm::dvec2 mouse{-1.0}; // screen pixels, top-left origin
    glm::dvec2 mouseDelta{0.0};
    std::array<bool, 3> down{}, clicked{}, doubleClicked{}, released{}; // left, right, middle
    float wheel = 0; // notches; positive away from the user
    bool ctrl = false, shift = false;
    std::vector<Key> keys;                              // pressed this frame, in order (auto-repeat included)
    bool uiWantsMouse = false, uiWantsKeyboard = false; // ImGui has the mouse / keyboard: views ignore them
    bool popupOpen = false; // an ImGui popup (a combo's list, a menu) is open: it owns Esc and the mouse
    double now = 0;         // seconds, for toasts
};

// Changes the state as one frame's input asks; returns what the frame loop must do besides.
Commands handleInput(AppState& s, const InputFrame& in);

// Cine (Space): view v (0..2) plays from its slice (Cine); stopped. advanceCine steps it when its
// time has come (handleInput calls it every frame).
void startCine(AppState& s, int v, double now);
void stopCine(AppState& s);
// Over the phases of a 4D series (Cine::overPhases), a step is a LoadPhase command into `out`.
void advanceCine(AppState& s, double now, Commands* out = nullptr);
// The cell (0..3) under a screen point, or -1.
int cellAt(const AppState& s, glm::dvec2 p);

// Maximises a cell (0..3), or back to the 2x2 grid when it already is.
void toggleMaximised(AppState& s, int cell);

// The keyboard, one row per key or mouse action (key_bindings.cpp): the help's text and, for keys, what they
// do. Adding a key is one row.
struct KeyChord {
    enum class Mods { Any, None, Shift, Ctrl }; // Any: with or without Shift; all but Ctrl: without Control
    int key = 0;                                // keycode
    Mods mods = Mods::Any;
};
// What a key's action works on: the state, the frame, where it adds commands, the slice view under the mouse
// (-1: none) and the active one (the last under the mouse), and whether a series is loaded.
struct KeyContext {
    AppState& s;
    const InputFrame& in;
    Commands& commands;
    int view = -1, active = 0;
    bool volume = false;
};
struct KeyBinding {
    const char* input;  // the help's input column ("Page Up / Page Down"); null: not a row of its own
    const char* action; // what it does, as the help says it
    std::vector<KeyChord> keys{};
    // View3D rows take their keys first while the mouse is over the 3D view.
    enum class Scope { Everywhere, View3D } scope = Scope::Everywhere;
    void (*run)(KeyContext&, const Key&) = nullptr; // null: a mouse action (input.cpp), in the help only
};
const std::vector<KeyBinding>& keyBindings();
// Each key of the frame runs the first row that takes it.
void handleKeys(KeyContext& c);

// What a file or folder dropped on the window does: a segmentation (SEG, RTSTRUCT, a NIfTI or NRRD that may
// be a labelmap) joins the open series as a layer (AddLabels, marked dropped; while a series loads, once it
// has); anything else, or anything while no series is open or loading, opens. With Shift held (`shift`), what
// is dropped on an open series opens beside it (Compare), a labelmap-like NIfTI or NRRD too.
Command droppedCommand(const AppState& s, const std::string& path, bool shift = false);

// Every key and mouse action, for the help overlay (F1) and docs/user/keys.md: the table's text.
struct Control {
    const char* input;
    const char* action;
};
const std::vector<Control>& controls();

} // namespace ctview::viewer
