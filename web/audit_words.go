package web

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/botbridge/botbridge/web/i18n"
)

// auditWords turns an audit entry's technical detail ("transfer=
// department:sales→operator:7 token=replaced", as internal/integration
// records it, old rows included) into words: "Transfer target: department
// sales → operator 7; auth token replaced". A part it does not know is
// shown as recorded rather than dropped.
func auditWords(l i18n.Lang, detail string) string {
	detail = strings.TrimSpace(detail)
	switch detail {
	case "":
		return ""
	case "no changes":
		return l.T("audit.words.no_changes")
	case "previous secret valid for 24h":
		return l.T("audit.words.secret_overlap")
	}
	var parts []string
	first := true
	for i, kv := range auditFields(detail) {
		w, known := auditPart(l, kv[0], kv[1])
		if i == 0 {
			first = known
		}
		parts = append(parts, w)
	}
	out := strings.Join(parts, "; ")
	if first {
		out = upperFirst(out)
	}
	return out
}

// upperFirst capitalises a sentence made of parts that start lower-case.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// auditFields splits "k=v k=a→b" into pairs; a token without "=" belongs
// to the previous value (a value with a space).
func auditFields(detail string) [][2]string {
	var out [][2]string
	for _, tok := range strings.Fields(detail) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok || k == "" {
			if len(out) > 0 {
				out[len(out)-1][1] += " " + tok
				continue
			}
			k, v = "", tok
		}
		out = append(out, [2]string{k, v})
	}
	return out
}

// auditPart words one key's value or change; known is false for a part
// shown as recorded.
func auditPart(l i18n.Lang, key, value string) (w string, known bool) {
	label, ok := map[string]string{
		"domain": "audit.words.domain", "transfer": "audit.words.transfer", "status": "audit.words.status",
		"url": "audit.words.url", "timeout": "audit.words.timeout", "fallback": "audit.words.fallback",
		"visitor_language": "audit.words.visitor_language",
	}[key]
	switch {
	case key == "token" && value == "replaced":
		return l.T("audit.words.token_replaced"), true
	case key == "fallback_text" && value == "changed":
		return l.T("audit.words.fallback_text_changed"), true
	case !ok:
		if key == "" {
			return value, false
		}
		return key + "=" + value, false
	}
	word := func(v string) string { return auditValue(l, key, v) }
	if from, to, changed := strings.Cut(value, "→"); changed {
		return l.T(label, word(from)+" → "+word(to)), true
	}
	return l.T(label, word(value)), true
}

// auditValue words one recorded value of key.
func auditValue(l i18n.Lang, key, v string) string {
	switch key {
	case "transfer":
		if id, ok := strings.CutPrefix(v, "operator:"); ok {
			return l.T("audit.words.operator", id)
		}
		if id, ok := strings.CutPrefix(v, "department:"); ok {
			return l.T("audit.words.department", id)
		}
	case "status":
		return l.Enum(i18n.IntegrationStatus, v)
	case "timeout":
		if s, ok := strings.CutSuffix(v, "s"); ok {
			return l.T("audit.words.seconds", s)
		}
	case "fallback":
		if v == "transfer" {
			return l.T("audit.words.fallback_transfer")
		}
	case "visitor_language":
		switch v {
		case "ru":
			return l.T("audit.words.lang_ru")
		case "en":
			return l.T("audit.words.lang_en")
		}
	}
	return v
}
