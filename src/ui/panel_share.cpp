// "Share": the open series and its DICOM segmentations, de-identified into the export folder ("Save
// anonymised copy") or sent to a saved PACS node ("Send"), as `ctview anonymize` and `ctview send` do
// (app::ShareJob runs them; a toast says how it went).
#include "ui/panels.h"

#include <algorithm>

namespace ctview::ui {

void drawSharePanel(AppState& s, Commands& r) {
    const bool dicom = s.hasVolume() && !s.scene.base->series.about.files.empty();
    if (!dicom) {
        ImGui::TextDisabled("the open series is not DICOM files");
        return;
    }
    ImGui::Checkbox("Keep dates", &s.share.keepDates);
    ImGui::SameLine();
    ImGui::Checkbox("Keep descriptions", &s.share.keepDescriptions);
    ImGui::BeginDisabled(s.share.active || s.scene.base->preview);
    if (ImGui::Button("Save anonymised copy"))
        r.push_back({Command::Kind::ShareCopy});
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("A de-identified copy (PS3.15 Basic Profile) of the series and its DICOM "
                          "segmentations, in a new folder of %s",
                          s.exportDir.string().c_str());
    const auto& nodes = s.prefs.pacsServers;
    if (nodes.empty()) {
        ImGui::TextDisabled("Send: save a PACS node in the PACS dialog first");
    } else {
        s.share.node = std::clamp(s.share.node, 0, int(nodes.size()) - 1);
        ImGui::SetNextItemWidth(std::max(80.0f, ImGui::GetContentRegionAvail().x - 60));
        if (ImGui::BeginCombo("##node", s.prefs.pacsLabel(nodes[std::size_t(s.share.node)]).c_str())) {
            for (std::size_t n = 0; n < nodes.size(); ++n)
                if (ImGui::Selectable(s.prefs.pacsLabel(nodes[n]).c_str(), int(n) == s.share.node))
                    s.share.node = int(n);
            ImGui::EndCombo();
        }
        ImGui::SameLine();
        if (ImGui::Button("Send"))
            r.push_back({Command::Kind::ShareSend, nodes[std::size_t(s.share.node)]});
        ImGui::Checkbox("Send an anonymised copy", &s.share.anonymise);
    }
    ImGui::EndDisabled();
    if (s.share.active)
        ImGui::TextDisabled("sharing ...");
}

} // namespace ctview::ui
