// Reading NRRD (Teem) and NIfTI-1 (nifticlib) volume files: see volume_io.h. Both libraries parse untrusted
// bytes in C; the viewer and the commands call these functions only inside isolated workers
// (source_volume.cpp).
#include "nrrd_nifti/volume_io.h"

#include "base/error.h"
#include "volume/parallel.h"

#include <nifti/nifti1_io.h>
#include <teem/nrrd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <sys/stat.h>
#include <type_traits>
#include <unistd.h>
#include <vector>

namespace ctview {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool isNrrdName(const std::string& n) {
    return endsWith(n, ".nrrd") || endsWith(n, ".nhdr");
}
bool isNiftiName(const std::string& n) {
    return endsWith(n, ".nii") || endsWith(n, ".nii.gz");
}

std::string lower(std::string s) {
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string num(double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.10g", v);
    return b;
}

// LPS from a space whose axes point the other way along x and/or y.
const glm::dmat3 kFlipXY(glm::dvec3(-1, 0, 0), glm::dvec3(0, -1, 0), glm::dvec3(0, 0, 1));
const glm::dmat3 kFlipY(glm::dvec3(1, 0, 0), glm::dvec3(0, -1, 0), glm::dvec3(0, 0, 1));

// Direction columns and spacings from the three axis vectors (mm, LPS); a zero vector is an error in the
// file.
void setAxes(Geometry& g, const glm::dvec3 (&axes)[3], const std::string& file) {
    for (int a = 0; a < 3; ++a) {
        const double len = glm::length(axes[a]);
        if (!(len > 0) || !std::isfinite(len))
            throw DataError(file + ": axis " + std::to_string(a) + " has no length in the file's geometry");
        g.spacing[a] = len;
        g.direction[a] = axes[a] / len;
    }
    if (std::abs(glm::determinant(g.direction)) < 1e-6)
        throw DataError(file + ": the file's axes are degenerate");
}

struct NrrdDeleter {
    void operator()(Nrrd* n) const { nrrdNuke(n); }
};
struct NioDeleter {
    void operator()(NrrdIoState* n) const { nrrdIoStateNix(n); }
};
struct NiftiDeleter {
    void operator()(nifti_image* n) const { nifti_image_free(n); }
};

std::unique_ptr<Nrrd, NrrdDeleter> loadNrrd(const std::filesystem::path& p, bool data,
                                            std::string* encoding = nullptr) {
    std::unique_ptr<Nrrd, NrrdDeleter> n(nrrdNew());
    std::unique_ptr<NrrdIoState, NioDeleter> nio(nrrdIoStateNew());
    nrrdIoStateSet(nio.get(), nrrdIoStateSkipData, data ? AIR_FALSE : AIR_TRUE);
    if (nrrdLoad(n.get(), p.c_str(), nio.get())) {
        char* err = biffGetDone(NRRD);
        std::string text = err ? err : "unknown error";
        std::free(err);
        // Teem's message is a stack of "[nrrd] function: ..." lines; the innermost (last) says what is wrong.
        while (!text.empty() && text.back() == '\n')
            text.pop_back();
        if (auto nl = text.rfind('\n'); nl != std::string::npos)
            text = text.substr(nl + 1);
        if (auto colon = text.find(": "); text.rfind("[nrrd]", 0) == 0 && colon != std::string::npos)
            text = text.substr(colon + 2);
        throw DataError(p.string() + ": not a readable NRRD file (" + text + ")");
    }
    if (encoding && nio->encoding)
        *encoding = nio->encoding->name;
    return n;
}

const char* nrrdTypeText(int t) {
    switch (t) {
    case nrrdTypeChar:
        return "int8";
    case nrrdTypeUChar:
        return "uint8";
    case nrrdTypeShort:
        return "int16";
    case nrrdTypeUShort:
        return "uint16";
    case nrrdTypeInt:
        return "int32";
    case nrrdTypeUInt:
        return "uint32";
    case nrrdTypeLLong:
        return "int64";
    case nrrdTypeULLong:
        return "uint64";
    case nrrdTypeFloat:
        return "float32";
    case nrrdTypeDouble:
        return "float64";
    default:
        return nullptr;
    }
}

VolumeFileHeader nrrdHeader(const std::filesystem::path& p) {
    const std::string file = p.string();
    VolumeFileHeader h;
    auto n = loadNrrd(p, false, &h.encoding);
    h.format = VolumeFormat::Nrrd;
    const char* type = nrrdTypeText(n->type);
    if (!type)
        throw DataError(file + ": NRRD values of type " + std::string(airEnumStr(nrrdType, n->type)) +
                        " are not supported (use a scalar integer or floating-point type)");
    h.valueType = type;
    h.integerValues = n->type != nrrdTypeFloat && n->type != nrrdTypeDouble;
    // A first axis that is a list, not a place (3D Slicer's .seg.nrrd with overlapping segments: one
    // labelmap per layer, interleaved voxel by voxel): the layers, and the spatial axes after it.
    const unsigned first = n->dim == 4 && n->axis[0].size > 1 && n->axis[0].kind == nrrdKindList ? 1 : 0;
    h.layers = first ? int(n->axis[0].size) : 1;
    // Axes past the third must be single samples (a 3D volume saved with a trailing time axis of 1), but for
    // one fourth axis of volumes (a 4D series' phases, as `convert` writes them).
    unsigned spatial = n->dim - first;
    while (spatial > 3 && n->axis[first + spatial - 1].size == 1)
        --spatial;
    // Only after three axes that are places (a colour or vector first axis is not one: not an image ctview
    // shows).
    const bool placeFirst = n->axis[0].kind == nrrdKindDomain || n->axis[0].kind == nrrdKindSpace ||
                            (n->spaceDim == 3 && std::isfinite(n->axis[0].spaceDirection[0]));
    if (spatial == 4 && !first && placeFirst && n->axis[3].size > 1) {
        h.phases = int(n->axis[3].size);
        spatial = 3;
    }
    std::string sizes;
    for (unsigned a = 0; a < n->dim; ++a)
        sizes += (a ? " " : "") + std::to_string(n->axis[a].size);
    if (spatial > 3 || spatial < 2)
        throw DataError(file + ": a " + std::to_string(n->dim) + "-dimensional NRRD (sizes " + sizes +
                        "); ctview opens 3D scalar volumes (or single 2D images)");
    for (unsigned a = 0; a < 3; ++a) {
        const std::size_t size = a < spatial ? n->axis[first + a].size : 1;
        if (size < 1 || size > 65535)
            throw DataError(file + ": axis " + std::to_string(a) + " has " + std::to_string(size) +
                            " samples");
        h.geometry.dims[int(a)] = int(size);
    }
    glm::dvec3 axes[3] = {glm::dvec3(1, 0, 0), glm::dvec3(0, 1, 0), glm::dvec3(0, 0, 1)};
    const bool hasDirections = n->spaceDim == 3 && [&] {
        for (unsigned a = 0; a < spatial; ++a)
            for (int c = 0; c < 3; ++c)
                if (!std::isfinite(n->axis[first + a].spaceDirection[c]))
                    return false;
        return true;
    }();
    if (hasDirections) {
        for (unsigned a = 0; a < spatial; ++a)
            axes[a] = {n->axis[first + a].spaceDirection[0], n->axis[first + a].spaceDirection[1],
                       n->axis[first + a].spaceDirection[2]};
        if (spatial == 2)
            axes[2] = glm::normalize(glm::cross(axes[0], axes[1]));
        glm::dvec3 origin(0.0);
        if (std::isfinite(n->spaceOrigin[0]) && std::isfinite(n->spaceOrigin[1]) &&
            std::isfinite(n->spaceOrigin[2]))
            origin = {n->spaceOrigin[0], n->spaceOrigin[1], n->spaceOrigin[2]};
        glm::dmat3 toLps(1.0);
        switch (n->space) {
        case nrrdSpaceRightAnteriorSuperior:
        case nrrdSpaceRightAnteriorSuperiorTime:
            toLps = kFlipXY;
            break;
        case nrrdSpaceLeftAnteriorSuperior:
        case nrrdSpaceLeftAnteriorSuperiorTime:
            toLps = kFlipY;
            break;
        case nrrdSpaceLeftPosteriorSuperior:
        case nrrdSpaceLeftPosteriorSuperiorTime:
        case nrrdSpaceScannerXYZ: // "the same as left-posterior-superior" (Teem's nrrdEnums.h)
        case nrrdSpaceScannerXYZTime:
            break;
        default:
            h.warnings.push_back("the file's space is not a patient space: its axes are taken as LPS");
        }
        for (glm::dvec3& v : axes)
            v = toLps * v;
        h.geometry.origin = toLps * origin;
    } else {
        for (unsigned a = 0; a < spatial; ++a) {
            const double s = n->axis[first + a].spacing;
            axes[a] *= std::isfinite(s) && s > 0 ? s : 1.0;
        }
        h.warnings.push_back(
            "the file has no orientation (space directions): axes taken as L, P, S from the origin");
    }
    setAxes(h.geometry, axes, file);
    // What the file says, in its own words (Teem's field names).
    auto field = [&](const std::string& k, const std::string& v) { h.fields.emplace_back(k, v); };
    field("type", airEnumStr(nrrdType, n->type));
    field("dimension", std::to_string(n->dim));
    if (n->space)
        field("space", airEnumStr(nrrdSpace, n->space));
    field("sizes", sizes);
    if (hasDirections) {
        std::string d;
        for (unsigned a = 0; a < spatial; ++a)
            d += (a ? " (" : "(") + num(n->axis[first + a].spaceDirection[0]) + "," +
                 num(n->axis[first + a].spaceDirection[1]) + "," + num(n->axis[first + a].spaceDirection[2]) +
                 ")";
        field("space directions", d);
        field("space origin", "(" + num(n->spaceOrigin[0]) + "," + num(n->spaceOrigin[1]) + "," +
                                  num(n->spaceOrigin[2]) + ")");
    }
    std::string kinds;
    for (unsigned a = 0; a < n->dim; ++a)
        kinds += (a ? " " : "") + std::string(airEnumStr(nrrdKind, n->axis[a].kind));
    field("kinds", kinds);
    if (n->content && *n->content) {
        h.description = n->content;
        field("content", n->content);
    }
    for (unsigned i = 0; i < nrrdKeyValueSize(n.get()); ++i) {
        char* key = nullptr;
        char* value = nullptr;
        nrrdKeyValueIndex(n.get(), &key, &value, i);
        if (key)
            field(key, value ? value : "");
        // The window convert wrote ("width,level", HU): a file that opens as its series did.
        if (key && value && std::string(key) == kNrrdWindowKey)
            if (std::optional<WindowLevel> w = parseWindow(value, std::nullopt); w)
                h.windows.push_back({"file", *w});
        std::free(key);
        std::free(value);
    }
    for (unsigned i = 0; n->cmtArr && i < n->cmtArr->len; ++i)
        field("#", n->cmt[i] ? n->cmt[i] : "");
    field("encoding", h.encoding);
    return h;
}

const char* niftiTypeText(int t) {
    switch (t) {
    case DT_INT8:
        return "int8";
    case DT_UINT8:
        return "uint8";
    case DT_INT16:
        return "int16";
    case DT_UINT16:
        return "uint16";
    case DT_INT32:
        return "int32";
    case DT_UINT32:
        return "uint32";
    case DT_INT64:
        return "int64";
    case DT_UINT64:
        return "uint64";
    case DT_FLOAT32:
        return "float32";
    case DT_FLOAT64:
        return "float64";
    default:
        return nullptr;
    }
}

std::unique_ptr<nifti_image, NiftiDeleter> loadNifti(const std::filesystem::path& p, bool data) {
    nifti_set_debug_level(0);
    // NIfTI-2 starts with sizeof_hdr 540 (in either byte order); nifticlib's NIfTI-1 reader would only say
    // "no".
    if (gzFile gz = gzopen(p.c_str(), "rb")) {
        std::int32_t size = 0;
        const bool got = gzread(gz, &size, 4) == 4;
        gzclose(gz);
        if (got && (size == 540 || size == 0x1C020000))
            throw DataError(p.string() + ": a NIfTI-2 file; ctview reads NIfTI-1 (.nii, .nii.gz)");
    }
    std::unique_ptr<nifti_image, NiftiDeleter> nim(nifti_image_read(p.c_str(), data ? 1 : 0));
    if (!nim)
        throw DataError(p.string() + ": not a readable NIfTI file");
    if (data && !nim->data)
        throw DataError(p.string() + ": the NIfTI file's data is cut short");
    return nim;
}

VolumeFileHeader niftiHeader(const std::filesystem::path& p) {
    const std::string file = p.string();
    auto nim = loadNifti(p, false);
    VolumeFileHeader h;
    h.format = endsWith(file, ".gz") ? VolumeFormat::NiftiGz : VolumeFormat::Nifti;
    const char* type = niftiTypeText(nim->datatype);
    if (!type)
        throw DataError(file + ": NIfTI values of type " + std::string(nifti_datatype_string(nim->datatype)) +
                        " are not supported (use a scalar integer or floating-point type)");
    h.valueType = type;
    h.integerValues = nim->datatype != DT_FLOAT32 && nim->datatype != DT_FLOAT64;
    std::string sizes;
    for (int a = 1; a <= nim->dim[0] && a <= 7; ++a)
        sizes += (a > 1 ? " " : "") + std::to_string(nim->dim[a]);
    // A fourth axis of volumes (a 4D series' phases, as `convert` writes them; fMRI's time) is taken as
    // phases; more axes than that are not images ctview shows.
    for (int a = 5; a <= nim->dim[0] && a <= 7; ++a)
        if (nim->dim[a] > 1)
            throw DataError(file + ": a " + std::to_string(nim->dim[0]) + "D NIfTI image (sizes " + sizes +
                            "); ctview opens 3D volumes and 4D ones as phases");
    if (nim->dim[0] >= 4 && nim->dim[4] > 1)
        h.phases = nim->dim[4];
    const int dims[3] = {int(nim->nx), int(nim->ny), int(nim->nz)};
    for (int a = 0; a < 3; ++a) {
        if (dims[a] < 1 || dims[a] > 32767)
            throw DataError(file + ": axis " + std::to_string(a) + " has " + std::to_string(dims[a]) +
                            " samples");
        h.geometry.dims[a] = dims[a];
    }
    // nibabel's choice: the sform when its code is set, else the qform (nifticlib computes it, with pixdim
    // and qfac, or from pixdim alone when qform_code is 0).
    const mat44& m = nim->sform_code > 0 ? nim->sto_xyz : nim->qto_xyz;
    if (nim->sform_code <= 0 && nim->qform_code <= 0)
        h.warnings.push_back(
            "the file has no orientation (qform_code and sform_code 0): axes taken as L, P, S");
    double unit = 1; // to mm
    switch (XYZT_TO_SPACE(nim->xyz_units)) {
    case NIFTI_UNITS_METER:
        unit = 1000;
        break;
    case NIFTI_UNITS_MICRON:
        unit = 0.001;
        break;
    default:
        break;
    }
    glm::dvec3 axes[3];
    for (int a = 0; a < 3; ++a)
        axes[a] = kFlipXY * (unit * glm::dvec3(m.m[0][a], m.m[1][a], m.m[2][a]));
    if (nim->sform_code <= 0 && nim->qform_code <= 0)
        for (int a = 0; a < 3; ++a)
            axes[a] = kFlipXY * axes[a]; // "method 1": no orientation, keep i, j, k as is
    h.geometry.origin = kFlipXY * (unit * glm::dvec3(m.m[0][3], m.m[1][3], m.m[2][3]));
    setAxes(h.geometry, axes, file);
    if (std::isfinite(nim->scl_slope) && nim->scl_slope != 0) {
        h.slope = nim->scl_slope;
        h.intercept = std::isfinite(nim->scl_inter) ? nim->scl_inter : 0;
    }
    if (std::isfinite(nim->cal_min) && std::isfinite(nim->cal_max) && nim->cal_max > nim->cal_min)
        h.windows.push_back(
            {"file (cal_min..cal_max)",
             {double(nim->cal_max) - nim->cal_min, (double(nim->cal_max) + nim->cal_min) / 2}});
    h.description = nim->descrip;
    h.encoding = h.format == VolumeFormat::NiftiGz ? "gzip" : "raw";
    if (h.format == VolumeFormat::Nifti && nim->nifti_type == NIFTI_FTYPE_NIFTI1_1 &&
        nim->byteorder == nifti_short_order() && nim->iname_offset > 0)
        h.rawOffset = std::uint64_t(nim->iname_offset);
    auto field = [&](const std::string& k, const std::string& v) { h.fields.emplace_back(k, v); };
    field("magic", nim->nifti_type == NIFTI_FTYPE_NIFTI1_1   ? "n+1 (single file)"
                   : nim->nifti_type == NIFTI_FTYPE_NIFTI1_2 ? "ni1 (header and image files)"
                                                             : "Analyze 7.5");
    field("dim", sizes);
    field("datatype", nifti_datatype_string(nim->datatype));
    field("pixdim", num(nim->dx) + " " + num(nim->dy) + " " + num(nim->dz));
    field("xyzt_units", std::string(nifti_units_string(XYZT_TO_SPACE(nim->xyz_units))) + ", " +
                            nifti_units_string(nim->time_units));
    field("qform_code", std::to_string(nim->qform_code) + " (" + nifti_xform_string(nim->qform_code) + ")");
    field("quatern_b c d", num(nim->quatern_b) + " " + num(nim->quatern_c) + " " + num(nim->quatern_d));
    field("qoffset_x y z", num(nim->qoffset_x) + " " + num(nim->qoffset_y) + " " + num(nim->qoffset_z));
    field("qfac", num(nim->qfac));
    field("sform_code", std::to_string(nim->sform_code) + " (" + nifti_xform_string(nim->sform_code) + ")");
    const char* rows[3] = {"srow_x", "srow_y", "srow_z"};
    for (int r = 0; r < 3; ++r)
        field(rows[r], num(nim->sto_xyz.m[r][0]) + " " + num(nim->sto_xyz.m[r][1]) + " " +
                           num(nim->sto_xyz.m[r][2]) + " " + num(nim->sto_xyz.m[r][3]));
    field("scl_slope", num(nim->scl_slope));
    field("scl_inter", num(nim->scl_inter));
    field("cal_min", num(nim->cal_min));
    field("cal_max", num(nim->cal_max));
    field("intent", nifti_intent_string(nim->intent_code));
    if (nim->intent_name[0])
        field("intent_name", nim->intent_name);
    field("descrip", nim->descrip);
    if (nim->aux_file[0])
        field("aux_file", nim->aux_file);
    return h;
}

// Stored values to the volume's type; false when an int16 volume cannot hold a value exactly.
// Voxels [first, first + n) of `out` from `src`.
template <class T>
bool convert(const T* src, std::size_t n, double slope, double intercept, Volume& out,
             std::size_t first = 0) {
    if constexpr (std::is_integral_v<T> && sizeof(T) <= 2) {
        // The common case (CT as int16 or uint16 HU, no scaling or a whole-number offset) in integers: a few
        // vector instructions per 16 voxels instead of a double, a floor and two compares per voxel.
        if (out.type() == ScalarType::Int16 && slope == 1.0 && intercept == std::floor(intercept) &&
            std::abs(intercept) <= 65536.0) {
            const int offset = int(intercept);
            std::int16_t* dst = static_cast<std::int16_t*>(out.data()) + first;
            int outside = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const int v = int(src[i]) + offset;
                outside |= int(v < -32768) | int(v > 32767);
                dst[i] = std::int16_t(v);
            }
            return outside == 0;
        }
    }
    if (out.type() == ScalarType::Float32) {
        float* dst = static_cast<float*>(out.data()) + first;
        for (std::size_t i = 0; i < n; ++i)
            dst[i] = float(double(src[i]) * slope + intercept);
        return true;
    }
    std::int16_t* dst = static_cast<std::int16_t*>(out.data()) + first;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = double(src[i]) * slope + intercept;
        if (!(v >= -32768.0 && v <= 32767.0) || v != std::floor(v))
            return false;
        dst[i] = std::int16_t(v);
    }
    return true;
}

bool convertAny(const std::string& type, const void* src, std::size_t n, double slope, double intercept,
                Volume& out, std::size_t first = 0) {
    if (type == "int8")
        return convert(static_cast<const std::int8_t*>(src), n, slope, intercept, out, first);
    if (type == "uint8")
        return convert(static_cast<const std::uint8_t*>(src), n, slope, intercept, out, first);
    if (type == "int16")
        return convert(static_cast<const std::int16_t*>(src), n, slope, intercept, out, first);
    if (type == "uint16")
        return convert(static_cast<const std::uint16_t*>(src), n, slope, intercept, out, first);
    if (type == "int32")
        return convert(static_cast<const std::int32_t*>(src), n, slope, intercept, out, first);
    if (type == "uint32")
        return convert(static_cast<const std::uint32_t*>(src), n, slope, intercept, out, first);
    if (type == "int64")
        return convert(static_cast<const std::int64_t*>(src), n, slope, intercept, out, first);
    if (type == "uint64")
        return convert(static_cast<const std::uint64_t*>(src), n, slope, intercept, out, first);
    if (type == "float32")
        return convert(static_cast<const float*>(src), n, slope, intercept, out, first);
    return convert(static_cast<const double*>(src), n, slope, intercept, out, first);
}

// The voxels of a file that holds them as they are (VolumeFileHeader::rawOffset), read a slab at a time on
// every core into the volume's own type. Throws DataError when the file is short.
bool readRawVoxels(const std::filesystem::path& p, const VolumeFileHeader& h, Volume& into, int phase) {
    const std::size_t n = h.geometry.voxelCount(), size = valueTypeBytes(h.valueType);
    const std::uint64_t offset = h.rawOffset + std::uint64_t(phase) * n * size; // the phase's volume
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw DataError(p.string() + ": cannot be read (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || std::uint64_t(st.st_size) < offset + std::uint64_t(n) * size) {
        ::close(fd);
        throw DataError(p.string() + ": the data is cut short");
    }
    constexpr std::size_t kSlab = 1 << 20; // voxels
    const int slabs = int((n + kSlab - 1) / kSlab);
    std::atomic<bool> fits{true}, readAll{true};
    // Values stored as the volume holds them (int16 or float32, unscaled) are read into it, not converted.
    const bool asStored = h.slope == 1.0 && h.intercept == 0.0 &&
                          ((h.valueType == "int16" && into.type() == ScalarType::Int16) ||
                           (h.valueType == "float32" && into.type() == ScalarType::Float32));
    parallelFor(slabs, [&](int a, int b) {
        std::vector<unsigned char> buffer(asStored ? 0 : kSlab * size);
        for (int s = a; s < b && readAll; ++s) {
            const std::size_t first = std::size_t(s) * kSlab, count = std::min(kSlab, n - first);
            unsigned char* to =
                asStored ? static_cast<unsigned char*>(into.data()) + first * size : buffer.data();
            for (std::size_t done = 0; done < count * size;) {
                const ssize_t got =
                    ::pread(fd, to + done, count * size - done, off_t(offset + first * size + done));
                if (got < 0 && errno == EINTR)
                    continue;
                if (got <= 0) {
                    readAll = false;
                    break;
                }
                done += std::size_t(got);
            }
            if (readAll && !asStored &&
                !convertAny(h.valueType, buffer.data(), count, h.slope, h.intercept, into, first))
                fits = false;
        }
    });
    ::close(fd);
    if (!readAll)
        throw DataError(p.string() + ": the data is cut short");
    return fits;
}

} // namespace

std::size_t valueTypeBytes(const std::string& valueType) {
    std::size_t bits = 0;
    for (char c : valueType)
        if (c >= '0' && c <= '9')
            bits = bits * 10 + std::size_t(c - '0');
    return std::max<std::size_t>(1, bits / 8);
}

bool isVolumeFile(const std::filesystem::path& p) {
    const std::string name = lower(p.filename().string());
    if (isNrrdName(name) || isNiftiName(name))
        return true;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec))
        return false;
    char head[352] = {};
    std::ifstream in(p, std::ios::binary);
    in.read(head, sizeof head);
    const std::streamsize got = in.gcount();
    if (got >= 8 && std::memcmp(head, "NRRD000", 7) == 0)
        return true;
    // NIfTI-1: sizeof_hdr 348 (either byte order) and the magic at byte 344.
    return got >= 348 && (std::memcmp(head + 344, "n+1", 4) == 0 || std::memcmp(head + 344, "ni1", 4) == 0);
}

VolumeFileHeader readVolumeHeader(const std::filesystem::path& p) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec))
        throw DataError(p.string() + ": no such file");
    const std::string name = lower(p.filename().string());
    if (isNiftiName(name))
        return niftiHeader(p);
    if (isNrrdName(name))
        return nrrdHeader(p);
    char head[8] = {};
    std::ifstream(p, std::ios::binary).read(head, sizeof head);
    return std::memcmp(head, "NRRD000", 7) == 0 ? nrrdHeader(p) : niftiHeader(p);
}

bool readsWithoutLibrary(const VolumeFileHeader& h) {
    return h.format == VolumeFormat::Nifti && h.rawOffset > 0;
}

bool readVolumeData(const std::filesystem::path& p, const VolumeFileHeader& h, Volume& into, int layer,
                    int phase) {
    const std::size_t n = h.geometry.voxelCount();
    if (into.geometry().voxelCount() != n)
        throw DataError(p.string() + ": internal: volume of the wrong size");
    if (layer < 0 || layer >= h.layers)
        throw DataError(p.string() + ": internal: no layer " + std::to_string(layer));
    if (phase < 0 || phase >= h.phases)
        throw DataError(p.string() + ": internal: no phase " + std::to_string(phase + 1));
    const std::size_t skip = std::size_t(phase) * n; // the values of the phases before it
    if (h.format == VolumeFormat::Nrrd) {
        auto nrrd = loadNrrd(p, true);
        const std::size_t layers = std::size_t(h.layers);
        if (nrrdElementNumber(nrrd.get()) < n * layers * std::size_t(h.phases) || !nrrd->data)
            throw DataError(p.string() + ": the data is cut short");
        if (layers == 1)
            return convertAny(h.valueType,
                              static_cast<const unsigned char*>(nrrd->data) +
                                  skip * nrrdElementSize(nrrd.get()),
                              n, h.slope, h.intercept, into);
        // One layer's values, gathered from between the others' (the list axis runs fastest).
        const std::size_t size = nrrdElementSize(nrrd.get());
        std::vector<unsigned char> one(n * size);
        const auto* all = static_cast<const unsigned char*>(nrrd->data);
        for (std::size_t v = 0; v < n; ++v)
            std::memcpy(&one[v * size], all + (v * layers + std::size_t(layer)) * size, size);
        return convertAny(h.valueType, one.data(), n, h.slope, h.intercept, into);
    }
    if (readsWithoutLibrary(h))
        return readRawVoxels(p, h, into, phase);
    auto nim = loadNifti(p, true);
    if (nim->nvox < n * std::size_t(h.phases))
        throw DataError(p.string() + ": the data is cut short");
    return convertAny(h.valueType,
                      static_cast<const unsigned char*>(nim->data) + skip * std::size_t(nim->nbyper), n,
                      h.slope, h.intercept, into);
}

std::string serialize(const VolumeFileHeader& h) {
    const Geometry& g = h.geometry;
    nlohmann::json windows = nlohmann::json::array();
    for (const WindowPreset& w : h.windows)
        windows.push_back({w.name, w.wl.width, w.wl.center});
    nlohmann::json j = {
        {"format", int(h.format)},
        {"dims", {g.dims.x, g.dims.y, g.dims.z}},
        {"spacing", {g.spacing.x, g.spacing.y, g.spacing.z}},
        {"origin", {g.origin.x, g.origin.y, g.origin.z}},
        {"direction",
         {g.direction[0].x, g.direction[0].y, g.direction[0].z, g.direction[1].x, g.direction[1].y,
          g.direction[1].z, g.direction[2].x, g.direction[2].y, g.direction[2].z}},
        {"type", h.valueType},
        {"integer", h.integerValues},
        {"slope", h.slope},
        {"intercept", h.intercept},
        {"encoding", h.encoding},
        {"description", h.description},
        {"fields", h.fields},
        {"windows", windows},
        {"warnings", h.warnings},
        {"layers", h.layers},
        {"phases", h.phases},
        {"raw_offset", h.rawOffset},
    };
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

VolumeFileHeader deserializeVolumeHeader(const std::string& bytes) {
    const nlohmann::json j = nlohmann::json::parse(bytes);
    VolumeFileHeader h;
    h.format = VolumeFormat(j["format"].get<int>());
    Geometry& g = h.geometry;
    for (int a = 0; a < 3; ++a) {
        g.dims[a] = j["dims"][std::size_t(a)].get<int>();
        g.spacing[a] = j["spacing"][std::size_t(a)].get<double>();
        g.origin[a] = j["origin"][std::size_t(a)].get<double>();
        for (int r = 0; r < 3; ++r)
            g.direction[a][r] = j["direction"][std::size_t(a) * 3 + std::size_t(r)].get<double>();
    }
    h.valueType = j["type"].get<std::string>();
    h.integerValues = j["integer"].get<bool>();
    h.slope = j["slope"].get<double>();
    h.intercept = j["intercept"].get<double>();
    h.encoding = j["encoding"].get<std::string>();
    h.description = j["description"].get<std::string>();
    h.fields = j["fields"].get<std::vector<std::pair<std::string, std::string>>>();
    for (const auto& w : j["windows"])
        h.windows.push_back({w[0].get<std::string>(), {w[1].get<double>(), w[2].get<double>()}});
    h.warnings = j["warnings"].get<std::vector<std::string>>();
    h.layers = j.value("layers", 1);
    h.phases = j.value("phases", 1);
    h.rawOffset = j.value("raw_offset", std::uint64_t(0));
    return h;
}

Volume readVolumeFile(const std::filesystem::path& p) {
    const VolumeFileHeader h = readVolumeHeader(p);
    Volume v(h.geometry, h.integerValues ? ScalarType::Int16 : ScalarType::Float32,
             SharedBuffer::Sharing::Private);
    if (!readVolumeData(p, h, v)) {
        v = Volume(h.geometry, ScalarType::Float32, SharedBuffer::Sharing::Private);
        readVolumeData(p, h, v);
    }
    return v;
}

} // namespace ctview
