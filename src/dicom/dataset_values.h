#pragma once
// Values of a GDCM data set as the readers of dicom/ want them: trimmed text, decimal strings as numbers,
// binary unsigned shorts, a sequence's first item. Absent or malformed values are empty, never an exception.
#include <gdcmDataSet.h>

#include <optional>
#include <string>
#include <vector>

namespace ctview::dicomvalues {

std::string trim(std::string s);
// The value of a string-like element (CS, LO, DS, IS, PN, DA, TM, UI, ...), trimmed; "" when absent.
std::string str(const gdcm::DataSet& ds, const gdcm::Tag& t);
// Multi-valued decimal strings (DS, IS): "a\b\c"; empty when absent or malformed.
std::vector<double> numbers(const gdcm::DataSet& ds, const gdcm::Tag& t);
std::optional<double> number(const gdcm::DataSet& ds, const gdcm::Tag& t);
// The first value of a number in whatever form its VR says: binary (FL, FD, UL, SL, US, SS: the per-frame
// entries of Enhanced objects, NominalPercentageOfCardiacPhase) or a decimal string (DS, IS). The element's
// own VR, or the dictionary's in an implicit-VR file.
std::optional<double> numeric(const gdcm::DataSet& ds, const gdcm::Tag& t);
// Unsigned short (US) or signed short (SS) binary values (the first).
std::optional<int> ushort(const gdcm::DataSet& ds, const gdcm::Tag& t);
// The first item's nested data set of a sequence, or nullptr.
const gdcm::DataSet* firstItem(const gdcm::DataSet& ds, const gdcm::Tag& seq);

} // namespace ctview::dicomvalues
