package auth

import (
	_ "embed"
	"strings"
	"sync"

	"github.com/botbridge/botbridge/internal/apperr"
)

// commonPasswords are the 10 000 most common passwords, lower-case, one a
// line, most common first: the first 10 000 lines of passwords.txt of
// github.com/trustelem/zxcvbn v1.0.1 (MIT; the Go port of Dropbox's
// zxcvbn, whose list is ranked from Mark Burnett's ten million leaked
// passwords). Embedded, so the check needs no network.
//
//go:embed commonpasswords.txt
var commonPasswordsTxt string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	lines := strings.Split(strings.TrimSpace(commonPasswordsTxt), "\n")
	set := make(map[string]struct{}, len(lines))
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			set[l] = struct{}{}
		}
	}
	return set
})

// IsCommonPassword reports whether pw (case-insensitively) is one of the
// 10 000 most common passwords.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}

// minLocalPart is the shortest local part of an address that a password may
// not contain: shorter ones ("jo", "ann") occur in too many good passwords
// by chance.
const minLocalPart = 4

// containsLocalPart reports whether pw contains the local part of email
// (the part before the @), case-insensitively.
func containsLocalPart(pw, email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < minLocalPart {
		return false
	}
	return strings.Contains(strings.ToLower(pw), strings.ToLower(email[:at]))
}

// checkNewPassword is checkPassword plus the rules for a password a person
// chooses (sign-up, reset, change): not a common one, not their address.
// Accounts made by operators (CLI, demo seed) keep only the length rule.
func checkNewPassword(v apperr.Validation, pw, email string) {
	checkPassword(v, pw)
	if _, failed := v["password"]; failed {
		return
	}
	switch {
	case IsCommonPassword(pw):
		v.Add("password", "auth.password.common")
	case containsLocalPart(pw, email):
		v.Add("password", "auth.password.has_email")
	}
}
