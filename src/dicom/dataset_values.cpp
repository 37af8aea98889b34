#include "dicom/dataset_values.h"

#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmSequenceOfItems.h>

#include <cmath>
#include <cstring>
#include <sstream>

namespace ctview::dicomvalues {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0' || s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    std::size_t b = 0;
    while (b < s.size() && s[b] == ' ')
        ++b;
    return s.substr(b);
}

// The value of a string-like element (CS, LO, DS, IS, PN, DA, TM, UI, ...), trimmed; "" when absent.
std::string str(const gdcm::DataSet& ds, const gdcm::Tag& t) {
    if (!ds.FindDataElement(t))
        return {};
    const gdcm::DataElement& de = ds.GetDataElement(t);
    const gdcm::ByteValue* bv = de.GetByteValue();
    if (!bv || bv->GetLength() == 0)
        return {};
    return trim(std::string(bv->GetPointer(), bv->GetLength()));
}

// Multi-valued decimal strings (DS, IS): "a\b\c".
std::vector<double> numbers(const gdcm::DataSet& ds, const gdcm::Tag& t) {
    std::vector<double> out;
    std::string s = str(ds, t);
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, '\\')) {
        part = trim(part);
        if (part.empty())
            continue;
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        if (end == part.c_str() || !std::isfinite(v))
            return {}; // malformed: treat as absent
        out.push_back(v);
    }
    return out;
}

std::optional<double> number(const gdcm::DataSet& ds, const gdcm::Tag& t) {
    auto v = numbers(ds, t);
    if (v.empty())
        return std::nullopt;
    return v[0];
}

namespace {
template <typename T> std::optional<double> binaryValue(const gdcm::ByteValue* bv) {
    if (!bv || bv->GetLength() < sizeof(T))
        return std::nullopt;
    T v;
    std::memcpy(&v, bv->GetPointer(), sizeof(T));
    if (!std::isfinite(double(v)))
        return std::nullopt;
    return double(v);
}
} // namespace

std::optional<double> numeric(const gdcm::DataSet& ds, const gdcm::Tag& t) {
    if (!ds.FindDataElement(t))
        return std::nullopt;
    const gdcm::DataElement& de = ds.GetDataElement(t);
    gdcm::VR vr = de.GetVR();
    if (vr == gdcm::VR::INVALID || vr == gdcm::VR::UN || vr == gdcm::VR::VR_END)
        vr = gdcm::Global::GetInstance().GetDicts().GetDictEntry(t).GetVR();
    const gdcm::ByteValue* bv = de.GetByteValue();
    switch (vr) {
    case gdcm::VR::FL:
        return binaryValue<float>(bv);
    case gdcm::VR::FD:
        return binaryValue<double>(bv);
    case gdcm::VR::UL:
        return binaryValue<std::uint32_t>(bv);
    case gdcm::VR::SL:
        return binaryValue<std::int32_t>(bv);
    case gdcm::VR::US:
        return binaryValue<std::uint16_t>(bv);
    case gdcm::VR::SS:
        return binaryValue<std::int16_t>(bv);
    default:
        return number(ds, t);
    }
}

// Unsigned short (US) or signed short (SS) binary values; byte order already handled by GDCM for LE files.
std::optional<int> ushort(const gdcm::DataSet& ds, const gdcm::Tag& t) {
    if (!ds.FindDataElement(t))
        return std::nullopt;
    const gdcm::ByteValue* bv = ds.GetDataElement(t).GetByteValue();
    if (!bv || bv->GetLength() < 2)
        return std::nullopt;
    std::uint16_t v;
    std::memcpy(&v, bv->GetPointer(), 2);
    return int(v);
}

// The first item's nested data set of a sequence, or nullptr.
const gdcm::DataSet* firstItem(const gdcm::DataSet& ds, const gdcm::Tag& seq) {
    if (!ds.FindDataElement(seq))
        return nullptr;
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(seq).GetValueAsSQ();
    if (!sq || sq->GetNumberOfItems() == 0)
        return nullptr;
    return &sq->GetItem(1).GetNestedDataSet();
}

} // namespace ctview::dicomvalues
