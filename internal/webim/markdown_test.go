package webim

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMarkdownToText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, md, want string
	}{
		{name: "empty", md: "", want: ""},
		{name: "plain", md: "hello", want: "hello"},
		{name: "bold and italic", md: "**b** and _i_ and *j* and __k__", want: "b and i and j and k"},
		{name: "nested emphasis", md: "***both*** **a _b_ c**", want: "both a b c"},
		{name: "strikethrough", md: "~~old~~ new", want: "old new"},
		{name: "link", md: "See [our site](https://example.com)", want: "See our site (https://example.com)"},
		{name: "link label equals url", md: "[https://e.com](https://e.com)", want: "https://e.com"},
		{name: "link with emphasis in label", md: "[**Docs**](https://e.com/d \"title\")", want: "Docs (https://e.com/d)"},
		{name: "link without label", md: "[](https://e.com)", want: "https://e.com"},
		{name: "reference link", md: "[site][1]\n\n[1]: https://e.com", want: "site (https://e.com)"},
		{name: "link destination entities", md: "[q](https://e.com/?a=1&amp;b=2)", want: "q (https://e.com/?a=1&b=2)"},
		{name: "autolink", md: "<https://e.com/x>", want: "https://e.com/x"},
		{name: "email autolink", md: "<a@b.c>", want: "a@b.c"},
		{name: "mailto link", md: "[a@b.c](mailto:a@b.c)", want: "a@b.c"},
		{name: "bare url stays", md: "go to https://e.com now", want: "go to https://e.com now"},
		{name: "image", md: "![a cat](https://e.com/cat.png)", want: "a cat (https://e.com/cat.png)"},
		{name: "image without alt", md: "![](https://e.com/cat.png)", want: "https://e.com/cat.png"},
		{name: "bullet list", md: "- one\n- two\n* three", want: "• one\n• two\n\n• three"},
		{name: "tight list", md: "- one\n- two", want: "• one\n• two"},
		{name: "ordered list", md: "1. one\n2. two", want: "1. one\n2. two"},
		{name: "ordered list start", md: "3. c\n4. d", want: "3. c\n4. d"},
		{name: "ordered list paren", md: "1) a\n2) b", want: "1) a\n2) b"},
		{name: "nested list", md: "- a\n  - b\n  - c\n- d", want: "• a\n  • b\n  • c\n• d"},
		{name: "list item continuation", md: "1. first\n   line two\n2. second", want: "1. first\n   line two\n2. second"},
		{name: "loose list", md: "- a\n\n- b", want: "• a\n\n• b"},
		{name: "code span", md: "run `go test ./...` now", want: "run go test ./... now"},
		{name: "code span keeps markers", md: "`**not bold**`", want: "**not bold**"},
		{name: "fenced code", md: "```go\nfunc main() {\n\tprintln(\"*\")\n}\n```", want: "func main() {\n\tprintln(\"*\")\n}"},
		{name: "indented code", md: "text\n\n    x := 1\n    y := 2", want: "text\n\nx := 1\ny := 2"},
		{name: "headings", md: "# Title\n\n## Sub *x*\ntext", want: "Title\n\nSub x\n\ntext"},
		{name: "setext heading", md: "Title\n=====\n\nbody", want: "Title\n\nbody"},
		{name: "paragraphs", md: "one\n\n\n\ntwo", want: "one\n\ntwo"},
		{name: "soft break", md: "line one\nline two", want: "line one\nline two"},
		{name: "hard break spaces", md: "line one  \nline two", want: "line one\nline two"},
		{name: "hard break backslash", md: "line one\\\nline two", want: "line one\nline two"},
		{name: "escapes", md: `\*not\* \_em\_ \[x\]`, want: "*not* _em_ [x]"},
		{name: "entities", md: "a &amp; b &lt; c &#42; &#x41; &copy;", want: "a & b < c * A ©"},
		{name: "escaped entity stays", md: `\&amp;`, want: "&amp;"},
		{name: "inline html dropped", md: "a <b>bold</b> <span class=\"x\">s</span>", want: "a bold s"},
		{name: "br tag", md: "a<br>b<br/> c<BR />d", want: "a\nb\nc\nd"},
		{name: "html block", md: "<div>\nhi &amp; <i>there</i>\n</div>", want: "hi & there"},
		{name: "html comment", md: "a\n\n<!-- hidden -->\n\nb", want: "a\n\nb"},
		{name: "script dropped", md: "<script>\nalert(1)\n</script>\n\nok", want: "ok"},
		{name: "less than kept", md: "<div>\n1 < 2\n</div>", want: "1 < 2"},
		{name: "blockquote", md: "> quoted\n> more\n\nafter", want: "> quoted\n> more\n\nafter"},
		{name: "thematic break", md: "a\n\n---\n\nb", want: "a\n\n" + ThematicBreakText + "\n\nb"},
		{name: "trailing whitespace", md: "text   \n\n\n", want: "text"},
		{name: "unicode", md: "**Привет**, _мир_ 👋", want: "Привет, мир 👋"},
		{name: "nul replaced", md: "a\x00b", want: "a\uFFFDb"},
		{name: "the doc example", md: "**Hi!** See [our site](https://example.com)", want: "Hi! See our site (https://example.com)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MarkdownToText(tt.md))
		})
	}
}

func TestMarkdownToTextConcurrent(t *testing.T) {
	t.Parallel()
	// The parser is shared; -race would flag hidden state.
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				require.Equal(t, "• a b (https://e.com)", MarkdownToText("- **a** [b](https://e.com)"))
			}
		})
	}
	wg.Wait()
}

func TestStripTags(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{in: "<p>x</p>", want: "x"},
		{in: "a <!-- c > d --> b", want: "a  b"},
		{in: "a < b", want: "a < b"},
		{in: "x <unterminated", want: "x "},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, stripTags(tt.in))
		})
	}
}
