// "Open...": an ImGui folder browser (no extra dependency) with the recent folders.
#include "ui/panels.h"

#include "base/text.h"
#include "sources/archive.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace ctview::ui {

namespace {
// The folder browser's own state (widget scratch: where it is browsing, what it lists), kept between frames.
struct OpenDialog {
    std::string folder;               // the folder being browsed
    std::vector<std::string> entries; // its sub-folders and files, folders first ("name/")
    std::string error;
    char pathInput[1024] = {};
    // The recent list as last checked, and which of its entries are gone (checked once, not every frame: a
    // stat on a vanished network mount can take seconds).
    std::vector<std::string> recent;
    std::vector<bool> gone;
    bool asLabels = false; // a file chosen is added to the open series as a segmentation layer
};

void browse(OpenDialog& d, const std::string& folder) {
    namespace fs = std::filesystem;
    d.entries.clear();
    d.error.clear();
    std::error_code ec;
    const fs::path p = fs::absolute(folder, ec).lexically_normal();
    d.folder = p.string();
    std::snprintf(d.pathInput, sizeof d.pathInput, "%s", d.folder.c_str());
    std::vector<std::string> dirs, files;
    fs::directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        d.error = d.folder + ": " + ec.message();
        return;
    }
    // Bounded, so that a folder of 100 000 slices does not stall a frame.
    for (std::size_t n = 0; it != fs::directory_iterator() && n < 5000; it.increment(ec), ++n) {
        if (ec)
            break;
        const std::string name = it->path().filename().string();
        if (name.empty() || name[0] == '.')
            continue;
        std::error_code e2;
        if (it->is_directory(e2))
            dirs.push_back(name + "/");
        else
            files.push_back(name);
    }
    // As a file manager lists them: I2, I10, I100, not I10, I100, I2.
    std::sort(dirs.begin(), dirs.end(), ctview::naturalLess);
    std::sort(files.begin(), files.end(), ctview::naturalLess);
    d.entries = dirs;
    d.entries.insert(d.entries.end(), files.begin(), files.end());
}
} // namespace

void drawOpenDialog(AppState& s, Commands& r) {
    if (!s.panels.open)
        return;
    static OpenDialog d;
    std::string open;
    if (d.folder.empty()) {
        std::error_code ec;
        browse(d, s.prefs.recent.empty()
                      ? std::filesystem::current_path(ec).string()
                      : std::filesystem::path(s.prefs.recent.front()).parent_path().string());
    }
    placeDialog(ImVec2(640, 480), ImGuiCond_Appearing);
    if (!ImGui::Begin("Open a DICOM folder or file, or a NRRD/NIfTI file", &s.panels.open,
                      ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    ImGui::SetNextItemWidth(-70);
    if (ImGui::InputText("##path", d.pathInput, sizeof d.pathInput, ImGuiInputTextFlags_EnterReturnsTrue)) {
        // A DICOMweb URL or a file typed (or pasted) here opens at once; a folder is browsed.
        std::error_code ec;
        if (isArchiveUrl(d.pathInput) || std::filesystem::is_regular_file(d.pathInput, ec))
            open = d.pathInput;
        else
            browse(d, d.pathInput);
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("a folder to browse, or a file or DICOMweb URL to open (Enter)");
    ImGui::SameLine();
    if (ImGui::Button("Up"))
        browse(d, std::filesystem::path(d.folder).parent_path().string());
    if (!d.error.empty())
        errorText(d.error);

    if (ImGui::BeginChild("entries",
                          ImVec2(0, -ImGui::GetFrameHeightWithSpacing() *
                                        (2.5f + float(std::min<std::size_t>(s.prefs.recent.size(), 5)) +
                                         (s.hasVolume() ? 1.0f : 0.0f))),
                          true)) {
        std::string next;
        for (std::size_t n = 0; n < d.entries.size(); ++n) {
            const std::string& e = d.entries[n];
            const bool dir = e.back() == '/';
            if (selectableText(int(n), e, false, ImGuiSelectableFlags_AllowDoubleClick) &&
                ImGui::IsMouseDoubleClicked(0)) {
                if (dir)
                    next = (std::filesystem::path(d.folder) / e.substr(0, e.size() - 1)).string();
                else
                    open = (std::filesystem::path(d.folder) / e).string();
            }
        }
        if (!next.empty())
            browse(d, next);
    }
    ImGui::EndChild();
    if (ImGui::Button("Open this folder"))
        open = d.folder;
    ImGui::SameLine();
    ImGui::TextDisabled("double-click a folder to enter it, a file to open it (or its series)");
    if (!s.prefs.recent.empty()) {
        ImGui::TextUnformatted("Recent:");
        // Any entry is drawn safely (settings files are edited by hand, and folders vanish): verbatim, the
        // long ones cut at the front, a folder or file that is gone greyed out.
        if (d.recent != s.prefs.recent) {
            d.recent = s.prefs.recent;
            d.gone.clear();
            for (const std::string& entry : d.recent) {
                std::error_code ec;
                d.gone.push_back(!isArchiveUrl(entry) && !std::filesystem::exists(entry, ec));
            }
        }
        ImGui::PushID("recent");
        for (std::size_t n = 0; n < s.prefs.recent.size() && n < 5; ++n) {
            const std::string& entry = s.prefs.recent[n];
            if (selectableText(int(n), d.gone[n] ? entry + "  (not found)" : entry, false, 0, d.gone[n]))
                open = entry;
        }
        ImGui::PopID();
    }
    if (s.hasVolume()) {
        // A SEG, RTSTRUCT or labelmap chosen here joins the open series as a layer, rather than opening.
        ImGui::Checkbox("Add a file as segmentation labels of the open series", &d.asLabels);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(
                "A DICOM SEG, an RT Structure Set, or a NIfTI/NRRD labelmap (also: drop it on the "
                "window)");
    }
    if (!open.empty()) {
        if (d.asLabels && s.hasVolume())
            r.push_back({Command::Kind::AddLabels, open, 0});
        else
            r.push_back({Command::Kind::Open, open});
        s.panels.open = false;
    }
    ImGui::End();
}

} // namespace ctview::ui
