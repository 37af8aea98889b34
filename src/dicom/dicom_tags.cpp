#include "dicom/dicom_tags.h"

#include "base/error.h"
#include "base/isolate.h"

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
#include <cstdlib>
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

} // namespace ctview
