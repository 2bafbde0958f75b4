package team

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/project"
)

// Rename gives the project a new name under the same rules as a new
// project's (spaces collapsed, project.ValidateName); the old and new
// names go to the audit log. The same name again changes nothing.
func Rename(ctx context.Context, conn db.Conn, projectID, actorID int64, name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if key := project.ValidateName(name); key != "" {
		return name, apperr.Validation{"name": key}
	}
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		old, err := lockProject(ctx, q, projectID)
		if err != nil {
			return err
		}
		if old == name {
			return nil
		}
		if err := q.RenameProject(ctx, dbsqlc.RenameProjectParams{ID: projectID, Name: name}); err != nil {
			return fmt.Errorf("team: rename: %w", err)
		}
		return audit(ctx, q, projectID, &actorID, ActionRenamed, AuditDetail{From: old, To: name})
	})
	return name, err
}
