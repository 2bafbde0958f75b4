package clip

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short stays", "hello", 10, "hello"},
		{"exact stays", "hello", 5, "hello"},
		{"ascii cut", "hello world", 5, "hello…"},
		{"cyrillic cut at a character", "неизвестное поле", 5, "неизв…"},
		{"emoji cut at a character", "a😀b😀c", 2, "a😀…"},
		{"invalid utf-8 replaced", "ab\xffcd", 10, "ab\uFFFDcd"},
		{"NUL dropped", "a\x00b", 10, "ab"},
		{"zero", "abc", 0, ""},
		{"empty", "", 3, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, Text(c.in, c.n))
		})
	}
}

// Whatever the input and bound, the result is valid UTF-8 without NUL and
// at most n characters plus the ellipsis: what PostgreSQL accepts.
func TestTextAlwaysStorable(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Поле «имя» неизвестно; ", 100) + "\xe2\x82"
	for n := 1; n < 300; n++ {
		got := Text(long, n)
		require.True(t, utf8.ValidString(got), "n=%d", n)
		require.NotContains(t, got, "\x00")
		require.LessOrEqual(t, utf8.RuneCountInString(strings.TrimSuffix(got, Ellipsis)), n)
	}
}

func FuzzText(f *testing.F) {
	f.Add("неизвестное поле", 3)
	f.Add("a\x00\xff", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		got := Text(s, n%2000)
		if !utf8.ValidString(got) || strings.Contains(got, "\x00") {
			t.Fatalf("Text(%q, %d) = %q: not storable", s, n, got)
		}
	})
}
