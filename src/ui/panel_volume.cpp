// The "3D view" section: preset, mode, the transfer-function editor, colour map, shading, camera, crop,
// quality, a turntable movie and saving the preset. Every edit lands in AppState::view3d and shows in the
// next frame; while a control is dragged the 3D view renders coarse (Command::Kind::Interacting3D).
#include "ui/panels.h"

#include "volume/colormap.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace ctview::ui {

namespace {
constexpr ImU32 kCurve = IM_COL32(240, 240, 240, 255);

// Marks the 3D view as being edited while the last item is held.
void watch(Commands& r) {
    if (ImGui::IsItemActive())
        r.push_back({Command::Kind::Interacting3D});
}

// The HU span the editor shows: the volume's range, at most the CT scale's -1024..3071 plus margins, widened
// to every point of the function so that none lies off the editor where it cannot be grabbed.
void editorRange(const AppState& s, float& lo, float& hi) {
    lo = -1024;
    hi = 3071;
    if (s.scene.base && s.scene.base->stats) {
        lo = std::max(s.scene.base->stats->minHU, -2048.0f);
        hi = std::min(s.scene.base->stats->maxHU, 4096.0f);
    }
    for (const TfPoint& p : s.view3d.preset.points) {
        lo = std::min(lo, p.hu);
        hi = std::max(hi, p.hu);
    }
    if (hi <= lo)
        hi = lo + 1;
}
} // namespace

TfEditorLayout drawTransferFunctionEditor(AppState& s, Commands& r) {
    View3D& v = s.view3d;
    std::vector<TfPoint>& pts = v.preset.points;
    float lo, hi;
    editorRange(s, lo, hi);
    // The panel's width less its scrollbar (never wider: a point under the scrollbar cannot be clicked).
    const ImVec2 outer(std::max(40.0f, ImGui::GetContentRegionAvail().x), 130.0f);
    const ImVec2 q0 = ImGui::GetCursorScreenPos(), q1(q0.x + outer.x, q0.y + outer.y);
    ImGui::InvisibleButton("##tf", outer,
                           ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                               ImGuiButtonFlags_MouseButtonMiddle);
    const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(q0, q1, IM_COL32(25, 25, 28, 255));
    // The HU scale under it, in a strip of its own (a line of labels).
    ImGui::Dummy(ImVec2(outer.x, ImGui::GetTextLineHeight() + 4));
    // The plot is inset by a point's radius and outline, so a point at either end of the HU axis or at
    // opacity 0 or 1 is whole inside the editor.
    const float radius = 5, inset = radius + 2;
    const ImVec2 p0(q0.x + inset, q0.y + inset), p1(q1.x - inset, q1.y - inset),
        size(p1.x - p0.x, p1.y - p0.y);
    auto xOf = [&](float hu) { return p0.x + (hu - lo) / (hi - lo) * size.x; };
    auto yOf = [&](float opacity) { return p1.y - std::clamp(opacity, 0.0f, 1.0f) * size.y; };
    auto huAt = [&](float x) { return lo + (std::clamp(x, p0.x, p1.x) - p0.x) / size.x * (hi - lo); };
    auto opacityAt = [&](float y) { return std::clamp((p1.y - y) / size.y, 0.0f, 1.0f); };
    drawHorizontalScale(dl, p0.x, p1.x, q1.y, lo, hi);

    // The histogram, log scale, one bar per pixel column.
    if (s.scene.base && s.scene.base->stats && !s.scene.base->stats->histogram.empty()) {
        const VolumeStats& st = *s.scene.base->stats;
        const std::size_t bins = st.histogram.size();
        const float binWidth = (st.maxHU - st.minHU) / float(bins - 1 ? bins - 1 : 1);
        std::vector<double> column(std::size_t(size.x) + 1, 0.0);
        for (std::size_t b = 0; b < bins; ++b) {
            const float hu = st.minHU + binWidth * float(b);
            const int x = int(xOf(hu) - p0.x);
            if (x >= 0 && x < int(column.size()))
                column[std::size_t(x)] += double(st.histogram[b]);
        }
        double top = 0;
        for (double c : column)
            top = std::max(top, std::log1p(c));
        for (std::size_t x = 0; x < column.size() && top > 0; ++x) {
            if (column[x] <= 0)
                continue;
            const float h = float(std::log1p(column[x]) / top) * size.y;
            dl->AddLine(ImVec2(p0.x + float(x), p1.y), ImVec2(p0.x + float(x), p1.y - h),
                        IM_COL32(80, 80, 90, 255));
        }
    }
    // The function: a colour band along the bottom, the opacity curve, the points.
    for (int x = 0; x < int(size.x); x += 2) {
        const glm::vec4 c = evaluateTf(pts, huAt(p0.x + float(x)));
        dl->AddRectFilled(ImVec2(p0.x + float(x), p1.y - 6), ImVec2(p0.x + float(x) + 2, p1.y),
                          ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, 1.0f)));
    }
    for (std::size_t i = 0; i + 1 < pts.size(); ++i)
        dl->AddLine(ImVec2(xOf(pts[i].hu), yOf(pts[i].opacity)),
                    ImVec2(xOf(pts[i + 1].hu), yOf(pts[i + 1].opacity)), kCurve, 1.5f);
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    int under = -1;
    float best = 7.0f * 7.0f;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const float dx = xOf(pts[i].hu) - mouse.x, dy = yOf(pts[i].opacity) - mouse.y;
        if (dx * dx + dy * dy < best) {
            best = dx * dx + dy * dy;
            under = int(i);
        }
    }
    TfEditorLayout layout{Rect{q0.x, q0.y, outer.x, outer.y}, {}, radius};
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const ImVec2 c(xOf(pts[i].hu), yOf(pts[i].opacity));
        layout.points.emplace_back(c.x, c.y);
        const glm::vec3 col = pts[i].color;
        dl->AddCircleFilled(c, radius, ImGui::ColorConvertFloat4ToU32(ImVec4(col.r, col.g, col.b, 1.0f)));
        dl->AddCircle(c, radius,
                      int(i) == v.tfSelected ? IM_COL32(255, 200, 60, 255) : IM_COL32(0, 0, 0, 255), 0,
                      int(i) == v.tfSelected ? 2.0f : 1.0f);
    }

    // Editing.
    const ImGuiIO& io = ImGui::GetIO();
    static bool draggingPoint = false, shifting = false;
    if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right) && under >= 0) {
        pts.erase(pts.begin() + under);
        v.tfSelected = -1;
        draggingPoint = false;
    } else if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left) && !io.KeyShift) {
        if (under >= 0) {
            v.tfSelected = under;
        } else {
            // A new point on the curve's colour at that HU.
            TfPoint p;
            p.hu = huAt(mouse.x);
            p.opacity = opacityAt(mouse.y);
            p.color = glm::vec3(evaluateTf(pts, p.hu));
            if (pts.empty())
                p.color = glm::vec3(1.0f);
            pts.push_back(p);
            sortTf(pts);
            for (std::size_t i = 0; i < pts.size(); ++i)
                if (pts[i] == p)
                    v.tfSelected = int(i);
        }
        draggingPoint = true;
    } else if (hovered && (ImGui::IsMouseClicked(ImGuiMouseButton_Middle) ||
                           (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && io.KeyShift))) {
        shifting = true;
    }
    if (!active)
        draggingPoint = shifting = false;
    if (active && draggingPoint && v.tfSelected >= 0 && v.tfSelected < int(pts.size())) {
        // Between its neighbours, so that the order (and the selection) holds.
        const std::size_t i = std::size_t(v.tfSelected);
        const float left = i > 0 ? pts[i - 1].hu : lo - 10000,
                    right = i + 1 < pts.size() ? pts[i + 1].hu : hi + 10000;
        pts[i].hu = std::clamp(huAt(mouse.x), left, right);
        pts[i].opacity = opacityAt(mouse.y);
        r.push_back({Command::Kind::Interacting3D});
    } else if (active && shifting && io.MouseDelta.x != 0) {
        shiftTf(pts, io.MouseDelta.x / size.x * (hi - lo));
        r.push_back({Command::Kind::Interacting3D});
    }
    if (hovered && under >= 0) {
        ImGui::SetTooltip("%.0f HU, opacity %.3f /mm", double(pts[std::size_t(under)].hu),
                          double(pts[std::size_t(under)].opacity));
    } else if (hovered) {
        ImGui::SetTooltip("%.0f HU\nclick: add a point, drag: move it, right click: delete it,\n"
                          "Shift/middle drag: move the whole function",
                          double(huAt(mouse.x)));
    }

    // The selected point, by numbers and colour.
    if (v.tfSelected >= 0 && v.tfSelected < int(pts.size())) {
        TfPoint& p = pts[std::size_t(v.tfSelected)];
        ImGui::PushItemWidth(90);
        ImGui::DragFloat("HU##tfhu", &p.hu, 1.0f, lo - 1000, hi + 1000, "%.0f");
        watch(r);
        ImGui::SameLine();
        ImGui::DragFloat("opacity##tfop", &p.opacity, 0.002f, 0.0f, 1.0f, "%.3f");
        watch(r);
        ImGui::PopItemWidth();
        p.opacity = std::clamp(p.opacity, 0.0f, 1.0f);
        float col[3] = {p.color.r, p.color.g, p.color.b};
        if (ImGui::ColorEdit3("colour##tfcol", col, ImGuiColorEditFlags_NoInputs))
            p.color = {col[0], col[1], col[2]};
        watch(r);
        ImGui::SameLine();
        if (ImGui::SmallButton("Delete point")) {
            pts.erase(pts.begin() + v.tfSelected);
            v.tfSelected = -1;
        }
        if (!ImGui::IsAnyItemActive()) {
            // Typed HU values may cross a neighbour: sort, and follow the point.
            const TfPoint keep = pts.empty() || v.tfSelected < 0 ? TfPoint{} : pts[std::size_t(v.tfSelected)];
            sortTf(pts);
            for (std::size_t i = 0; i < pts.size() && v.tfSelected >= 0; ++i)
                if (pts[i] == keep)
                    v.tfSelected = int(i);
        }
    }
    return layout;
}

void drawVolumePanel(AppState& s, Commands& r) {
    View3D& v = s.view3d;
    // ---- preset ----
    // "CT bone (modified)" until the edit is saved as a preset or undone.
    const std::string shown = v.preset.title + (presetModified(s) ? " (modified)" : "");
    if (ImGui::BeginCombo("Preset##3d", shown.c_str())) {
        for (const RenderPreset& p : builtinPresets())
            if (ImGui::Selectable(p.title.c_str(), v.presetName == p.name))
                applyPreset(s, p);
        if (!v.userPresets.empty())
            ImGui::Separator();
        for (const RenderPreset& p : v.userPresets) {
            const std::string label = p.title + " (yours)##user-" + p.name;
            if (ImGui::Selectable(label.c_str(), v.presetName == p.name))
                applyPreset(s, p);
        }
        ImGui::EndCombo();
    }
    if (ImGui::BeginCombo("Mode", modeInfo(v.preset.mode).label)) {
        for (const RenderModeInfo& m : renderModes())
            if (ImGui::Selectable(m.label, v.preset.mode == m.mode))
                v.preset.mode = m.mode;
        ImGui::EndCombo();
    }
    const RenderModeInfo& mode = modeInfo(v.preset.mode);

    // ---- what the mode draws ----
    if (mode.transferFunction) {
        drawTransferFunctionEditor(s, r);
    } else if (mode.isovalue) {
        ImGui::DragFloat("Threshold (HU)", &v.preset.isoValue, 2.0f, -1024, 4000, "%.0f");
        watch(r);
    } else {
        float width = float(v.preset.window.width), level = float(v.preset.window.center);
        if (ImGui::DragFloat("Width (HU)##3d", &width, std::max(1.0f, width / 200), 1, 70000, "%.0f"))
            v.preset.window.width = std::max(1.0f, width);
        watch(r);
        if (ImGui::DragFloat("Level (HU)##3d", &level, std::max(1.0f, width / 200), -35000, 35000, "%.0f"))
            v.preset.window.center = level;
        watch(r);
    }

    // ---- colour ----
    // What is drawn, read back from the preset (a transfer function's points may carry the preset's own
    // colours, or a map's): never a stale choice.
    const std::string mapShown = colormap3dShown(s);
    if (ImGui::BeginCombo("Colormap##3d", mapShown.empty() ? "preset colours" : mapShown.c_str())) {
        if (mapShown.empty())
            ImGui::Selectable("preset colours", true);
        for (const std::string& name : colormapNames())
            if (ImGui::Selectable(name.c_str(), mapShown == name))
                applyColormap3d(s, name); // live on the transfer function too: its points take the colours
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Checkbox("Invert##3d", &v.invert) && !mapShown.empty())
        applyColormap3d(s, mapShown);

    // ---- shading ----
    if (mode.shading) {
        ImGui::Checkbox("Shading", &v.preset.shading.enabled);
        if (v.preset.shading.enabled && ImGui::TreeNode("Lighting")) {
            ImGui::SliderFloat("Ambient", &v.preset.shading.ambient, 0, 1);
            watch(r);
            ImGui::SliderFloat("Diffuse", &v.preset.shading.diffuse, 0, 1);
            watch(r);
            ImGui::SliderFloat("Specular", &v.preset.shading.specular, 0, 1);
            watch(r);
            ImGui::SliderFloat("Shininess", &v.preset.shading.shininess, 1, 128, "%.0f");
            watch(r);
            ImGui::TreePop();
        }
        if (mode.transferFunction) {
            ImGui::Checkbox("Gradient opacity", &v.preset.gradientOpacityOn);
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("Dim homogeneous regions, keep boundaries (HU/mm)");
            if (v.preset.gradientOpacityOn) {
                ImGui::DragFloatRange2("HU/mm", &v.preset.gradientOpacity.x, &v.preset.gradientOpacity.y,
                                       0.5f, 0, 2000, "%.0f");
                watch(r);
            }
        }
    }

    // ---- camera ----
    for (const ViewFromName& d : viewFromNames()) {
        const char label[2] = {d.letter, '\0'};
        if (ImGui::SmallButton(label))
            v.camera.rotation = viewFromRotation(d.from);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Look from %s (Shift+%s over the 3D view)", d.where, label);
        ImGui::SameLine();
    }
    if (ImGui::SmallButton("Reset"))
        v.camera = defaultCamera3D();
    ImGui::SameLine();
    ImGui::Checkbox("Perspective", &v.camera.perspective);

    // ---- crop ----
    if (ImGui::TreeNode("Crop and planes")) {
        // By anatomy, in the slice numbers' direction (R to L, A to P, S to I), whichever way the voxel axes
        // run: mm from the right, the front, the top.
        const std::array<viewer::AnatomicalAxis, 3> axes = viewer::anatomicalAxes(s);
        const bool have = s.hasVolume();
        for (const viewer::AnatomicalAxis& ax : axes) {
            const int a = ax.voxelAxis;
            const double extent = have ? s.scene.base->series.volume.geometry().dims[a] *
                                             s.scene.base->series.volume.geometry().spacing[a]
                                       : 1.0;
            const double from = ax.flip ? 1.0 - v.cropMax[a] : v.cropMin[a],
                         to = ax.flip ? 1.0 - v.cropMin[a] : v.cropMax[a];
            float lo = float(from * extent), hi = float(to * extent);
            char label[64];
            std::snprintf(label, sizeof label, "%s mm##crop%d", ax.name, a);
            if (ImGui::DragFloatRange2(label, &lo, &hi, float(extent / 200), 0.0f, float(extent), "%.0f")) {
                const double f0 = std::clamp(double(lo) / extent, 0.0, 1.0),
                             f1 = std::clamp(double(hi) / extent, f0, 1.0);
                v.cropMin[a] = ax.flip ? 1.0 - f1 : f0;
                v.cropMax[a] = ax.flip ? 1.0 - f0 : f1;
            }
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s: mm from the %s", ax.name, ax.start);
            watch(r);
        }
        if (ImGui::SmallButton("Reset crop")) {
            v.cropMin = glm::dvec3(0.0);
            v.cropMax = glm::dvec3(1.0);
            v.cutAtSlices = glm::ivec3(0);
        }
        ImGui::SameLine();
        ImGui::Checkbox("Handles in 3D", &v.showCropBox);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Show the box in the 3D view; drag a face's handle to move that face");
        ImGui::TextUnformatted("Cut at the crosshair's slices:");
        for (const viewer::AnatomicalAxis& ax : axes) {
            // cutAtSlices: 1 keeps the higher voxel indices, 2 the lower; said as the side kept.
            const std::string near = std::string(ax.name).substr(0, 1),
                              far = std::string(ax.name).substr(2, 1);
            const std::string higher = "keep " + (ax.flip ? near : far),
                              lower = "keep " + (ax.flip ? far : near);
            const char* items[] = {"off", higher.c_str(), lower.c_str()};
            char label[48];
            std::snprintf(label, sizeof label, "%s##cut%d", ax.name, ax.voxelAxis);
            ImGui::Combo(label, &v.cutAtSlices[ax.voxelAxis], items, 3);
        }
        ImGui::Checkbox("Show slice planes", &v.showSlicePlanes);
        ImGui::SameLine();
        ImGui::Checkbox("Orientation axes", &v.showOrientation);
        ImGui::TreePop();
    }

    // ---- quality ----
    float step = float(v.stepScale);
    if (ImGui::SliderFloat("Step (voxels)", &step, 0.25f, 4.0f, "%.2f", ImGuiSliderFlags_Logarithmic))
        v.stepScale = step;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Distance between samples along a ray, in units of the smallest voxel spacing.\n"
                          "Smaller is finer and slower; opacity is corrected so colours stay the same.");

    // ---- a turntable movie: this camera, preset and crop, turning about the patient's head-feet axis ----
    if (ImGui::TreeNode("Record turntable")) {
        ImGui::BeginDisabled(s.recording.active);
        float degrees = float(s.recording.turnDegrees);
        if (ImGui::DragFloat("Degrees", &degrees, 1.0f, -3600.0f, 3600.0f, "%.0f"))
            s.recording.turnDegrees = double(degrees);
        ImGui::DragInt("Frames", &s.recording.turnFrames, 1.0f, 2, 3600);
        s.recording.turnFrames = std::clamp(s.recording.turnFrames, 2, 3600);
        ImGui::EndDisabled();
        if (drawRecordControls(s, "Record"))
            r.push_back({Command::Kind::RecordTurntable, s.recording.gif ? "gif" : "mp4"});
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("The view at its size on screen, as `ctview render --turntable` makes it.");
        ImGui::PopStyleColor();
        ImGui::TreePop();
    }

    // ---- save ----
    static char title[64] = "My preset"; // the field's text (widget scratch, not view state)
    ImGui::InputText("##presettitle", title, sizeof title);
    ImGui::SameLine();
    if (ImGui::Button("Save preset"))
        r.push_back({Command::Kind::SavePreset, title});
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "Saves mode, transfer function, colours and shading to your presets (a preset of yours\n"
            "with the same name is replaced)");
}

} // namespace ctview::ui
