// The segment editor's section (viewer/segment_editor.h): the segment being edited (or a new one), a tool —
// Threshold (a HU range shown over the slices while it is dragged, then Apply), Islands (a click in a slice
// view keeps the part under it; keep the largest; remove the small ones), Margin (grow, shrink, fill holes,
// remove thin parts by mm) or Scissors (a shape dragged over the 3D view cuts through the depth) — undo, redo
// and save.
#include "base/text.h"
#include "ui/panels.h"

#include <algorithm>

namespace ctview::ui {

namespace {

// "Layer: segment" for each segment of every layer, in the scene's order.
void drawSegmentChoice(AppState& s) {
    viewer::SegmentEditor& e = s.editor;
    std::string current = "(none)";
    if (e.editing() && std::size_t(e.layer) < s.scene.labels.size()) {
        const LabelLayer& l = *s.scene.labels[std::size_t(e.layer)].layer;
        if (std::size_t(e.segment) < l.segments.size())
            current = l.segments[std::size_t(e.segment)].name + " (" + l.name + ")";
    }
    if (!ImGui::BeginCombo("Segment", current.c_str()))
        return;
    for (std::size_t n = 0; n < s.scene.labels.size(); ++n) {
        const LabelLayer& l = *s.scene.labels[n].layer;
        for (std::size_t i = 0; i < l.segments.size(); ++i) {
            ImGui::PushID(int(n * 100000 + i));
            const bool chosen = e.layer == int(n) && e.segment == int(i);
            if (ImGui::Selectable((l.segments[i].name + " (" + l.name + ")").c_str(), chosen))
                viewer::selectSegment(s, int(n), int(i));
            ImGui::PopID();
        }
    }
    ImGui::EndCombo();
}

void drawThresholdTool(AppState& s) {
    viewer::SegmentEditor& e = s.editor;
    const float lo = s.scene.base->series.minHU, hi = s.scene.base->series.maxHU;
    ImGui::DragFloatRange2("HU", &e.lo, &e.hi, 1.0f, std::min(lo, -1024.0f), std::max(hi, 3071.0f), "%.0f",
                           "%.0f", ImGuiSliderFlags_AlwaysClamp);
    for (const viewer::ThresholdPreset& p : viewer::thresholdPresets()) {
        sameLineIfFits(buttonWidth(p.name));
        if (ImGui::SmallButton(p.name)) {
            e.lo = p.lo;
            e.hi = p.hi;
        }
    }
    if (ImGui::Button("Apply"))
        viewer::applyThreshold(s);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "Or click in a slice view: the range's voxels connected to the click join the segment");
    ImGui::SameLine();
    ImGui::TextDisabled("%s", s.view3d.cropMin != glm::dvec3(0) || s.view3d.cropMax != glm::dvec3(1)
                                  ? "within the crop box"
                                  : "to the whole series");
}

void drawIslandsTool(AppState& s) {
    viewer::SegmentEditor& e = s.editor;
    ImGui::RadioButton("faces (6)", &e.connectivity, 6);
    ImGui::SameLine();
    ImGui::RadioButton("and corners (26)", &e.connectivity, 26);
    wrappedText("Click a part in a slice view to keep it alone.");
    if (ImGui::Button("Keep the largest part"))
        viewer::keepLargestIsland(s);
    sameLineIfFits(buttonWidth("Split"));
    if (ImGui::Button("Split"))
        viewer::splitIslands(s);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Each part of at least %d voxels becomes a segment of its own (the largest stays); "
                          "smaller parts go",
                          e.minIsland);
    ImGui::SetNextItemWidth(100);
    ImGui::InputInt("##min", &e.minIsland, 100, 1000);
    e.minIsland = std::max(1, e.minIsland);
    ImGui::SameLine();
    if (ImGui::Button("Remove smaller parts"))
        viewer::removeSmallIslands(s);
}

void drawMarginTool(AppState& s) {
    ImGui::DragFloat("mm", &s.editor.marginMm, 0.1f, 0.1f, 50.0f, "%.1f", ImGuiSliderFlags_AlwaysClamp);
    if (ImGui::Button("Grow"))
        viewer::changeMargin(s, viewer::MarginEdit::Grow);
    ImGui::SameLine();
    if (ImGui::Button("Shrink"))
        viewer::changeMargin(s, viewer::MarginEdit::Shrink);
    if (ImGui::Button("Fill holes"))
        viewer::changeMargin(s, viewer::MarginEdit::FillHoles);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Gaps and holes up to about twice the margin across (grow, then shrink back)");
    sameLineIfFits(buttonWidth("Remove thin parts"));
    if (ImGui::Button("Remove thin parts"))
        viewer::changeMargin(s, viewer::MarginEdit::RemoveThin);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Parts thinner than about twice the margin (shrink, then grow back)");
    if (ImGui::Button("Smooth (median)"))
        viewer::changeMargin(s, viewer::MarginEdit::Median);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("A voxel is in when most of the box of this size around it is: bumps and dents go, "
                          "the size stays");
}

void drawPaintTool(AppState& s) {
    viewer::SegmentEditor& e = s.editor;
    ImGui::DragFloat("radius mm", &e.brushMm, 0.1f, 0.5f, 100.0f, "%.1f", ImGuiSliderFlags_AlwaysClamp);
    ImGui::Checkbox("Erase", &e.erase);
    ImGui::SameLine();
    ImGui::Checkbox("Ball (3D)", &e.sphere);
    ImGui::Checkbox(format("Only on %g..%g HU (Threshold's range)", double(e.lo), double(e.hi)).c_str(),
                    &e.limitToRange);
    wrappedText("Drag in a slice view to paint; Shift+drag does the other of paint and erase.");
}

// A combo `width` wide over a table of file formats; `chosen` is a row of it.
void formatCombo(const char* label, const std::vector<viewer::FileFormat>& formats, int& chosen,
                 float width) {
    chosen = std::clamp(chosen, 0, int(formats.size()) - 1);
    ImGui::SetNextItemWidth(width);
    if (!ImGui::BeginCombo(label, formats[std::size_t(chosen)].extension))
        return;
    for (std::size_t n = 0; n < formats.size(); ++n)
        if (ImGui::Selectable(formats[n].name, chosen == int(n)))
            chosen = int(n);
    ImGui::EndCombo();
}

// The edited segment's name (typed, taken on Enter or when the field is left) and colour (taken when the
// picker closes): each change one edit, not one a keystroke.
void drawNameAndColour(AppState& s) {
    viewer::SegmentEditor& e = s.editor;
    const LabelLayer* l = viewer::editedLayer(s);
    if (!l)
        return;
    // Copies: an edit below replaces the layer.
    const Segment seg = l->segments[std::size_t(e.segment)];
    const int of = e.layer * 65536 + e.segment;
    // The field holds what fits of the name, cut after a whole UTF-8 character.
    const std::string fits = utf8Prefix(seg.name, e.nameDraft.size() - 1);
    if (e.draftOf != of || (!ImGui::IsAnyItemActive() && fits != e.nameDraft.data())) {
        std::snprintf(e.nameDraft.data(), e.nameDraft.size(), "%s", fits.c_str());
        e.draftOf = of;
    }
    float colour[3] = {seg.color.r, seg.color.g, seg.color.b};
    if (ImGui::ColorEdit3("##colour", colour, ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_NoLabel))
        e.pickedColour = glm::vec3(colour[0], colour[1], colour[2]);
    if (ImGui::IsItemDeactivatedAfterEdit())
        viewer::setSegmentLook(s, seg.name, e.pickedColour);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("Name").x -
                            ImGui::GetStyle().ItemInnerSpacing.x);
    const bool enter = ImGui::InputText("Name", e.nameDraft.data(), e.nameDraft.size(),
                                        ImGuiInputTextFlags_EnterReturnsTrue);
    if (enter || ImGui::IsItemDeactivatedAfterEdit())
        viewer::setSegmentLook(s, e.nameDraft.data(), seg.color);
}

} // namespace

void drawSegmentEditorPanel(AppState& s, Commands& r) {
    viewer::SegmentEditor& e = s.editor;
    if (!e.restorable.empty()) {
        wrappedText("Segment edits of this series were not saved when ctview last closed.");
        if (ImGui::Button("Restore them"))
            r.push_back({viewer::Command::Kind::RestoreEdits});
        ImGui::SameLine();
        if (ImGui::Button("Discard them"))
            r.push_back({viewer::Command::Kind::DiscardEdits});
        ImGui::Separator();
    }
    if (ImGui::Button("New segment"))
        viewer::newSegment(s);
    ImGui::SameLine();
    drawSegmentChoice(s);
    if (!e.editing())
        return;
    int tool = int(e.tool);
    ImGui::RadioButton("None", &tool, int(viewer::SegmentEditor::Tool::None));
    ImGui::SameLine();
    ImGui::RadioButton("Threshold", &tool, int(viewer::SegmentEditor::Tool::Threshold));
    ImGui::SameLine();
    ImGui::RadioButton("Islands", &tool, int(viewer::SegmentEditor::Tool::Islands));
    // Two rows that fit the narrowest side panel, the same whatever its width.
    ImGui::RadioButton("Margin", &tool, int(viewer::SegmentEditor::Tool::Margin));
    ImGui::SameLine();
    ImGui::RadioButton("Scissors (3D view)", &tool, int(viewer::SegmentEditor::Tool::Scissors));
    ImGui::SameLine();
    ImGui::RadioButton("Paint", &tool, int(viewer::SegmentEditor::Tool::Paint));
    e.tool = viewer::SegmentEditor::Tool(tool);
    if (e.tool == viewer::SegmentEditor::Tool::Threshold)
        drawThresholdTool(s);
    else if (e.tool == viewer::SegmentEditor::Tool::Islands)
        drawIslandsTool(s);
    else if (e.tool == viewer::SegmentEditor::Tool::Margin)
        drawMarginTool(s);
    else if (e.tool == viewer::SegmentEditor::Tool::Paint)
        drawPaintTool(s);
    else if (e.tool == viewer::SegmentEditor::Tool::Scissors) {
        int keep = e.keepInside ? 1 : 0;
        ImGui::RadioButton("Remove inside", &keep, 0);
        ImGui::SameLine();
        ImGui::RadioButton("Keep inside", &keep, 1);
        e.keepInside = keep == 1;
        wrappedText("Drag a shape over the 3D view: it cuts through the whole depth.");
    }
    ImGui::BeginDisabled(e.undo.empty());
    if (ImGui::Button("Undo"))
        viewer::undoSegmentEdit(s);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(e.redo.empty());
    if (ImGui::Button("Redo"))
        viewer::redoSegmentEdit(s);
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button("Clear"))
        viewer::clearSegment(s);
    ImGui::SameLine();
    if (ImGui::Button(e.unsaved ? "Save*" : "Save"))
        r.push_back({viewer::Command::Kind::SaveSegmentation});
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("As %s, into %s", viewer::segmentationFormats()[std::size_t(e.saveFormat)].name,
                          s.exportDir.string().c_str());
    sameLineIfFits(buttonWidth("Export surface"));
    if (ImGui::Button("Export surface"))
        r.push_back({viewer::Command::Kind::ExportSurface});
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("The segment's closed surface (LPS mm) as %s, into %s",
                          viewer::surfaceFormats()[std::size_t(e.surfaceFormat)].name,
                          s.exportDir.string().c_str());
    // The two format choices side by side, their boxes equally wide.
    const ImGuiStyle& style = ImGui::GetStyle();
    const float width =
        (ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("Save as").x -
         ImGui::CalcTextSize("Surface").x - 2 * style.ItemInnerSpacing.x - style.ItemSpacing.x) /
        2;
    formatCombo("Save as", viewer::segmentationFormats(), e.saveFormat, width);
    ImGui::SameLine();
    formatCombo("Surface", viewer::surfaceFormats(), e.surfaceFormat, width);
    ImGui::Checkbox("Surface in 3D", &e.surfaceIn3d);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Show the segment in the 3D view as the smoothed surface that Export surface "
                          "writes, made again after each edit");
    drawNameAndColour(s);
    if (!e.lastMessage.empty())
        wrappedText(e.lastMessage);
}

void drawQuitConfirmation(AppState& s, Commands& r) {
    viewer::SegmentEditor& e = s.editor;
    if (e.askQuit && !ImGui::IsPopupOpen("Unsaved segment edits"))
        ImGui::OpenPopup("Unsaved segment edits");
    if (!ImGui::BeginPopupModal("Unsaved segment edits", nullptr, ImGuiWindowFlags_AlwaysAutoResize))
        return;
    ImGui::TextUnformatted("The segmentation has edits that are not saved.");
    if (ImGui::Button("Save and quit")) {
        r.push_back({viewer::Command::Kind::SaveSegmentation});
        r.push_back({viewer::Command::Kind::Quit});
        e.quitAnyway = true;
        e.askQuit = false;
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Quit without saving")) {
        e.unsaved = false; // let go: the autosave goes too
        e.quitAnyway = true;
        e.askQuit = false;
        r.push_back({viewer::Command::Kind::Quit});
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) {
        e.askQuit = false;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

} // namespace ctview::ui
