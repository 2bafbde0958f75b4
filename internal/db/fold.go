package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// foldCollations are the collations, best first, whose case folding knows
// Cyrillic (and the rest of Unicode): ICU's root locale, then glibc's
// C.UTF-8 under its two spellings. A database created with the C locale
// (a private cluster from scripts/devdb.sh, many hosted servers) folds only
// ASCII, so "ЗАКАЗ" ILIKE '%заказ%' would be false there.
var foldCollations = []string{"und-x-icu", "C.utf8", "C.UTF-8", "en_US.utf8"}

var fold struct {
	sync.Mutex
	clause string
	found  bool
}

// FoldCollation returns the COLLATE clause (with a leading space) to put
// after the pattern of a case-insensitive search, so the search ignores case
// in every language whatever the database's own locale is. It is "" when the
// server has none of foldCollations, and the database's locale decides.
// Collations are a property of the server, so the answer is kept for the
// process once it has been read.
func FoldCollation(ctx context.Context, q DBTX) (string, error) {
	fold.Lock()
	defer fold.Unlock()
	if fold.found {
		return fold.clause, nil
	}
	var name string
	err := q.QueryRow(ctx, `SELECT collname FROM pg_collation
		WHERE collname = ANY($1) AND collencoding IN (-1, pg_char_to_encoding('UTF8'))
		ORDER BY array_position($1, collname::text) LIMIT 1`, foldCollations).Scan(&name)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		fold.clause = ""
	case err != nil:
		return "", fmt.Errorf("db: find a folding collation: %w", err)
	default:
		fold.clause = " COLLATE " + pgx.Identifier{name}.Sanitize()
	}
	fold.found = true
	return fold.clause, nil
}

// ContainsPattern is a LIKE pattern that matches s anywhere, literally
// (its %, _ and \ match themselves).
func ContainsPattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}
