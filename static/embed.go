// Package static embeds the stylesheet, scripts and images, so the binary
// serves everything itself and pages never load from a CDN.
package static

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css js img
var FS embed.FS
