#pragma once
// Typed errors. The application maps them to exit codes: DataError -> 1, UsageError -> 2.
#include <stdexcept>
#include <string>

namespace ctview {

// Something about the input data or the file system: the message names the file and the reason.
struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Writing an output file failed (disk full, a file-size limit, I/O): never the input's fault, so a load that
// streams its planes to the output (LoadOptions::streamFd) stops at once instead of reporting the input file.
struct OutputError : DataError {
    using DataError::DataError;
};

// The command line asked for something that cannot be (an unknown series, a slice out of range, ...).
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace ctview
