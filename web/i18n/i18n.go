// Package i18n is the message catalog: every string a person sees on a page,
// in a form error, an e-mail or a visitor's chat comes from here, keyed, in
// Russian and in English. Domain packages return keys (e.g. validation
// messages); views translate them.
//
// Messages are fmt format strings, formatted by golang.org/x/text/message:
// numbers come out the way the language writes them (1 234 in Russian,
// 1,234 in English) and plurals pick their form by the CLDR rules of the
// language (1 минута, 2 минуты, 5 минут). Identifiers are passed as strings
// (%s), so "#1234" is never grouped.
//
// Each area of the app keeps its messages in one file per language
// (area_en.go, area_ru.go) and registers them from init; the catalog test
// fails when a key is missing, empty or formats different arguments in
// either language, or when code uses a key the catalog lacks.
package i18n

import (
	"context"
	"sort"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Lang is a catalog language code.
type Lang string

// Supported languages. Russian is the users' language and the default.
const (
	RU Lang = "ru"
	EN Lang = "en"
)

// Langs lists the languages in the order the language switch shows them.
var Langs = []Lang{RU, EN}

// Parse accepts a supported language code ("ru", "en").
func Parse(s string) (Lang, bool) {
	switch l := Lang(s); l {
	case RU, EN:
		return l, true
	}
	return "", false
}

// Tag is the language's BCP 47 tag.
func (l Lang) Tag() language.Tag {
	if l == EN {
		return language.English
	}
	return language.Russian
}

// Name is the language's own name for itself, as the switch shows it (a
// Russian reader looking for "Русский" should not have to read English).
func (l Lang) Name() string {
	if l == EN {
		return "English"
	}
	return "Русский"
}

// Plural is a message whose wording depends on a number, by CLDR plural
// category. Arg is the 1-based position of the number among the message's
// arguments. English uses One and Other; Russian One (1, 21, 31 …), Few
// (2–4, 22–24 …), Many (5–20, 25–30 …, 11–14) and Other (fractions). Every
// form carries the same format verbs.
type Plural struct {
	Arg                   int
	One, Few, Many, Other string
}

// Forms returns the forms the language uses, by CLDR category name.
func (p Plural) forms(l Lang) [][2]string {
	if l == EN {
		return [][2]string{{"one", p.One}, {"other", p.Other}}
	}
	return [][2]string{{"one", p.One}, {"few", p.Few}, {"many", p.Many}, {"other", p.Other}}
}

var (
	mu       sync.RWMutex
	texts    = map[Lang]map[string]string{RU: {}, EN: {}}
	plurals  = map[Lang]map[string]Plural{RU: {}, EN: {}}
	builder  = catalog.NewBuilder(catalog.Fallback(language.English))
	printers = map[Lang]*message.Printer{}
)

// Register adds plain messages to a language's catalog.
func Register(lang Lang, msgs map[string]string) {
	mu.Lock()
	defer mu.Unlock()
	for k, v := range msgs {
		texts[lang][k] = v
		if err := builder.SetString(lang.Tag(), k, v); err != nil {
			panic("i18n: " + k + ": " + err.Error())
		}
	}
	printers = map[Lang]*message.Printer{}
}

// RegisterPlurals adds messages with plural forms to a language's catalog.
func RegisterPlurals(lang Lang, msgs map[string]Plural) {
	mu.Lock()
	defer mu.Unlock()
	for k, p := range msgs {
		plurals[lang][k] = p
		var cases []any
		for _, f := range p.forms(lang) {
			cases = append(cases, f[0], f[1])
		}
		if err := builder.Set(lang.Tag(), k, plural.Selectf(p.Arg, "%d", cases...)); err != nil {
			panic("i18n: " + k + ": " + err.Error())
		}
	}
	printers = map[Lang]*message.Printer{}
}

func has(lang Lang, key string) bool {
	if _, ok := texts[lang][key]; ok {
		return true
	}
	_, ok := plurals[lang][key]
	return ok
}

func printer(lang Lang) *message.Printer {
	mu.RLock()
	p := printers[lang]
	mu.RUnlock()
	if p != nil {
		return p
	}
	mu.Lock()
	defer mu.Unlock()
	if p = printers[lang]; p == nil {
		p = message.NewPrinter(lang.Tag(), message.Catalog(builder))
		printers[lang] = p
	}
	return p
}

// T translates key into l, formatting args into it. A key missing in l
// falls back to English, then to the key itself, so a gap is visible
// rather than blank (the catalog test keeps both from happening).
func (l Lang) T(key string, args ...any) string {
	if _, ok := Parse(string(l)); !ok {
		l = RU
	}
	mu.RLock()
	found := has(l, key)
	if !found && has(EN, key) {
		l, found = EN, true
	}
	mu.RUnlock()
	if !found {
		return key
	}
	return printer(l).Sprintf(key, args...)
}

// TL translates key into lang; the same as lang.T.
func TL(lang Lang, key string, args ...any) string { return lang.T(key, args...) }

// Text is TL for packages that name languages by plain strings ("ru",
// "en"), such as internal/request's mail: they take the catalog as a
// function and need not import it.
func Text(lang, key string, args ...any) string { return Lang(lang).T(key, args...) }

// Has reports whether key is in the catalog (flash messages are restricted
// to catalog keys, so a forged cookie cannot inject text).
func Has(key string) bool {
	mu.RLock()
	defer mu.RUnlock()
	return has(EN, key) || has(RU, key)
}

var matcher = language.NewMatcher([]language.Tag{language.Russian, language.English})

// Match picks the supported language an Accept-Language header prefers,
// honouring q-values; ok is false when the header names none of them.
func Match(acceptLanguage string) (Lang, bool) {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "", false
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return "", false
	}
	if idx == 1 {
		return EN, true
	}
	return RU, true
}

type ctxKey struct{}

// WithLang returns ctx carrying the language a page is rendered in.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext is the language ctx carries, Russian if none.
func FromContext(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return RU
}

// keys lists every key of a language, sorted (for the catalog test).
func keys(l Lang) []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for k := range texts[l] {
		out = append(out, k)
	}
	for k := range plurals[l] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
