// F1: every key and mouse action, from the same table the input handling documents. Also what every dialog
// shares: its placement, and rows that show a path or name verbatim.
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
    ImGui::SetNextWindowBgAlpha(1.0f); // opaque: a dialog's text over a CT slice is unreadable
}

void errorText(const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.45f, 0.45f, 1));
    wrappedText(text);
    ImGui::PopStyleColor();
}

std::string wrapAtSpaces(const std::string& text, float width) {
    std::string out;
    float line = 0; // width of the current output line so far
    const float space = ImGui::CalcTextSize(" ").x;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '\n') {
            out += '\n';
            line = 0;
            ++i;
            continue;
        }
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        const std::size_t end = std::min(text.find_first_of(" \n", i), text.size());
        std::string word = text.substr(i, end - i);
        i = end;
        const float w = ImGui::CalcTextSize(word.c_str()).x;
        if (line > 0 && line + space + w <= width) {
            out += ' ';
            out += word;
            line += space + w;
            continue;
        }
        if (line > 0)
            out += '\n';
        // A word wider than the line: broken at the character that passes it.
        while (ImGui::CalcTextSize(word.c_str()).x > width && word.size() > 1) {
            // Whole characters: a UTF-8 sequence's continuation bytes (10xxxxxx) stay with its first.
            auto next = [&](std::size_t at) {
                do
                    ++at;
                while (at < word.size() && (static_cast<unsigned char>(word[at]) & 0xC0) == 0x80);
                return at;
            };
            std::size_t fit = next(0);
            while (fit < word.size() &&
                   ImGui::CalcTextSize(word.c_str(), word.c_str() + next(fit)).x <= width)
                fit = next(fit);
            out += word.substr(0, fit) + '\n';
            word.erase(0, fit);
        }
        out += word;
        line = ImGui::CalcTextSize(word.c_str()).x;
    }
    return out;
}

void sameLineIfFits(float width) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + style.ItemSpacing.x + width <= right)
        ImGui::SameLine();
}

float buttonWidth(const char* label) {
    return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

float checkboxWidth(const char* label) {
    return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
           ImGui::CalcTextSize(label, nullptr, true).x;
}

void wrappedText(const std::string& text) {
    ImGui::TextUnformatted(wrapAtSpaces(text, std::max(40.0f, ImGui::GetContentRegionAvail().x)).c_str());
}

std::string elideFront(const std::string& text, float width) {
    if (ImGui::CalcTextSize(text.c_str()).x <= width)
        return text;
    // The longest tail that fits, by bisection (a tail's width only shrinks as its start moves right).
    const float room = width - ImGui::CalcTextSize("...").x;
    std::size_t lo = 0, hi = text.size(); // text[hi..] fits, text[lo..] does not
    while (hi - lo > 1) {
        const std::size_t mid = lo + (hi - lo) / 2;
        (ImGui::CalcTextSize(text.c_str() + mid).x <= room ? hi : lo) = mid;
    }
    std::size_t from = hi;
    // Not inside a UTF-8 sequence: continuation bytes are 10xxxxxx.
    while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80)
        from += 1;
    return "..." + text.substr(from);
}

bool selectableText(int id, const std::string& text, bool selected, ImGuiSelectableFlags flags,
                    bool disabled) {
    ImGui::PushID(id);
    if (disabled)
        flags |= ImGuiSelectableFlags_Disabled;
    const float width = ImGui::GetContentRegionAvail().x;
    const ImVec2 at = ImGui::GetCursorScreenPos(); // where ImGui draws a label (the item rect is padded)
    const bool clicked = ImGui::Selectable("##row", selected, flags, ImVec2(0, ImGui::GetTextLineHeight()));
    const std::string shown = elideFront(text, width);
    ImGui::GetWindowDrawList()->AddText(at,
                                        ImGui::GetColorU32(disabled ? ImGuiCol_TextDisabled : ImGuiCol_Text),
                                        shown.data(), shown.data() + shown.size());
    if (shown != text && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", text.c_str());
    ImGui::PopID();
    return clicked;
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
