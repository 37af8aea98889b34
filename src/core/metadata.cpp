#include "core/metadata.h"

#include "core/error.h"
#include "core/isolate.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include <gdcmDict.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmStringFilter.h>
#include <gdcmTrace.h>
#include <gdcmUIDs.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace ctview {

namespace {
std::vector<std::string> splitValues(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, '\\'))
        out.push_back(part);
    return out;
}
} // namespace

std::vector<WindowPreset> fileWindows(const FileHeader& h) {
    std::vector<WindowPreset> out;
    auto get = [&](const char* k) {
        auto it = h.meta.find(k);
        return it == h.meta.end() ? std::vector<std::string>{} : splitValues(it->second);
    };
    const auto centers = get("WindowCenter"), widths = get("WindowWidth"),
               names = get("WindowCenterWidthExplanation");
    for (std::size_t i = 0; i < std::min(centers.size(), widths.size()); ++i) {
        char* e1 = nullptr;
        char* e2 = nullptr;
        const double c = std::strtod(centers[i].c_str(), &e1), w = std::strtod(widths[i].c_str(), &e2);
        if (e1 == centers[i].c_str() || e2 == widths[i].c_str() || !(w > 0) || !std::isfinite(c))
            continue;
        std::string name = i < names.size() && !names[i].empty() ? names[i] : "file " + std::to_string(i + 1);
        while (!name.empty() && name.back() == ' ')
            name.pop_back();
        out.push_back({name, {w, c}});
    }
    return out;
}

std::string orientationLabel(const std::array<double, 6>& o) {
    const double nx = o[1] * o[5] - o[2] * o[4], ny = o[2] * o[3] - o[0] * o[5],
                 nz = o[0] * o[4] - o[1] * o[3];
    const double len = std::sqrt(nx * nx + ny * ny + nz * nz);
    if (len < 1e-6)
        return "unknown";
    const double c = std::cos(10.0 * M_PI / 180.0);
    if (std::abs(nz) / len >= c)
        return "axial";
    if (std::abs(ny) / len >= c)
        return "coronal";
    if (std::abs(nx) / len >= c)
        return "sagittal";
    return "oblique";
}

std::string transferSyntaxName(const std::string& uid) {
    gdcm::UIDs u;
    if (u.SetFromUID(uid.c_str()) && u.GetName())
        return u.GetName();
    return uid;
}

namespace {

void walk(const gdcm::DataSet& ds, int depth, const gdcm::StringFilter& sf, std::vector<TagEntry>& out) {
    const gdcm::Dicts& dicts = gdcm::Global::GetInstance().GetDicts();
    for (const gdcm::DataElement& de : ds.GetDES()) {
        const gdcm::Tag& t = de.GetTag();
        char tagText[16];
        std::snprintf(tagText, sizeof tagText, "(%04X,%04X)", t.GetGroup(), t.GetElement());
        TagEntry e;
        e.depth = depth;
        e.tag = tagText;
        const gdcm::DictEntry& entry = dicts.GetDictEntry(t);
        e.name =
            t.IsPrivate() ? "Private" : (entry.GetName() && *entry.GetName() ? entry.GetName() : "Unknown");
        gdcm::VR vr = de.GetVR();
        if (vr == gdcm::VR::INVALID)
            vr = entry.GetVR();
        e.vr = gdcm::VR::GetVRString(vr) ? gdcm::VR::GetVRString(vr) : "??";
        gdcm::SmartPointer<gdcm::SequenceOfItems> sq = de.GetValueAsSQ();
        if (t == gdcm::Tag(0x7fe0, 0x0010)) {
            const gdcm::ByteValue* bv = de.GetByteValue();
            e.value = bv ? std::to_string(bv->GetLength()) + " bytes" : "encapsulated (compressed) fragments";
            out.push_back(e);
        } else if (sq && sq->GetNumberOfItems() > 0 &&
                   (vr == gdcm::VR::SQ || vr == gdcm::VR::UN || vr == gdcm::VR::INVALID)) {
            e.vr = "SQ";
            e.value = std::to_string(sq->GetNumberOfItems()) + " item(s)";
            out.push_back(e);
            for (std::size_t i = 1; i <= sq->GetNumberOfItems(); ++i) {
                out.push_back({depth + 1, "item " + std::to_string(i), "", "", ""});
                walk(sq->GetItem(i).GetNestedDataSet(), depth + 2, sf, out);
            }
        } else {
            const gdcm::ByteValue* bv = de.GetByteValue();
            if (bv && bv->GetLength() > 256 &&
                (vr & (gdcm::VR::OB | gdcm::VR::OW | gdcm::VR::UN | gdcm::VR::OF)))
                e.value = std::to_string(bv->GetLength()) + " bytes";
            else
                e.value = sf.ToString(de);
            if (e.value.size() > 512)
                e.value = e.value.substr(0, 512) + "...";
            while (!e.value.empty() && (e.value.back() == ' ' || e.value.back() == '\0'))
                e.value.pop_back();
            out.push_back(e);
        }
    }
}

} // namespace

std::vector<TagEntry> dumpTags(const std::filesystem::path& file) {
    auto results = runIsolated(1, [&](std::size_t) {
        gdcm::Trace::SetWarning(false);
        gdcm::Trace::SetError(false);
        gdcm::Reader reader;
        reader.SetFileName(file.c_str());
        if (!reader.Read())
            throw DataError("not a readable DICOM file");
        gdcm::StringFilter sf;
        sf.SetFile(reader.GetFile());
        std::vector<TagEntry> entries;
        walk(reader.GetFile().GetHeader(), 0, sf, entries);
        walk(reader.GetFile().GetDataSet(), 0, sf, entries);
        nlohmann::json j = nlohmann::json::array();
        for (const TagEntry& e : entries)
            j.push_back({e.depth, e.tag, e.vr, e.name, e.value});
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    });
    if (results[0].status != IsolatedResult::Status::Ok)
        throw DataError(file.string() + ": " + results[0].describe());
    std::vector<TagEntry> out;
    for (const auto& row : nlohmann::json::parse(results[0].payload))
        out.push_back({row[0].get<int>(), row[1].get<std::string>(), row[2].get<std::string>(),
                       row[3].get<std::string>(), row[4].get<std::string>()});
    return out;
}

nlohmann::json describeSeries(const Series& series) {
    const Provenance& p = series.about;
    const Geometry& g = series.volume.geometry();
    using nlohmann::json;
    auto f = [&](const char* keyword) { return p.field(keyword); };
    json patient = {{"name", f("PatientName")},
                    {"id", f("PatientID")},
                    {"sex", f("PatientSex")},
                    {"age", f("PatientAge")},
                    {"birth_date", f("PatientBirthDate")}};
    json study = {{"date", f("StudyDate")},
                  {"time", f("StudyTime")},
                  {"description", f("StudyDescription")},
                  {"uid", p.studyUid}};
    json windows = json::array();
    for (const WindowPreset& w : p.windows)
        windows.push_back({{"name", w.name}, {"width", w.wl.width}, {"center", w.wl.center}});
    json failed = json::array();
    for (const SkippedFile& sf : series.failed)
        failed.push_back({{"path", sf.path.string()}, {"reason", sf.reason}});
    return {
        {"source", {{"kind", p.source}, {"location", p.location}}},
        {"patient", patient},
        {"study", study},
        {"series",
         {{"number", p.listing.number},
          {"series_number", p.listing.seriesNumber},
          {"description", f("SeriesDescription")},
          {"uid", p.listing.uid},
          {"modality", f("Modality")},
          {"manufacturer", f("Manufacturer")},
          {"model", f("ManufacturerModelName")},
          {"body_part", f("BodyPartExamined")}}},
        {"acquisition",
         {{"kvp", f("KVP")},
          {"exposure_mAs", f("Exposure")},
          {"tube_current_mA", f("XRayTubeCurrent")},
          {"convolution_kernel", f("ConvolutionKernel")}}},
        {"image",
         {{"columns", g.dims.x},
          {"rows", g.dims.y},
          {"slices", g.dims.z},
          {"acquired_slices", p.acquiredSlices},
          {"pixel_spacing_mm", {g.spacing.x, g.spacing.y}},
          {"slice_thickness_mm", p.sliceThickness},
          {"measured_step_mm", p.measuredStep},
          {"volume_spacing_mm", {g.spacing.x, g.spacing.y, g.spacing.z}},
          {"origin_lps_mm", {g.origin.x, g.origin.y, g.origin.z}},
          {"direction_lps",
           {{g.direction[0].x, g.direction[0].y, g.direction[0].z},
            {g.direction[1].x, g.direction[1].y, g.direction[1].z},
            {g.direction[2].x, g.direction[2].y, g.direction[2].z}}},
          {"orientation", orientationLabel(p.orientation)},
          {"orientation_cosines", p.orientation},
          {"resampled", p.resampled},
          {"scalar_type", series.volume.type() == ScalarType::Int16 ? "int16" : "float32"},
          {"photometric", p.photometric},
          {"decoder", p.decoder},
          {"hu_range", {series.minHU, series.maxHU}}}},
        {"window_presets", windows},
        {"transfer_syntaxes", p.encodings},
        {"warnings", series.warnings},
        {"failed_files", failed},
    };
}

std::vector<std::pair<std::string, std::string>> describeLines(const Series& series) {
    using nlohmann::json;
    std::vector<std::pair<std::string, std::string>> out;
    const json d = describeSeries(series);
    auto line = [&](const char* label, const std::string& value) { out.emplace_back(label, value); };
    auto s = [](const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
    // Labelled parts of a line, leaving out what the file does not have.
    auto parts = [&](std::initializer_list<std::pair<const char*, json>> items) {
        std::string text;
        for (const auto& [label, value] : items) {
            const std::string v = s(value);
            if (v.empty())
                continue;
            text += (text.empty() ? "" : "  ") + (*label ? std::string(label) + " " : std::string()) + v;
        }
        return text;
    };
    const json& p = d["patient"];
    line("Patient", parts({{"", p["name"]},
                           {"ID", p["id"]},
                           {"sex", p["sex"]},
                           {"age", p["age"]},
                           {"born", p["birth_date"]}}));
    line("Study",
         parts({{"", d["study"]["date"]}, {"", d["study"]["time"]}, {"", d["study"]["description"]}}));
    const int seriesNumber = d["series"]["series_number"].get<int>();
    line("Source", parts({{"", d["source"]["kind"]}, {"", d["source"]["location"]}}));
    line("Series", parts({{"", seriesNumber > 0 ? std::to_string(seriesNumber) : std::string()},
                          {"", d["series"]["description"]}}));
    line("Modality", parts({{"", d["series"]["modality"]},
                            {"", d["series"]["manufacturer"]},
                            {"", d["series"]["model"]},
                            {"body part", d["series"]["body_part"]}}));
    const json& a = d["acquisition"];
    line("Acquisition", parts({{"kVp", a["kvp"]},
                               {"exposure (mAs)", a["exposure_mAs"]},
                               {"tube current (mA)", a["tube_current_mA"]},
                               {"kernel", a["convolution_kernel"]}}));
    const Geometry& g = series.volume.geometry();
    const Provenance& about = series.about;
    char buf[512];
    std::snprintf(buf, sizeof buf, "%d x %d x %d%s", g.dims.x, g.dims.y, g.dims.z,
                  about.resampled ? "  (resampled)" : "");
    line("Size", buf);
    const double thickness = d["image"]["slice_thickness_mm"].get<double>();
    char thick[32] = "not given";
    if (thickness > 0)
        std::snprintf(thick, sizeof thick, "%.4g mm", thickness);
    std::snprintf(buf, sizeof buf, "%.4g x %.4g mm pixels; thickness %s; step %.4g mm %s", g.spacing.x,
                  g.spacing.y, thick, about.measuredStep,
                  about.orderedByInstance               ? "(no positions: assumed)"
                  : about.source.rfind("DICOM", 0) == 0 ? "measured from positions"
                                                        : "from the file's geometry");
    line("Spacing", buf);
    const auto& o = about.orientation;
    std::snprintf(buf, sizeof buf, "%s  (%.4g %.4g %.4g / %.4g %.4g %.4g)", orientationLabel(o).c_str(), o[0],
                  o[1], o[2], o[3], o[4], o[5]);
    line("Orientation", buf);
    std::snprintf(buf, sizeof buf, "(%.3f, %.3f, %.3f) mm LPS", g.origin.x, g.origin.y, g.origin.z);
    line("Origin", buf);
    std::snprintf(buf, sizeof buf, "%g .. %g HU (%s)", double(series.minHU), double(series.maxHU),
                  series.volume.type() == ScalarType::Int16 ? "int16" : "float32");
    line("Values", buf);
    std::string windows;
    for (const auto& w : d["window_presets"]) {
        char wl[64];
        std::snprintf(wl, sizeof wl, "%g/%g", w["width"].get<double>(), w["center"].get<double>());
        windows += (windows.empty() ? "" : ", ") + s(w["name"]) + " " + wl;
    }
    line("Window presets", windows.empty() ? "none in the file" : windows);
    std::string ts;
    for (const auto& t : d["transfer_syntaxes"])
        ts += (ts.empty() ? "" : ", ") + s(t);
    line(about.source.rfind("DICOM", 0) == 0 ? "Transfer syntax" : "Encoding", ts);
    if (series.warnings.empty())
        line("Warnings", "none");
    for (const std::string& w : series.warnings)
        line("Warning", w);
    return out;
}

} // namespace ctview
