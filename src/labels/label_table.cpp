#include "labels/label_table.h"

#include "base/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace ctview {

namespace {

std::string trimmed(const std::string& s) {
    const auto a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos)
        return "";
    return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

bool parseInt(const std::string& s, int& out) {
    try {
        std::size_t used = 0;
        const long v = std::stol(s, &used);
        if (used != s.size() || v < -32768 || v > 32767)
            return false;
        out = int(v);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

// {"1": "spleen"}, {"spleen": 1} or {"labels": either}; "background" (0) is not a label.
std::vector<LabelTableEntry> fromJson(const nlohmann::json& j) {
    const nlohmann::json& table = j.contains("labels") && j["labels"].is_object() ? j["labels"] : j;
    if (!table.is_object())
        return {};
    std::vector<LabelTableEntry> out;
    for (const auto& [key, value] : table.items()) {
        LabelTableEntry e;
        if (value.is_string() && parseInt(key, e.value))
            e.name = value.get<std::string>();
        else if (value.is_number_integer())
            e.value = value.get<int>(), e.name = key;
        else
            continue;
        if (e.value != 0)
            out.push_back(e);
    }
    return out;
}

// ITK-SNAP: `IDX -R- -G- -B- -A-- VIS MSH LABEL` with LABEL in double quotes; or `VALUE NAME`.
std::vector<LabelTableEntry> fromText(const std::string& text) {
    std::vector<LabelTableEntry> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        line = trimmed(line);
        if (line.empty() || line[0] == '#')
            continue;
        LabelTableEntry e;
        const auto quote = line.find('"');
        std::istringstream words(line.substr(0, quote));
        std::string first;
        words >> first;
        if (!parseInt(first, e.value))
            return {}; // not a table
        if (quote != std::string::npos) {
            const auto end = line.find('"', quote + 1);
            e.name = line.substr(quote + 1, end == std::string::npos ? std::string::npos : end - quote - 1);
            double r = 0, g = 0, b = 0;
            if (words >> r >> g >> b) {
                e.hasColor = true;
                e.color = glm::vec3(float(r), float(g), float(b)) / 255.0f;
            }
        } else {
            std::string rest;
            std::getline(words, rest);
            e.name = trimmed(rest);
        }
        if (e.value != 0)
            out.push_back(e);
    }
    return out;
}

} // namespace

std::string labelmapStem(const std::filesystem::path& p) {
    std::string name = p.filename().string();
    for (const char* ext : {".seg.nrrd", ".nii.gz", ".nii", ".nrrd", ".nhdr"})
        if (name.size() > std::string(ext).size() &&
            name.compare(name.size() - std::string(ext).size(), std::string::npos, ext) == 0)
            return name.substr(0, name.size() - std::string(ext).size());
    return p.stem().string();
}

std::vector<LabelTableEntry>
slicerSegmentTable(const std::vector<std::pair<std::string, std::string>>& fields, int* layers) {
    // Segment<N>_<Key> -> value, per N.
    std::map<int, std::map<std::string, std::string>> segments;
    for (const auto& [key, value] : fields) {
        if (key.rfind("Segment", 0) != 0)
            continue;
        const auto underscore = key.find('_');
        int n = 0;
        if (underscore == std::string::npos || !parseInt(key.substr(7, underscore - 7), n))
            continue;
        segments[n][key.substr(underscore + 1)] = value;
    }
    int maxLayer = 0;
    std::vector<LabelTableEntry> out;
    for (auto& [n, f] : segments) {
        LabelTableEntry e;
        int layer = 0;
        if (f.count("Layer"))
            parseInt(trimmed(f["Layer"]), layer);
        maxLayer = std::max(maxLayer, layer);
        if (layer < 0 || !f.count("LabelValue") || !parseInt(trimmed(f["LabelValue"]), e.value))
            continue;
        e.layer = layer;
        e.name = f.count("Name") ? f["Name"] : "";
        std::istringstream rgb(f.count("Color") ? f["Color"] : "");
        float r = 0, g = 0, b = 0;
        if (rgb >> r >> g >> b) {
            e.hasColor = true;
            e.color = {r, g, b};
        }
        out.push_back(e);
    }
    if (layers)
        *layers = segments.empty() ? 0 : maxLayer + 1;
    return out;
}

std::vector<LabelTableEntry> readLabelTable(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw DataError(file.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    const std::string t = trimmed(s);
    std::vector<LabelTableEntry> out;
    if (!t.empty() && t[0] == '{') {
        try {
            out = fromJson(nlohmann::json::parse(t));
        } catch (const nlohmann::json::exception& e) {
            throw DataError(file.string() + ": not a label table (invalid JSON: " + e.what() + ")");
        }
    } else {
        out = fromText(s);
    }
    if (out.empty())
        throw DataError(file.string() + ": not a label table (no \"VALUE NAME\" rows, ITK-SNAP rows or JSON "
                                        "{\"1\": \"name\"} entries)");
    return out;
}

std::filesystem::path findLabelTable(const std::filesystem::path& labelmap, bool folderTables) {
    const std::filesystem::path folder = labelmap.parent_path();
    const std::string name = labelmapStem(labelmap);
    std::error_code ec;
    for (const std::string& candidate :
         {name + ".txt", name + ".json", name + ".label.txt", name + "_labels.json",
          std::string("labels.txt"), std::string("labels.json"), std::string("dataset.json")}) {
        if (!folderTables && candidate.rfind(name, 0) != 0)
            break; // the folder's own tables come last
        std::filesystem::path p = folder / candidate;
        if (std::filesystem::is_regular_file(p, ec))
            return p;
    }
    return {};
}

std::filesystem::path labelTableBeside(const std::filesystem::path& labelmap) {
    return labelmap.parent_path() / (labelmapStem(labelmap) + ".json");
}

} // namespace ctview
