#include "nrrd_nifti/volume_io.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "nrrd_nifti/gzip_write.h"

#include <nifti/nifti1.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ctview {

VolumeFormat volumeFormatFor(const std::filesystem::path& p) {
    const std::string n = p.filename().string();
    auto ends = [&](const std::string& s) {
        return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
    };
    if (ends(".nrrd"))
        return VolumeFormat::Nrrd;
    if (ends(".nii.gz"))
        return VolumeFormat::NiftiGz;
    if (ends(".nii"))
        return VolumeFormat::Nifti;
    throw UsageError(p.string() + ": unknown volume format (use .nrrd, .nii or .nii.gz)");
}

namespace {

// All of `bytes` through zlib, in pieces that its int counts hold.
bool gzWriteAll(gzFile gz, const void* data, std::size_t bytes) {
    const char* p = static_cast<const char*>(data);
    for (std::size_t left = bytes; left > 0;) {
        const unsigned chunk = unsigned(std::min<std::size_t>(left, 1u << 30));
        if (gzwrite(gz, p, chunk) != int(chunk))
            return false;
        p += chunk;
        left -= chunk;
    }
    return true;
}

// Where the voxels start. NRRD: a page, the header padded to it. NIfTI-1: vox_offset, after the 348-byte
// header and 4 bytes of extension flags.
constexpr std::uint64_t kNrrdDataOffset = 4096;
constexpr std::uint64_t kNiftiDataOffset = 352;

std::string nrrdHeader(const VolumeLayout& v, const FileWindow& window) {
    const Geometry& g = v.geometry;
    std::ostringstream h;
    h.precision(17);
    h << "NRRD0004\n";
    h << "# written by ctview; HU values, geometry in DICOM patient space (LPS)\n";
    h << "type: " << (v.type == ScalarType::Int16 ? "short" : "float") << "\n";
    // A 4D series: its phases as a fourth, slowest axis of kind "list" (no space direction), as 3D Slicer's
    // sequences and ITK read it.
    const bool phases = v.phases > 1;
    h << "dimension: " << (phases ? 4 : 3) << "\nspace: left-posterior-superior\n";
    h << "sizes: " << g.dims.x << " " << g.dims.y << " " << g.dims.z;
    if (phases)
        h << " " << v.phases;
    h << "\nspace directions:";
    for (int a = 0; a < 3; ++a) {
        const glm::dvec3 d = g.direction[a] * g.spacing[a];
        h << " (" << d.x << "," << d.y << "," << d.z << ")";
    }
    h << (phases ? " none" : "") << "\nkinds: domain domain domain" << (phases ? " list" : "")
      << "\nendian: little\nencoding: raw\n";
    h << "space origin: (" << g.origin.x << "," << g.origin.y << "," << g.origin.z << ")\n";
    if (window) // a key/value pair (NRRD "key:=value"): readers that do not know it keep it as text
        h << kNrrdWindowKey << ":=" << window->width << "," << window->center << "\n";
    // A comment line pads the header to kNrrdDataOffset, so that the voxels start at a fixed place (convert
    // writes them before it knows the grid) on a page boundary.
    std::string text = h.str();
    const std::size_t used = text.size() + 3; // "#", its newline, and the blank line that ends the header
    if (used > kNrrdDataOffset)
        throw DataError("the NRRD header does not fit in " + std::to_string(kNrrdDataOffset) + " bytes");
    text += "#" + std::string(kNrrdDataOffset - used, ' ') + "\n\n";
    return text;
}

// NIfTI's qform is a rotation (quaternion) plus qfac; computed from the orthonormalised RAS direction.
void setQform(nifti_1_header& hdr, glm::dmat3 r) {
    // Orthonormalise (Gram-Schmidt) in case the stack is sheared; the sform keeps the exact affine.
    r[0] = glm::normalize(r[0]);
    r[1] = glm::normalize(r[1] - glm::dot(r[1], r[0]) * r[0]);
    r[2] = glm::normalize(r[2] - glm::dot(r[2], r[0]) * r[0] - glm::dot(r[2], r[1]) * r[1]);
    double qfac = 1;
    if (glm::determinant(r) < 0) {
        qfac = -1;
        r[2] = -r[2];
    }
    // r[c][row]: element (row, c). Standard rotation-matrix-to-quaternion, as NIfTI-1 defines the qform.
    const double r11 = r[0][0], r12 = r[1][0], r13 = r[2][0];
    const double r21 = r[0][1], r22 = r[1][1], r23 = r[2][1];
    const double r31 = r[0][2], r32 = r[1][2], r33 = r[2][2];
    double a = r11 + r22 + r33 + 1, b, c, d;
    if (a > 0.5) {
        a = 0.5 * std::sqrt(a);
        b = 0.25 * (r32 - r23) / a;
        c = 0.25 * (r13 - r31) / a;
        d = 0.25 * (r21 - r12) / a;
    } else {
        const double xd = 1 + r11 - (r22 + r33), yd = 1 + r22 - (r11 + r33), zd = 1 + r33 - (r11 + r22);
        if (xd > 1) {
            b = 0.5 * std::sqrt(xd);
            c = 0.25 * (r12 + r21) / b;
            d = 0.25 * (r13 + r31) / b;
            a = 0.25 * (r32 - r23) / b;
        } else if (yd > 1) {
            c = 0.5 * std::sqrt(yd);
            b = 0.25 * (r12 + r21) / c;
            d = 0.25 * (r23 + r32) / c;
            a = 0.25 * (r13 - r31) / c;
        } else {
            d = 0.5 * std::sqrt(zd);
            b = 0.25 * (r13 + r31) / d;
            c = 0.25 * (r23 + r32) / d;
            a = 0.25 * (r21 - r12) / d;
        }
        if (a < 0) {
            b = -b;
            c = -c;
            d = -d;
        }
    }
    hdr.quatern_b = float(b);
    hdr.quatern_c = float(c);
    hdr.quatern_d = float(d);
    hdr.pixdim[0] = float(qfac);
}

nifti_1_header niftiHeader(const VolumeLayout& v, const FileWindow& window) {
    const Geometry& g = v.geometry;
    nifti_1_header hdr;
    std::memset(&hdr, 0, sizeof hdr);
    hdr.sizeof_hdr = 348;
    hdr.dim[0] = v.phases > 1 ? 4 : 3; // a 4D series: its phases along the time axis (dim[4])
    hdr.dim[1] = short(g.dims.x);
    hdr.dim[2] = short(g.dims.y);
    hdr.dim[3] = short(g.dims.z);
    for (int i = 4; i < 8; ++i)
        hdr.dim[i] = 1;
    hdr.dim[4] = short(std::max(1, v.phases));
    hdr.pixdim[4] = 1; // the phases' times need not be evenly spaced: their order only
    hdr.datatype = v.type == ScalarType::Int16 ? DT_INT16 : DT_FLOAT32;
    hdr.bitpix = v.type == ScalarType::Int16 ? 16 : 32;
    hdr.pixdim[1] = float(g.spacing.x);
    hdr.pixdim[2] = float(g.spacing.y);
    hdr.pixdim[3] = float(g.spacing.z);
    hdr.vox_offset = 352;
    hdr.scl_slope = 1;
    hdr.scl_inter = 0;
    hdr.xyzt_units = NIFTI_UNITS_MM;
    hdr.qform_code = NIFTI_XFORM_SCANNER_ANAT;
    hdr.sform_code = NIFTI_XFORM_SCANNER_ANAT;
    std::strncpy(hdr.descrip, "ctview HU", sizeof hdr.descrip - 1);
    if (window) { // the display range (NIfTI-1: "max display intensity" and "min")
        hdr.cal_min = float(window->center - window->width / 2);
        hdr.cal_max = float(window->center + window->width / 2);
    }
    std::memcpy(hdr.magic, "n+1\0", 4);
    // LPS (DICOM) to RAS (NIfTI): negate x and y.
    const glm::dmat3 flip(glm::dvec3(-1, 0, 0), glm::dvec3(0, -1, 0), glm::dvec3(0, 0, 1));
    const glm::dmat3 dir = flip * g.direction;
    const glm::dvec3 origin = flip * g.origin;
    for (int row = 0; row < 3; ++row) {
        float* srow = row == 0 ? hdr.srow_x : row == 1 ? hdr.srow_y : hdr.srow_z;
        for (int c = 0; c < 3; ++c)
            srow[c] = float(dir[c][row] * g.spacing[c]);
        srow[3] = float(origin[row]);
    }
    setQform(hdr, dir);
    hdr.qoffset_x = float(origin.x);
    hdr.qoffset_y = float(origin.y);
    hdr.qoffset_z = float(origin.z);
    return hdr;
}

} // namespace

std::uint64_t volumeDataOffset(VolumeFormat f) {
    return f == VolumeFormat::Nrrd ? kNrrdDataOffset : f == VolumeFormat::Nifti ? kNiftiDataOffset : 0;
}

std::string volumeHeader(VolumeFormat f, const VolumeLayout& layout, const FileWindow& window) {
    if (f == VolumeFormat::Nrrd)
        return nrrdHeader(layout, window);
    const nifti_1_header hdr = niftiHeader(layout, window);
    std::string bytes(reinterpret_cast<const char*>(&hdr), sizeof hdr);
    bytes.append(4, '\0'); // no extensions (the 4 bytes after the 348-byte header)
    return bytes;
}

bool isSegNrrdName(const std::filesystem::path& p) {
    std::string n = p.filename().string();
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return n.size() > 9 && n.ends_with(".seg.nrrd");
}

std::filesystem::path writeSegNrrd(const std::vector<const std::vector<std::uint8_t>*>& layers,
                                   const Geometry& g, const std::vector<SegNrrdSegment>& segments,
                                   const std::filesystem::path& wanted, bool force) {
    for (const auto* l : layers)
        if (!l || l->size() != g.voxelCount())
            throw DataError(wanted.string() + ": internal: labels of the wrong size");
    const bool list = layers.size() > 1;
    std::ostringstream h;
    h.precision(17);
    h << "NRRD0004\n# written by ctview: a segmentation as 3D Slicer writes it, in DICOM patient space "
         "(LPS)\n";
    h << "type: unsigned char\ndimension: " << (list ? 4 : 3) << "\nspace: left-posterior-superior\nsizes: ";
    if (list)
        h << layers.size() << " ";
    h << g.dims.x << " " << g.dims.y << " " << g.dims.z << "\nspace directions:" << (list ? " none" : "");
    for (int a = 0; a < 3; ++a) {
        const glm::dvec3 d = g.direction[a] * g.spacing[a];
        h << " (" << d.x << "," << d.y << "," << d.z << ")";
    }
    h << "\nkinds: " << (list ? "list " : "") << "domain domain domain\nencoding: gzip\n";
    h << "space origin: (" << g.origin.x << "," << g.origin.y << "," << g.origin.z << ")\n";
    // Slicer's fields: each segment's name, colour, label value, layer and extent (the box of voxels it may
    // hold: the whole grid), and what the file holds.
    h.precision(6);
    for (std::size_t n = 0; n < segments.size(); ++n) {
        const SegNrrdSegment& s = segments[n];
        const std::string key = "Segment" + std::to_string(n) + "_";
        h << key << "Color:=" << s.color.r << " " << s.color.g << " " << s.color.b << "\n";
        h << key << "ColorAutoGenerated:=0\n";
        h << key << "Extent:=0 " << g.dims.x - 1 << " 0 " << g.dims.y - 1 << " 0 " << g.dims.z - 1 << "\n";
        h << key << "ID:=Segment_" << s.labelValue << "\n";
        h << key << "LabelValue:=" << s.labelValue << "\n";
        h << key << "Layer:=" << s.layer << "\n";
        h << key << "Name:=" << s.name << "\n";
        h << key << "NameAutoGenerated:=0\n";
    }
    h << "Segmentation_ContainedRepresentationNames:=Binary labelmap|\n";
    h << "Segmentation_MasterRepresentation:=Binary labelmap\n";
    h << "Segmentation_ReferenceImageExtentOffset:=0 0 0\n\n";
    const std::string header = h.str();
    std::filesystem::path target = uniqueOutputPath(wanted, force); // not const: returned by move
    writeFileAtomically(
        target,
        [&](const std::filesystem::path& tmp) {
            {
                std::ofstream out(tmp, std::ios::binary);
                out << header;
                if (!out.flush())
                    throw DataError(target.string() + ": cannot be written (" + std::strerror(errno) + ")");
            }
            // The voxels as one gzip stream after the header (level 1: labels compress well and fast).
            gzFile gz = gzopen(tmp.c_str(), "ab1");
            if (!gz)
                throw DataError(target.string() + ": cannot be written (" + std::strerror(errno) + ")");
            bool ok = true;
            if (!list) {
                ok = gzWriteAll(gz, layers[0]->data(), layers[0]->size());
            } else { // the layers' bytes of each voxel together, a slab of voxels at a time
                std::vector<std::uint8_t> slab;
                constexpr std::size_t kVoxels = 1 << 20;
                for (std::size_t from = 0; ok && from < g.voxelCount(); from += kVoxels) {
                    const std::size_t count = std::min(kVoxels, g.voxelCount() - from);
                    slab.resize(count * layers.size());
                    for (std::size_t v = 0; v < count; ++v)
                        for (std::size_t l = 0; l < layers.size(); ++l)
                            slab[v * layers.size() + l] = (*layers[l])[from + v];
                    ok = gzWriteAll(gz, slab.data(), slab.size());
                }
            }
            if (gzclose(gz) != Z_OK || !ok)
                throw DataError(target.string() + ": cannot be written");
        },
        force);
    return target;
}

std::filesystem::path writeVolume(const Volume& v, const std::filesystem::path& wanted, bool force,
                                  const FileWindow& window) {
    return writeVolumeStreamed(
        wanted, force, [&](int) -> std::variant<VolumeLayout, const Volume*> { return &v; }, window);
}

namespace {
// `tmp` created for writing (never an existing file), or a DataError naming `target`.
int createForWriting(const std::filesystem::path& tmp, const std::filesystem::path& target) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        throw DataError(target.string() + ": cannot be written (" + std::strerror(errno) + ")");
    return fd;
}
// A .nii.gz: the header, then each volume's voxels, compressed on every core into `tmp` (renamed to `target`
// after). zlib level 1: on CT's noisy voxels level 6 makes files only 4 % smaller (the real CT: 29.6 against
// 30.7 MB) and takes five times as long.
void writeNiftiGz(const std::filesystem::path& tmp, const std::filesystem::path& target,
                  const std::string& header, const std::vector<const Volume*>& volumes) {
    std::vector<std::span<const std::uint8_t>> pieces{
        {reinterpret_cast<const std::uint8_t*>(header.data()), header.size()}};
    for (const Volume* v : volumes)
        pieces.emplace_back(static_cast<const std::uint8_t*>(v->data()), v->bytes());
    const int fd = createForWriting(tmp, target);
    try {
        writeGzip(fd, 0, pieces, 1);
    } catch (const OutputError& e) {
        ::close(fd);
        throw DataError(target.string() + ": " + e.what());
    }
    if (::close(fd) != 0)
        throw DataError(target.string() + ": cannot be written (" + std::strerror(errno) + ")");
}
} // namespace

std::filesystem::path writeVolumePhases(const std::vector<const Volume*>& phases,
                                        const std::filesystem::path& wanted, bool force,
                                        const FileWindow& window) {
    if (phases.empty())
        throw DataError(wanted.string() + ": internal: no phase to write");
    const Volume& first = *phases.front();
    for (const Volume* v : phases)
        if (v->geometry().dims != first.geometry().dims || v->type() != first.type())
            throw DataError(wanted.string() + ": internal: phases of different grids or types");
    const VolumeFormat format = volumeFormatFor(wanted);
    const VolumeLayout layout{first.geometry(), first.type(), int(phases.size())};
    const Geometry& g = first.geometry();
    if (format != VolumeFormat::Nrrd &&
        (g.dims.x > 32767 || g.dims.y > 32767 || g.dims.z > 32767 || phases.size() > 32767))
        throw DataError(wanted.string() +
                        ": NIfTI-1 cannot hold more than 32767 voxels or phases along an axis");
    std::filesystem::path target = uniqueOutputPath(wanted, force);
    const std::string header =
        volumeHeader(format == VolumeFormat::NiftiGz ? VolumeFormat::Nifti : format, layout, window);
    writeFileAtomically(
        target,
        [&](const std::filesystem::path& tmp) {
            if (format == VolumeFormat::NiftiGz) {
                writeNiftiGz(tmp, target, header, phases);
                return;
            }
            const int fd = createForWriting(tmp, target);
            try {
                std::uint64_t at = 0;
                writeAt(fd, at, header.data(), header.size());
                at += header.size();
                for (const Volume* v : phases) {
                    writeAt(fd, at, v->data(), v->bytes());
                    at += v->bytes();
                }
            } catch (const OutputError& e) {
                ::close(fd);
                throw DataError(target.string() + ": " + e.what());
            }
            if (::close(fd) != 0)
                throw DataError(target.string() + ": cannot be written (" + std::strerror(errno) + ")");
        },
        force);
    return target;
}

std::filesystem::path
writeVolumeStreamed(const std::filesystem::path& wanted, bool force,
                    const std::function<std::variant<VolumeLayout, const Volume*>(int fd)>& produce,
                    const FileWindow& window) {
    const VolumeFormat format = volumeFormatFor(wanted);
    std::filesystem::path target = uniqueOutputPath(wanted, force); // not const: returned by move
    const auto checkSize = [&](const Geometry& g) {
        if (format != VolumeFormat::Nrrd && (g.dims.x > 32767 || g.dims.y > 32767 || g.dims.z > 32767))
            throw DataError(wanted.string() + ": NIfTI-1 cannot hold more than 32767 voxels along an axis");
    };
    writeFileAtomically(
        target,
        [&](const std::filesystem::path& tmp) {
            if (format == VolumeFormat::NiftiGz) {
                // Compressed: no fixed place for the voxels, so the volume is held and written after.
                const auto produced = produce(-1);
                const Volume& v = *std::get<const Volume*>(produced);
                checkSize(v.geometry());
                writeNiftiGz(tmp, target, volumeHeader(VolumeFormat::Nifti, {v.geometry(), v.type()}, window),
                             {&v});
                return;
            }
            const int fd = createForWriting(tmp, target);
            try {
                const auto produced = [&] {
                    try {
                        return produce(fd);
                    } catch (const OutputError& e) { // the planes it wrote into fd
                        throw DataError(target.string() + ": " + e.what());
                    }
                }();
                const Volume* held = std::holds_alternative<const Volume*>(produced)
                                         ? std::get<const Volume*>(produced)
                                         : nullptr;
                const VolumeLayout layout =
                    held ? VolumeLayout{held->geometry(), held->type()} : std::get<VolumeLayout>(produced);
                checkSize(layout.geometry);
                const std::string header = volumeHeader(format, layout, window);
                try {
                    writeAt(fd, 0, header.data(), header.size());
                    if (held)
                        writeAt(fd, header.size(), held->data(), held->bytes());
                } catch (const OutputError& e) {
                    throw DataError(target.string() + ": " + e.what());
                }
            } catch (...) {
                ::close(fd);
                throw;
            }
            if (::close(fd) != 0)
                throw DataError(target.string() + ": cannot be written (" + std::strerror(errno) + ")");
        },
        force);
    return target;
}

} // namespace ctview
