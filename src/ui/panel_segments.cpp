// The Segments panel: the label layers of the scene (viewer::Scene::labels), each with its fill, outline and
// opacity, and one row per segment: its colour, whether it shows, its name, volume and HU (measured when the
// layer was opened: LabelLayer::stats). Clicking a name goes to the segment.
#include "base/text.h"
#include "ui/panels.h"

#include <algorithm>

namespace ctview::ui {

namespace {

void drawLayerControls(viewer::LabelLayerView& view) {
    ImGui::Checkbox("Shown", &view.shown);
    ImGui::SameLine();
    ImGui::Checkbox("Fill", &view.fill);
    ImGui::SameLine();
    ImGui::Checkbox("Outline", &view.outline);
    ImGui::SameLine();
    ImGui::Checkbox("3D", &view.in3d);
    ImGui::SetNextItemWidth(160);
    ImGui::SliderFloat("Opacity", &view.opacity, 0.0f, 1.0f, "%.2f");
    ImGui::SameLine();
    if (ImGui::SmallButton("All"))
        std::fill(view.visible.begin(), view.visible.end(), char(1));
    ImGui::SameLine();
    if (ImGui::SmallButton("None"))
        std::fill(view.visible.begin(), view.visible.end(), char(0));
}

// One row per segment; returns the segment whose name was clicked, or -1.
int drawSegmentTable(viewer::LabelLayerView& view) {
    const LabelLayer& layer = *view.layer;
    int clicked = -1;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    // Rows hold a checkbox: a frame's height and the table's cell padding each.
    const float rowHeight = ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().CellPadding.y;
    const float height = (std::min(12.0f, float(layer.segments.size())) + 1.0f) * rowHeight + 4;
    if (!ImGui::BeginTable("segments", 4, flags, ImVec2(0, height)))
        return clicked;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("mL", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("HU", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper; // 117 segments of a TotalSegmentator result: only the rows on screen
    clipper.Begin(int(layer.segments.size()));
    while (clipper.Step())
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const Segment& seg = layer.segments[std::size_t(i)];
            ImGui::PushID(i);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            bool visible = std::size_t(i) < view.visible.size() && view.visible[std::size_t(i)];
            ImGui::PushStyleColor(ImGuiCol_CheckMark, ImVec4(seg.color.r, seg.color.g, seg.color.b, 1.0f));
            ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(seg.color.r * 0.35f, seg.color.g * 0.35f,
                                                           seg.color.b * 0.35f, 1.0f));
            if (ImGui::Checkbox("##shown", &visible) && std::size_t(i) < view.visible.size())
                view.visible[std::size_t(i)] = visible;
            ImGui::PopStyleColor(2);
            ImGui::TableNextColumn();
            if (selectableText(i, seg.name, false, ImGuiSelectableFlags_SpanAllColumns))
                clicked = i;
            const SegmentStats* st =
                std::size_t(i) < layer.stats.size() ? &layer.stats[std::size_t(i)] : nullptr;
            ImGui::TableNextColumn();
            if (st)
                ImGui::TextUnformatted(format("%.2f", st->volumeMl).c_str());
            ImGui::TableNextColumn();
            if (st && st->voxels > 0)
                ImGui::TextUnformatted(format("%.0f \xc2\xb1 %.0f", st->mean, st->sd).c_str());
            else if (st)
                ImGui::TextDisabled("empty");
            ImGui::PopID();
        }
    ImGui::EndTable();
    return clicked;
}

} // namespace

void drawSegmentsPanel(AppState& s) {
    for (std::size_t n = 0; n < s.scene.labels.size(); ++n) {
        viewer::LabelLayerView& view = s.scene.labels[n];
        const LabelLayer& layer = *view.layer;
        ImGui::PushID(int(n));
        ImGui::TextUnformatted(format("%s (%s, %zu segment%s)", layer.name.c_str(), layer.kind.c_str(),
                                      layer.segments.size(), layer.segments.size() == 1 ? "" : "s")
                                   .c_str());
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", layer.path.c_str());
        // What the load said of it (names from a table, resampled, what was left out), under its name.
        ImGui::PushTextWrapPos(0.0f);
        for (const std::string& note : layer.notes)
            ImGui::TextDisabled("%s", note.c_str());
        for (const std::string& problem : layer.problems)
            ImGui::TextColored(ImVec4(1.0f, 0.7f, 0.3f, 1.0f), "%s", problem.c_str());
        ImGui::PopTextWrapPos();
        drawLayerControls(view);
        const int clicked = drawSegmentTable(view);
        if (clicked >= 0)
            viewer::goToSegment(s, n, std::size_t(clicked));
        ImGui::PopID();
        ImGui::Spacing();
    }
}

} // namespace ctview::ui
