// What is drawn over the slice views: orientation letters (from the direction cosines), a scale bar in mm,
// window/level, slice index and position, the probe (HU, voxel, LPS) and the linked crosshair.
#include "ui/panels.h"
#include "viewer/fusion.h"
#include "volume/resample.h"

#include "base/text.h"
#include "viewer/crop_gesture.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <optional>

namespace ctview::ui {

namespace {
// The colour of each view's plane, used for its crosshair line in the other views and its border
// (the convention of 3D Slicer: axial red, coronal green, sagittal yellow).
ImU32 planeColour(Axis a, int alpha = 255) {
    switch (a) {
    case Axis::Axial:
        return IM_COL32(230, 80, 80, alpha);
    case Axis::Coronal:
        return IM_COL32(90, 200, 90, alpha);
    case Axis::Sagittal:
        return IM_COL32(230, 210, 70, alpha);
    }
    return IM_COL32_WHITE;
}

// Text outlined in black on every side, legible on a white slice (an inverted map, a bone window) as on a
// black one: a drop shadow darkens only two sides of each stroke, and light text on white then vanishes.
void label(ImDrawList* dl, ImVec2 p, const char* text, ImU32 colour = IM_COL32(235, 235, 235, 255)) {
    for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
            if (dx != 0 || dy != 0)
                dl->AddText(ImVec2(p.x + float(dx), p.y + float(dy)), IM_COL32(0, 0, 0, 230), text);
    dl->AddText(p, colour, text);
}

} // namespace

namespace {
// Whether segment ab crosses or lies in the rectangle at p of `size` (Liang-Barsky clipping).
bool crosses(const ScreenSegment& ab, glm::vec2 p, glm::vec2 size) {
    const glm::vec2 a = ab.first, d = ab.second - ab.first;
    float t0 = 0, t1 = 1;
    const float q[4] = {a.x - p.x, p.x + size.x - a.x, a.y - p.y, p.y + size.y - a.y};
    const float dir[4] = {-d.x, d.x, -d.y, d.y};
    for (int i = 0; i < 4; ++i) {
        if (dir[i] == 0) {
            if (q[i] < 0)
                return false;
            continue;
        }
        const float t = q[i] / dir[i];
        if (dir[i] < 0)
            t0 = std::max(t0, t);
        else
            t1 = std::min(t1, t);
        if (t0 > t1)
            return false;
    }
    return true;
}
} // namespace

glm::vec2 placeLabel(glm::vec2 wanted, glm::vec2 size, const Rect& cell, std::vector<Rect>& placed,
                     const std::vector<ScreenSegment>& avoid) {
    // Inside the view (a label near its right or bottom edge moves in rather than being cut).
    auto inside = [&](glm::vec2 p) {
        return glm::vec2(std::clamp(p.x, cell.x + 2, std::max(cell.x + 2, cell.x + cell.w - size.x - 2)),
                         std::clamp(p.y, cell.y + 2, std::max(cell.y + 2, cell.y + cell.h - size.y - 2)));
    };
    auto clear = [&](glm::vec2 p) {
        return std::none_of(placed.begin(), placed.end(), [&](const Rect& r) {
            return p.x < r.x + r.w && r.x < p.x + size.x && p.y < r.y + r.h && r.y < p.y + size.y;
        });
    };
    auto clearOfLines = [&](glm::vec2 p) {
        return std::none_of(avoid.begin(), avoid.end(),
                            [&](const ScreenSegment& s) { return crosses(s, p, size); });
    };
    // The nearest line below, else above, that is clear: first of the labels placed and the other lines
    // within three lines of where it wants to be (further, a label no longer reads as its shape's), else of
    // the labels alone.
    const float step = size.y + 2;
    auto nearestClear = [&](int lines, auto ok) -> std::optional<glm::vec2> {
        for (int n = 0; n <= lines; ++n)
            for (const float dir : {1.0f, -1.0f}) {
                const glm::vec2 p = inside(wanted + glm::vec2(0, dir * step * float(n)));
                if (ok(p))
                    return p;
            }
        return std::nullopt;
    };
    std::optional<glm::vec2> p = nearestClear(3, [&](glm::vec2 q) { return clear(q) && clearOfLines(q); });
    if (!p)
        p = nearestClear(12, clear);
    const glm::vec2 at = p.value_or(inside(wanted - glm::vec2(0, step * 12)));
    placed.push_back({at.x, at.y, size.x, size.y});
    return at;
}

namespace {

// The crop box in the 3D view: its edges, and a handle on each face in the colour of the slice view whose
// planes it moves through (the one under the mouse or being dragged drawn larger).
void drawCropBox(const AppState& s, ImDrawList* dl, const Rect& r, const CameraMatrices& cm) {
    const std::array<glm::dvec3, 8> corners = viewer::cropCorners(s);
    std::array<glm::dvec2, 8> at{};
    std::array<bool, 8> seen{};
    for (std::size_t c = 0; c < 8; ++c)
        seen[c] = projectToScreen(cm, r, corners[c], at[c]);
    for (std::size_t c = 0; c < 8; ++c)
        for (std::size_t bit : {1u, 2u, 4u})
            if (!(c & bit) && seen[c] && seen[c | bit])
                dl->AddLine(ImVec2(float(at[c].x), float(at[c].y)),
                            ImVec2(float(at[c | bit].x), float(at[c | bit].y)), IM_COL32(255, 255, 255, 170),
                            1.0f);
    const int hot =
        s.gesture.crop.handle >= 0
            ? s.gesture.crop.handle
            : viewer::cropHandleUnder(s, glm::dvec2(ImGui::GetIO().MousePos.x, ImGui::GetIO().MousePos.y));
    const std::array<viewer::CropHandle, 6> handles = viewer::cropHandles(s);
    for (int h = 0; h < 6; ++h) {
        const viewer::CropHandle& ch = handles[std::size_t(h)];
        if (!ch.visible)
            continue;
        Axis axis = Axis::Axial;
        for (int v = 0; v < 3; ++v)
            if (viewer::frameOf(s, v).nAxis == ch.axis)
                axis = s.views[std::size_t(v)].axis;
        const float radius = float(viewer::kCropHandleRadius) * (h == hot ? 1.4f : 1.0f);
        const ImVec2 p(float(ch.screen.x), float(ch.screen.y));
        dl->AddCircleFilled(p, radius, planeColour(axis, h == hot ? 255 : 200));
        dl->AddCircle(p, radius, IM_COL32(0, 0, 0, 200), 0, 1.5f);
    }
}

// The 3D cell: what it shows, the slice planes through the crosshair, and an orientation gizmo.
void draw3dOverlay(const AppState& s, const RenderFeedback& feedback, ImDrawList* dl, const Rect& r) {
    const float lineH = ImGui::GetTextLineHeight();
    if (!s.hasVolume())
        return;
    if (!s.scene.base->stats) {
        const char* text = "3D view: waiting for the whole series";
        const ImVec2 size = ImGui::CalcTextSize(text);
        label(dl, ImVec2(r.x + (r.w - size.x) / 2, r.y + (r.h - size.y) / 2), text,
              IM_COL32(150, 150, 150, 255));
        return;
    }
    const Geometry& g = s.scene.base->series.volume.geometry();
    const CameraMatrices cm = cameraMatrices(s.view3d.camera, g, {r.w, r.h});
    // The segment editor's scissors: the shape being drawn, closed back to its start.
    if (const std::vector<glm::dvec2>& path = s.editor.scissorsPath; path.size() > 1) {
        std::vector<ImVec2> pts;
        for (const glm::dvec2& p : path)
            pts.emplace_back(float(p.x), float(p.y));
        pts.emplace_back(ImGui::GetIO().MousePos);
        dl->AddPolyline(pts.data(), int(pts.size()), IM_COL32(255, 230, 60, 255), ImDrawFlags_Closed, 2.0f);
    }
    if (s.prefs.overlays.crosshair && s.view3d.showSlicePlanes) {
        // Each slice view's plane: its outline at the crosshair's slice, in the view's colour.
        for (int v = 0; v < 3 && s.mpr.oblique; ++v) {
            // Turned: where each view's plane cuts the volume's box.
            std::vector<glm::dvec2> pts;
            for (const glm::dvec3& q : planeOutline(g, planeOf(s, v)))
                if (glm::dvec2 at; projectToScreen(cm, r, q, at))
                    pts.push_back(at);
            for (std::size_t c = 0; c < pts.size(); ++c) {
                const glm::dvec2 p = pts[c], q = pts[(c + 1) % pts.size()];
                dl->AddLine(ImVec2(float(p.x), float(p.y)), ImVec2(float(q.x), float(q.y)),
                            planeColour(s.views[std::size_t(v)].axis, 200), 1.5f);
            }
        }
        for (int v = 0; v < 3 && !s.mpr.oblique; ++v) {
            const int n = frameOf(s, v).nAxis, a = (n + 1) % 3, b = (n + 2) % 3;
            glm::dvec2 pts[4];
            bool ok = true;
            const double ends[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
            for (int c = 0; c < 4; ++c) {
                glm::dvec3 ijk(0.0);
                ijk[n] = s.cursor[n];
                ijk[a] = ends[c][0] ? g.dims[a] - 0.5 : -0.5;
                ijk[b] = ends[c][1] ? g.dims[b] - 0.5 : -0.5;
                ok = ok && projectToScreen(cm, r, g.voxelToPatient(ijk), pts[c]);
            }
            if (!ok)
                continue;
            for (int c = 0; c < 4; ++c) {
                const glm::dvec2 p = pts[c], q = pts[(c + 1) % 4];
                dl->AddLine(ImVec2(float(p.x), float(p.y)), ImVec2(float(q.x), float(q.y)),
                            planeColour(s.views[std::size_t(v)].axis, 200), 1.5f);
            }
        }
    }
    if (viewer::cropBoxShown(s))
        drawCropBox(s, dl, r, cm);
    char text[256];
    if (s.prefs.overlays.sliceInfo) {
        std::snprintf(text, sizeof text, "3D  %s%s  (%s)", s.view3d.preset.title.c_str(),
                      presetModified(s) ? " (modified)" : "", modeName(s.view3d.preset.mode));
        label(dl, ImVec2(r.x + 6, r.y + 4), text);
        // Wrapped in the cell: "3D shows a copy downsampled 2x (...): why", segments left out.
        std::string note = feedback.note3d;
        if (!feedback.labels3dNote.empty())
            note += (note.empty() ? "" : "\n") + feedback.labels3dNote;
        if (!note.empty())
            label(dl, ImVec2(r.x + 6, r.y + 4 + lineH), wrapAtSpaces(note, r.w - 12).c_str(),
                  IM_COL32(255, 200, 120, 255));
    }
    if (s.view3d.showOrientation && s.prefs.overlays.letters) {
        // Axes of the patient as the camera sees them: L, P, S at the bright ends, R, A, I at the dim ones.
        const glm::dmat3 axes = glm::mat3_cast(s.view3d.camera.rotation);
        const float len = std::min(36.0f, std::min(r.w, r.h) * 0.12f);
        const ImVec2 c(r.x + len + 16, r.y + r.h - len - 16);
        const char* pos[3] = {"L", "P", "S"};
        const char* neg[3] = {"R", "A", "I"};
        const ImU32 colours[3] = {IM_COL32(230, 80, 80, 255), IM_COL32(90, 200, 90, 255),
                                  IM_COL32(90, 140, 250, 255)};
        for (int a = 0; a < 3; ++a) {
            glm::dvec3 e(0.0);
            e[a] = 1;
            // Screen direction of the LPS axis: its components along the camera's right and up.
            const ImVec2 d(float(glm::dot(e, axes[0])) * len, -float(glm::dot(e, axes[1])) * len);
            dl->AddLine(c, ImVec2(c.x + d.x, c.y + d.y), colours[a], 2.0f);
            dl->AddLine(c, ImVec2(c.x - d.x * 0.6f, c.y - d.y * 0.6f), (colours[a] & 0x00FFFFFF) | 0x70000000,
                        1.0f);
            label(dl, ImVec2(c.x + d.x * 1.25f - 4, c.y + d.y * 1.25f - lineH / 2), pos[a], colours[a]);
            label(dl, ImVec2(c.x - d.x * 0.85f - 4, c.y - d.y * 0.85f - lineH / 2), neg[a],
                  IM_COL32(160, 160, 160, 200));
        }
    }
    if (s.maximised < 0 && s.view3d.focused)
        dl->AddRect(ImVec2(r.x, r.y), ImVec2(r.x + r.w - 1, r.y + r.h - 1), IM_COL32(120, 160, 255, 200), 0,
                    0, 1.5f);
}

} // namespace

namespace {

// Places overlay boxes in a view so that none overlaps another: each moves by whole lines away from its edge
// until it is clear of those placed before it; one that finds no room in the view is left out.
class Placer {
  public:
    explicit Placer(const Rect& cell) : cell_(cell) {}
    bool place(Rect& box, float step) {
        for (int tries = 0; tries < 200; ++tries, box.y += step) {
            if (box.x < cell_.x || box.y < cell_.y || box.x + box.w > cell_.x + cell_.w ||
                box.y + box.h > cell_.y + cell_.h)
                return false;
            const bool clear =
                std::none_of(taken_.begin(), taken_.end(), [&](const Rect& t) { return overlap(t, box); });
            if (clear) {
                taken_.push_back(box);
                return true;
            }
            if (step == 0)
                return false;
        }
        return false;
    }
    // Side by side, texts keep a few pixels apart ("file" and a "P" touching read as "fileP"); lines of a
    // stack may touch (their outlines are black on black).
    static bool overlap(const Rect& a, const Rect& b) {
        const float gap = kOverlayGap;
        return a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h && b.y < a.y + a.h;
    }

  private:
    Rect cell_;
    std::vector<Rect> taken_;
};

// The box of text drawn at `p` (its one-pixel outline may touch a neighbour's: black on black).
Rect textBox(ImVec2 p, const std::string& text) {
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    return Rect{p.x, p.y, size.x, size.y};
}

// The first of `texts` (longest first) that fits `width`, else the last.
const std::string& fitting(const std::vector<std::string>& texts, float width) {
    for (const std::string& t : texts)
        if (ImGui::CalcTextSize(t.c_str()).x <= width)
            return t;
    return texts.back();
}

} // namespace

std::vector<OverlayItem> sliceOverlayItems(const AppState& s, int v, int pane) {
    std::vector<OverlayItem> items;
    const Rect& r = s.cells[std::size_t(v)];
    if (v < 0 || v > 2 || r.w <= 0 || !s.hasVolume())
        return items;
    const float lineH = ImGui::GetTextLineHeight(), margin = 6, room = r.w - 2 * margin;
    const Axis axis = s.views[std::size_t(v)].axis;
    const ViewMapping m = mappingOf(s, v);
    const SliceFrame& f = m.frame();
    const Geometry& g = s.scene.base->series.volume.geometry();
    const int slice = sliceOf(s, v);
    Placer placer(r);
    auto add = [&](OverlayItem::Kind kind, const std::string& text, ImVec2 at, float step, ImU32 colour) {
        OverlayItem item{kind, text, textBox(at, text), colour};
        if (placer.place(item.box, step))
            items.push_back(std::move(item));
    };

    // The orientation letters first: they stay at the middle of their edges; the rest keeps clear of them.
    if (s.prefs.overlays.letters) {
        const EdgeLetters e = s.mpr.oblique ? planeLetters(planeOf(s, v)) : edgeLetters(g, f);
        const ImU32 colour = IM_COL32(255, 220, 120, 255);
        const ImVec2 ls = ImGui::CalcTextSize(e.left.c_str()), rs = ImGui::CalcTextSize(e.right.c_str());
        const ImVec2 ts = ImGui::CalcTextSize(e.top.c_str()), bs = ImGui::CalcTextSize(e.bottom.c_str());
        add(OverlayItem::Kind::Letter, e.top, ImVec2(r.x + (r.w - ts.x) / 2, r.y + 4), 0, colour);
        add(OverlayItem::Kind::Letter, e.bottom, ImVec2(r.x + (r.w - bs.x) / 2, r.y + r.h - bs.y - 4), 0,
            colour);
        add(OverlayItem::Kind::Letter, e.left, ImVec2(r.x + margin, r.y + (r.h - ls.y) / 2), 0, colour);
        add(OverlayItem::Kind::Letter, e.right, ImVec2(r.x + r.w - rs.x - margin, r.y + (r.h - rs.y) / 2), 0,
            colour);
    }
    // Top left, downwards: the slice number and its position along the patient axis this view looks down (LPS
    // mm of the slice centre), then the zoom.
    float below = r.y + 4;
    if (s.prefs.overlays.sliceInfo) {
        if (s.mpr.oblique) {
            // A turned view: how far it is tilted from its acquired plane, its step number and how far its
            // plane lies from the volume's centre along its normal.
            const SlicePlane plane = planeOf(s, v);
            const double tilt = tiltDegrees(g, axis, s.mpr), mm = -plane.distance(volumeCentre(g));
            const int number = sliceNumberOf(s, v), count = sliceCountOf(s, v);
            const std::string text = fitting(
                {format("%s oblique %.1f°  %d/%d  %+.1f mm", axisName(axis), tilt, number, count, mm),
                 format("%s oblique %.1f°  %d", axisName(axis), tilt, number), format("oblique %d", number)},
                room);
            add(OverlayItem::Kind::SliceInfo, text, ImVec2(r.x + margin, r.y + 4), lineH, planeColour(axis));
            if (!items.empty() && items.back().kind == OverlayItem::Kind::SliceInfo)
                below = items.back().box.y + items.back().box.h;
        } else {
            const SlicePosition at = slicePosition(g, axis, slice);
            const char* names[3] = {"x", "y", "z"};
            const char* name = names[at.lpsAxis]; // the patient axis the view looks down
            const int number = sliceNumber(f, slice);
            const std::string text =
                fitting({format("%s %d/%d  %s %.1f mm", axisName(axis), number, f.count, name, at.mm),
                         format("%s %d  %s %.1f mm", axisName(axis), number, name, at.mm),
                         format("%d  %.1f mm", number, at.mm), format("%d", number)},
                        room);
            add(OverlayItem::Kind::SliceInfo, text, ImVec2(r.x + margin, r.y + 4), lineH, planeColour(axis));
            if (!items.empty() && items.back().kind == OverlayItem::Kind::SliceInfo)
                below = items.back().box.y + items.back().box.h;
            // A slice that holds no acquired image says so on a line of its own, in orange: what is shown
            // there was interpolated between its neighbours, or is empty.
            if (const std::string note = sliceNote(s, v, slice); !note.empty()) {
                const std::string words = note == "interpolated" ? "INTERPOLATED: no acquired slice here"
                                                                 : "EMPTY: this slice could not be decoded";
                add(OverlayItem::Kind::SliceNote, fitting({words, words.substr(0, words.find(':'))}, room),
                    ImVec2(r.x + margin, below), lineH, IM_COL32(255, 170, 60, 255));
                if (!items.empty() && items.back().kind == OverlayItem::Kind::SliceNote)
                    below = items.back().box.y + items.back().box.h;
            }
        }
        // A thick slab is not the slice: said under its number, in the view's colour.
        const std::string slab = slabLabel(s.views[std::size_t(v)].slab, sliceSpacingOf(s, v));
        if (!slab.empty()) {
            add(OverlayItem::Kind::Slab, fitting({slab, slab.substr(0, slab.find(" ("))}, room),
                ImVec2(r.x + margin, below), lineH, planeColour(axis));
            if (!items.empty() && items.back().kind == OverlayItem::Kind::Slab)
                below = items.back().box.y + items.back().box.h;
        }
        // A 4D series: which phase every view shows, and its time.
        if (const Provenance& about = s.scene.base->series.about;
            about.listing.phases > 1 && about.phase > 0) {
            const std::size_t p = std::size_t(about.phase);
            const std::string time =
                p <= about.listing.phaseValues.size() ? about.listing.phaseValues[p - 1] : "";
            add(OverlayItem::Kind::Phase,
                fitting({format("phase %d/%zu  %s", about.phase, about.listing.phases, time.c_str()),
                         format("phase %d", about.phase)},
                        room),
                ImVec2(r.x + margin, below), lineH, planeColour(axis));
            if (!items.empty() && items.back().kind == OverlayItem::Kind::Phase)
                below = items.back().box.y + items.back().box.h;
        }
        if (s.views[std::size_t(v)].camera.zoom != 1.0) {
            add(OverlayItem::Kind::Zoom, format("zoom %.2fx", s.views[std::size_t(v)].camera.zoom),
                ImVec2(r.x + margin, below), lineH, IM_COL32(235, 235, 235, 255));
            if (!items.empty() && items.back().kind == OverlayItem::Kind::Zoom)
                below = items.back().box.y + items.back().box.h;
        }
        if (s.cine.view == v)
            add(OverlayItem::Kind::Cine,
                fitting({format("cine %.0f fps %s  (any key stops)", s.prefs.cineFps,
                                s.prefs.cineBounce ? "bounce" : "loop"),
                         format("cine %.0f fps", s.prefs.cineFps), "cine"},
                        room),
                ImVec2(r.x + margin, below), lineH, IM_COL32(140, 220, 255, 255));
    }
    // Bottom right, upwards: the scale bar with its length under it.
    if (s.prefs.overlays.scaleBar) {
        const double mm = scaleBarLength(r.w * 0.25 / m.pixelsPerMm());
        const float len = float(mm * m.pixelsPerMm());
        const std::string text = format(mm >= 10 ? "%.0f cm" : "%.0f mm", mm >= 10 ? mm / 10 : mm);
        const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
        const float x1 = r.x + r.w - 12, x0 = x1 - len, y = r.y + r.h - 10 - lineH * 1.2f;
        OverlayItem bar{OverlayItem::Kind::ScaleBar, text, {}, IM_COL32(235, 235, 235, 255)};
        const float left = std::min(x0 - 2, (x0 + x1 - ts.x) / 2 - 1),
                    right = std::max(x1 + 2, (x0 + x1 + ts.x) / 2 + 1);
        bar.box = Rect{left, y - 5, right - left, 5 + 5 + ts.y + 1};
        const float top = bar.box.y;
        if (placer.place(bar.box, -lineH)) {
            bar.barX0 = x0, bar.barX1 = x1, bar.barY = y + (bar.box.y - top);
            items.push_back(std::move(bar));
        }
    }
    // Bottom left, upwards: window/level, then the probe above it.
    float above = r.y + r.h - 6 - lineH;
    if (s.prefs.overlays.windowLevel) {
        const std::string text =
            fitting({format("W %.0f  L %.0f  %s", s.window.width, s.window.center, s.windowName.c_str()),
                     format("W %.0f L %.0f", s.window.width, s.window.center)},
                    room);
        add(OverlayItem::Kind::Window, text, ImVec2(r.x + margin, above), -lineH,
            IM_COL32(235, 235, 235, 255));
        if (!items.empty() && items.back().kind == OverlayItem::Kind::Window)
            above = items.back().box.y - lineH;
        // A series fused over this one: how (a flat grey difference is then read as a good alignment, not
        // as a broken view) and its own window, above the base's, in its colour.
        if (pane == 0 && s.paneOffset <= 0 && !s.scene.images.empty() && s.scene.images.front().shown) {
            const viewer::ImageLayerView& layer = s.scene.images.front();
            const WindowLevel& wl =
                layer.mode == viewer::FusionMode::Difference ? layer.difference : layer.window;
            const std::string how = layer.mode == viewer::FusionMode::Overlay
                                        ? format("overlay %.0f %%", double(layer.opacity) * 100)
                                    : layer.mode == viewer::FusionMode::Checkerboard
                                        ? format("checkerboard %.0f mm", layer.checkerMm)
                                        : std::string(viewer::fusionModeName(layer.mode));
            add(OverlayItem::Kind::Window,
                fitting({format("fused: %s  W %.0f  L %.0f", how.c_str(), wl.width, wl.center),
                         format("fused: %s", how.c_str())},
                        room),
                ImVec2(r.x + margin, above), -lineH, IM_COL32(255, 190, 120, 255));
            if (!items.empty() && items.back().kind == OverlayItem::Kind::Window)
                above = items.back().box.y - lineH;
        }
    }
    if (s.prefs.overlays.probe && s.gesture.probe.valid && v == s.activeView &&
        s.gesture.probe.pane == pane) {
        const glm::ivec3 p = s.gesture.probe.voxel;
        // The second series' views (side by side) read its HU at the voxel; the base's, the base's.
        const float shownHu = pane == 1 ? viewer::imageLayerHu(s.scene.images.front(),
                                                               s.scene.base->series.volume.geometry(), p)
                                        : s.gesture.probe.hu;
        if (shownHu <= kOutsideHu)
            return items; // no data there
        const std::string text =
            // The voxel index (i, j, k) counts from 0, as `info` and the volume files have it; labelled so
            // that it is not read as the slice number (from 1).
            fitting({format("%.6g HU  voxel i,j,k %d, %d, %d  LPS %.1f, %.1f, %.1f mm", double(shownHu), p.x,
                            p.y, p.z, s.gesture.probe.lps.x, s.gesture.probe.lps.y, s.gesture.probe.lps.z),
                     format("%.6g HU  voxel i,j,k %d, %d, %d", double(shownHu), p.x, p.y, p.z),
                     format("%.6g HU", double(shownHu))},
                    room);
        add(OverlayItem::Kind::Probe, text, ImVec2(r.x + margin, above), -lineH,
            IM_COL32(140, 220, 255, 255));
        // The fused series' HU at the voxel (on the base's grid), above it (side by side, on its own side).
        if (pane == 0 && s.paneOffset <= 0 && !s.scene.images.empty() && s.scene.images.front().shown &&
            !items.empty() && items.back().kind == OverlayItem::Kind::Probe) {
            const float fused =
                viewer::imageLayerHu(s.scene.images.front(), s.scene.base->series.volume.geometry(), p);
            add(OverlayItem::Kind::Probe,
                fused <= kOutsideHu ? std::string("fused: no data") : format("fused: %.6g HU", double(fused)),
                ImVec2(r.x + margin, items.back().box.y - lineH), -lineH, IM_COL32(255, 190, 120, 255));
        }
        // The segments that hold the voxel, above the HU.
        const std::vector<std::string> segments = viewer::segmentsAt(s, p);
        if (pane == 0 && !segments.empty() && !items.empty() && items.back().kind == OverlayItem::Kind::Probe)
            add(OverlayItem::Kind::Probe, fitting({joined(segments, ", ")}, room),
                ImVec2(r.x + margin, items.back().box.y - lineH), -lineH, IM_COL32(140, 220, 255, 255));
    }
    return items;
}

namespace {
// The annotations that lie on view v's slice (their points within half a voxel of it), drawn in patient space
// projected to the screen, each with its value (measure/measure: the numbers `ctview measure` prints).
void drawAnnotations(const AppState& s, int v, const ViewMapping& m, ImDrawList* dl) {
    // The labels go on after every shape, so that no line is drawn through a value, each clear of the labels
    // placed before it and, where it can be, of the other shapes' lines.
    struct Pending {
        std::size_t index;
        std::string text;
        ImVec2 at;
        ImU32 colour;
    };
    std::vector<Pending> labels;
    std::vector<std::pair<std::size_t, ScreenSegment>> lines; // each shape's lines, by annotation
    const Volume& vol = s.scene.base->series.volume;
    const Geometry& g = vol.geometry();
    const SliceFrame& f = m.frame();
    const ImU32 normal = IM_COL32(255, 215, 0, 255), selected = IM_COL32(120, 230, 255, 255);
    auto screen = [&](glm::dvec3 ijk) {
        const glm::dvec2 p = m.voxelToScreen(ijk);
        return ImVec2(float(p.x), float(p.y));
    };
    for (std::size_t index = 0; index < s.annotations.size(); ++index) {
        const Annotation& a = s.annotations[index];
        const ImU32 colour = int(index) == s.selectedAnnotation ? selected : normal;
        if (!onView(s, v, a))
            continue;
        std::vector<glm::dvec3> ijk;
        for (const glm::dvec3& p : a.points)
            ijk.push_back(g.patientToVoxel(p));
        std::string value;
        try {
            // While the series loads its voxels are being written: measured once it is complete.
            value = s.scene.base->preview ? "..." : shortValue(a, s.measured.get(vol, a, "annotation"));
        } catch (const std::exception&) {
            value = "?"; // outside the volume, or not in a voxel plane: drawn, not measured
        }
        std::vector<ImVec2> outline;
        bool closed = false;
        switch (a.type) {
        case AnnotationType::Rectangle:
        case AnnotationType::Ellipse: {
            // The box's corners in this view's plane: the two in-plane voxel axes of the view.
            const double h0 = ijk[0][f.hAxis], h1 = ijk[1][f.hAxis], v0 = ijk[0][f.vAxis],
                         v1 = ijk[1][f.vAxis];
            glm::dvec3 q = ijk[0];
            const int steps = a.type == AnnotationType::Ellipse ? 48 : 4;
            for (int i = 0; i < steps; ++i) {
                const glm::dvec2 hv =
                    boxOutlinePoint({h0, v0}, {h1, v1}, a.type == AnnotationType::Ellipse, i, steps);
                q[f.hAxis] = hv.x;
                q[f.vAxis] = hv.y;
                outline.push_back(screen(q));
            }
            closed = true;
            break;
        }
        case AnnotationType::Polygon:
            closed = true;
            [[fallthrough]];
        default:
            for (const glm::dvec3& q : ijk)
                outline.push_back(screen(q));
        }
        if (a.type == AnnotationType::Point) {
            const ImVec2 c = outline[0];
            dl->AddLine(ImVec2(c.x - 6, c.y), ImVec2(c.x + 6, c.y), colour, 1.5f);
            dl->AddLine(ImVec2(c.x, c.y - 6), ImVec2(c.x, c.y + 6), colour, 1.5f);
        } else {
            for (std::size_t i = 0; i + 1 < outline.size() + (closed ? 1 : 0); ++i) {
                const ImVec2 a0 = outline[i], a1 = outline[(i + 1) % outline.size()];
                lines.push_back({index, {{a0.x, a0.y}, {a1.x, a1.y}}});
            }
            dl->AddPolyline(outline.data(), int(outline.size()), IM_COL32(0, 0, 0, 160),
                            closed ? ImDrawFlags_Closed : 0, 3.5f);
            dl->AddPolyline(outline.data(), int(outline.size()), colour, closed ? ImDrawFlags_Closed : 0,
                            1.5f);
        }
        // Its handles: what a left drag grabs (input.cpp handleUnder); not drawn on a dense outline (an
        // ellipse drawn in a tilted view is a polygon of 64 points), where they would hide the shape.
        if ((int(index) == s.selectedAnnotation || int(index) == s.gesture.editing) &&
            a.points.size() <= 16) {
            for (const glm::dvec3& q : annotationHandles(g, a, f)) {
                const ImVec2 c = screen(q);
                dl->AddRectFilled(ImVec2(c.x - 4, c.y - 4), ImVec2(c.x + 4, c.y + 4), IM_COL32(0, 0, 0, 180));
                dl->AddRect(ImVec2(c.x - 3, c.y - 3), ImVec2(c.x + 3, c.y + 3), colour);
            }
        }
        labels.push_back({index, a.label.empty() ? value : a.label + ": " + value,
                          a.type == AnnotationType::Angle ? outline[1] : outline.back(), colour});
    }
    std::vector<Rect> placed; // the labels drawn so far in this view: the next one keeps clear of them
    for (const Pending& l : labels) {
        std::vector<ScreenSegment> others;
        for (const auto& [index, segment] : lines)
            if (index != l.index)
                others.push_back(segment);
        const ImVec2 size = ImGui::CalcTextSize(l.text.c_str());
        const glm::vec2 p = placeLabel({l.at.x + 6, l.at.y + 4}, {size.x, size.y}, m.rect(), placed, others);
        label(dl, ImVec2(p.x, p.y), l.text.c_str(), l.colour);
    }
}
} // namespace

namespace {
// The label layers' marks and lines (an RTSTRUCT's POINT and OPEN contours) that lie on view v's slice
// (within half a voxel, as measurements), in their segment's colour, outlined in black as the measurements
// are.
void drawLayerMarks(const AppState& s, int v, const ViewMapping& m, ImDrawList* dl) {
    const Geometry& g = s.scene.base->series.volume.geometry();
    auto screen = [&](glm::dvec3 lps) {
        const glm::dvec2 p = m.voxelToScreen(g.patientToVoxel(lps));
        return ImVec2(float(p.x), float(p.y));
    };
    for (const viewer::LabelLayerView& view : s.scene.labels) {
        if (!view.shown)
            continue;
        for (const LayerMark& mark : view.layer->marks) {
            if (mark.segment >= view.layer->segments.size() ||
                (mark.segment < view.visible.size() && !view.visible[mark.segment]))
                continue;
            const glm::vec3 c = view.layer->segments[mark.segment].color;
            const ImU32 colour = IM_COL32(int(c.r * 255), int(c.g * 255), int(c.b * 255), 255);
            Annotation part;
            part.type = mark.point ? AnnotationType::Point : AnnotationType::Line;
            for (std::size_t i = 0; i < mark.points.size(); ++i) {
                if (!mark.point && i + 1 == mark.points.size())
                    break;
                part.points = mark.point ? std::vector<glm::dvec3>{mark.points[i]}
                                         : std::vector<glm::dvec3>{mark.points[i], mark.points[i + 1]};
                if (!onView(s, v, part))
                    continue;
                const ImVec2 a = screen(part.points.front()), b = screen(part.points.back());
                if (mark.point) {
                    for (const auto& [width, col] :
                         {std::pair{3.5f, IM_COL32(0, 0, 0, 200)}, {1.5f, colour}}) {
                        dl->AddLine(ImVec2(a.x - 6, a.y - 6), ImVec2(a.x + 6, a.y + 6), col, width);
                        dl->AddLine(ImVec2(a.x - 6, a.y + 6), ImVec2(a.x + 6, a.y - 6), col, width);
                    }
                } else {
                    dl->AddLine(a, b, IM_COL32(0, 0, 0, 160), 3.5f);
                    dl->AddLine(a, b, colour, 1.5f);
                }
            }
        }
    }
}
// The segment editor's brush: its circle under the mouse, and the stroke being drawn (painted when the button
// comes up) as a band of its width in the segment's colour.
void drawBrush(const AppState& s, int v, const ViewMapping& m, ImDrawList* dl) {
    const viewer::SegmentEditor& e = s.editor;
    if (!e.open || e.tool != viewer::SegmentEditor::Tool::Paint || !e.editing() ||
        std::size_t(e.layer) >= s.scene.labels.size())
        return;
    const LabelLayer& l = *s.scene.labels[std::size_t(e.layer)].layer;
    if (std::size_t(e.segment) >= l.segments.size())
        return;
    const glm::vec3 c = l.segments[std::size_t(e.segment)].color;
    const float radius = float(e.brushMm * m.pixelsPerMm());
    const Geometry& g = s.scene.base->series.volume.geometry();
    if (e.strokeView == v && !e.stroke.empty()) {
        std::vector<ImVec2> pts;
        for (const glm::dvec3& p : e.stroke) {
            const glm::dvec2 at = m.oblique() ? m.patientToScreen(p) : m.voxelToScreen(g.patientToVoxel(p));
            pts.emplace_back(float(at.x), float(at.y));
        }
        const ImU32 band = IM_COL32(int(c.r * 255), int(c.g * 255), int(c.b * 255), e.strokeErase ? 60 : 110);
        for (const ImVec2& p : pts)
            dl->AddCircleFilled(p, radius, band);
        if (pts.size() > 1)
            dl->AddPolyline(pts.data(), int(pts.size()), band, ImDrawFlags_None, 2 * radius);
    }
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const Rect& r = s.cells[std::size_t(v)];
    if (r.contains(mouse.x, mouse.y))
        dl->AddCircle(mouse, radius, IM_COL32(int(c.r * 255), int(c.g * 255), int(c.b * 255), 230), 0, 1.5f);
}

} // namespace

void drawSliceAnnotations(const AppState& s, int v, ImDrawList* dl) {
    if (s.hasVolume() && v >= 0 && v < 3) {
        drawLayerMarks(s, v, mappingOf(s, v), dl);
        drawAnnotations(s, v, mappingOf(s, v), dl);
    }
}

namespace {

// The other views' planes through the crosshair over view v (rectangle r), in their colours, `dx` pixels to
// the right of where they lie (the second series' views side by side); `handles`: the dots that turn the
// views (oblique MPR) near the ends of the lines.
void drawCrosshair(const AppState& s, int v, const Rect& r, ImDrawList* dl, bool handles, float dx) {
    const double reach = turnHandleDistance(r);
    for (const CrosshairLine& line : crosshairLines(s, v)) {
        const ImU32 colour = planeColour(s.views[std::size_t(line.view)].axis, 170);
        const glm::dvec2 c = line.centre + glm::dvec2(dx, 0), d = line.direction;
        if (std::abs(d.x) < 1e-9) // the acquired axes: exactly across the cell, as always
            dl->AddLine(ImVec2(float(c.x), r.y), ImVec2(float(c.x), r.y + r.h), colour);
        else if (std::abs(d.y) < 1e-9)
            dl->AddLine(ImVec2(r.x, float(c.y)), ImVec2(r.x + r.w, float(c.y)), colour);
        else {
            const double far = double(r.w + r.h) + glm::length(c - glm::dvec2(r.x, r.y));
            dl->AddLine(ImVec2(float(c.x - d.x * far), float(c.y - d.y * far)),
                        ImVec2(float(c.x + d.x * far), float(c.y + d.y * far)), colour);
        }
        if (handles)
            for (double side : {-1.0, 1.0}) {
                const glm::dvec2 h = c + d * (side * reach);
                dl->AddCircleFilled(ImVec2(float(h.x), float(h.y)), 4.0f,
                                    planeColour(s.views[std::size_t(line.view)].axis, 200));
            }
    }
}

// The overlay's texts and its scale bar.
void drawItems(const std::vector<OverlayItem>& items, ImDrawList* dl) {
    for (const OverlayItem& item : items) {
        if (item.kind != OverlayItem::Kind::ScaleBar) {
            label(dl, ImVec2(item.box.x, item.box.y), item.text.c_str(), item.colour);
            continue;
        }
        // Outlined like the text: a dark band around the bar and its end ticks, the length centred below.
        const float x0 = item.barX0, x1 = item.barX1, y = item.barY;
        const ImU32 light = IM_COL32(235, 235, 235, 255), dark = IM_COL32(0, 0, 0, 200);
        dl->AddRectFilled(ImVec2(x0 - 2, y - 2), ImVec2(x1 + 2, y + 2), dark);
        dl->AddRectFilled(ImVec2(x0 - 2, y - 5), ImVec2(x0 + 2, y + 5), dark);
        dl->AddRectFilled(ImVec2(x1 - 2, y - 5), ImVec2(x1 + 2, y + 5), dark);
        dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), light, 2);
        dl->AddLine(ImVec2(x0, y - 4), ImVec2(x0, y + 4), light, 2);
        dl->AddLine(ImVec2(x1, y - 4), ImVec2(x1, y + 4), light, 2);
        const ImVec2 ts = ImGui::CalcTextSize(item.text.c_str());
        label(dl, ImVec2((x0 + x1 - ts.x) / 2, y + 5), item.text.c_str());
    }
}

// Side by side: the second series' views (s.paneOffset to the right of the base's): the crosshair, the
// letters, slice and scale as the base's view has them, its own window, and which series it is; its 3D cell
// has its 3D view (or says that it has none: the 3D view is then the base's alone).
void drawSecondPane(const AppState& s, const RenderFeedback& feedback, ImDrawList* dl) {
    const viewer::ImageLayerView& layer = s.scene.images.front();
    const Provenance& about = layer.series->series.about;
    const std::string name =
        about.field("SeriesDescription").empty() ? about.location : about.field("SeriesDescription");
    const WindowLevel& wl = layer.linkLook ? s.window : layer.window;
    for (int v = 0; v < 4; ++v) {
        Rect r = s.cells[std::size_t(v)];
        if (r.w <= 0)
            continue;
        r.x += s.paneOffset;
        dl->PushClipRect(ImVec2(r.x, r.y), ImVec2(r.x + r.w, r.y + r.h), true);
        if (v == 3 && !feedback.beside3d) {
            const char* text = "3D: the series on the left";
            const ImVec2 ts = ImGui::CalcTextSize(text);
            label(dl, ImVec2(r.x + (r.w - ts.x) / 2, r.y + (r.h - ts.y) / 2), text,
                  IM_COL32(160, 160, 160, 255));
            dl->PopClipRect();
            continue;
        }
        if (v == 3) {
            if (s.prefs.overlays.sliceInfo)
                label(dl, ImVec2(r.x + r.w - ImGui::CalcTextSize(name.c_str()).x - 6, r.y + 4), name.c_str(),
                      IM_COL32(255, 190, 120, 255));
            dl->PopClipRect();
            continue;
        }
        if (s.prefs.overlays.crosshair)
            drawCrosshair(s, v, r, dl, /*handles=*/false, s.paneOffset);
        std::vector<OverlayItem> items;
        for (OverlayItem item : sliceOverlayItems(s, v, /*pane=*/1)) {
            // The cine and the phase are the open series' (a second series has no phase of the first's).
            if (item.kind == OverlayItem::Kind::Cine || item.kind == OverlayItem::Kind::Phase)
                continue;
            if (item.kind == OverlayItem::Kind::Window)
                item.text = format("W %.0f  L %.0f", wl.width, wl.center);
            item.box.x += s.paneOffset;
            item.barX0 += s.paneOffset;
            item.barX1 += s.paneOffset;
            items.push_back(std::move(item));
        }
        drawItems(items, dl);
        if (!s.prefs.overlays.sliceInfo) {
            dl->PopClipRect();
            continue;
        }
        // Which series this is, at the top right, a line lower for each text of the view's it would cover.
        const ImVec2 ns = ImGui::CalcTextSize(name.c_str());
        Rect box{r.x + r.w - ns.x - 6, r.y + 4, ns.x, ns.y};
        auto covers = [&](const OverlayItem& item) {
            const Rect& b = item.box;
            return box.x < b.x + b.w + kOverlayGap && b.x < box.x + box.w + kOverlayGap &&
                   box.y < b.y + b.h && b.y < box.y + box.h;
        };
        while (box.y + box.h < r.y + r.h && std::any_of(items.begin(), items.end(), covers))
            box.y += ImGui::GetTextLineHeight();
        label(dl, ImVec2(box.x, box.y), name.c_str(), IM_COL32(255, 190, 120, 255));
        dl->PopClipRect();
    }
}

} // namespace

void drawOverlays(const AppState& s, const RenderFeedback& feedback, ImDrawList* dl) {
    for (int v = 0; v < 4; ++v) {
        const Rect& r = s.cells[std::size_t(v)];
        if (r.w <= 0)
            continue;
        const ImVec2 p0(r.x, r.y), p1(r.x + r.w, r.y + r.h);
        dl->PushClipRect(p0, p1, true);
        if (v == 3) {
            draw3dOverlay(s, feedback, dl, r);
            dl->PopClipRect();
            continue;
        }
        const Axis axis = s.views[std::size_t(v)].axis;
        if (!s.hasVolume()) {
            dl->PopClipRect();
            continue;
        }
        const ViewMapping m = mappingOf(s, v);
        // With the crosshair tool, the handles that turn the views (oblique MPR).
        if (s.prefs.overlays.crosshair)
            drawCrosshair(s, v, r, dl, /*handles=*/!s.tool, 0);
        drawLayerMarks(s, v, m, dl);
        drawAnnotations(s, v, m, dl);
        drawBrush(s, v, m, dl);
        drawItems(sliceOverlayItems(s, v), dl);
        if (v == s.activeView && s.maximised < 0)
            dl->AddRect(p0, ImVec2(p1.x - 1, p1.y - 1), planeColour(axis, 200), 0, 0, 1.5f);
        dl->PopClipRect();
    }
    if (s.paneOffset > 0 && s.hasVolume() && !s.scene.images.empty())
        drawSecondPane(s, feedback, dl);
}

} // namespace ctview::ui
