#pragma once
// The ImGui panels: one file and one draw function each, all reading and editing the AppState. Drawn inside
// an ImGui frame; none of them touches GL.
#include "ui/render_feedback.h"
#include "viewer/app_state.h"

#include <imgui.h>

#include <string>
#include <utility>
#include <vector>

namespace ctview::ui {

// The panels draw and edit the viewer's state (viewer/app_state.h): the names they use, unqualified here.
using viewer::applyColormap3d, viewer::applyPreset, viewer::colormap3dShown, viewer::crosshairLines,
    viewer::frameOf, viewer::mappingOf, viewer::onView, viewer::planeOf, viewer::presetModified,
    viewer::resetOblique, viewer::setSliceNumber, viewer::sliceCountOf, viewer::sliceNote,
    viewer::sliceNumberOf, viewer::sliceOf, viewer::sliceSpacingOf, viewer::syncCursor,
    viewer::turnHandleDistance;
using viewer::AppState, viewer::Cine, viewer::Command, viewer::Commands, viewer::CrosshairLine, viewer::Drag,
    viewer::Overlays, viewer::Preferences, viewer::Recording, viewer::Toast, viewer::View3D,
    viewer::ViewState;

// Places the next window (a dialog) in the middle of the main window at `size`, or smaller, so that it stays
// whole inside a small window with a margin (also when the window shrinks later). A 0 in `size` fits that
// axis to the content. With ImGuiCond_Appearing the user may move and resize it afterwards.
void placeDialog(ImVec2 size, ImGuiCond cond);
// An error message in red, wrapped at the window's edge (a long server error stays inside its dialog).
void errorText(const std::string& text);
// `text` with line breaks where it passes `width` pixels, at spaces only: ImGui's own wrapping also breaks
// after '.' and ',', which cut numbers in two ("SD 11." / "7"). A word wider than `width` alone (a path) is
// broken where it must be.
std::string wrapAtSpaces(const std::string& text, float width);
// Text wrapped at spaces to the space left on the line (as ImGui::TextWrapped, numbers kept whole).
void wrappedText(const std::string& text);
// ImGui::SameLine() when an item `width` pixels wide still fits on the line, else nothing (it goes below):
// rows of buttons and checkboxes that flow in a narrow panel rather than being cut.
void sameLineIfFits(float width);
float buttonWidth(const char* label);   // a Button's, with its frame padding
float checkboxWidth(const char* label); // a Checkbox's: the box, the spacing and the label

// Where a measurement's label goes in a view: at `wanted` (its top-left), moved inside `cell` and off the
// labels already `placed` in it (the nearest free line below, else above), and, where a line that near is
// free of them, off the other measurements' lines (`avoid`: segments, screen pixels); added to `placed`.
using ScreenSegment = std::pair<glm::vec2, glm::vec2>;
glm::vec2 placeLabel(glm::vec2 wanted, glm::vec2 size, const Rect& cell, std::vector<Rect>& placed,
                     const std::vector<ScreenSegment>& avoid = {});

// Scales for the plots (ui/axis.cpp). tickStep: 1, 2 or 5 times a power of ten, giving at most `most` ticks
// over `span`. A horizontal scale: ticks down from `y` at round values of lo..hi between x0 and x1, labels
// under them (one text line). A vertical one: ticks left of `x`, labels right-aligned to it, lo at y1.
double tickStep(double span, int most);
void drawHorizontalScale(ImDrawList* dl, float x0, float x1, float y, double lo, double hi);
float verticalScaleWidth(); // room its labels need left of the axis
void drawVerticalScale(ImDrawList* dl, float x, float y0, float y1, double lo, double hi);

// A selectable row showing `text` exactly as it is, whatever it holds: ImGui reads "##" and "###" in a label
// as an ID marker, and an empty label at a window's root aborts ("Cannot have an empty ID"), so a path, URL
// or name from the disk, the settings or a server is never a label. The row's ID is `id` (unique in its
// list). Text wider than the row keeps its end, after "..." (a path's end says the
// most); hovering shows the whole text. `disabled` greys it and makes it unclickable.
bool selectableText(int id, const std::string& text, bool selected = false, ImGuiSelectableFlags flags = 0,
                    bool disabled = false);
// `text` shortened to at most `width` pixels by dropping its start behind "...".
std::string elideFront(const std::string& text, float width);

// The side panel's width in a window `displayWidth` wide: the user's width, at most 35 % of the window (it
// shrinks with a small window) and at least 200 px.
float sidebarWidth(const AppState& s, float displayWidth);

// The left side panel: the sections below under collapsing headers.
void drawSidebar(AppState& s, Commands& r);
// Window/level, colour map, interpolation, overlays, layout, "Save slice".
void drawDisplayPanel(AppState& s, Commands& r);
// The 3D view: preset, mode, transfer-function editor, colour map, shading, camera, crop, quality, save
// preset.
void drawVolumePanel(AppState& s, Commands& r);
// A movie's controls, for Cine's "Record movie" and the 3D view's "Record": while one is being made, its
// progress bar; else the button (true when pressed; disabled while the series loads) and MP4 / GIF.
bool drawRecordControls(AppState& s, const char* label);
// The transfer-function editor alone: HU histogram (log) behind the opacity curve; click adds a point, drag
// moves it, right click deletes it, Shift/middle drag moves the whole function along HU. Its HU axis spans
// the volume's values and every point, inset by a point's radius, so each point is whole and can be grabbed.
struct TfEditorLayout {
    Rect area;                     // the editor on screen
    std::vector<glm::vec2> points; // centre of each point's disc, in the preset's order
    float radius = 0;              // of the discs
};
TfEditorLayout drawTransferFunctionEditor(AppState& s, Commands& r);
// The measuring tool and the series' measurements with their values (click: go there; x: delete).
void drawMeasurePanel(AppState& s, Commands& r);
// The scene's label layers: each layer's fill, outline and opacity, and its segments (colour, shown, name,
// volume in mL, HU mean ± SD); clicking a name goes to the segment.
void drawSegmentsPanel(AppState& s);
// The segment editor: a new segment or one to edit, its tools (threshold, islands, margin), undo, redo, save,
// and the offer to restore edits kept from a session that did not end cleanly.
void drawSegmentEditorPanel(AppState& s, Commands& r);
// Closing the window with unsaved segment edits (editor.askQuit): Save and quit, Quit without saving, Cancel.
void drawQuitConfirmation(AppState& s, Commands& r);
// Every series found in the input, with patient, study date and modality, sortable; clicking one loads it.
void drawSeriesPanel(AppState& s, Commands& r);
// The series fused over the open one or beside it (s.scene.images, not empty): its link, mode, opacity,
// colours, window.
void drawFusionPanel(AppState& s, Commands& r);
// The order the series table shows `rows` in, sorted by `column` ("#", "patient", "date", "mod",
// "description", "slices"); ties keep the listing's order.
std::vector<int> seriesRowOrder(const std::vector<SeriesListing>& rows, const std::string& column,
                                bool ascending);
// The key fields of `ctview info`, warnings in plain words, and a searchable table of every tag.
void drawMetadataPanel(AppState& s);
// "Share": a de-identified copy of the open series into the export folder, or a send to a saved PACS node.
void drawSharePanel(AppState& s, Commands& r);
// Loading progress, the last load's error, skipped files and warnings, and toasts.
void drawStatus(AppState& s, RenderFeedback& feedback, double now);
// "Open…": a folder browser with the recent folders.
void drawOpenDialog(AppState& s, Commands& r);
// "PACS…": DICOMweb servers (saved), a study search, the study's series; opening one loads it like a folder.
void drawPacsDialog(AppState& s, Commands& r);
// F1: every key and mouse action.
void drawHelp(AppState& s, const std::vector<std::pair<const char*, const char*>>& controls);
// What the overlay of slice view v (0..2) shows and where, in screen pixels: orientation letters at the
// middle of the edges, slice number and zoom at the top left, window/level and the probe at the bottom left,
// the scale bar at the bottom right. Boxes never overlap: an item moves by lines away from its edge until
// clear, a long text takes a shorter form that fits the view, and what finds no room is left out. Needs an
// ImGui frame (font).
struct OverlayItem {
    enum class Kind { Letter, SliceInfo, SliceNote, Slab, Phase, Zoom, Cine, Window, Probe, ScaleBar } kind;
    std::string text; // for the scale bar, its length ("5 cm")
    Rect box;         // what it covers (text: where it is drawn)
    ImU32 colour = IM_COL32(235, 235, 235, 255);
    float barX0 = 0, barX1 = 0, barY = 0; // the scale bar's line
};
// `pane` 1: of the second series' view beside view v (side by side): the probe there reads its HU.
std::vector<OverlayItem> sliceOverlayItems(const AppState& s, int v, int pane = 0);
inline constexpr float kOverlayGap = 4; // pixels at least between overlay items side by side
// Orientation letters, scale bar, window/level, slice position, probe and crosshair over the views.
void drawOverlays(const AppState& s, const RenderFeedback& feedback, ImDrawList* dl);
// The measurements on view v's slice alone, as drawOverlays draws them (S's "burn in measurements").
void drawSliceAnnotations(const AppState& s, int v, ImDrawList* dl);

} // namespace ctview::ui
