package webim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/clip"
)

// HeaderVersion is the header Webim ≥ 10.3 puts on every webhook request.
const HeaderVersion = "X-Bot-API-Version"

// DetectVersion picks the Bot API version of a webhook request: the
// X-Bot-API-Version header wins, then a "v1"/"v2" URL suffix (how Webim's
// sample bot asks owners of older Webim releases to mark the version), else
// "2.0". Like Webim's sample bot it goes by the major version: "2", "2.0",
// "2.1" are 2.0 and "1.x" is 1.0. A header or suffix we do not understand
// is an error rather than a guess, because parsing with the wrong version
// misreads every chat id.
func DetectVersion(header string, pathSuffix string) (string, error) {
	if h := strings.TrimSpace(header); h != "" {
		major, rest, dotted := strings.Cut(h, ".")
		if !dotted || versionTail(rest) {
			switch major {
			case "1":
				return Version1, nil
			case "2":
				return Version2, nil
			}
		}
		return "", fmt.Errorf("webim: unsupported %s %q: %w", HeaderVersion, clip.Text(h, 32), apperr.ErrInvalid)
	}
	switch s := strings.ToLower(strings.Trim(pathSuffix, "/ ")); s {
	case "":
		return Version2, nil
	case "v1":
		return Version1, nil
	case "v2":
		return Version2, nil
	default:
		return "", fmt.Errorf("webim: unsupported URL suffix %q (want v1 or v2): %w", clip.Text(s, 32), apperr.ErrInvalid)
	}
}

// versionTail accepts what may follow a major version: "0", "1.3", "x".
func versionTail(s string) bool {
	if s == "x" {
		return true
	}
	for _, part := range strings.Split(s, ".") {
		if _, err := strconv.ParseUint(part, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// QueueTransferSince is the first Webim release whose redirect_chat takes
// no department and no operator (a transfer to the general queue).
var QueueTransferSince = [2]int{10, 4}

// SupportsQueueTransfer reports whether a Webim account of this release
// (its X-Webim-Version, "" when it sent none) can transfer a chat to the
// general queue. Like Webim's sample bot, only a release known to be 10.4
// or newer can: no header means a release before 10.3 (the header came
// with it), and a version that is older or unreadable cannot either; the
// bridge then transfers to the integration's own target instead.
func SupportsQueueTransfer(webimVersion string) bool {
	v := strings.TrimSpace(webimVersion)
	if v == "" {
		return false
	}
	parts := append(strings.Split(v, "."), "0")
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major > QueueTransferSince[0] || major == QueueTransferSince[0] && minor >= QueueTransferSince[1]
}
