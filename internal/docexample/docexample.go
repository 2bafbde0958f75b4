// Package docexample reads the JSON examples of a Markdown document, so
// tests can hold the docs to what the code accepts and produces. An
// example is a ```json block that follows a "<!-- example: kind -->"
// comment (blank lines between are allowed).
package docexample

import (
	"fmt"
	"os"
	"strings"
)

// Load reads the document at path and returns its examples by kind.
func Load(path string) (map[string][]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out, err := Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// Parse returns the examples of a Markdown text by kind, in document
// order. A marker without its block is an error, so a broken document
// cannot silently skip its checks.
func Parse(markdown string) (map[string][]string, error) {
	lines := strings.Split(markdown, "\n")
	out := map[string][]string{}
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "<!-- example:") || !strings.HasSuffix(l, "-->") {
			continue
		}
		kind := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "<!-- example:"), "-->"))
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j == len(lines) {
			return nil, fmt.Errorf("line %d: example marker at the end of the document", i+1)
		}
		if strings.TrimSpace(lines[j]) != "```json" {
			return nil, fmt.Errorf("line %d: example marker not followed by a ```json block", i+1)
		}
		var block []string
		for j++; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
			block = append(block, lines[j])
		}
		if j == len(lines) {
			return nil, fmt.Errorf("line %d: example block not closed", i+1)
		}
		out[kind] = append(out[kind], strings.Join(block, "\n"))
		i = j
	}
	return out, nil
}
