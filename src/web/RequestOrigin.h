// RequestOrigin: whether a request to the studio really comes from its own page. Two attacks reach a
// server on 127.0.0.1 through the user's own browser: DNS rebinding (another site's name made to
// resolve to 127.0.0.1, so its scripts read the studio as their own origin; the Host header still
// names that site) and cross-site requests (a form on another site posting to the studio; the
// browser sends Origin and Sec-Fetch-Site). It decides; StudioServer refuses. It does not
// authenticate anyone: whoever can reach the port and send the right headers is served, which is
// why the studio listens on 127.0.0.1 unless told otherwise.
#pragma once

#include <string>
#include <string_view>

namespace pianola::web {

// Whether a Host header ("127.0.0.1:8080", "localhost:8080", "[::1]:8080") names the server that
// listens on `listen` at `port`: that address, or localhost where it is a loopback address; any IP
// address of this machine and localhost where it is 0.0.0.0 or ::. A name that is not localhost is
// never this server's (that is what rebinding needs); nor is another port.
bool host_is_ours(std::string_view host, std::string_view listen, int port);

// Why a request that changes something comes from another site, or "" when it does not: an Origin
// other than http://HOST, or Sec-Fetch-Site "cross-site" or "same-site". Either header absent is no
// evidence (clients that are not browsers send neither).
std::string foreign_origin(std::string_view origin, std::string_view fetch_site, std::string_view host);

}  // namespace pianola::web
