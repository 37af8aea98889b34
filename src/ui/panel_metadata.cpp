// The "Metadata" section: what `ctview info` says about the series, warnings, and every tag, searchable.
#include "ui/panels.h"

#include "sources/metadata.h"

#include <algorithm>
#include <cctype>

namespace ctview::ui {

namespace {
bool containsNoCase(const std::string& text, const char* needle) {
    if (!*needle)
        return true;
    const std::string n(needle);
    auto it = std::search(text.begin(), text.end(), n.begin(), n.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != text.end();
}
} // namespace

void drawMetadataPanel(AppState& s) {
    if (!s.hasVolume()) {
        ImGui::TextDisabled("Nothing loaded");
        return;
    }
    Dataset& d = *s.scene.base;
    if (d.preview) {
        ImGui::TextDisabled("Loading...");
        return;
    }
    if (ImGui::BeginTable("summary", 2, ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, 95);
        ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
        for (const auto& [label, value] : d.summary) {
            if (value.empty())
                continue;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            if (label == "Warning")
                ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "%s", label.c_str());
            else
                ImGui::TextDisabled("%s", label.c_str());
            ImGui::TableNextColumn();
            wrappedText(value);
        }
        ImGui::EndTable();
    }
    if (!s.messages.empty() &&
        ImGui::TreeNode("messages", "Skipped files and problems (%zu)", s.messages.size())) {
        for (const std::string& m : s.messages)
            wrappedText(m);
        ImGui::TreePop();
    }
    const Provenance& about = d.series.about;
    if (!about.listTags)
        return;
    if (!ImGui::TreeNode("tags", "All tags of %s", about.source == "DICOM" ? "the first slice" : "the file"))
        return;
    if (!d.tagsLoaded) {
        // DICOM tags are read by GDCM in an isolated worker: a file that crashes it gives a message, not a
        // crash.
        try {
            d.tags = about.listTags();
        } catch (const std::exception& e) {
            d.tagsError = e.what();
        }
        d.tagsLoaded = true;
    }
    if (!d.tagsError.empty())
        ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", d.tagsError.c_str());
    static char filter[128] = "";
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##tagfilter", "search tags, names, values", filter, sizeof filter);
    // Tag and name at fixed widths (a long name is cut, in full in its tooltip), the value the rest of the
    // panel and at least 260 px: the table scrolls sideways for long values instead of squeezing the value
    // column away.
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_SizingFixedFit;
    const float tagWidth = ImGui::CalcTextSize("(0000,0000)").x + 8, nameWidth = 110;
    const float valueWidth = std::max(260.0f, ImGui::GetContentRegionAvail().x - tagWidth - nameWidth -
                                                  4 * ImGui::GetStyle().CellPadding.x - 16);
    if (ImGui::BeginTable("tags", 3, flags, ImVec2(0, 320))) {
        ImGui::TableSetupScrollFreeze(1, 1);
        ImGui::TableSetupColumn("tag", ImGuiTableColumnFlags_WidthFixed, tagWidth);
        ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthFixed, nameWidth);
        ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthFixed, valueWidth);
        ImGui::TableHeadersRow();
        for (const TagEntry& t : d.tags) {
            if (!containsNoCase(t.tag, filter) && !containsNoCase(t.name, filter) &&
                !containsNoCase(t.value, filter))
                continue;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%*s%s", t.depth * 2, "", t.tag.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(t.name.c_str());
            if (ImGui::IsItemHovered() && ImGui::CalcTextSize(t.name.c_str()).x > nameWidth)
                ImGui::SetTooltip("%s", t.name.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(t.value.c_str());
            if (ImGui::IsItemHovered() && t.value.size() > 40)
                ImGui::SetTooltip("%s", t.value.c_str());
        }
        ImGui::EndTable();
    }
    ImGui::TreePop();
}

} // namespace ctview::ui
