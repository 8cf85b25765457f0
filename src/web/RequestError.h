// RequestError: a request the studio refuses, with the HTTP status that says why (400 for a bad
// parameter, 404 for something that is not there, 413 for an upload too large, 503 when the
// queue is full). The server turns it into that status and a JSON message the page shows. It is
// not for the server's own failures, which stay ordinary exceptions and become a 500.
#pragma once

#include <stdexcept>
#include <string>

namespace pianola::web {

class RequestError : public std::runtime_error {
public:
    RequestError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

}  // namespace pianola::web
