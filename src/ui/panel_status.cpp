// Loading progress, the last load's error, and toasts: drawn over the view area.
#include "ui/panels.h"

#include <algorithm>
#include <cstdio>

namespace ctview::ui {

void drawStatus(AppState& s, RenderFeedback& feedback, double now) {
    const Rect& a = s.viewArea;
    const ImGuiWindowFlags boxFlags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                      ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_AlwaysAutoResize |
                                      ImGuiWindowFlags_NoSavedSettings;
    if (s.load.active) {
        // Centred until the first slices show; then out of their way, at the bottom.
        const bool slicesShown = s.hasVolume() && s.scene.base->preview;
        ImGui::SetNextWindowPos(ImVec2(a.x + a.w / 2, slicesShown ? a.y + a.h - 10 : a.y + a.h / 2),
                                ImGuiCond_Always, ImVec2(0.5f, slicesShown ? 1.0f : 0.5f));
        ImGui::SetNextWindowSize(ImVec2(std::min(520.0f, a.w - 20), 0));
        ImGui::Begin("Opening", nullptr, boxFlags);
        wrappedText(s.load.input);
        const float fraction = s.load.total ? float(s.load.done) / float(s.load.total) : 0.0f;
        char text[96];
        std::snprintf(text, sizeof text, "%s %zu / %zu", s.load.stage.c_str(), s.load.done, s.load.total);
        ImGui::ProgressBar(fraction, ImVec2(-1, 0), text);
        ImGui::End();
    } else if (!s.load.error.empty()) {
        ImGui::SetNextWindowPos(ImVec2(a.x + a.w / 2, a.y + a.h / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
        ImGui::SetNextWindowSize(ImVec2(std::min(560.0f, a.w - 20), 0));
        ImGui::Begin("Could not open", nullptr, boxFlags);
        ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%s", s.load.input.c_str());
        wrappedText(s.load.error);
        if (ImGui::Button("Open another folder..."))
            s.panels.open = true;
        ImGui::SameLine();
        if (ImGui::Button("Dismiss"))
            s.load.error.clear();
        ImGui::End();
    } else if (!s.scene.base) {
        ImGui::SetNextWindowPos(ImVec2(a.x + a.w / 2, a.y + a.h / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
        ImGui::Begin("Welcome", nullptr, boxFlags);
        ImGui::TextUnformatted("Drop a DICOM folder or file here, or");
        if (ImGui::Button("Open... (Ctrl+O)"))
            s.panels.open = true;
        ImGui::End();
    }
    // The load's problems, where the user looks: over the views, until dismissed (the details in Metadata).
    if (s.hasVolume() && !s.scene.base->preview && !s.loadBannerDismissed) {
        const std::vector<std::string> problems = loadProblems(s.scene.base->series);
        if (!problems.empty()) {
            // Under the views' top lines (slice number, its note, the orientation letter), above the image.
            ImGui::SetNextWindowPos(ImVec2(a.x + a.w / 2, a.y + 3.5f * ImGui::GetTextLineHeightWithSpacing()),
                                    ImGuiCond_Always, ImVec2(0.5f, 0));
            ImGui::SetNextWindowBgAlpha(0.9f);
            ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(std::max(200.0f, a.w - 40), a.h));
            ImGui::Begin("##loadproblems", nullptr,
                         boxFlags | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoFocusOnAppearing);
            std::string line;
            for (const std::string& p : problems)
                line += (line.empty() ? "" : "; ") + p;
            ImGui::PushTextWrapPos(std::max(200.0f, a.w - 60));
            ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "%s", line.c_str());
            if (ImGui::SmallButton(s.loadBannerDetails ? "less" : "details"))
                s.loadBannerDetails = !s.loadBannerDetails;
            ImGui::SameLine();
            if (ImGui::SmallButton("dismiss"))
                s.loadBannerDismissed = true;
            if (s.loadBannerDetails) {
                // Every warning of the load, here where the user looks; the skipped files stay in Metadata.
                constexpr std::size_t kShown = 12;
                const std::vector<std::string>& warnings = s.scene.base->series.warnings;
                for (std::size_t n = 0; n < std::min(kShown, warnings.size()); ++n) {
                    ImGui::Bullet(); // BulletText would not wrap
                    ImGui::SameLine();
                    ImGui::TextUnformatted(warnings[n].c_str());
                }
                if (warnings.size() > kShown)
                    ImGui::TextDisabled("%zu more: Metadata -> Skipped files and problems",
                                        warnings.size() - kShown);
            }
            ImGui::PopTextWrapPos();
            ImGui::End();
        }
    }
    if (!feedback.shaderError.empty()) {
        ImGui::SetNextWindowPos(ImVec2(a.x + 10, a.y + 10), ImGuiCond_Always);
        ImGui::Begin("Shader error (the last good program is in use)", nullptr, boxFlags);
        ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%s", feedback.shaderError.c_str());
        if (ImGui::Button("Dismiss"))
            feedback.shaderError.clear();
        ImGui::End();
    }

    // Toasts, newest at the bottom-right corner, until they expire.
    while (!s.toasts.empty() && s.toasts.front().expires <= now)
        s.toasts.pop_front();
    float y = a.y + a.h - 10;
    for (int n = int(s.toasts.size()) - 1; n >= 0; --n) {
        const Toast& t = s.toasts[std::size_t(n)];
        char id[32];
        std::snprintf(id, sizeof id, "##toast%d", n);
        ImGui::SetNextWindowPos(ImVec2(a.x + a.w - 10, y), ImGuiCond_Always, ImVec2(1, 1));
        ImGui::SetNextWindowBgAlpha(0.85f);
        // At most the view area's width (less a margin): long lines, paths too, wrap instead of leaving the
        // window.
        const float maxWidth = std::max(120.0f, std::min(620.0f, a.w - 20));
        ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(maxWidth, a.h));
        ImGui::Begin(id, nullptr,
                     boxFlags | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoFocusOnAppearing |
                         ImGuiWindowFlags_NoInputs);
        const float textWidth = ImGui::CalcTextSize(t.text.c_str()).x;
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() +
                               std::min(textWidth, maxWidth - 2 * ImGui::GetStyle().WindowPadding.x));
        if (t.error)
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.45f, 0.45f, 1));
        ImGui::TextUnformatted(t.text.c_str());
        if (t.error)
            ImGui::PopStyleColor();
        ImGui::PopTextWrapPos();
        y -= ImGui::GetWindowHeight() + 6;
        ImGui::End();
    }
}

} // namespace ctview::ui
