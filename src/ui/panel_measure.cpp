// The "Measurements" section: the left button's tool, and every measurement of the series with its value (a
// click on a row goes to its slice and selects it; x deletes it), and the selected line's HU profile. The
// values come from measure/measure, as `ctview measure`'s.
#include "ui/panels.h"

#include "measure/measure.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace ctview::ui {

namespace {
// A plot's place in the panel: the full width, room for the vertical scale's labels at the left and the
// horizontal one's below; its dark area from p0 to p1.
struct PlotArea {
    ImVec2 p0, p1;
    bool hovered = false;
    ImDrawList* dl = nullptr;
};
PlotArea plotArea(const char* id) {
    const float labelsLeft = verticalScaleWidth(), line = ImGui::GetTextLineHeight();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const ImVec2 outer(std::max(80.0f, ImGui::GetContentRegionAvail().x), 110.0f + line);
    ImGui::InvisibleButton(id, outer);
    PlotArea a;
    a.hovered = ImGui::IsItemHovered();
    a.dl = ImGui::GetWindowDrawList();
    a.p0 = ImVec2(at.x + labelsLeft, at.y + line / 2);
    a.p1 = ImVec2(at.x + outer.x - 8, at.y + outer.y - line - 4);
    a.dl->AddRectFilled(a.p0, a.p1, IM_COL32(25, 25, 28, 255));
    return a;
}

// A line's HU profile as a plot with its scales: HU up the left, mm from the line's first point along the
// bottom; hovering reads the value under the mouse.
void drawProfile(const Measurement& m) {
    const PlotArea area = plotArea("##profile");
    const ImVec2 p0 = area.p0, p1 = area.p1; // copies: lambdas below capture them
    const bool hovered = area.hovered;
    ImDrawList* dl = area.dl;
    const auto [lowest, highest] = std::minmax_element(m.profile.begin(), m.profile.end());
    double lo = *lowest, hi = *highest;
    const double pad = std::max(5.0, (hi - lo) * 0.05);
    lo -= pad;
    hi += pad;
    const double length = m.profileStepMm * double(m.profile.size() - 1);
    auto xOf = [&](double mm) { return p0.x + float(mm / std::max(length, 1e-9)) * (p1.x - p0.x); };
    auto yOf = [&](double hu) { return p1.y - float((hu - lo) / (hi - lo)) * (p1.y - p0.y); };
    for (std::size_t n = 0; n + 1 < m.profile.size(); ++n)
        dl->AddLine(ImVec2(xOf(double(n) * m.profileStepMm), yOf(m.profile[n])),
                    ImVec2(xOf(double(n + 1) * m.profileStepMm), yOf(m.profile[n + 1])),
                    IM_COL32(240, 240, 240, 255), 1.5f);
    drawVerticalScale(dl, p0.x, p0.y, p1.y, lo, hi);
    drawHorizontalScale(dl, p0.x, p1.x, p1.y, 0, length);
    dl->AddText(ImVec2(p0.x + 4, p0.y + 2), IM_COL32(175, 175, 185, 255), "HU");
    if (hovered && length > 0) {
        const double mm =
            std::clamp(double(ImGui::GetIO().MousePos.x - p0.x) / double(p1.x - p0.x), 0.0, 1.0) * length;
        const std::size_t n = std::min(m.profile.size() - 1, std::size_t(std::lround(mm / m.profileStepMm)));
        ImGui::SetTooltip("%.1f mm: %.0f HU", double(n) * m.profileStepMm, m.profile[n]);
    }
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    char caption[96];
    std::snprintf(caption, sizeof caption, "HU along the line (%.1f mm), mm from its first point",
                  m.lengthMm);
    wrappedText(caption);
    ImGui::PopStyleColor();
}
// The selected ROI's or point's value at every phase of a 4D series: a button that asks for it
// (Command::TimeCurve), then the curve, one dot per phase, labelled with what tells the phases apart.
void drawTimeCurve(const AppState& s, Commands& r) {
    const int selected = s.selectedAnnotation;
    if (s.scene.base->preview || s.scene.base->series.about.phase <= 0 || selected < 0 ||
        selected >= int(s.annotations.size()))
        return;
    const Annotation& a = s.annotations[std::size_t(selected)];
    if (a.type == AnnotationType::Line || a.type == AnnotationType::Angle)
        return;
    const AppState::TimeCurve& c = s.timeCurve;
    const bool mine = c.of == a;
    if (!mine || (!c.running && c.hu.empty())) {
        if (ImGui::SmallButton("Curve over phases"))
            r.push_back({Command::Kind::TimeCurve, "", selected});
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Its %s at every phase (a time-density curve; phases not kept are loaded)",
                              a.type == AnnotationType::Point ? "HU" : "mean HU");
        if (mine && !c.error.empty())
            wrappedText("No curve: " + c.error);
        return;
    }
    if (c.running) {
        ImGui::TextDisabled("Loading the phases...");
        return;
    }
    const PlotArea area = plotArea("##curve");
    const ImVec2 p0 = area.p0, p1 = area.p1; // copies: lambdas below capture them
    const bool hovered = area.hovered;
    ImDrawList* dl = area.dl;
    const auto [lowest, highest] = std::minmax_element(c.hu.begin(), c.hu.end());
    const double pad = std::max(5.0, double(*highest - *lowest) * 0.1);
    const double lo = *lowest - pad, hi = *highest + pad;
    const std::size_t n = c.hu.size();
    auto xOf = [&](std::size_t p) { return n < 2 ? p0.x : p0.x + float(p) / float(n - 1) * (p1.x - p0.x); };
    auto yOf = [&](double hu) { return p1.y - float((hu - lo) / (hi - lo)) * (p1.y - p0.y); };
    for (std::size_t p = 0; p < n; ++p) {
        if (p + 1 < n)
            dl->AddLine(ImVec2(xOf(p), yOf(c.hu[p])), ImVec2(xOf(p + 1), yOf(c.hu[p + 1])),
                        IM_COL32(255, 190, 120, 255), 1.5f);
        dl->AddCircleFilled(ImVec2(xOf(p), yOf(c.hu[p])), 3.0f, IM_COL32(255, 190, 120, 255));
    }
    drawVerticalScale(dl, p0.x, p0.y, p1.y, lo, hi);
    drawHorizontalScale(dl, p0.x, p1.x, p1.y, 1, double(n));
    dl->AddText(ImVec2(p0.x + 4, p0.y + 2), IM_COL32(175, 175, 185, 255),
                a.type == AnnotationType::Point ? "HU" : "mean HU");
    if (hovered && n > 0) {
        const float x = ImGui::GetIO().MousePos.x;
        const std::size_t p = std::min(
            n - 1,
            std::size_t(std::max(0.0f, (x - p0.x) / std::max(1.0f, p1.x - p0.x) * float(n - 1) + 0.5f)));
        ImGui::SetTooltip("phase %zu%s%s: %.1f HU", p + 1, p < c.when.size() ? ", " : "",
                          p < c.when.size() ? c.when[p].c_str() : "", double(c.hu[p]));
    }
}

} // namespace

void drawMeasurePanel(AppState& s, Commands& r) {
    // The crosshair, then every measuring tool of the table with its key, as many to a row as fit.
    if (ImGui::RadioButton("Crosshair", !s.tool))
        s.tool.reset();
    for (const MeasureTool& t : measureTools()) {
        const std::string label = std::string(t.label) + " (" + t.key + ")";
        sameLineIfFits(checkboxWidth(label.c_str())); // a radio button is as wide as a checkbox
        if (ImGui::RadioButton(label.c_str(), s.tool == t.type))
            s.tool = t.type;
    }
    if (!s.hasVolume())
        return;
    auto note = [](const char* text) { // greyed, wrapped at the panel's edge
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        wrappedText(text);
        ImGui::PopStyleColor();
    };
    if (s.annotations.empty()) {
        note("None yet: pick a tool and drag in a slice view");
        return;
    }
    if (s.annotationsSeries.empty())
        note("Not kept: this source has no SeriesInstanceUID");
    const Volume& v = s.scene.base->series.volume;
    int remove = -1;
    for (std::size_t n = 0; n < s.annotations.size(); ++n) {
        const Annotation& a = s.annotations[n];
        std::string text;
        try {
            text = s.scene.base->preview ? annotationName(n + 1, a.label) + ": measured once the series "
                                                                            "has loaded"
                                         : describeMeasurement(a, s.measured.get(v, a, "annotation"));
            if (!s.scene.base->preview &&
                touchesSlices(v.geometry(), a, s.scene.base->series.interpolatedSlices))
                text += kOnInterpolated;
            // A 4D series: the values are the phase's on show.
            if (const int phase = s.scene.base->series.about.phase; phase > 0)
                text += " (phase " + std::to_string(phase) + ")";
        } catch (const std::exception& e) {
            text = std::string(annotationTypeName(a.type)) + ": " + e.what();
        }
        ImGui::PushID(int(n));
        if (ImGui::SmallButton("x"))
            remove = int(n);
        ImGui::SameLine();
        // The whole value, wrapped to the panel's width (a selectable's label would be cut at the edge).
        const float wrap = std::max(40.0f, ImGui::GetContentRegionAvail().x);
        const std::string lines = wrapAtSpaces(text, wrap);
        const ImVec2 size = ImGui::CalcTextSize(lines.c_str());
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const bool clicked =
            ImGui::Selectable("##row", s.selectedAnnotation == int(n), 0, ImVec2(wrap, size.y));
        ImGui::GetWindowDrawList()->AddText(at, ImGui::GetColorU32(ImGuiCol_Text), lines.c_str());
        if (clicked && !a.points.empty()) {
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
    if (!s.scene.base->preview && s.selectedAnnotation >= 0 &&
        s.selectedAnnotation < int(s.annotations.size()) &&
        s.annotations[std::size_t(s.selectedAnnotation)].type == AnnotationType::Line) {
        try {
            const Measurement& m =
                s.measured.get(v, s.annotations[std::size_t(s.selectedAnnotation)], "line");
            if (m.profile.size() >= 2)
                drawProfile(m);
        } catch (const std::exception&) {
        }
    }
    drawTimeCurve(s, r);
    if (remove >= 0 && s.gesture.drawing < 0) {
        s.annotations.erase(s.annotations.begin() + remove);
        s.annotationsChanged = true;
        s.selectedAnnotation = -1;
    }
}

} // namespace ctview::ui
