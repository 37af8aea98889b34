// The "Measurements" section: the left button's tool, and every measurement of the series with its value (a
// click on a row goes to its slice and selects it; x deletes it), and the selected line's HU profile. The
// values come from measure/measure, as `ctview measure`'s.
#include "ui/panels.h"

#include "measure/measure.h"

#include <cfloat>
#include <cstdio>
#include <vector>

namespace ctview::ui {

void drawMeasurePanel(AppState& s) {
    // The crosshair, then every measuring tool of the table with its key, three to a row.
    if (ImGui::RadioButton("Crosshair", !s.tool))
        s.tool.reset();
    int column = 1;
    for (const MeasureTool& t : measureTools()) {
        if (column++ % 3 != 0)
            ImGui::SameLine();
        const std::string label = std::string(t.label) + " (" + t.key + ")";
        if (ImGui::RadioButton(label.c_str(), s.tool == t.type))
            s.tool = t.type;
    }
    if (!s.hasVolume())
        return;
    if (s.annotations.empty()) {
        ImGui::TextDisabled("None yet: pick a tool and drag in a slice view");
        return;
    }
    if (s.annotationsSeries.empty())
        ImGui::TextDisabled("Not kept: this source has no SeriesInstanceUID");
    const Volume& v = s.scene.base->series.volume;
    int remove = -1;
    for (std::size_t n = 0; n < s.annotations.size(); ++n) {
        const Annotation& a = s.annotations[n];
        std::string text;
        try {
            text = describeMeasurement(a, s.measured.get(v, a, "annotation"));
        } catch (const std::exception& e) {
            text = std::string(annotationTypeName(a.type)) + ": " + e.what();
        }
        ImGui::PushID(int(n));
        if (ImGui::SmallButton("x"))
            remove = int(n);
        ImGui::SameLine();
        if (ImGui::Selectable(text.c_str(), s.selectedAnnotation == int(n)) && !a.points.empty()) {
            s.selectedAnnotation = int(n);
            // To its slice: the crosshair moves to its first point, and every view follows.
            // (Turned views' planes move through the point itself; the crosshair voxel is the nearest.)
            s.mpr.centre = a.points[0];
            syncCursor(s);
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", text.c_str());
        ImGui::PopID();
    }
    // The selected line's HU profile (measure/measure: every smallest-spacing mm from its first point).
    if (s.selectedAnnotation >= 0 && s.selectedAnnotation < int(s.annotations.size()) &&
        s.annotations[std::size_t(s.selectedAnnotation)].type == AnnotationType::Line) {
        try {
            const Measurement& m =
                s.measured.get(v, s.annotations[std::size_t(s.selectedAnnotation)], "line");
            if (m.profile.size() >= 2) {
                std::vector<float> hu(m.profile.begin(), m.profile.end());
                char caption[96];
                std::snprintf(caption, sizeof caption, "HU along %.1f mm", m.lengthMm);
                ImGui::PlotLines("##profile", hu.data(), int(hu.size()), 0, caption, FLT_MAX, FLT_MAX,
                                 ImVec2(ImGui::GetContentRegionAvail().x, 80));
            }
        } catch (const std::exception&) {
        }
    }
    if (remove >= 0 && s.gesture.drawing < 0) {
        s.annotations.erase(s.annotations.begin() + remove);
        s.annotationsChanged = true;
        s.selectedAnnotation = -1;
    }
}

} // namespace ctview::ui
