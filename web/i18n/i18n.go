// Package i18n is the message catalog: every string a person sees on a page
// or in a form error comes from here, keyed, English first. Domain packages
// return keys (e.g. validation messages); views translate them.
package i18n

import (
	"fmt"
	"maps"
	"sync"
)

// Lang is a catalog language code.
type Lang string

// Supported languages. English is complete; other catalogs fall back to it
// key by key.
const (
	EN Lang = "en"
	RU Lang = "ru"
)

var (
	mu       sync.RWMutex
	catalogs = map[Lang]map[string]string{EN: {}, RU: {}}
)

// Register adds messages to a language's catalog; each area of the app keeps
// its messages in its own file and registers them from init.
func Register(lang Lang, msgs map[string]string) {
	mu.Lock()
	defer mu.Unlock()
	if catalogs[lang] == nil {
		catalogs[lang] = map[string]string{}
	}
	maps.Copy(catalogs[lang], msgs)
}

// T translates key into English, formatting args into it (fmt verbs).
func T(key string, args ...any) string { return TL(EN, key, args...) }

// TL translates key into lang, falling back to English, then to the key
// itself so a missing entry is visible rather than blank.
func TL(lang Lang, key string, args ...any) string {
	mu.RLock()
	s, ok := catalogs[lang][key]
	if !ok {
		s, ok = catalogs[EN][key]
	}
	mu.RUnlock()
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key is in the English catalog (flash messages are
// restricted to catalog keys, so a forged cookie cannot inject text).
func Has(key string) bool {
	mu.RLock()
	defer mu.RUnlock()
	_, ok := catalogs[EN][key]
	return ok
}
