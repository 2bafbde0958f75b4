// Package view holds the templ components and the view models they take.
// Components never see database rows: handlers build these structs.
package view

import (
	"fmt"
	"time"

	"github.com/botbridge/botbridge/web/i18n"
)

// T is the catalog lookup, short because templates use it everywhere.
func T(key string, args ...any) string { return i18n.T(key, args...) }

// Page is what the layout needs on every page.
type Page struct {
	Title  string
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

// Ago renders a time relative to now ("5 min ago").
func Ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return T("time.just_now")
	case d < time.Hour:
		return T("time.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return T("time.hours", int(d/time.Hour))
	}
	return T("time.days", int(d/(24*time.Hour)))
}

// Exact renders a time in full for tooltips.
func Exact(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// ISO renders a time for <time datetime>.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Itoa formats an id for URLs.
func Itoa(n int64) string { return fmt.Sprint(n) }
