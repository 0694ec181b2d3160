package queue

import (
	"net/url"
	"strings"
)

// Redact hides the credentials in a server URL (comma-separated for a
// cluster) before it is printed: the password of nats://user:pass@host, and
// the user part of nats://TOKEN@host, which NATS reads as a token.
func Redact(servers string) string {
	parts := strings.Split(servers, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil || u.User == nil {
			if at := strings.LastIndex(p, "@"); at >= 0 && strings.Contains(p, "://") { // unparsable, but with credentials
				scheme, _, _ := strings.Cut(p, "://")
				parts[i] = scheme + "://xxxxx" + p[at:]
			}
			continue
		}
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else {
			u.User = url.User("xxxxx")
		}
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}
