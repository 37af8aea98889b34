// The "Series" section: every series the source offers, with its patient, study date and modality (a folder
// may hold several patients), sortable by a click on a header; clicking a row loads it.
#include "ui/panels.h"

#include <algorithm>
#include <cstdio>

namespace ctview::ui {

std::vector<int> seriesRowOrder(const std::vector<SeriesListing>& rows, const std::string& column,
                                bool ascending) {
    std::vector<int> order(rows.size());
    for (std::size_t n = 0; n < rows.size(); ++n)
        order[n] = int(n);
    auto key = [&](const SeriesListing& l) -> std::string {
        char num[32];
        if (column == "patient")
            return l.patientName;
        if (column == "date")
            return l.studyDate;
        if (column == "mod")
            return l.modality;
        if (column == "description")
            return l.description;
        std::snprintf(num, sizeof num, "%012zu", column == "slices" ? l.slices : std::size_t(l.seriesNumber));
        return num;
    };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const std::string ka = key(rows[std::size_t(a)]), kb = key(rows[std::size_t(b)]);
        return ascending ? ka < kb : kb < ka;
    });
    return order;
}

void drawSeriesPanel(AppState& s, Commands& r) {
    if (!s.scene.base || !s.scene.base->source) {
        ImGui::TextDisabled("Nothing open");
        return;
    }
    const SeriesSource& source = *s.scene.base->source;
    wrappedText(source.summary());
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Sortable |
                                  ImGuiTableFlags_ScrollX;
    const std::vector<SeriesListing>& rows = source.series();
    const float height = std::min(220.0f, ImGui::GetFrameHeightWithSpacing() * float(rows.size() + 2));
    if (!ImGui::BeginTable("series", 7, flags, ImVec2(0, height)))
        return;
    static const char* const kColumns[] = {"#", "patient", "date", "mod", "description", "slices", "size"};
    for (const char* c : kColumns)
        ImGui::TableSetupColumn(c, c[0] == '#' ? ImGuiTableColumnFlags_DefaultSort : 0);
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableHeadersRow();
    // The order the user asked for (a click on a header), else the listing's.
    static std::string sortColumn = "#";
    static bool ascending = true;
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
        sortColumn = kColumns[specs->Specs[0].ColumnIndex];
        ascending = specs->Specs[0].SortDirection != ImGuiSortDirection_Descending;
    }
    const int current = s.scene.base->series.about.listing.number;
    for (int index : seriesRowOrder(rows, sortColumn, ascending)) {
        const SeriesListing& info = rows[std::size_t(index)];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        char label[32];
        if (info.seriesNumber > 0)
            std::snprintf(label, sizeof label, "%d##series%d", info.seriesNumber, info.number);
        else
            std::snprintf(label, sizeof label, "-##series%d",
                          info.number); // a volume file has no SeriesNumber
        if (ImGui::Selectable(label, info.number == current, ImGuiSelectableFlags_SpanAllColumns) &&
            info.number != current && !s.load.active)
            r.push_back({Command::Kind::LoadSeries, "", info.number});
        // Right-click: this series over the one open (fusion), resampled onto its grid.
        if (info.number != current && ImGui::BeginPopupContextItem()) {
            if (ImGui::MenuItem("Compare side by side"))
                r.push_back({Command::Kind::Compare, s.scene.base->series.about.location, info.number});
            if (ImGui::MenuItem("Fuse over the open series"))
                r.push_back({Command::Kind::Fuse, s.scene.base->series.about.location, info.number});
            ImGui::EndPopup();
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s %s\n%s\n%s%s", info.patientName.c_str(), info.studyDate.c_str(),
                              info.description.c_str(), info.uid.c_str(),
                              info.note.empty() ? "" : ("\n" + info.note).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(info.patientName.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(info.studyDate.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(info.modality.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(info.description.empty() ? "(no description)" : info.description.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%zu", info.slices);
        ImGui::TableNextColumn();
        if (info.columns > 0)
            ImGui::Text("%dx%d", info.columns, info.rows);
        else
            ImGui::TextDisabled("-"); // a DICOMweb listing knows the size once the series is loaded
    }
    ImGui::EndTable();
}

} // namespace ctview::ui
