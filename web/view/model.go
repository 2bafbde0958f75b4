// Package view holds the templ components and the view models they take.
// Components never see database rows: handlers build these structs.
package view

import (
	"context"
	"fmt"
	"time"

	"github.com/botbridge/botbridge/web/i18n"
)

// T is the catalog lookup in the page's language (from ctx, see
// WithLocale), short because templates use it everywhere.
func T(ctx context.Context, key string, args ...any) string {
	return i18n.FromContext(ctx).T(key, args...)
}

// Lang is the language the page is rendered in.
func Lang(ctx context.Context) i18n.Lang { return i18n.FromContext(ctx) }

type zoneKey struct{}

// WithLocale returns ctx carrying the page's language and time zone.
func WithLocale(ctx context.Context, l i18n.Lang, zone *time.Location) context.Context {
	return context.WithValue(i18n.WithLang(ctx, l), zoneKey{}, zone)
}

// Zone is the time zone the page shows dates in.
func Zone(ctx context.Context) *time.Location {
	if z, ok := ctx.Value(zoneKey{}).(*time.Location); ok && z != nil {
		return z
	}
	return i18n.Zone("")
}

// Page is what the layout needs on every page.
type Page struct {
	Title string
	// Path is the current page's local URL, where the language switch
	// comes back to.
	Path   string
	User   *User
	CSRF   string
	Flash  string
	Crumbs []Crumb
	// DevMail shows the link to the development mail page.
	DevMail bool
}

// User is the signed-in account as the layout shows it.
type User struct {
	Email       string
	CanModerate bool
	// IsAdmin shows the Users link.
	IsAdmin bool
	// Unverified shows the banner asking to confirm the address.
	Unverified bool
}

// Crumb is one breadcrumb link; the last one has no URL.
type Crumb struct {
	Label string
	URL   string
}

// Field is one form input with its label, kept value and error message.
type Field struct {
	Name         string
	Label        string
	Type         string
	Value        string
	Error        string
	Hint         string
	Required     bool
	Autocomplete string
	Placeholder  string
	MaxLength    int
}

// ID is the input's element id.
func (f Field) ID() string { return "f-" + f.Name }

// ErrorID links the input to its error via aria-describedby.
func (f Field) ErrorID() string { return "f-" + f.Name + "-error" }

// HintID links the input to its hint.
func (f Field) HintID() string { return "f-" + f.Name + "-hint" }

// DescribedBy lists the ids that describe the input.
func (f Field) DescribedBy() string {
	switch {
	case f.Error != "" && f.Hint != "":
		return f.ErrorID() + " " + f.HintID()
	case f.Error != "":
		return f.ErrorID()
	case f.Hint != "":
		return f.HintID()
	}
	return ""
}

// InputType defaults to text.
func (f Field) InputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

// FormErrors is the summary at the top of a form.
type FormErrors struct {
	Fields []Field
}

// Any reports whether any field failed.
func (e FormErrors) Any() bool {
	for _, f := range e.Fields {
		if f.Error != "" {
			return true
		}
	}
	return false
}

// Ago renders a time relative to now («5 минут назад»).
func Ago(ctx context.Context, t time.Time) string { return Lang(ctx).Ago(t, time.Now()) }

// Exact renders a date and time in the page's time zone, with localised
// month names («25 ноября 2026, 14:05»).
func Exact(ctx context.Context, t time.Time) string { return Lang(ctx).DateTime(t, Zone(ctx)) }

// ZoneLabel names the page's time zone with its current offset, e.g.
// "Europe/Moscow, UTC+03:00", for the tooltip of a date.
func ZoneLabel(ctx context.Context, t time.Time) string {
	z := Zone(ctx)
	return z.String() + ", UTC" + t.In(z).Format("-07:00")
}

// ISO renders a time for <time datetime>.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Itoa formats an id for URLs.
func Itoa(n int64) string { return fmt.Sprint(n) }
