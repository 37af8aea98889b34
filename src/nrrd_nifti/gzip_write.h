#pragma once
// A gzip file (RFC 1952) compressed on every core, as pigz writes one: the input cut into blocks of 1 MiB,
// each deflated by zlib on a core of its own with the 32 KiB before it as its dictionary and ended on a byte
// boundary (a sync flush; the last block finishes the stream), the blocks one after the other in a single
// member whose CRC-32 is combined from theirs. It is one ordinary gzip stream, so every reader takes it
// (zlib's gzread, nifticlib, ITK, Teem, Python's gzip and nibabel), and its bytes do not depend on the number
// of cores.
#include <cstdint>
#include <span>
#include <vector>

namespace ctview {

// Writes to `fd` from offset `at` the gzip of the concatenated `pieces`, deflated at zlib level `level`.
// Returns the bytes written. Throws OutputError "cannot be written (the reason)": the caller names the file.
std::uint64_t writeGzip(int fd, std::uint64_t at, const std::vector<std::span<const std::uint8_t>>& pieces,
                        int level);

} // namespace ctview
