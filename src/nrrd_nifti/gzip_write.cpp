#include "nrrd_nifti/gzip_write.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "volume/parallel.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace ctview {

namespace {

constexpr std::size_t kBlock = 1 << 20; // input bytes per block
constexpr std::size_t kWindow = 32768;  // deflate's window: a block's dictionary
constexpr std::size_t kBatch = 8;       // blocks per core compressed before they are written, in order

// The pieces as one run of bytes.
class Input {
  public:
    explicit Input(const std::vector<std::span<const std::uint8_t>>& pieces) : pieces_(pieces) {
        for (const auto& p : pieces)
            size_ += p.size();
    }
    std::uint64_t size() const { return size_; }
    // Bytes [from, from + n) into `out`.
    void copy(std::uint64_t from, std::size_t n, std::uint8_t* out) const {
        std::uint64_t start = 0;
        for (const auto& p : pieces_) {
            const std::uint64_t end = start + p.size();
            if (n > 0 && from < end) {
                const std::size_t take = std::size_t(std::min<std::uint64_t>(n, end - from));
                std::memcpy(out, p.data() + (from - start), take);
                out += take;
                from += take;
                n -= take;
            }
            start = end;
        }
    }

  private:
    const std::vector<std::span<const std::uint8_t>>& pieces_;
    std::uint64_t size_ = 0;
};

struct Block {
    std::vector<std::uint8_t> deflated;
    uLong crc = 0;
    std::size_t length = 0;
};

// Block [from, from + n) deflated as raw deflate (no header), primed with the window before it. `scratch`:
// the thread's buffer for the window and the block's bytes.
Block deflateBlock(const Input& in, std::uint64_t from, std::size_t n, bool last, int level,
                   std::vector<std::uint8_t>& scratch) {
    const std::size_t window = std::size_t(std::min<std::uint64_t>(kWindow, from));
    scratch.resize(window + n);
    in.copy(from - window, window + n, scratch.data());
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw OutputError("cannot be written (zlib could not start)");
    if (window > 0)
        deflateSetDictionary(&z, scratch.data(), uInt(window));
    Block b;
    b.length = n;
    b.crc = crc32(0L, scratch.data() + window, uInt(n));
    // A sync flush adds an empty stored block (5 bytes) to what deflateBound allows for.
    b.deflated.resize(deflateBound(&z, uLong(n)) + 16);
    z.next_in = scratch.data() + window;
    z.avail_in = uInt(n);
    z.next_out = b.deflated.data();
    z.avail_out = uInt(b.deflated.size());
    const int result = deflate(&z, last ? Z_FINISH : Z_SYNC_FLUSH);
    const bool done = last ? result == Z_STREAM_END : result == Z_OK && z.avail_in == 0 && z.avail_out > 0;
    b.deflated.resize(b.deflated.size() - z.avail_out);
    deflateEnd(&z);
    if (!done)
        throw OutputError("cannot be written (zlib could not deflate a block)");
    return b;
}

void putLittleEndian32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = std::uint8_t(v >> (8 * i));
}

} // namespace

std::uint64_t writeGzip(int fd, std::uint64_t at, const std::vector<std::span<const std::uint8_t>>& pieces,
                        int level) {
    const Input in(pieces);
    const std::uint64_t start = at;
    // The member's header: deflate, no name or time, made on Unix (as zlib's gzopen writes it).
    const std::array<std::uint8_t, 10> header = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    writeAt(fd, at, header.data(), header.size());
    at += header.size();
    const std::size_t blocks = std::max<std::size_t>(1, std::size_t((in.size() + kBlock - 1) / kBlock));
    const std::size_t batch = kBatch * std::size_t(threadCount());
    uLong crc = crc32(0L, nullptr, 0);
    std::vector<Block> done;
    for (std::size_t first = 0; first < blocks; first += batch) {
        const std::size_t count = std::min(batch, blocks - first);
        done.assign(count, Block{});
        parallelFor(int(count), [&](int a, int b) {
            std::vector<std::uint8_t> scratch;
            for (int i = a; i < b; ++i) {
                const std::size_t block = first + std::size_t(i);
                const std::uint64_t from = std::uint64_t(block) * kBlock;
                const std::size_t n = std::size_t(std::min<std::uint64_t>(kBlock, in.size() - from));
                done[std::size_t(i)] = deflateBlock(in, from, n, block + 1 == blocks, level, scratch);
            }
        });
        for (const Block& b : done) {
            writeAt(fd, at, b.deflated.data(), b.deflated.size());
            at += b.deflated.size();
            crc = crc32_combine(crc, b.crc, z_off_t(b.length));
        }
    }
    // The trailer: the CRC-32 and the length modulo 2^32 of what was compressed.
    std::array<std::uint8_t, 8> trailer{};
    putLittleEndian32(trailer.data(), std::uint32_t(crc));
    putLittleEndian32(trailer.data() + 4, std::uint32_t(in.size()));
    writeAt(fd, at, trailer.data(), trailer.size());
    return at + trailer.size() - start;
}

} // namespace ctview
