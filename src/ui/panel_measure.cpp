// The "Measurements" section: the left button's tool, and every measurement of the series with its value (a
// click on a row goes to its slice; x deletes it). The values come from core/measure, as `ctview measure`'s.
#include "ui/panels.h"

#include "core/measure.h"

#include <cstdio>

namespace ctview::ui {

void drawMeasurePanel(AppState& s) {
    const char* tools[] = {"Crosshair", "Distance (D)", "Box (B)",    "Ellipse (E)",
                           "Point (P)", "Angle (G)",    "Polygon (F)"};
    int tool = int(s.tool);
    for (int t = 0; t < 7; ++t) {
        if (t % 3 != 0)
            ImGui::SameLine();
        if (ImGui::RadioButton(tools[t], tool == t))
            s.tool = AppState::Tool(t);
    }
    if (!s.hasVolume())
        return;
    if (s.annotations.empty()) {
        ImGui::TextDisabled("None yet: pick a tool and drag in a slice view");
        return;
    }
    if (s.annotationsSeries.empty())
        ImGui::TextDisabled("Not kept: this source has no SeriesInstanceUID");
    const Volume& v = s.data->series.volume;
    int remove = -1;
    for (std::size_t n = 0; n < s.annotations.size(); ++n) {
        const Annotation& a = s.annotations[n];
        std::string text;
        try {
            text = describeMeasurement(a, measure(v, a, "annotation"));
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
            const glm::dvec3 ijk = v.geometry().patientToVoxel(a.points[0]);
            for (int c = 0; c < 3; ++c)
                s.cursor[c] = std::clamp(int(std::lround(ijk[c])), 0, v.geometry().dims[c] - 1);
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", text.c_str());
        ImGui::PopID();
    }
    if (remove >= 0 && s.drawing < 0) {
        s.annotations.erase(s.annotations.begin() + remove);
        s.annotationsChanged = true;
        s.selectedAnnotation = -1;
    }
}

} // namespace ctview::ui
