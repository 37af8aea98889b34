#include "volume/transfer.h"

#include "base/error.h"
#include "base/fsutil.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>

namespace ctview {

struct EmbeddedFile {
    const char* name;
    const char* text;
};
extern const EmbeddedFile kEmbeddedPresets[];
extern const std::size_t kEmbeddedPresetsCount;

bool RenderPreset::operator==(const RenderPreset& o) const {
    return name == o.name && title == o.title && mode == o.mode && points == o.points &&
           shading == o.shading && gradientOpacityOn == o.gradientOpacityOn &&
           gradientOpacity == o.gradientOpacity && hideOutsideBody == o.hideOutsideBody &&
           isoValue == o.isoValue && window.width == o.window.width && window.center == o.window.center &&
           colormap == o.colormap;
}

glm::vec4 evaluateTf(const std::vector<TfPoint>& points, float hu) {
    if (points.empty())
        return glm::vec4(0.0f);
    if (hu <= points.front().hu)
        return glm::vec4(points.front().color, points.front().opacity);
    if (hu >= points.back().hu)
        return glm::vec4(points.back().color, points.back().opacity);
    // The last segment that starts at or below hu (two points at one HU make a step: the later one wins above
    // it).
    auto upper = std::upper_bound(points.begin(), points.end(), hu,
                                  [](float h, const TfPoint& p) { return h < p.hu; });
    const TfPoint& b = *upper;
    const TfPoint& a = *(upper - 1);
    const float t = b.hu > a.hu ? (hu - a.hu) / (b.hu - a.hu) : 1.0f;
    return glm::mix(glm::vec4(a.color, a.opacity), glm::vec4(b.color, b.opacity), t);
}

void sortTf(std::vector<TfPoint>& points) {
    std::stable_sort(points.begin(), points.end(),
                     [](const TfPoint& a, const TfPoint& b) { return a.hu < b.hu; });
}

void shiftTf(std::vector<TfPoint>& points, float dHu) {
    for (TfPoint& p : points)
        p.hu += dHu;
}

glm::vec2 tfVisibleRange(const std::vector<TfPoint>& points) {
    if (points.empty())
        return {0, 0};
    float top = 0;
    for (const TfPoint& p : points)
        top = std::max(top, p.opacity);
    if (top <= 0)
        return {points.front().hu, points.back().hu};
    std::size_t first = 0; // the first opaque point
    while (points[first].opacity <= 0)
        ++first;
    const float lo = first > 0 ? points[first - 1].hu : points[first].hu;
    std::size_t high = first; // the first that reaches 80 % of the top
    while (points[high].opacity < 0.8f * top)
        ++high;
    const float hi = points[high].hu > lo ? points[high].hu : points.back().hu;
    return {lo, hi};
}

void colorTfFromMap(std::vector<TfPoint>& points, const ColormapTable& map) {
    const glm::vec2 range = tfVisibleRange(points);
    for (TfPoint& p : points) {
        const float t =
            range.y > range.x ? std::clamp((p.hu - range.x) / (range.y - range.x), 0.0f, 1.0f) : 1.0f;
        const auto& c = map[std::size_t(std::lround(t * 255.0f))];
        p.color = glm::vec3(c[0], c[1], c[2]) / 255.0f;
    }
}

bool tfCarriesMap(const std::vector<TfPoint>& points, const ColormapTable& map) {
    std::vector<TfPoint> mapped = points;
    colorTfFromMap(mapped, map);
    for (std::size_t n = 0; n < points.size(); ++n)
        if (glm::any(glm::greaterThan(glm::abs(mapped[n].color - points[n].color), glm::vec3(1e-4f))))
            return false;
    return !points.empty();
}

std::vector<std::array<float, 4>> bakeTf(const std::vector<TfPoint>& points, float huMin, float huMax, int n,
                                         float stepMm) {
    std::vector<std::array<float, 4>> table(std::size_t(std::max(n, 2)));
    const float span = huMax > huMin ? huMax - huMin : 1.0f;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const float hu = huMin + span * float(i) / float(table.size() - 1);
        const glm::vec4 c = evaluateTf(points, hu);
        const float a = std::clamp(c.a, 0.0f, 1.0f);
        // Opacity per mm -> per step: the light left after s mm is (1 - a)^s.
        const float corrected = a >= 1.0f ? 1.0f : 1.0f - std::pow(1.0f - a, stepMm);
        table[i] = {c.r, c.g, c.b, corrected};
    }
    return table;
}

// ---- JSON -------------------------------------------------------------------------------------------------

std::string presetToJson(const RenderPreset& p) {
    nlohmann::ordered_json j;
    j["title"] = p.title;
    j["mode"] = modeName(p.mode);
    nlohmann::ordered_json pts = nlohmann::ordered_json::array();
    for (const TfPoint& t : p.points)
        pts.push_back({{"hu", t.hu}, {"opacity", t.opacity}, {"color", {t.color.r, t.color.g, t.color.b}}});
    j["points"] = pts;
    j["shading"] = {{"enabled", p.shading.enabled},
                    {"ambient", p.shading.ambient},
                    {"diffuse", p.shading.diffuse},
                    {"specular", p.shading.specular},
                    {"shininess", p.shading.shininess}};
    j["gradientOpacity"] = {
        {"enabled", p.gradientOpacityOn}, {"low", p.gradientOpacity.x}, {"high", p.gradientOpacity.y}};
    if (p.hideOutsideBody)
        j["hideOutsideBody"] = true;
    j["isoValue"] = p.isoValue;
    j["window"] = {{"width", p.window.width}, {"level", p.window.center}};
    j["colormap"] = p.colormap;
    return j.dump(2) + "\n";
}

namespace {
template <class T> T field(const nlohmann::json& j, const char* key, T fallback, const std::string& where) {
    if (!j.contains(key))
        return fallback;
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw DataError(where + ": \"" + key + "\" has the wrong type");
    }
}
} // namespace

RenderPreset presetFromJson(const std::string& text, const std::string& name) {
    const std::string where = "preset " + name;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw DataError(where + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!j.is_object())
        throw DataError(where + ": expected a JSON object");
    RenderPreset p;
    p.name = name;
    p.title = field<std::string>(j, "title", name, where);
    const std::string mode = field<std::string>(j, "mode", "dvr", where);
    const auto m = parseMode(mode);
    if (!m)
        throw DataError(where + ": unknown mode \"" + mode + "\" (use " + modeNameList() + ")");
    p.mode = *m;
    if (j.contains("points")) {
        if (!j["points"].is_array())
            throw DataError(where + ": \"points\" must be a list");
        for (const nlohmann::json& pt : j["points"]) {
            if (!pt.is_object())
                throw DataError(where + ": each point must be an object with hu, opacity, color");
            TfPoint t;
            t.hu = field<float>(pt, "hu", 0.0f, where);
            t.opacity = std::clamp(field<float>(pt, "opacity", 0.0f, where), 0.0f, 1.0f);
            const auto c = field<std::vector<float>>(pt, "color", {1.0f, 1.0f, 1.0f}, where);
            if (c.size() != 3)
                throw DataError(where + ": a point's color must be [r, g, b] from 0 to 1");
            t.color = glm::clamp(glm::vec3(c[0], c[1], c[2]), 0.0f, 1.0f);
            if (!std::isfinite(t.hu))
                throw DataError(where + ": a point's hu is not a number");
            p.points.push_back(t);
        }
        sortTf(p.points);
    }
    if (j.contains("shading")) {
        const nlohmann::json& s = j["shading"];
        if (!s.is_object())
            throw DataError(where + ": \"shading\" must be an object");
        p.shading.enabled = field<bool>(s, "enabled", p.shading.enabled, where);
        p.shading.ambient = field<float>(s, "ambient", p.shading.ambient, where);
        p.shading.diffuse = field<float>(s, "diffuse", p.shading.diffuse, where);
        p.shading.specular = field<float>(s, "specular", p.shading.specular, where);
        p.shading.shininess = std::max(1.0f, field<float>(s, "shininess", p.shading.shininess, where));
    }
    if (j.contains("gradientOpacity")) {
        const nlohmann::json& g = j["gradientOpacity"];
        if (!g.is_object())
            throw DataError(where + ": \"gradientOpacity\" must be an object");
        p.gradientOpacityOn = field<bool>(g, "enabled", false, where);
        p.gradientOpacity = {field<float>(g, "low", p.gradientOpacity.x, where),
                             field<float>(g, "high", p.gradientOpacity.y, where)};
    }
    p.hideOutsideBody = field<bool>(j, "hideOutsideBody", false, where);
    p.isoValue = field<float>(j, "isoValue", p.isoValue, where);
    if (j.contains("window")) {
        const nlohmann::json& w = j["window"];
        if (!w.is_object())
            throw DataError(where + ": \"window\" must be an object with width and level");
        p.window.width = std::max(1.0, field<double>(w, "width", p.window.width, where));
        p.window.center = field<double>(w, "level", p.window.center, where);
    }
    p.colormap = field<std::string>(j, "colormap", p.colormap, where);
    const auto& names = colormapNames();
    if (std::find(names.begin(), names.end(), p.colormap) == names.end())
        throw DataError(where + ": unknown colormap \"" + p.colormap + "\"");
    return p;
}

RenderPreset loadPresetFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw DataError(file.string() + ": cannot read the preset file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (ss.str().size() > (1u << 20))
        throw DataError(file.string() + ": too large for a preset (over 1 MiB)");
    try {
        return presetFromJson(ss.str(), file.stem().string());
    } catch (const DataError& e) {
        throw DataError(file.string() + ": " + e.what());
    }
}

void savePresetFile(const RenderPreset& p, const std::filesystem::path& file) {
    writeTextFileAtomically(file, presetToJson(p));
}

std::vector<RenderPreset> loadPresetFolder(const std::filesystem::path& folder,
                                           std::vector<std::string>& problems) {
    std::vector<RenderPreset> out;
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return out;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() != ".json" || !it->is_regular_file(ec))
            continue;
        try {
            out.push_back(loadPresetFile(it->path()));
        } catch (const DataError& e) {
            problems.push_back(e.what());
        }
    }
    if (ec)
        problems.push_back(folder.string() + ": " + ec.message());
    std::sort(out.begin(), out.end(),
              [](const RenderPreset& a, const RenderPreset& b) { return a.title < b.title; });
    return out;
}

const std::vector<RenderPreset>& builtinPresets() {
    static const std::vector<RenderPreset> presets = [] {
        std::vector<RenderPreset> v;
        for (std::size_t n = 0; n < kEmbeddedPresetsCount; ++n) {
            std::string stem = kEmbeddedPresets[n].name;
            stem = stem.substr(0, stem.rfind('.'));
            v.push_back(presetFromJson(kEmbeddedPresets[n].text, stem));
        }
        // Menu order: the order radiologists reach for them, then the projections.
        static const char* order[] = {"ct-bone",        "ct-skin", "ct-muscle",
                                      "ct-soft-tissue", "ct-lung", "ct-angio",
                                      "ct-cardiac",     "mip",     "xray"};
        auto rank = [](const std::string& name) {
            for (std::size_t i = 0; i < std::size(order); ++i)
                if (name == order[i])
                    return int(i);
            return int(std::size(order));
        };
        std::stable_sort(v.begin(), v.end(), [&](const RenderPreset& a, const RenderPreset& b) {
            return rank(a.name) < rank(b.name);
        });
        return v;
    }();
    return presets;
}

const RenderPreset* findBuiltinPreset(const std::string& name) {
    for (const RenderPreset& p : builtinPresets())
        if (p.name == name)
            return &p;
    return nullptr;
}

RenderPreset defaultRenderPreset() {
    if (const RenderPreset* p = findBuiltinPreset("ct-bone"))
        return *p;
    return builtinPresets().empty() ? RenderPreset{} : builtinPresets().front();
}

std::string presetFileStem(const std::string& title) {
    std::string s;
    for (char c : title) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '_';
        s += keep ? char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) : '-';
    }
    if (s.empty())
        s = "preset";
    return s;
}

} // namespace ctview
