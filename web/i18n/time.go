package i18n

import (
	"strconv"
	"time"
	_ "time/tzdata" // time zones load even where the system has no zoneinfo
)

// DefaultZone is the time zone of an account that has not chosen one and
// whose browser did not say.
const DefaultZone = "Europe/Moscow"

// MaxZoneLen bounds a time zone name as stored and typed.
const MaxZoneLen = 64

// LoadZone returns the named IANA time zone; ok is false for an unknown or
// unsafe name (only names like "Europe/Moscow" or "UTC" are accepted, so a
// path never reaches the tz loader).
func LoadZone(name string) (*time.Location, bool) {
	if name == "" || len(name) > MaxZoneLen || name == "Local" {
		return nil, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || r == '_' || r == '-' || r == '+') {
			return nil, false
		}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// Zone returns the named zone, or DefaultZone when the name is empty or
// unknown.
func Zone(name string) *time.Location {
	if loc, ok := LoadZone(name); ok {
		return loc
	}
	loc, _ := LoadZone(DefaultZone)
	return loc
}

// monthKeys are the catalog keys of the month names in dates (Russian
// writes them in the genitive: «25 ноября»).
var monthKeys = [12]string{
	"time.month.1", "time.month.2", "time.month.3", "time.month.4", "time.month.5", "time.month.6",
	"time.month.7", "time.month.8", "time.month.9", "time.month.10", "time.month.11", "time.month.12",
}

// DateTime writes t as a date and time of day in loc: «25 ноября 2026,
// 14:05», "25 November 2026, 14:05".
func (l Lang) DateTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return l.T("time.datetime", strconv.Itoa(t.Day()), l.T(monthKeys[t.Month()-1]), strconv.Itoa(t.Year()), t.Format("15:04"))
}

// Ago writes how long before now t was: «5 минут назад», "1 hour ago".
func (l Lang) Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return l.T("time.just_now")
	case d < time.Hour:
		return l.T("time.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return l.T("time.hours", int(d/time.Hour))
	}
	return l.T("time.days", int(d/(24*time.Hour)))
}
