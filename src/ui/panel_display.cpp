// The "View" section: window/level, colour map, interpolation, overlays, layout, and "Save slice".
#include "ui/panels.h"

#include <algorithm>
#include <cmath>

#include "sources/metadata.h"
#include "volume/colormap.h"

#include <algorithm>
#include <cstdio>

namespace ctview::ui {

namespace {

// A 4D series: its phase, stepped like a slice ([ and ] too); the views stay where they are. Each step loads
// that phase once (then it is kept).
void drawPhaseSlider(AppState& s, Commands& r) {
    const Provenance& about = s.scene.base->series.about;
    const int count = int(about.listing.phases);
    if (count < 2 || about.phase < 1)
        return;
    int p = about.phase;
    ImGui::PushID("phase");
    const bool back = ImGui::ArrowButton("##back", ImGuiDir_Left);
    ImGui::SameLine(0, 2);
    const bool forward = ImGui::ArrowButton("##forward", ImGuiDir_Right);
    ImGui::PopID();
    ImGui::SameLine();
    // The phase's number and its time ("2 (100 ms)"); a "%" in the time is ImGui's to print as such.
    std::string value = std::size_t(p - 1) < about.listing.phaseValues.size()
                            ? about.listing.phaseValues[std::size_t(p - 1)]
                            : std::string();
    for (std::size_t at = value.find('%'); at != std::string::npos; at = value.find('%', at + 2))
        value.insert(at, "%");
    const std::string format = "%d (" + value + ")";
    bool moved = ImGui::SliderInt("phase", &p, 1, count, format.c_str());
    if (back || forward) {
        p = viewer::phaseAfter(s, forward ? 1 : -1);
        moved = true;
    }
    if (moved && p != about.phase)
        r.push_back({Command::Kind::LoadPhase, "", p});
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%d phases by %s; [ and ] step through them", count,
                          about.listing.phaseKey.c_str());
}

} // namespace

void drawDisplayPanel(AppState& s, Commands& r) {
    const bool volume = s.hasVolume();

    // ---- window/level ----
    std::vector<WindowPreset> fileWins;
    if (volume)
        fileWins = s.scene.base->series.about.windows;
    char current[96];
    std::snprintf(current, sizeof current, "%s", s.windowName.c_str());
    if (ImGui::BeginCombo("Preset", current)) {
        if (volume && ImGui::Selectable("file (the series' own)", s.windowName == "file")) {
            s.window = initialWindow(s.scene.base->series);
            s.windowName = initialWindowName(s.scene.base->series);
        }
        for (const WindowPreset& p : fileWins) {
            char label[128];
            std::snprintf(label, sizeof label, "  file: %s (%g/%g)", p.name.c_str(), p.wl.width, p.wl.center);
            if (ImGui::Selectable(label, false)) {
                s.window = p.wl;
                s.windowName = "file";
            }
        }
        for (const WindowPreset& p : windowPresets()) {
            char label[128];
            std::snprintf(label, sizeof label, "%s (%g/%g)", p.name.c_str(), p.wl.width, p.wl.center);
            if (ImGui::Selectable(label, s.windowName == p.name)) {
                s.window = p.wl;
                s.windowName = p.name;
            }
        }
        ImGui::EndCombo();
    }
    float width = float(s.window.width), level = float(s.window.center);
    if (ImGui::DragFloat("Width (HU)", &width, std::max(1.0f, width / 200), 1, 70000, "%.0f")) {
        s.window.width = std::max(1.0f, width);
        s.windowName = "custom";
    }
    if (ImGui::DragFloat("Level (HU)", &level, std::max(1.0f, width / 200), -35000, 35000, "%.0f")) {
        s.window.center = level;
        s.windowName = "custom";
    }
    if (ImGui::Button("Auto (histogram)") && volume && !s.scene.base->preview) { // over every voxel: loaded
        s.window = autoWindow(s.scene.base->series.volume);
        s.windowName = "auto";
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("1st to 99th percentile of the voxels above -1000 HU (key A)");

    // ---- colours ----
    if (ImGui::BeginCombo("Colormap", s.colormap.c_str())) {
        for (const std::string& name : colormapNames())
            if (ImGui::Selectable(name.c_str(), name == s.colormap))
                s.colormap = name;
        ImGui::EndCombo();
    }
    ImGui::Checkbox("Invert (I)", &s.invert);
    sameLineIfFits(checkboxWidth("Linear interpolation (L)"));
    ImGui::Checkbox("Linear interpolation (L)", &s.linear);
    // Loading again with the other rule: shown for a series that needs it (or was kept as acquired).
    if (volume && !s.scene.base->series.resampleSummary.empty() && !s.load.active) {
        if (ImGui::Checkbox("Resample onto a regular grid", &s.resample))
            r.push_back({Command::Kind::Resample, "", s.resample ? 1 : 0});
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", s.scene.base->series.resampleSummary.c_str());
    }
    if (volume && s.scene.base->series.monochrome1)
        ImGui::TextDisabled("MONOCHROME1: shown inverted, as stored");

    // ---- slices ----
    if (volume) {
        for (int v = 0; v < 3; ++v) {
            int n = sliceNumberOf(s, v); // the number the overlay shows, not the voxel index
            char label[32];
            std::snprintf(label, sizeof label, "%s%s", axisName(s.views[std::size_t(v)].axis),
                          s.mpr.oblique ? " oblique" : "");
            // A slider of a few hundred pixels over hundreds of slices moves several per pixel: the arrows
            // step exactly one slice a click, as the keys do (no repeat while held: a slow frame would count
            // as holding it).
            ImGui::PushID(v);
            const bool back = ImGui::ArrowButton("##back", ImGuiDir_Left);
            ImGui::SameLine(0, 2);
            const bool forward = ImGui::ArrowButton("##forward", ImGuiDir_Right);
            ImGui::PopID();
            if (back || forward)
                setSliceNumber(s, v, n + (forward ? 1 : -1));
            ImGui::SameLine();
            if (ImGui::SliderInt(label, &n, 1, sliceCountOf(s, v), "%d"))
                setSliceNumber(s, v, n);
        }
        drawPhaseSlider(s, r);
        // Oblique MPR: the crosshair's line ends turn the views; this (or Shift+R) turns them back.
        if (s.mpr.oblique) {
            if (ImGui::Button("Back to acquired axes (Shift+R)"))
                resetOblique(s);
        } else {
            ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
            wrappedText("Drag a crosshair line's end dot to turn the views");
            ImGui::PopStyleColor();
        }
        // Thick slabs, per view: the slices within half the thickness of the view's slice, combined.
        if (ImGui::TreeNode("Thick slab")) {
            const char* modes[] = {slabModeLabel(SlabMode::Mip), slabModeLabel(SlabMode::MinIp),
                                   slabModeLabel(SlabMode::Average)};
            for (int v = 0; v < 3; ++v) {
                ViewState& view = s.views[std::size_t(v)];
                const SliceFrame f = frameOf(s, v);
                ImGui::PushID(v);
                float mm = float(view.slab.thickness);
                ImGui::SetNextItemWidth(90);
                if (ImGui::DragFloat("##mm", &mm, 0.25f, 0.0f, 500.0f, mm > 0 ? "%.1f mm" : "thin"))
                    view.slab.thickness = std::clamp(double(mm), 0.0, 500.0);
                if (ImGui::IsItemHovered())
                    ImGui::SetTooltip("Drag, or Ctrl+click to type the thickness in mm (0: thin)");
                ImGui::SameLine();
                int mode = int(view.slab.mode);
                ImGui::SetNextItemWidth(80);
                if (ImGui::Combo("##mode", &mode, modes, 3))
                    view.slab.mode = SlabMode(mode);
                ImGui::SameLine();
                // The slices it covers here (fewer at the volume's ends), when it is a slab at all.
                const int half = slabHalfCount(view.slab, sliceSpacingOf(s, v)); // a turned view's samples
                const glm::ivec2 range =
                    s.mpr.oblique ? glm::ivec2(-half, half) : slabRange(view.slab, f, sliceOf(s, v));
                if (range.y > range.x)
                    ImGui::Text("%s %d", axisName(view.axis), range.y - range.x + 1);
                else
                    ImGui::TextUnformatted(axisName(view.axis));
                ImGui::PopID();
            }
            ImGui::TextWrapped("Measurements stay on the thin slice at the slab's centre.");
            ImGui::TreePop();
        }
        // Cine: the active view through its slices (Space plays the view under the mouse).
        if (ImGui::TreeNode("Cine (Space)")) {
            float fps = float(s.prefs.cineFps);
            if (ImGui::SliderFloat("Speed", &fps, 1.0f, 60.0f, "%.0f fps"))
                s.prefs.cineFps = std::clamp(double(std::round(fps)), 1.0, 60.0);
            if (ImGui::RadioButton("Loop", !s.prefs.cineBounce))
                s.prefs.cineBounce = false;
            ImGui::SameLine();
            if (ImGui::RadioButton("Bounce", s.prefs.cineBounce))
                s.prefs.cineBounce = true;
            if (s.scene.base->series.about.listing.phases > 1) {
                ImGui::SameLine();
                ImGui::Checkbox("Over phases", &s.cine.overPhases);
                if (ImGui::IsItemHovered())
                    ImGui::SetTooltip("Space plays the series' phases at the slice shown (a heart beating, a "
                                      "bolus arriving) instead of its slices");
            }
            const int v = std::clamp(s.activeView, 0, 2);
            if (s.cine.view >= 0) {
                if (ImGui::Button("Stop"))
                    s.cine.view = -1;
            } else {
                char label[48];
                std::snprintf(label, sizeof label, "Play %s", axisName(s.views[std::size_t(v)].axis));
                if (ImGui::Button(label) && sliceCountOf(s, v) > 1) {
                    s.cine.view = v; // its first step comes with the next frame (next = 0)
                    s.cine.direction = 1;
                    s.cine.next = 0;
                }
            }
            // The same slices (or, over phases, the phases at this slice) as a movie file, at this speed,
            // with the view's window, colours and slab.
            const bool phases = s.cine.overPhases && s.scene.base->series.about.listing.phases > 1;
            if (drawRecordControls(s, phases ? "Record movie of the phases" : "Record movie"))
                r.push_back({Command::Kind::RecordMovie, s.recording.gif ? "gif" : "mp4", v});
            ImGui::TreePop();
        }
    }

    // ---- overlays and layout ----
    if (ImGui::TreeNode("Overlays")) {
        ImGui::Checkbox("Crosshair (C)", &s.prefs.overlays.crosshair);
        ImGui::Checkbox("Orientation letters", &s.prefs.overlays.letters);
        ImGui::Checkbox("Scale bar", &s.prefs.overlays.scaleBar);
        ImGui::Checkbox("Window/level", &s.prefs.overlays.windowLevel);
        ImGui::Checkbox("Slice position", &s.prefs.overlays.sliceInfo);
        ImGui::Checkbox("Probe (HU under the mouse)", &s.prefs.overlays.probe);
        ImGui::Checkbox("Anonymous window title", &s.prefs.anonymousTitle);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("The title bar shows no patient name, study date, description or folder "
                              "(for screen sharing and recordings)");
        ImGui::TreePop();
    }
    const char* layouts[] = {"2x2 grid", "axial", "coronal", "sagittal", "3D"};
    int layout = s.maximised + 1;
    if (ImGui::Combo("Layout", &layout, layouts, 5))
        s.maximised = layout - 1;
    if (ImGui::Button("Reset zoom (R)"))
        for (ViewState& v : s.views)
            v.camera = {};

    ImGui::Separator();
    ImGui::BeginDisabled(!volume);
    if (ImGui::Button("Save slice (S)"))
        r.push_back({Command::Kind::SaveSlice});
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button("Screenshot (F12)"))
        r.push_back({Command::Kind::Screenshot});
    ImGui::Checkbox("Burn in measurements", &s.prefs.burnIn);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("S draws the measurements on the slice into the saved image; off, it saves the "
                          "pixels `ctview export` writes (the sidecar lists the measurements either way)");
    ImGui::SameLine();
    ImGui::Checkbox("TIFF (HU)", &s.prefs.saveTiff);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("S also saves the slice's Hounsfield units as a TIFF (signed 16-bit, or float) for "
                          "ImageJ and tifffile");
    ImGui::TextDisabled("into %s", s.exportDir.string().c_str());
}

bool drawRecordControls(AppState& s, const char* label) {
    Recording& m = s.recording;
    if (m.active) {
        char text[64];
        std::snprintf(text, sizeof text, "%s %d/%d", m.stage.c_str(), m.done, m.total);
        ImGui::ProgressBar(float(m.done) / float(std::max(1, m.total)), ImVec2(200, 0), text);
        return false;
    }
    ImGui::BeginDisabled(!s.hasVolume() || (s.scene.base && s.scene.base->preview));
    const bool pressed = ImGui::Button(label);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::PushID(label); // the two panels' radio buttons are separate widgets over one setting
    if (ImGui::RadioButton("MP4", !m.gif))
        m.gif = false;
    ImGui::SameLine();
    if (ImGui::RadioButton("GIF", m.gif))
        m.gif = true;
    ImGui::PopID();
    return pressed;
}

float sidebarWidth(const AppState& s, float displayWidth) {
    return std::max(200.0f, std::min(s.prefs.sidebarWidth, 0.35f * displayWidth));
}

void drawSidebar(AppState& s, Commands& r) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    // Full height at the left edge; its right edge can be dragged (ImGui's resize border), within
    // sidebarWidth's bounds, and the width dragged to is the user's.
    const float width = sidebarWidth(s, vp->Size.x);
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSizeConstraints(ImVec2(200, vp->Size.y),
                                        ImVec2(std::max(200.0f, 0.35f * vp->Size.x), vp->Size.y));
    static float applied =
        -1; // the width last given to ImGui: a change from outside (a smaller window) is applied
    if (width != applied)
        ImGui::SetNextWindowSize(ImVec2(width, vp->Size.y));
    // Its scrollbar's room always kept: opening a section (or a new segment's layer) must not narrow the
    // panel and rewrap every line above the mouse.
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                                   ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                   ImGuiWindowFlags_AlwaysVerticalScrollbar;
    ImGui::Begin("##sidebar", nullptr, flags);
    // ImGui's width differs from ours only when the user dragged the edge: that is their width from now on.
    if (std::abs(ImGui::GetWindowWidth() - width) > 0.5f)
        s.prefs.sidebarWidth = ImGui::GetWindowWidth();
    applied = sidebarWidth(s, vp->Size.x);
    if (ImGui::Button("Open... (Ctrl+O)"))
        s.panels.open = true;
    sameLineIfFits(buttonWidth("PACS..."));
    if (ImGui::Button("PACS..."))
        s.panels.pacs = !s.panels.pacs;
    sameLineIfFits(buttonWidth("Help (F1)"));
    if (ImGui::Button("Help (F1)"))
        s.panels.help = !s.panels.help;
    // Controls 160 pixels wide, narrower in a narrow panel (a small window), so that their labels on the
    // right ("coronal", "Width (HU)") stay whole.
    const float itemWidth = std::clamp(ImGui::GetContentRegionAvail().x * 0.55f, 80.0f, 160.0f);
    ImGui::PushItemWidth(itemWidth);
    if (ImGui::CollapsingHeader("View", ImGuiTreeNodeFlags_DefaultOpen))
        drawDisplayPanel(s, r);
    ImGui::PopItemWidth();
    if (ImGui::CollapsingHeader("3D view", ImGuiTreeNodeFlags_DefaultOpen)) {
        ImGui::PushItemWidth(itemWidth);
        drawVolumePanel(s, r);
        ImGui::PopItemWidth();
    }
    if (ImGui::CollapsingHeader("Measurements", ImGuiTreeNodeFlags_DefaultOpen))
        drawMeasurePanel(s, r);
    // Above the Segments section, which its "New segment" may open: the editor stays where it was clicked.
    if (!s.editor.restorable.empty()) // open while the kept edits wait for a decision
        ImGui::SetNextItemOpen(true, ImGuiCond_Always);
    s.editor.open = s.hasVolume() && ImGui::CollapsingHeader("Segment editor");
    if (s.editor.open) {
        ImGui::PushItemWidth(itemWidth);
        drawSegmentEditorPanel(s, r);
        ImGui::PopItemWidth();
    }
    // Only with segmentations: a series alone keeps the sections where they were.
    if (!s.scene.labels.empty() && ImGui::CollapsingHeader("Segments", ImGuiTreeNodeFlags_DefaultOpen))
        drawSegmentsPanel(s);
    if (!s.scene.images.empty() && ImGui::CollapsingHeader("Second series", ImGuiTreeNodeFlags_DefaultOpen)) {
        ImGui::PushItemWidth(itemWidth);
        drawFusionPanel(s, r);
        ImGui::PopItemWidth();
    }
    if (ImGui::CollapsingHeader("Series", ImGuiTreeNodeFlags_DefaultOpen))
        drawSeriesPanel(s, r);
    if (ImGui::CollapsingHeader("Metadata", ImGuiTreeNodeFlags_DefaultOpen))
        drawMetadataPanel(s);
    // Last, closed: the sections above stay where they were.
    if (s.hasVolume() && ImGui::CollapsingHeader("Share"))
        drawSharePanel(s, r);
    ImGui::End();
}

} // namespace ctview::ui
