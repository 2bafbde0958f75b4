package webim

import (
	"fmt"
	"strings"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/clip"
)

// HeaderVersion is the header Webim ≥ 10.3 puts on every webhook request.
const HeaderVersion = "X-Bot-API-Version"

// DetectVersion picks the Bot API version of a webhook request: the
// X-Bot-API-Version header wins, then a "v1"/"v2" URL suffix (how Webim's
// sample bot asks owners of older Webim releases to mark the version), else
// "2.0". A header or suffix we do not understand is an error rather than a
// guess, because parsing with the wrong version misreads every chat id.
func DetectVersion(header string, pathSuffix string) (string, error) {
	if h := strings.TrimSpace(header); h != "" {
		switch h {
		case Version1, Version2:
			return h, nil
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
