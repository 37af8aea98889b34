#pragma once
// Mouse and keyboard in the slice views, as a function of one frame's input and the AppState, so that it is
// tested in-process: the frame loop fills an InputFrame from ImGui's IO; tests fill it by hand.
#include "viewer/app_state.h"

#include <glm/glm.hpp>

#include <array>
#include <vector>

namespace ctview::app {

struct Key {
    int code = 0;      // GLFW key code
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
viewer::Commands handleInput(viewer::AppState& s, const InputFrame& in);

using viewer::setSlice; // the state's own: the keys, the sliders, cine and `--slice` move the slices through
                        // them
using viewer::setSliceNumber;
// Cine (Space): view v (0..2) plays from its slice (viewer::Cine); stopped. advanceCine steps it when its
// time has come (handleInput calls it every frame).
void startCine(viewer::AppState& s, int v, double now);
void stopCine(viewer::AppState& s);
void advanceCine(viewer::AppState& s, double now);
// The cell (0..3) under a screen point, or -1.
int cellAt(const viewer::AppState& s, glm::dvec2 p);

// Maximises a cell (0..3), or back to the 2x2 grid when it already is.
void toggleMaximised(viewer::AppState& s, int cell);

// The keyboard, one row per key or mouse action (key_bindings.cpp): the help's text and, for keys, what they
// do. Adding a key is one row.
struct KeyChord {
    enum class Mods { Any, None, Shift, Ctrl }; // Any: with or without Shift; all but Ctrl: without Control
    int key = 0;                                // GLFW key code
    Mods mods = Mods::Any;
};
// What a key's action works on: the state, the frame, where it adds commands, the slice view under the mouse
// (-1: none) and the active one (the last under the mouse), and whether a series is loaded.
struct KeyContext {
    viewer::AppState& s;
    const InputFrame& in;
    viewer::Commands& commands;
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

// Every key and mouse action, for the help overlay (F1) and docs/user/keys.md: the table's text.
struct Control {
    const char* input;
    const char* action;
};
const std::vector<Control>& controls();

} // namespace ctview::app
