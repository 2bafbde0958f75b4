// Package account holds an account's own preferences: the language its
// pages and mail are written in and the time zone its dates are shown in.
// (Accounts themselves, passwords and sessions live in internal/auth.)
package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Languages an account can choose; "" leaves it to the browser.
var Languages = []string{"ru", "en"}

// MaxTimeZone bounds a time zone name (the column's CHECK says the same).
const MaxTimeZone = 64

// Locale is an account's language and time zone, "" where not chosen.
type Locale struct {
	Language string
	TimeZone string
}

// validLanguage reports whether s is "" or a supported language.
func validLanguage(s string) bool {
	if s == "" {
		return true
	}
	for _, l := range Languages {
		if s == l {
			return true
		}
	}
	return false
}

// ValidTimeZone reports whether s names an IANA time zone ("Europe/Moscow",
// "UTC"); only such names are looked up, never a path.
func ValidTimeZone(s string) bool {
	if s == "" || len(s) > MaxTimeZone || s == "Local" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_-+", r)) {
			return false
		}
	}
	_, err := time.LoadLocation(s)
	return err == nil
}

// clean trims the input and checks it; errors are catalog keys by field
// (language, time_zone).
func (l Locale) clean() (Locale, apperr.Validation) {
	v := apperr.Validation{}
	l.Language = strings.TrimSpace(l.Language)
	l.TimeZone = strings.TrimSpace(l.TimeZone)
	if !validLanguage(l.Language) {
		v.Add("language", "account.language.invalid")
	}
	if l.TimeZone != "" && !ValidTimeZone(l.TimeZone) {
		v.Add("time_zone", "account.time_zone.invalid")
	}
	return l, v
}

// SetLocale saves userID's language and time zone.
func SetLocale(ctx context.Context, q db.DBTX, userID int64, in Locale) error {
	in, v := in.clean()
	if err := v.Err(); err != nil {
		return err
	}
	if err := dbsqlc.New(q).UpdateUserLocale(ctx, dbsqlc.UpdateUserLocaleParams{ID: userID, Language: in.Language, TimeZone: in.TimeZone}); err != nil {
		return fmt.Errorf("account: save locale: %w", err)
	}
	return nil
}

// SetLanguage saves userID's language alone (the language switch).
func SetLanguage(ctx context.Context, q db.DBTX, userID int64, lang string) error {
	if lang == "" || !validLanguage(lang) {
		return apperr.Validation{"language": "account.language.invalid"}
	}
	if err := dbsqlc.New(q).UpdateUserLanguage(ctx, dbsqlc.UpdateUserLanguageParams{ID: userID, Language: lang}); err != nil {
		return fmt.Errorf("account: save language: %w", err)
	}
	return nil
}
