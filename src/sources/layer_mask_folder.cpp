// A folder of labelmaps as one layer: TotalSegmentator's default output (segmentations/, a 0/1 mask per
// structure: liver.nii.gz, spleen.nii.gz, ... 117 of them), or any folder of NIfTI/NRRD masks. Each file is
// opened as the labelmap kind opens it (layer_labelmap.cpp: isolated, resampled onto the series' grid when
// its own is another); its segments join one layer, a one-label mask named for its file, so that the 117
// masks cost a value group or two, not 117.
#include "base/error.h"
#include "labels/label_table.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/layers.h"

#include <algorithm>
#include <map>

namespace ctview {

LabelLayer openMaskOfFolder(const std::filesystem::path& file, const Series& base,
                            const LoadOptions& options);

namespace {

std::vector<std::filesystem::path> masksIn(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
        if (entry.is_regular_file(ec) && isVolumeFile(entry.path()))
            files.push_back(entry.path());
    std::sort(files.begin(), files.end()); // the panel's order: by name, as a file manager lists them
    return files;
}

bool isMaskFolder(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec) && !masksIn(path).empty();
}

// The notes of the files, each once: "NOTE" with the files' count when several say it, else "FILE: NOTE".
std::vector<std::string> mergedNotes(const std::vector<std::pair<std::string, std::string>>& fileNotes) {
    std::map<std::string, std::vector<std::string>> filesOf;
    std::vector<std::string> order;
    for (const auto& [file, note] : fileNotes) {
        if (filesOf[note].empty())
            order.push_back(note);
        filesOf[note].push_back(file);
    }
    std::vector<std::string> out;
    for (const std::string& note : order) {
        const std::vector<std::string>& files = filesOf[note];
        out.push_back(files.size() == 1 ? files[0] + ": " + note
                                        : note + " (" + std::to_string(files.size()) + " files)");
    }
    return out;
}

LabelLayer openMaskFolder(const std::filesystem::path& folder, const Series& base,
                          const LoadOptions& options) {
    const std::vector<std::filesystem::path> files = masksIn(folder);
    const Geometry& grid = base.volume.geometry();
    LabelLayerBuilder builder(grid);
    std::vector<std::pair<std::string, std::string>> fileNotes, fileProblems;
    std::vector<std::string> unread;
    for (const std::filesystem::path& file : files) {
        LabelLayer one;
        try {
            one = openMaskOfFolder(file, base, options);
        } catch (const DataError& e) {
            unread.push_back(std::string(e.what()) + ": left out"); // names the file
            continue;
        }
        for (const std::string& note : one.notes)
            fileNotes.emplace_back(file.filename().string(), note);
        for (const std::string& problem : one.problems)
            fileProblems.emplace_back(file.filename().string(), problem);
        // Numbered in the layer's order (the editor's undo and `--segment N` tell segments apart by number;
        // every 0/1 mask's own is 1), each in a colour of its own.
        const auto next = [&] {
            Segment s;
            s.number = int(builder.segmentCount()) + 1;
            s.color = labelColor(s.number);
            return s;
        };
        if (one.segments.empty()) { // an empty mask (a structure the scan does not show): an empty segment
            Segment s = next();
            s.name = labelmapStem(file);
            builder.add(std::move(s), std::vector<std::uint32_t>{});
            continue;
        }
        for (const Segment& s : one.segments) {
            Segment joined = next();
            joined.name = s.name;
            builder.add(std::move(joined), segmentMask(one, s));
        }
    }
    if (builder.segmentCount() == 0)
        throw DataError(folder.string() + ": no mask in it could be read (" +
                        (unread.empty() ? std::string("none") : unread.front()) + ")");
    LabelLayer layer = builder.take(folder.filename().empty() ? folder.parent_path().filename().string()
                                                              : folder.filename().string(),
                                    folder.string(), "labelmap folder");
    layer.notes = mergedNotes(fileNotes);
    layer.problems = mergedNotes(fileProblems);
    layer.problems.insert(layer.problems.end(), unread.begin(), unread.end());
    return layer;
}

} // namespace

extern const LayerKind maskFolderLayer;
const LayerKind maskFolderLayer{
    "a folder of NIfTI/NRRD masks (TotalSegmentator's segmentations/)",
    isMaskFolder,
    openMaskFolder,
};

} // namespace ctview
