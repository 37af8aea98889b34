// The "Series" section: every series the source offers; clicking one loads it.
#include "ui/panels.h"

#include <cstdio>

namespace ctview::ui {

void drawSeriesPanel(AppState& s, Commands& r) {
    if (!s.data || !s.data->source) {
        ImGui::TextDisabled("Nothing open");
        return;
    }
    const SeriesSource& source = *s.data->source;
    ImGui::TextWrapped("%s", source.summary().c_str());
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("series", 4, flags)) return;
    ImGui::TableSetupColumn("#");
    ImGui::TableSetupColumn("description", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("slices");
    ImGui::TableSetupColumn("size");
    ImGui::TableHeadersRow();
    const int current = s.data->series.about.listing.number;
    for (const SeriesListing& info : source.series()) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        char label[32];
        if (info.seriesNumber > 0) std::snprintf(label, sizeof label, "%d##series%d", info.seriesNumber, info.number);
        else std::snprintf(label, sizeof label, "-##series%d", info.number); // a volume file has no SeriesNumber
        if (ImGui::Selectable(label, info.number == current, ImGuiSelectableFlags_SpanAllColumns) &&
            info.number != current && !s.load.active)
            r.push_back({Command::Kind::LoadSeries, "", info.number});
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s %s\n%s%s", info.modality.c_str(), info.description.c_str(), info.uid.c_str(),
                              info.note.empty() ? "" : ("\n" + info.note).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(info.description.empty() ? "(no description)" : info.description.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%zu", info.slices);
        ImGui::TableNextColumn();
        if (info.columns > 0) ImGui::Text("%dx%d", info.columns, info.rows);
        else ImGui::TextDisabled("-"); // a DICOMweb listing knows the size once the series is loaded
    }
    ImGui::EndTable();
}

} // namespace ctview::ui
