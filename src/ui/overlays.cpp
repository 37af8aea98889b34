// What is drawn over the slice views: orientation letters (from the direction cosines), a scale bar in mm,
// window/level, slice index and position, the probe (HU, voxel, LPS) and the linked crosshair.
#include "ui/panels.h"

#include <cmath>
#include <cstdio>

namespace ctview::ui {

namespace {
// The colour of each view's plane, used for its crosshair line in the other views and its border
// (the convention of 3D Slicer: axial red, coronal green, sagittal yellow).
ImU32 planeColour(Axis a, int alpha = 255) {
    switch (a) {
    case Axis::Axial: return IM_COL32(230, 80, 80, alpha);
    case Axis::Coronal: return IM_COL32(90, 200, 90, alpha);
    case Axis::Sagittal: return IM_COL32(230, 210, 70, alpha);
    }
    return IM_COL32_WHITE;
}

// Text with a dark shadow, legible on any slice.
void label(ImDrawList* dl, ImVec2 p, const char* text, ImU32 colour = IM_COL32(235, 235, 235, 255)) {
    dl->AddText(ImVec2(p.x + 1, p.y + 1), IM_COL32(0, 0, 0, 220), text);
    dl->AddText(p, colour, text);
}

// The view (0..2) whose slice plane is the set of voxels with coordinate `axis` fixed.
int viewWithNormal(const AppState& s, int axis) {
    for (int v = 0; v < 3; ++v)
        if (frameOf(s, v).nAxis == axis) return v;
    return -1;
}
// The 3D cell: what it shows, the slice planes through the crosshair, and an orientation gizmo.
void draw3dOverlay(const AppState& s, const RenderFeedback& feedback, ImDrawList* dl, const Rect& r) {
    const float lineH = ImGui::GetTextLineHeight();
    if (!s.hasVolume()) return;
    if (!s.data->stats) {
        const char* text = "3D view: waiting for the whole series";
        const ImVec2 size = ImGui::CalcTextSize(text);
        label(dl, ImVec2(r.x + (r.w - size.x) / 2, r.y + (r.h - size.y) / 2), text, IM_COL32(150, 150, 150, 255));
        return;
    }
    const Geometry& g = s.data->series.volume.geometry();
    const CameraMatrices cm = cameraMatrices(s.view3d.camera, g, {r.w, r.h});
    if (s.overlays.crosshair && s.view3d.showSlicePlanes) {
        // Each slice view's plane: its outline at the crosshair's slice, in the view's colour.
        for (int v = 0; v < 3; ++v) {
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
            if (!ok) continue;
            for (int c = 0; c < 4; ++c) {
                const glm::dvec2 p = pts[c], q = pts[(c + 1) % 4];
                dl->AddLine(ImVec2(float(p.x), float(p.y)), ImVec2(float(q.x), float(q.y)),
                            planeColour(s.views[std::size_t(v)].axis, 200), 1.5f);
            }
        }
    }
    char text[256];
    if (s.overlays.sliceInfo) {
        std::snprintf(text, sizeof text, "3D  %s%s  (%s)", s.view3d.preset.title.c_str(),
                      presetModified(s) ? " (modified)" : "", modeName(s.view3d.preset.mode));
        label(dl, ImVec2(r.x + 6, r.y + 4), text);
        if (!feedback.note3d.empty()) label(dl, ImVec2(r.x + 6, r.y + 4 + lineH), feedback.note3d.c_str(), IM_COL32(255, 200, 120, 255));
    }
    if (s.view3d.showOrientation && s.overlays.letters) {
        // Axes of the patient as the camera sees them: L, P, S at the bright ends, R, A, I at the dim ones.
        const glm::dmat3 axes = glm::mat3_cast(s.view3d.camera.rotation);
        const float len = std::min(36.0f, std::min(r.w, r.h) * 0.12f);
        const ImVec2 c(r.x + len + 16, r.y + r.h - len - 16);
        const char* pos[3] = {"L", "P", "S"};
        const char* neg[3] = {"R", "A", "I"};
        const ImU32 colours[3] = {IM_COL32(230, 80, 80, 255), IM_COL32(90, 200, 90, 255), IM_COL32(90, 140, 250, 255)};
        for (int a = 0; a < 3; ++a) {
            glm::dvec3 e(0.0);
            e[a] = 1;
            // Screen direction of the LPS axis: its components along the camera's right and up.
            const ImVec2 d(float(glm::dot(e, axes[0])) * len, -float(glm::dot(e, axes[1])) * len);
            dl->AddLine(c, ImVec2(c.x + d.x, c.y + d.y), colours[a], 2.0f);
            dl->AddLine(c, ImVec2(c.x - d.x * 0.6f, c.y - d.y * 0.6f), (colours[a] & 0x00FFFFFF) | 0x70000000, 1.0f);
            label(dl, ImVec2(c.x + d.x * 1.25f - 4, c.y + d.y * 1.25f - lineH / 2), pos[a], colours[a]);
            label(dl, ImVec2(c.x - d.x * 0.85f - 4, c.y - d.y * 0.85f - lineH / 2), neg[a], IM_COL32(160, 160, 160, 200));
        }
    }
    if (s.maximised < 0 && s.view3d.focused) dl->AddRect(ImVec2(r.x, r.y), ImVec2(r.x + r.w - 1, r.y + r.h - 1), IM_COL32(120, 160, 255, 200), 0, 0, 1.5f);
}

} // namespace

void drawOverlays(const AppState& s, const RenderFeedback& feedback, ImDrawList* dl) {
    const float lineH = ImGui::GetTextLineHeight();
    for (int v = 0; v < 4; ++v) {
        const Rect& r = s.cells[std::size_t(v)];
        if (r.w <= 0) continue;
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
        const SliceFrame& f = m.frame();
        const Geometry& g = s.data->series.volume.geometry();
        const int slice = sliceOf(s, v);

        if (s.overlays.crosshair) {
            // The other views' planes through the crosshair voxel: a vertical line where the plane of the view
            // whose normal is this view's h axis cuts it, a horizontal one for the v axis.
            const glm::dvec2 c = m.voxelToScreen(s.cursor);
            const int vertical = viewWithNormal(s, f.hAxis), horizontal = viewWithNormal(s, f.vAxis);
            if (vertical >= 0)
                dl->AddLine(ImVec2(float(c.x), r.y), ImVec2(float(c.x), r.y + r.h),
                            planeColour(s.views[std::size_t(vertical)].axis, 170));
            if (horizontal >= 0)
                dl->AddLine(ImVec2(r.x, float(c.y)), ImVec2(r.x + r.w, float(c.y)),
                            planeColour(s.views[std::size_t(horizontal)].axis, 170));
        }
        if (s.overlays.letters) {
            const EdgeLetters e = edgeLetters(g, f);
            const ImVec2 ls = ImGui::CalcTextSize(e.left.c_str()), rs = ImGui::CalcTextSize(e.right.c_str());
            const ImVec2 ts = ImGui::CalcTextSize(e.top.c_str()), bs = ImGui::CalcTextSize(e.bottom.c_str());
            const ImU32 colour = IM_COL32(255, 220, 120, 255);
            label(dl, ImVec2(r.x + 6, r.y + (r.h - ls.y) / 2), e.left.c_str(), colour);
            label(dl, ImVec2(r.x + r.w - rs.x - 6, r.y + (r.h - rs.y) / 2), e.right.c_str(), colour);
            label(dl, ImVec2(r.x + (r.w - ts.x) / 2, r.y + 4), e.top.c_str(), colour);
            label(dl, ImVec2(r.x + (r.w - bs.x) / 2, r.y + r.h - bs.y - 4), e.bottom.c_str(), colour);
        }
        char text[256];
        if (s.overlays.sliceInfo) {
            // Position of the slice along the patient axis this view looks down (LPS mm of the slice centre).
            glm::dvec3 centre(g.dims - 1);
            centre *= 0.5;
            centre[f.nAxis] = slice;
            const glm::dvec3 lps = g.voxelToPatient(centre);
            const int lpsAxis = axis == Axis::Axial ? 2 : axis == Axis::Coronal ? 1 : 0;
            const char* names[3] = {"x", "y", "z"};
            const std::string note = sliceNote(s, v, slice); // a slice that holds no acquired image says so
            std::snprintf(text, sizeof text, "%s %d (0..%d)  %s %.1f mm%s%s", axisName(axis), slice, f.count - 1,
                          names[lpsAxis], lps[lpsAxis], note.empty() ? "" : "  ", note.c_str());
            // Below the top orientation letter when the two would overlap.
            const float topLetterX = r.x + r.w / 2 - lineH;
            const float y = r.x + 6 + ImGui::CalcTextSize(text).x > topLetterX && s.overlays.letters ? r.y + 4 + lineH
                                                                                                     : r.y + 4;
            label(dl, ImVec2(r.x + 6, y), text, planeColour(axis));
            if (s.views[std::size_t(v)].camera.zoom != 1.0) {
                std::snprintf(text, sizeof text, "zoom %.2fx", s.views[std::size_t(v)].camera.zoom);
                label(dl, ImVec2(r.x + 6, y + lineH), text);
            }
        }
        float bottom = r.y + r.h - 6 - lineH;
        if (s.overlays.windowLevel) {
            std::snprintf(text, sizeof text, "W %.0f  L %.0f  %s", s.window.width, s.window.center,
                          s.windowName.c_str());
            label(dl, ImVec2(r.x + 6, bottom), text);
            bottom -= lineH;
        }
        if (s.overlays.probe && s.probeValid && v == s.activeView) {
            std::snprintf(text, sizeof text, "%.6g HU  (%d, %d, %d)  LPS %.1f, %.1f, %.1f mm", double(s.probeHU),
                          s.probeVoxel.x, s.probeVoxel.y, s.probeVoxel.z, s.probeLps.x, s.probeLps.y, s.probeLps.z);
            label(dl, ImVec2(r.x + 6, bottom), text, IM_COL32(140, 220, 255, 255));
        }
        if (s.overlays.scaleBar) {
            const double mm = scaleBarLength(r.w * 0.25 / m.pixelsPerMm());
            const float len = float(mm * m.pixelsPerMm());
            const float x1 = r.x + r.w - 12, x0 = x1 - len, y = r.y + r.h - 10 - lineH * 1.2f;
            dl->AddLine(ImVec2(x0, y + 1), ImVec2(x1, y + 1), IM_COL32(0, 0, 0, 200), 3);
            dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), IM_COL32(235, 235, 235, 255), 2);
            dl->AddLine(ImVec2(x0, y - 4), ImVec2(x0, y + 4), IM_COL32(235, 235, 235, 255), 2);
            dl->AddLine(ImVec2(x1, y - 4), ImVec2(x1, y + 4), IM_COL32(235, 235, 235, 255), 2);
            std::snprintf(text, sizeof text, mm >= 10 ? "%.0f cm" : "%.0f mm", mm >= 10 ? mm / 10 : mm);
            const ImVec2 ts = ImGui::CalcTextSize(text);
            label(dl, ImVec2((x0 + x1 - ts.x) / 2, y + 5), text);
        }
        if (v == s.activeView && s.maximised < 0)
            dl->AddRect(p0, ImVec2(p1.x - 1, p1.y - 1), planeColour(axis, 200), 0, 0, 1.5f);
        dl->PopClipRect();
    }
}

} // namespace ctview::ui
