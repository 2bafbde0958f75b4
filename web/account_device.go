package web

import (
	"strings"

	"github.com/botbridge/botbridge/web/i18n"
)

// uaBrowsers are checked in order: many browsers also name the ones they
// are built on (Edge says Chrome and Safari, Chrome says Safari).
var uaBrowsers = []struct{ token, name string }{
	{"YaBrowser/", "Yandex Browser"}, {"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
	{"Chrome/", "Chrome"}, {"Chromium/", "Chromium"}, {"Safari/", "Safari"}, {"curl/", "curl"},
}

var uaSystems = []struct{ token, name string }{
	{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"}, {"CrOS", "ChromeOS"},
	{"Mac OS X", "macOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"},
}

// describeDevice names a session's browser and system from its User-Agent
// well enough for a person to recognise their own ("Firefox on Windows");
// no attempt at versions or models.
func describeDevice(l i18n.Lang, ua string) string {
	var browser, system string
	for _, b := range uaBrowsers {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range uaSystems {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return l.T("account.sessions.device", browser, system)
	case browser != "":
		return browser
	case system != "":
		return system
	}
	return l.T("account.sessions.unknown_device")
}
