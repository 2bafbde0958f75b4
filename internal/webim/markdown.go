package webim

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mdParser is CommonMark plus ~~strikethrough~~ (bots written for
// GitHub-flavoured renderers use it). goldmark parsers keep no state
// between Parse calls, so one is shared.
var mdParser parser.Parser = goldmark.New(goldmark.WithExtensions(extension.Strikethrough)).Parser()

// ThematicBreakText stands in for a Markdown "---" rule in plain text.
const ThematicBreakText = "———"

// MarkdownToText renders a bot's Markdown as the plain text Webim shows
// (Webim renders no Markdown for bots, so markers would reach the visitor
// as noise). It walks goldmark's syntax tree rather than using regexes, so
// escapes, nesting and code are handled as a Markdown renderer would:
// emphasis is dropped, [label](url) becomes "label (url)" (just the url when
// both are equal), list items keep "• " or "1. ", code keeps its text, raw
// HTML keeps only its text, blocks are separated by a blank line.
func MarkdownToText(md string) string {
	src := []byte(md)
	doc := mdParser.Parse(text.NewReader(src))
	r := &mdRenderer{src: src}
	out := r.children(doc, "\n\n")
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.TrimLeft(strings.TrimRight(strings.Join(lines, "\n"), "\n"), "\n")
}

type mdRenderer struct {
	src []byte
	// afterBreak: a <br> was just written, so the text that follows it in
	// the source (usually a space) must not start the new line.
	afterBreak bool
}

// children renders the block children of n joined by sep, skipping blocks
// that render to nothing so no run of blank lines appears.
func (r *mdRenderer) children(n ast.Node, sep string) string {
	var parts []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if s := r.block(c); strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

func (r *mdRenderer) block(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
		return r.inlines(n)
	case *ast.ThematicBreak:
		return ThematicBreakText
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		return strings.TrimRight(r.lines(n), "\n")
	case *ast.HTMLBlock:
		return r.htmlBlock(n)
	case *ast.Blockquote:
		inner := r.children(n, "\n\n")
		return prefixLines(inner, "> ", "> ")
	case *ast.List:
		return r.list(n)
	default:
		if n.Type() == ast.TypeInline {
			return r.inlines(n)
		}
		return r.children(n, "\n\n")
	}
}

func (r *mdRenderer) list(l *ast.List) string {
	sep := "\n\n"
	if l.IsTight {
		sep = "\n"
	}
	var items []string
	num := l.Start
	for c := l.FirstChild(); c != nil; c = c.NextSibling() {
		marker := "• "
		if l.IsOrdered() {
			marker = strconv.Itoa(num) + string(l.Marker) + " "
			num++
		}
		body := r.children(c, sep)
		indent := strings.Repeat(" ", utf8.RuneCountInString(marker))
		items = append(items, prefixLines(body, marker, indent))
	}
	return strings.Join(items, sep)
}

// prefixLines puts first before the first line and rest before the others,
// leaving blank lines blank.
func prefixLines(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		p := rest
		if i == 0 {
			p = first
		}
		if l == "" && i > 0 {
			continue
		}
		lines[i] = p + l
	}
	return strings.Join(lines, "\n")
}

// lines returns a block's raw source lines (code keeps its exact text).
func (r *mdRenderer) lines(n ast.Node) string {
	var b strings.Builder
	segs := n.Lines()
	for i := 0; i < segs.Len(); i++ {
		seg := segs.At(i)
		b.Write(seg.Value(r.src))
	}
	return b.String()
}

func (r *mdRenderer) htmlBlock(n *ast.HTMLBlock) string {
	raw := r.lines(n)
	if n.HasClosure() {
		raw += string(n.ClosureLine.Value(r.src))
	}
	switch n.HTMLBlockType {
	case ast.HTMLBlockType1:
		// <script>, <style>, <pre>, <textarea>: only pre and textarea hold text
		// meant for people.
		l := strings.ToLower(strings.TrimSpace(raw))
		if strings.HasPrefix(l, "<script") || strings.HasPrefix(l, "<style") {
			return ""
		}
	case ast.HTMLBlockType2, ast.HTMLBlockType3, ast.HTMLBlockType4, ast.HTMLBlockType5:
		// comments, processing instructions, declarations, CDATA
		return ""
	}
	var kept []string
	for _, l := range strings.Split(html.UnescapeString(stripTags(raw)), "\n") {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, strings.TrimSpace(l))
		}
	}
	return strings.Join(kept, "\n")
}

// stripTags drops <tags> and <!-- comments -->, keeping the text between.
// A "<" not followed by a tag start stays, so "a < b" survives.
func stripTags(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' && i+1 < len(s) && isTagStart(s[i+1]) {
			end := ">"
			if strings.HasPrefix(s[i:], "<!--") {
				end = "-->"
			}
			j := strings.Index(s[i+1:], end)
			if j < 0 {
				break // unterminated tag: the rest is markup
			}
			i += 1 + j + len(end)
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

func isTagStart(c byte) bool {
	return c == '/' || c == '!' || c == '?' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func (r *mdRenderer) inlines(n ast.Node) string {
	var b strings.Builder
	r.inline(&b, n)
	return b.String()
}

func (r *mdRenderer) inline(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(r.src)
			if r.afterBreak {
				v = bytes.TrimLeft(v, " \t")
				r.afterBreak = len(v) == 0 && !c.HardLineBreak() && !c.SoftLineBreak()
			}
			if c.IsRaw() {
				b.Write(v)
			} else {
				b.WriteString(unescape(v))
			}
			if c.HardLineBreak() || c.SoftLineBreak() {
				b.WriteByte('\n')
			}
		case *ast.String:
			if c.IsRaw() || c.IsCode() {
				b.Write(c.Value)
			} else {
				b.WriteString(unescape(c.Value))
			}
		case *ast.CodeSpan:
			// Code is literal: no unescaping. A line break inside a code span
			// is a space, as in every Markdown renderer.
			var code strings.Builder
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				switch t := t.(type) {
				case *ast.Text:
					code.Write(t.Segment.Value(r.src))
				case *ast.String:
					code.Write(t.Value)
				}
			}
			b.WriteString(strings.ReplaceAll(code.String(), "\n", " "))
		case *ast.Link:
			b.WriteString(linkText(r.inlines(c), unescape(c.Destination)))
		case *ast.Image:
			alt, dest := strings.TrimSpace(r.inlines(c)), unescape(c.Destination)
			switch {
			case alt == "":
				b.WriteString(dest)
			case dest == "":
				b.WriteString(alt)
			default:
				b.WriteString(alt + " (" + dest + ")")
			}
		case *ast.AutoLink:
			b.Write(c.Label(r.src))
		case *ast.RawHTML:
			if isBreakTag(r.rawHTML(c)) {
				b.WriteByte('\n')
				r.afterBreak = true
			}
			continue
		default:
			// Emphasis, strikethrough and inlines of future extensions:
			// their markers go, their text stays.
			r.inline(b, c)
		}
		if _, isText := c.(*ast.Text); !isText {
			r.afterBreak = false
		}
	}
}

// linkText is "label (url)", or just one of them when the other adds nothing.
func linkText(label, dest string) string {
	l := strings.TrimSpace(label)
	switch {
	case dest == "":
		return label
	case l == "" || l == dest:
		return dest
	case "mailto:"+l == dest:
		return l // the address alone is what a reader needs
	default:
		return label + " (" + dest + ")"
	}
}

func (r *mdRenderer) rawHTML(n *ast.RawHTML) string {
	var b strings.Builder
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		b.Write(seg.Value(r.src))
	}
	return b.String()
}

// isBreakTag matches <br>, <br/>, <br /> in any case: the one HTML tag
// whose meaning survives in plain text.
func isBreakTag(tag string) bool {
	t := strings.ToLower(strings.TrimSpace(tag))
	t = strings.TrimSuffix(strings.TrimPrefix(t, "<"), ">")
	t = strings.TrimSpace(strings.TrimSuffix(t, "/"))
	return t == "br"
}

// unescape resolves backslash escapes and entity references in Markdown
// text, as goldmark's HTML writer does, in one left-to-right pass so an
// escaped "\&amp;" stays literal.
func unescape(v []byte) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && util.IsPunct(v[i+1]):
			b.WriteByte(v[i+1])
			i++
		case c == 0:
			b.WriteRune(utf8.RuneError)
		case c == '&':
			if r, n := entity(v[i:]); n > 0 {
				b.WriteString(r)
				i += n - 1
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// entity decodes a character reference at the start of v and returns its
// text and length, or n == 0 when v does not start with one.
func entity(v []byte) (string, int) {
	end := -1
	for i := 1; i < len(v) && i < 40; i++ {
		if v[i] == ';' {
			end = i
			break
		}
	}
	if end < 2 {
		return "", 0
	}
	name := string(v[1:end])
	if name[0] == '#' {
		num, base := name[1:], 10
		if len(num) > 0 && (num[0] == 'x' || num[0] == 'X') {
			num, base = num[1:], 16
		}
		if num == "" || len(num) > 7 || strings.ContainsAny(num, "+-") {
			return "", 0
		}
		cp, err := strconv.ParseUint(num, base, 32)
		if err != nil {
			return "", 0
		}
		r := rune(cp)
		if cp == 0 || !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		return string(r), end + 1
	}
	if e, ok := util.LookUpHTML5EntityByName(name); ok {
		return string(e.Characters), end + 1
	}
	return "", 0
}
