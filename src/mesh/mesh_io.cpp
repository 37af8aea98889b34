#include "mesh/mesh_io.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "volume/parallel.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fcntl.h>

namespace ctview {

namespace {

// Buffered writes to the temporary file; a failed write throws OutputError naming the final file.
class Writer {
  public:
    Writer(const std::filesystem::path& tmp, std::string name) : name_(std::move(name)) {
        file_.reset(std::fopen(tmp.c_str(), "wb"));
        if (!file_)
            throw OutputError(name_ + ": cannot be written (" + std::strerror(errno) + ")");
        buffer_.reserve(kFlushAt + 256);
    }
    void bytes(const void* data, std::size_t n) {
        if (n >= kFlushAt) { // a block made by the caller: no copy
            flush();
            if (std::fwrite(data, 1, n, file_.get()) != n)
                fail();
            return;
        }
        buffer_.append(static_cast<const char*>(data), n);
        if (buffer_.size() >= kFlushAt)
            flush();
    }
    // The file's blocks given before its bytes are written, where the file system can (else nothing): ext4
    // then has no delayed allocation left to do when the file is renamed over the one it replaces (its
    // auto_da_alloc flushes the new file in that rename: 30-40 ms for a 42 MB STL, 3 ms preallocated).
    void reserve(std::uint64_t size) { (void)::fallocate(fileno(file_.get()), 0, 0, off_t(size)); }
    template <class T> void value(T v) { bytes(&v, sizeof v); } // little-endian, as x86 and ARM Linux are
    void text(std::string_view s) { bytes(s.data(), s.size()); }
    void number(float v) {
        char b[32];
        const auto r =
            std::to_chars(b, b + sizeof b, v); // the shortest text that reads back as the same float
        bytes(b, std::size_t(r.ptr - b));
    }
    void number(std::uint32_t v) {
        char b[16];
        const auto r = std::to_chars(b, b + sizeof b, v);
        bytes(b, std::size_t(r.ptr - b));
    }
    void close() {
        flush();
        if (std::fclose(file_.release()) != 0)
            fail();
    }

  private:
    static constexpr std::size_t kFlushAt = 1 << 20;
    void flush() {
        if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size())
            fail();
        buffer_.clear();
    }
    [[noreturn]] void fail() const {
        throw OutputError(name_ + ": cannot be written (" + std::strerror(errno) + ")");
    }
    struct Close {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, Close> file_;
    std::string name_;
    std::string buffer_;
};

glm::vec3 faceNormal(const Mesh& m, std::size_t t) {
    const glm::vec3 a = m.positions[m.indices[3 * t]], b = m.positions[m.indices[3 * t + 1]],
                    c = m.positions[m.indices[3 * t + 2]];
    const glm::vec3 n = glm::cross(b - a, c - a);
    const float l = glm::length(n);
    return l > 0 ? n / l : glm::vec3(0);
}

void writeStl(const Mesh& m, Writer& w, const MeshFileInfo& info) {
    // An 80-byte header that must not begin with "solid" (readers would take the file for ASCII STL).
    std::array<char, 80> header{};
    std::memcpy(header.data(), info.comment.data(), std::min<std::size_t>(80, info.comment.size()));
    constexpr std::size_t kRecord = 50, kBlock = 1 << 18;
    w.reserve(header.size() + 4 + kRecord * m.triangleCount());
    w.bytes(header.data(), header.size());
    w.value(std::uint32_t(m.triangleCount()));
    // 50 bytes a triangle (normal, three corners, a zero attribute), made on all cores a block at a time.
    std::vector<char> block(kRecord * kBlock);
    for (std::size_t from = 0; from < m.triangleCount(); from += kBlock) {
        const std::size_t count = std::min(kBlock, m.triangleCount() - from);
        parallelFor(int((count + 4095) / 4096), [&](int a, int b) {
            const std::size_t last = std::min(count, std::size_t(b) * 4096);
            for (std::size_t t = std::size_t(a) * 4096; t < last; ++t) {
                char* r = block.data() + kRecord * t;
                const glm::vec3 n = faceNormal(m, from + t);
                std::memcpy(r, &n, 12);
                for (std::size_t c = 0; c < 3; ++c)
                    std::memcpy(r + 12 + 12 * c, &m.positions[m.indices[3 * (from + t) + c]], 12);
                std::memset(r + 48, 0, 2);
            }
        });
        w.bytes(block.data(), kRecord * count);
    }
}

void writeObj(const Mesh& m, Writer& w, const MeshFileInfo& info) {
    w.text("# " + info.comment + "\n");
    const std::vector<glm::vec3> normals = vertexNormals(m);
    auto triple = [&](std::string_view tag, glm::vec3 v) {
        w.text(tag);
        for (int c = 0; c < 3; ++c) {
            w.text(" ");
            w.number(v[c]);
        }
        w.text("\n");
    };
    for (const glm::vec3& p : m.positions)
        triple("v", p);
    for (const glm::vec3& n : normals)
        triple("vn", n);
    for (std::size_t t = 0; t < m.triangleCount(); ++t) {
        w.text("f");
        for (int c = 0; c < 3; ++c) { // 1-based, each corner's normal the vertex's own: "v//vn"
            const std::uint32_t id = m.indices[3 * t + std::size_t(c)] + 1;
            w.text(" ");
            w.number(id);
            w.text("//");
            w.number(id);
        }
        w.text("\n");
    }
}

void writePly(const Mesh& m, Writer& w, const MeshFileInfo& info) {
    const std::string header =
        "ply\nformat binary_little_endian 1.0\ncomment " + info.comment + "\nelement vertex " +
        std::to_string(m.positions.size()) +
        "\nproperty float x\nproperty float y\nproperty float z\nproperty float nx\nproperty float ny\n"
        "property float nz\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nelement face " +
        std::to_string(m.triangleCount()) + "\nproperty list uchar int vertex_indices\nend_header\n";
    // A vertex: position, normal, colour (27 bytes); a face: its count and three int32 (13 bytes).
    w.reserve(header.size() + 27 * m.positions.size() + 13 * m.triangleCount());
    w.text(header);
    const std::vector<glm::vec3> normals = vertexNormals(m);
    for (std::size_t v = 0; v < m.positions.size(); ++v) {
        w.bytes(&m.positions[v], 12);
        w.bytes(&normals[v], 12);
        w.bytes(&info.colour, 3);
    }
    for (std::size_t t = 0; t < m.triangleCount(); ++t) {
        w.value(std::uint8_t(3));
        for (int c = 0; c < 3; ++c)
            w.value(std::int32_t(m.indices[3 * t + std::size_t(c)]));
    }
}

} // namespace

MeshFormat meshFormatFor(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".stl")
        return MeshFormat::Stl;
    if (ext == ".obj")
        return MeshFormat::Obj;
    if (ext == ".ply")
        return MeshFormat::Ply;
    throw UsageError(file.string() + ": give a surface file ending in .stl, .obj or .ply");
}

std::filesystem::path writeMesh(const Mesh& m, const std::filesystem::path& wanted, bool force,
                                const MeshFileInfo& info) {
    const MeshFormat format = meshFormatFor(wanted);
    std::filesystem::path target = uniqueOutputPath(wanted, force); // not const: returned by move
    writeFileAtomically(
        target,
        [&](const std::filesystem::path& tmp) {
            Writer w(tmp, target.string());
            if (format == MeshFormat::Stl)
                writeStl(m, w, info);
            else if (format == MeshFormat::Obj)
                writeObj(m, w, info);
            else
                writePly(m, w, info);
            w.close();
        },
        force);
    return target;
}

} // namespace ctview
