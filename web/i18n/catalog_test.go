package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// allKeys is every key any language has.
func allKeys() []string {
	seen := map[string]bool{}
	for _, l := range Langs {
		for _, k := range keys(l) {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// forms is every text a key has in l: the message, or each plural form
// the language uses.
func forms(l Lang, key string) map[string]string {
	if s, ok := texts[l][key]; ok {
		return map[string]string{"": s}
	}
	out := map[string]string{}
	if p, ok := plurals[l][key]; ok {
		for _, f := range p.forms(l) {
			out[f[0]] = f[1]
		}
	}
	return out
}

var verbRE = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*\d*(\.\d+)?([a-zA-Z%])`)

// verbs describes the arguments a format string formats: argument number →
// verb, so languages may reorder arguments (%[2]s … %[1]s) but must format
// the same ones the same way.
func verbs(s string) string {
	arg := 1
	var out []string
	for _, m := range verbRE.FindAllStringSubmatch(s, -1) {
		if m[4] == "%" {
			continue
		}
		if m[2] != "" {
			arg, _ = strconv.Atoi(m[2])
		}
		out = append(out, strconv.Itoa(arg)+":"+m[4])
		arg++
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// Every key exists in every language, no text is empty, and every form of
// a key formats the same arguments in every language.
func TestCatalogComplete(t *testing.T) {
	all := allKeys()
	require.Greater(t, len(all), 300, "the catalog is loaded")
	for _, key := range all {
		want := ""
		for i, l := range Langs {
			fs := forms(l, key)
			if !has(l, key) {
				t.Errorf("%s: missing in %s", key, l)
				continue
			}
			if p, ok := plurals[l][key]; ok && (p.Arg < 1) {
				t.Errorf("%s (%s): plural without the position of its number", key, l)
			}
			for form, s := range fs {
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s (%s %s): empty", key, l, form)
					continue
				}
				v := verbs(s)
				if i == 0 && want == "" {
					want = v
				}
				if v != want {
					t.Errorf("%s (%s %s): formats [%s], the others [%s]: %q", key, l, form, v, want, s)
				}
			}
		}
	}
}

// Plural forms come from the CLDR rules of x/text, not from code here.
func TestPlurals(t *testing.T) {
	ru := map[int]string{1: "1 минуту назад", 2: "2 минуты назад", 5: "5 минут назад", 11: "11 минут назад", 21: "21 минуту назад", 1234: "1\u00a0234 минуты назад"}
	for n, want := range ru {
		require.Equal(t, want, RU.T("time.minutes", n), n)
	}
	for n, want := range map[int]string{1: "1 попытка", 2: "2 попытки", 5: "5 попыток", 11: "11 попыток", 21: "21 попытка"} {
		require.Equal(t, want, RU.T("dev.mail.attempts", n), n)
	}
	for n, want := range map[int]string{1: "1 minute ago", 2: "2 minutes ago", 1234: "1,234 minutes ago"} {
		require.Equal(t, want, EN.T("time.minutes", n), n)
	}
	require.Equal(t, "1 attempt", EN.T("dev.mail.attempts", 1))
	require.Equal(t, "2 attempts", EN.T("dev.mail.attempts", 2))
	require.Equal(t, "Слишком много неудачных попыток входа. Попробуйте снова через 5 минут.", RU.T("auth.login.throttled", 5))
	require.Equal(t, "Too many failed log-in attempts. Try again in 1 minute.", EN.T("auth.login.throttled", 1))
}

func TestFallbacks(t *testing.T) {
	Register(EN, map[string]string{"test.only_en": "only %s"})
	require.Equal(t, "only here", RU.T("test.only_en", "here"), "a key missing in Russian falls back to English")
	require.Equal(t, "no.such.key", RU.T("no.such.key"), "a missing key shows as itself")
	require.Equal(t, "Вход", Lang("xx").T("auth.login.title"), "an unknown language is Russian")
	require.Equal(t, "Работает", RU.Enum(IntegrationStatus, "active"))
	require.Equal(t, "weird", RU.Enum(IntegrationStatus, "weird"), "an unknown value shows as itself, not as a key")
	require.Equal(t, "Webim · работает", RU.Enum(PlatformSummary, "active", "Webim"))
	require.Equal(t, "#1234 · Bot development with Webim integration", EN.T("request.heading", "1234", "Webim"), "identifiers are strings: never grouped")
}

func TestMatch(t *testing.T) {
	cases := []struct {
		header string
		want   Lang
		ok     bool
	}{
		{"ru", RU, true},
		{"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", RU, true},
		{"en-US,en;q=0.9", EN, true},
		{"en;q=0.3, ru;q=0.8", RU, true},
		{"ru;q=0.2, en-GB;q=0.9", EN, true},
		{"de-DE, fr;q=0.5", "", false},
		{"", "", false},
		{"*", "", false},
	}
	for _, c := range cases {
		l, ok := Match(c.header)
		require.Equal(t, c.ok, ok, c.header)
		if ok {
			require.Equal(t, c.want, l, c.header)
		}
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2026, 11, 25, 11, 5, 0, 0, time.UTC)
	require.Equal(t, "25 ноября 2026, 14:05", RU.DateTime(at, Zone("")), "Moscow by default")
	require.Equal(t, "25 November 2026, 20:05", EN.DateTime(at, Zone("Asia/Tokyo")))
	require.Equal(t, "25 ноября 2026, 14:05", RU.DateTime(at, Zone("../../etc/passwd")), "no path reaches the loader")
	now := at.Add(5 * time.Minute)
	require.Equal(t, "5 минут назад", RU.Ago(at, now))
	require.Equal(t, "1 hour ago", EN.Ago(at, at.Add(time.Hour)))
	require.Equal(t, "2 дня назад", RU.Ago(at, at.Add(50*time.Hour)))
	for _, k := range monthKeys {
		require.True(t, has(RU, k) && has(EN, k), k)
	}
}

// Every key an enumeration names is in the catalog.
func TestEnumKeys(t *testing.T) {
	for fam, vals := range enums {
		for v, k := range vals {
			require.True(t, Has(k), "%s %s: %s", fam, v, k)
		}
	}
}

var keyLike = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\.?$`)

// Code uses only keys the catalog has: every string literal in a Go file
// or template that looks like a key of one of the catalog's areas must be
// a key, and no key is built by concatenation (a literal ending in a dot),
// so a raw key such as "activity.crumb" can never reach a page again.
func TestCodeUsesOnlyCatalogKeys(t *testing.T) {
	areas := map[string]bool{}
	for _, k := range allKeys() {
		areas[k[:strings.IndexByte(k, '.')]] = true
	}
	families := map[string]bool{}
	for f := range enums {
		families[f] = true
	}
	root := filepath.Join("..", "..")
	check := func(path string, lit string) {
		if !keyLike.MatchString(lit) || !areas[lit[:strings.IndexByte(lit, '.')]] || families[lit] {
			return
		}
		if strings.HasSuffix(lit, ".") {
			t.Errorf("%s: %q: a key built by concatenation; spell the keys out (see enum.go)", path, lit)
			return
		}
		if !Has(lit) {
			t.Errorf("%s: %q is not in the catalog", path, lit)
		}
	}
	templLit := regexp.MustCompile(`"((?:[^"\\\n]|\\.)*)"`)
	scanned := 0
	for _, dir := range []string{"web", "internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" || d.Name() == "dbsqlc" || path == filepath.Join(root, "web", "i18n") {
					return filepath.SkipDir
				}
				return nil
			}
			name := d.Name()
			switch {
			case strings.HasSuffix(name, "_test.go"), strings.HasSuffix(name, "_templ.go"):
				return nil
			case strings.HasSuffix(name, ".go"):
				f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
				if err != nil {
					return err
				}
				scanned++
				ast.Inspect(f, func(n ast.Node) bool {
					if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
						if s, err := strconv.Unquote(bl.Value); err == nil {
							check(path, s)
						}
					}
					return true
				})
			case strings.HasSuffix(name, ".templ"):
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				scanned++
				for _, m := range templLit.FindAllStringSubmatch(string(b), -1) {
					check(path, m[1])
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	require.Greater(t, scanned, 50, "the source tree was found")
}
