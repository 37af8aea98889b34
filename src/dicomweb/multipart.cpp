#include "dicomweb/multipart.h"

#include "base/error.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace ctview {

namespace {

std::string lowerCase(std::string s) {
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
        --b;
    return s.substr(a, b - a);
}

// Headers longer than this are not a DICOMweb part: a stream of garbage must not grow the buffer forever.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

} // namespace

std::string multipartBoundary(const std::string& contentType) {
    // type/subtype, then ;-separated parameters whose values may be quoted strings (RFC 2045 section 5.1).
    const std::size_t semi = contentType.find(';');
    const std::string type = lowerCase(trim(contentType.substr(0, semi)));
    if (type.rfind("multipart/", 0) != 0)
        throw DataError("the server answered " +
                        (type.empty() ? std::string("without a content type") : type) +
                        ", not multipart/related");
    std::size_t i = semi == std::string::npos ? contentType.size() : semi + 1;
    while (i < contentType.size()) {
        while (i < contentType.size() &&
               (contentType[i] == ' ' || contentType[i] == '\t' || contentType[i] == ';'))
            ++i;
        const std::size_t eq = contentType.find('=', i);
        if (eq == std::string::npos)
            break;
        const std::string name = lowerCase(trim(contentType.substr(i, eq - i)));
        std::string value;
        i = eq + 1;
        if (i < contentType.size() && contentType[i] == '"') {
            for (++i; i < contentType.size() && contentType[i] != '"'; ++i) {
                if (contentType[i] == '\\' && i + 1 < contentType.size())
                    ++i;
                value += contentType[i];
            }
            ++i; // the closing quote
        } else {
            const std::size_t end = contentType.find(';', i);
            value = trim(contentType.substr(i, end == std::string::npos ? std::string::npos : end - i));
            i = end == std::string::npos ? contentType.size() : end;
        }
        if (name == "boundary") {
            if (value.empty() || value.size() > 200)
                throw DataError("the server's multipart boundary is not valid");
            return value;
        }
    }
    throw DataError("the server's multipart answer names no boundary");
}

MultipartParser::MultipartParser(const std::string& boundary, Handler handler)
    : delimiter_("\r\n--" + boundary), handler_(std::move(handler)) {}

void MultipartParser::feed(const char* data, std::size_t n) {
    if (state_ == State::Done)
        return; // the epilogue is ignored
    // Compact now and then so that the buffer holds only what is not consumed yet.
    if (pos_ > 0 && pos_ >= buf_.size() / 2) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    buf_.append(data, n);
    run();
}

void MultipartParser::startBody(const std::string& block) {
    PartHeaders h;
    std::size_t at = 0;
    while (at < block.size()) {
        std::size_t nl = block.find('\n', at);
        if (nl == std::string::npos)
            nl = block.size();
        const std::string line = block.substr(at, nl - at);
        at = nl + 1;
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        const std::string name = lowerCase(trim(line.substr(0, colon))), value = trim(line.substr(colon + 1));
        if (name == "content-type")
            h.contentType = value;
        if (name == "content-length") {
            char* end = nullptr;
            const unsigned long long v = std::strtoull(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0')
                throw DataError("a part's Content-Length is not a number: " + value);
            h.contentLength = v;
        }
    }
    left_ = h.contentLength;
    state_ = State::Body;
    if (handler_.begin)
        handler_.begin(h);
}

void MultipartParser::run() {
    const std::string dashBoundary = delimiter_.substr(2); // "--boundary": the first one may open the stream
    for (;;) {
        const std::size_t avail = buf_.size() - pos_;
        switch (state_) {
        case State::Preamble: {
            // The first delimiter: at the very start, or after a CRLF that ends the preamble.
            const std::size_t at = buf_.find(dashBoundary, pos_);
            if (at == std::string::npos) {
                // Keep a tail that could be the start of the delimiter.
                if (avail > dashBoundary.size())
                    pos_ = buf_.size() - dashBoundary.size();
                return;
            }
            pos_ = at + dashBoundary.size();
            state_ = State::AfterDelimiter;
            break;
        }
        case State::AfterDelimiter: {
            // "--" closes the stream; otherwise optional transport padding, then the line break.
            if (avail < 2)
                return;
            if (buf_.compare(pos_, 2, "--") == 0) {
                state_ = State::Done;
                pos_ += 2;
                return;
            }
            std::size_t p = pos_;
            while (p < buf_.size() && (buf_[p] == ' ' || buf_[p] == '\t'))
                ++p;
            if (p >= buf_.size())
                return;
            if (buf_[p] == '\n')
                pos_ = p + 1;
            else if (buf_[p] == '\r') {
                if (p + 1 >= buf_.size())
                    return;
                if (buf_[p + 1] != '\n')
                    throw DataError("a multipart delimiter is not followed by a line break");
                pos_ = p + 2;
            } else {
                throw DataError("a multipart delimiter is not followed by a line break");
            }
            state_ = State::Headers;
            break;
        }
        case State::Headers: {
            // Headers end at an empty line; a part may have none at all (the empty line comes first).
            std::size_t end = std::string::npos, skip = 0;
            if (buf_.compare(pos_, 2, "\r\n") == 0)
                end = pos_, skip = 2;
            else if (avail >= 1 && buf_[pos_] == '\n')
                end = pos_, skip = 1;
            else if (avail < 2)
                return;
            if (end == std::string::npos) {
                const std::size_t crlf = buf_.find("\r\n\r\n", pos_), lf = buf_.find("\n\n", pos_);
                if (crlf != std::string::npos && (lf == std::string::npos || crlf <= lf))
                    end = crlf + 2, skip = 2;
                else if (lf != std::string::npos)
                    end = lf + 1, skip = 1;
            }
            if (end == std::string::npos) {
                if (avail > kMaxHeaderBytes)
                    throw DataError("a part's headers never end");
                return;
            }
            const std::string block = buf_.substr(pos_, end - pos_);
            pos_ = end + skip;
            startBody(block);
            break;
        }
        case State::Body: {
            if (left_) {
                const std::size_t n = std::size_t(std::min<std::uint64_t>(*left_, avail));
                if (n > 0 && handler_.data)
                    handler_.data(buf_.data() + pos_, n);
                pos_ += n;
                *left_ -= n;
                if (*left_ > 0)
                    return;
                // The body is complete: the delimiter must follow at once.
                if (buf_.size() - pos_ < delimiter_.size())
                    return;
                if (buf_.compare(pos_, delimiter_.size(), delimiter_) != 0)
                    throw DataError("a part is longer than its Content-Length says");
                pos_ += delimiter_.size();
            } else {
                const std::size_t at = buf_.find(delimiter_, pos_);
                if (at == std::string::npos) {
                    // Hand on all but what could be the start of the delimiter.
                    if (avail > delimiter_.size()) {
                        const std::size_t n = avail - delimiter_.size();
                        if (handler_.data)
                            handler_.data(buf_.data() + pos_, n);
                        pos_ += n;
                    }
                    return;
                }
                if (at > pos_ && handler_.data)
                    handler_.data(buf_.data() + pos_, at - pos_);
                pos_ = at + delimiter_.size();
            }
            ++completed_;
            if (handler_.end)
                handler_.end();
            state_ = State::AfterDelimiter;
            break;
        }
        case State::Done:
            return;
        }
    }
}

} // namespace ctview
