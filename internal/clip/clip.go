// Package clip bounds text before it reaches the database, a log line or a
// message: always at a character boundary, as valid UTF-8 without NUL, so
// PostgreSQL never refuses it (SQLSTATE 22021) and a reader never sees half
// a character. Every truncation in botbridge goes through it.
package clip

import (
	"strings"
	"unicode/utf8"
)

// Ellipsis marks text that was cut.
const Ellipsis = "…"

// Text returns s with at most n characters (runes), followed by Ellipsis
// when anything was cut. Invalid UTF-8 becomes U+FFFD and NUL characters
// are dropped (PostgreSQL text cannot hold them), so the result is always
// storable. n ≤ 0 gives "".
func Text(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	count := 0
	for i := range s {
		if count == n {
			return s[:i] + Ellipsis
		}
		count++
	}
	return s
}
