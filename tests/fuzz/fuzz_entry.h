#pragma once
// What the fuzzers feed their inputs to, shared with the regression test that replays
// tests/fuzz/regressions/.
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace ctview::fuzz {

// One file, written to `scratch`/input.dcm: our own byte-level code that runs in the main process (the
// sniffer, the Pixel Data locator, the native decoder), in this process. Never throws; a crash or hang is a
// bug.
void oneFile(const std::uint8_t* data, std::size_t size, const std::filesystem::path& scratch);

// A small folder: the input as three slices of one series (the same bytes under three names, the last one cut
// short) plus a seed file, through the whole loader (scan, group, order, decode in isolated workers,
// resample).
void smallFolder(const std::uint8_t* data, std::size_t size, const std::filesystem::path& scratch);

// A WADO-RS answer: the first line is the Content-Type (whose boundary is parsed), the rest the body, split
// into the parser's feeds at sizes taken from the input. Checks that the parts handed on add up to no more
// than what was fed. Never throws; a crash, hang or failed check is a bug.
void multipartStream(const std::uint8_t* data, std::size_t size);

} // namespace ctview::fuzz
