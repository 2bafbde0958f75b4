// Package migrations embeds the goose SQL migrations so the binary carries its
// own schema: `botbridge migrate up` and `serve --migrate` need no files.
package migrations

import "embed"

// FS holds every NNNNN_name.sql migration.
//
//go:embed *.sql
var FS embed.FS
