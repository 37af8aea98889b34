// Scales along the panels' plots: the transfer-function editor's HU axis, the line profile's HU and mm axes.
// Ticks at round values (1, 2 or 5 times a power of ten), as many as the room allows without labels touching.
#include "ui/panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ctview::ui {

double tickStep(double span, int most) {
    const double raw = span / std::max(1, most);
    const double decade = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * decade >= raw)
            return m * decade;
    return 10 * decade;
}

namespace {
constexpr ImU32 kTick = IM_COL32(150, 150, 160, 255);
constexpr ImU32 kLabel = IM_COL32(175, 175, 185, 255);
} // namespace

void drawHorizontalScale(ImDrawList* dl, float x0, float x1, float y, double lo, double hi) {
    if (!(hi > lo) || x1 <= x0)
        return;
    // Room for a label like "-1000" and a gap: at most that many ticks.
    const float labelWidth = ImGui::CalcTextSize("-0000").x + 8;
    const double step = tickStep(hi - lo, int((x1 - x0) / labelWidth));
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
        const float x = x0 + float((v - lo) / (hi - lo)) * (x1 - x0);
        dl->AddLine(ImVec2(x, y), ImVec2(x, y + 3), kTick);
        char text[32];
        std::snprintf(text, sizeof text, "%g", std::abs(v) < 1e-9 * step ? 0.0 : v);
        const float w = ImGui::CalcTextSize(text).x;
        // Kept whole inside the scale: the end labels move in rather than hang over.
        const float left = std::clamp(x - w / 2, x0, x1 - w);
        dl->AddText(ImVec2(left, y + 3), kLabel, text);
    }
}

float verticalScaleWidth() {
    return ImGui::CalcTextSize("-00000").x + 6;
}

void drawVerticalScale(ImDrawList* dl, float x, float y0, float y1, double lo, double hi) {
    if (!(hi > lo) || y1 <= y0)
        return;
    const float line = ImGui::GetTextLineHeight();
    const double step = tickStep(hi - lo, std::max(1, int((y1 - y0) / (line * 1.6f))));
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
        const float y = y1 - float((v - lo) / (hi - lo)) * (y1 - y0);
        dl->AddLine(ImVec2(x - 3, y), ImVec2(x, y), kTick);
        char text[32];
        std::snprintf(text, sizeof text, "%g", std::abs(v) < 1e-9 * step ? 0.0 : v);
        const ImVec2 size = ImGui::CalcTextSize(text);
        const float top = std::clamp(y - size.y / 2, y0, y1 - size.y);
        dl->AddText(ImVec2(x - 4 - size.x, top), kLabel, text);
    }
}

} // namespace ctview::ui
