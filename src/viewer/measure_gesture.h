#pragma once
// Drawing and reshaping measurements with the mouse in the slice views: the gesture machine that the input
// handling (input.cpp) drives. A press starts a shape (or a point, or an angle's third point), a drag moves
// its far end, the release keeps it (or drops one with no length or area); a polygon is clicked out a vertex
// at a time and closed by Enter or a double click; a handle of a shown measurement is dragged with any tool.
#include "viewer/app_state.h"

#include <glm/glm.hpp>

namespace ctview::viewer {

// The patient position (LPS mm) under `p` in view v, on v's slice, clamped to the image: continuous, not
// snapped to voxel centres.
glm::dvec3 patientUnder(const AppState& s, int v, glm::dvec2 p);
// Drops a shape still being clicked out (Esc, another tool).
void cancelPending(AppState& s);
// A press with a measuring tool: a point is made at once, a shape starts with both ends here; the press after
// an angle's first arm places its third point.
void startAnnotation(AppState& s, int v, glm::dvec2 p);
// Enter or a double click: the polygon being clicked out is closed (its floating last point dropped); with
// fewer than three vertices it is dropped.
void closePolygon(AppState& s);
// The far end of the shape being dragged follows the mouse, on the slice it was started on (an angle's second
// arm starts folded onto its first).
void dragEnd(AppState& s, glm::dvec2 mouse);
// The release: a shape with no length or area is dropped, any other kept.
void finishAnnotation(AppState& s);
// The handle of a measurement on view v's slice within reach of `p` (screen pixels): the selected
// measurement's first, then the nearest. False when none is.
bool handleUnder(const AppState& s, int v, glm::dvec2 p, int& annotation, int& handle);
// The handle being dragged follows the mouse on its view's slice.
void dragHandle(AppState& s, glm::dvec2 mouse);

} // namespace ctview::viewer
