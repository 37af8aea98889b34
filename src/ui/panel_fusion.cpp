// The Second series section: the series fused over the open one or shown beside it (the scene's image layer),
// how the two are linked, and how it is drawn: overlay with an opacity, checkerboard, the difference, or side
// by side; its colour map and window (side by side: its own or the open series').
#include "ui/panels.h"

#include "viewer/fusion.h"

#include "volume/colormap.h"

#include <imgui.h>

#include <string>

namespace ctview::ui {

namespace {

// The fused series in a line: its description, else the input's name.
std::string fusedName(const viewer::ImageLayerView& layer) {
    const Provenance& about = layer.series->series.about;
    const std::string description = about.field("SeriesDescription");
    const std::string number =
        about.listing.seriesNumber > 0 ? "series " + std::to_string(about.listing.seriesNumber) : "";
    if (!description.empty())
        return description + (number.empty() ? "" : " (" + number + ")");
    return about.location + (number.empty() ? "" : ", " + number);
}

void drawWindowControls(WindowLevel& wl) {
    float width = float(wl.width), level = float(wl.center);
    if (ImGui::DragFloat("Width##fusion", &width, 2.0f, 1.0f, 20000.0f, "%.0f HU"))
        wl.width = width;
    if (ImGui::DragFloat("Level##fusion", &level, 1.0f, -4000.0f, 4000.0f, "%.0f HU"))
        wl.center = level;
}

void removeButton(AppState& s) {
    if (ImGui::Button("Remove##fusion"))
        s.scene.images.clear();
}

} // namespace

void drawFusionPanel(AppState& s, Commands& r) {
    viewer::ImageLayerView& layer = s.scene.images.front();
    wrappedText(fusedName(layer));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    wrappedText("Linked by " + layer.link);
    ImGui::PopStyleColor();
    if (ImGui::Button("Register##fusion"))
        r.push_back({Command::Kind::Register});
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Find the rotation and shift that bring it onto this series, from the images\n"
                          "(rigid, coarse to fine; from where it is now)");
    ImGui::Checkbox("Show##fusion", &layer.shown);
    int mode = int(layer.mode);
    // In FusionMode's order.
    static const char* const kModes[] = {"Overlay", "Checkerboard", "Difference", "Side by side"};
    if (ImGui::Combo("Mode##fusion", &mode, kModes, 4))
        viewer::setFusionMode(layer, viewer::FusionMode(mode));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Overlay: its colours over this series at the opacity\n"
                          "Checkerboard: squares of each, to check the alignment\n"
                          "Difference: it minus this series, in HU (post- minus pre-contrast)\n"
                          "Side by side: in views of its own on the right, the same planes");
    switch (layer.mode) {
    case viewer::FusionMode::Overlay:
        ImGui::SliderFloat("Opacity##fusion", &layer.opacity, 0.0f, 1.0f, "%.2f");
        break;
    case viewer::FusionMode::Checkerboard: {
        float side = float(layer.checkerMm);
        if (ImGui::SliderFloat("Squares##fusion", &side, 2.0f, 100.0f, "%.0f mm"))
            layer.checkerMm = side;
        break;
    }
    case viewer::FusionMode::Difference:
        break;
    case viewer::FusionMode::SideBySide: {
        // "Align here": a landmark clicked on each side (viewer/input.cpp alignClick).
        viewer::Gestures::Align& align = s.gesture.align;
        if (align.step == 0) {
            if (ImGui::Button("Align here##fusion"))
                align.step = 1;
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip(
                    "Click a landmark in the left views, then the same landmark in the right ones:\n"
                    "the series on the right moves by the difference");
        } else {
            ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.45f, 1.0f), "%s",
                               align.step == 1 ? "Click a landmark in the left views"
                                               : "Now the same landmark in the right views");
            if (ImGui::Button("Cancel##align"))
                align.step = 0;
        }
        ImGui::Checkbox("Window and colours of this series##fusion", &layer.linkLook);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("On: both sides take the View section's window and colour map\n"
                              "Off: its own below (a right drag in its views sets its window)");
        if (layer.linkLook)
            return removeButton(s);
        break;
    }
    }
    if (ImGui::BeginCombo("Colormap##fusion", layer.colormap.c_str())) {
        for (const std::string& name : colormapNames())
            if (ImGui::Selectable(name.c_str(), name == layer.colormap))
                layer.colormap = name;
        ImGui::EndCombo();
    }
    drawWindowControls(layer.mode == viewer::FusionMode::Difference ? layer.difference : layer.window);
    removeButton(s);
}

} // namespace ctview::ui
