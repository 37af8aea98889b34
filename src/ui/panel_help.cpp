// F1: every key and mouse action, from the same table the input handling documents. Also the placement every
// dialog shares.
#include "ui/panels.h"

#include <algorithm>

namespace ctview::ui {

void placeDialog(ImVec2 size, ImGuiCond cond) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float margin = 16.0f;
    const ImVec2 most(std::max(200.0f, vp->Size.x - 2 * margin), std::max(150.0f, vp->Size.y - 2 * margin));
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2), cond,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(size.x, most.x), std::min(size.y, most.y)), cond);
    ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), most);
}

void drawHelp(AppState& s, const std::vector<std::pair<const char*, const char*>>& controls) {
    if (!s.panels.help)
        return;
    const ImGuiStyle& style = ImGui::GetStyle();
    // As wide as the longest row, but never wider than the window (the actions wrap instead of being cut at
    // its edge); as tall as the rows, scrolling when the window is shorter.
    float inputWidth = 0, actionWidth = 0;
    for (const auto& [input, action] : controls) {
        inputWidth = std::max(inputWidth, ImGui::CalcTextSize(input).x);
        actionWidth = std::max(actionWidth, ImGui::CalcTextSize(action).x);
    }
    const float natural =
        inputWidth + actionWidth + 4 * style.CellPadding.x + 2 * style.WindowPadding.x + style.ScrollbarSize;
    placeDialog(ImVec2(natural, 0.0f), ImGuiCond_Always); // 0: the height fits the rows
    ImGui::SetNextWindowBgAlpha(0.95f);
    ImGui::Begin("Keys and mouse (F1 or Esc to close)", &s.panels.help,
                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                     ImGuiWindowFlags_NoSavedSettings);
    if (ImGui::BeginTable("controls", 2, ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("input", ImGuiTableColumnFlags_WidthFixed, inputWidth);
        ImGui::TableSetupColumn("action", ImGuiTableColumnFlags_WidthStretch);
        for (const auto& [input, action] : controls) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextColored(ImVec4(0.6f, 0.8f, 1, 1), "%s", input);
            ImGui::TableNextColumn();
            ImGui::PushTextWrapPos(0.0f); // the column's right edge
            ImGui::TextUnformatted(action);
            ImGui::PopTextWrapPos();
        }
        ImGui::EndTable();
    }
    ImGui::End();
}

} // namespace ctview::ui
