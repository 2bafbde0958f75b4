package request

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// MaxNote bounds an internal note, in characters (the history's limit).
const MaxNote = 2000

// AddNote records an internal note on a request: moderators only, kept in
// the history with kind "note", which every read on the owner's side
// leaves out in SQL and no mail ever includes. Notes do not depend on the
// version: they describe the moderators' work, not the state.
func AddNote(ctx context.Context, conn db.Conn, requestID, moderatorID int64, note string) (Event, error) {
	note = text(note)
	var out Event
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		if err := authorize(ctx, tx, AsModerator(), moderatorID); err != nil {
			return err
		}
		r, err := Get(ctx, tx, AsModerator(), requestID)
		if err != nil {
			return err
		}
		if err := checkText("note", note, MaxNote); err != nil {
			return err
		}
		if err := dbsqlc.New(tx).InsertRequestEvent(ctx, dbsqlc.InsertRequestEventParams{
			RequestID: r.ID, ActorID: &moderatorID, Kind: KindNote, Comment: note,
		}); err != nil {
			return fmt.Errorf("request: note: %w", err)
		}
		out = Event{RequestID: r.ID, Kind: KindNote, Comment: note}
		return nil
	})
	return out, err
}
