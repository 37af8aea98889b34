#pragma once
// A login for a remote server (a DICOMweb PACS), handed as a value to the code that connects: typed into the
// PACS dialog, or given on the command line's environment. Never written anywhere: not in the settings, the
// recent list, logs, messages or the window title.
#include "base/error.h"

#include <string>

namespace ctview {

struct RemoteLogin {
    std::string user, password; // HTTP Basic
    std::string token;          // else a bearer token
    std::string host;           // the server it was given for (host[:port]), and only it; empty: any
    bool empty() const { return user.empty() && token.empty(); }
};

// The server wants a login (HTTP 401), or refused the one given (403): what the PACS dialog asks a login for.
struct LoginRequired : DataError {
    using DataError::DataError;
};

} // namespace ctview
