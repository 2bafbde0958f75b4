package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
)

// Deleted says what DeleteProject stopped at once.
type Deleted struct {
	Integrations    int
	EventsCancelled int
	JobsCancelled   int
}

// DeleteProject deletes a project whose name the owner typed as confirm
// (the caller has checked that they may). In one short transaction its
// integrations stop (their webhook URLs answer 404 from the commit on),
// every secret (Webim tokens, webhook keys, chat events credentials, the
// bot endpoint's signing secrets) is destroyed, unfinished events and
// queued chat jobs are cancelled and the memberships end, so nothing of
// it is readable by anyone. The chat data then goes chat by chat, with
// the erasure's code, in a background job (PurgeArgs, inserted with ins
// in the same transaction), which also removes the project row with its
// audit log, requests and grants; the retention sweep finishes any purge
// whose job was lost.
func DeleteProject(ctx context.Context, conn db.Conn, ins jobs.Inserter, projectID int64, confirm string) (Deleted, error) {
	var d Deleted
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		p, err := q.LockProjectForDelete(ctx, projectID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("lifecycle: delete project %d: %w", projectID, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("lifecycle: delete project: %w", err)
		}
		switch confirm = strings.Join(strings.Fields(confirm), " "); {
		case confirm == "":
			return apperr.Validation{"confirm_name": "lifecycle.delete.confirm.required"}
		case confirm != p.Name:
			return apperr.Validation{"confirm_name": "lifecycle.delete.confirm.mismatch"}
		}
		n, err := q.RemoveProjectIntegrations(ctx, projectID)
		if err != nil {
			return fmt.Errorf("lifecycle: stop integrations: %w", err)
		}
		d.Integrations = int(n)
		if err := q.DeleteProjectBot(ctx, projectID); err != nil {
			return fmt.Errorf("lifecycle: delete bot endpoint: %w", err)
		}
		if n, err = q.CancelProjectEvents(ctx, projectID); err != nil {
			return fmt.Errorf("lifecycle: cancel events: %w", err)
		}
		d.EventsCancelled = int(n)
		if n, err = q.CancelProjectChatJobs(ctx, projectID); err != nil {
			return fmt.Errorf("lifecycle: cancel jobs: %w", err)
		}
		d.JobsCancelled = int(n)
		if err := q.DeleteProjectMembers(ctx, projectID); err != nil {
			return fmt.Errorf("lifecycle: end memberships: %w", err)
		}
		if err := q.MarkProjectDeleted(ctx, projectID); err != nil {
			return fmt.Errorf("lifecycle: mark deleted: %w", err)
		}
		if ins != nil {
			if _, err := ins.InsertTx(ctx, tx, PurgeArgs{ProjectID: projectID}, nil); err != nil {
				return fmt.Errorf("lifecycle: queue purge: %w", err)
			}
		}
		return nil
	})
	return d, err
}

// purgeChatBatch is how many chats one pass of Purge lists at a time.
const purgeChatBatch = 100

// Purge removes a deleted project's chat data chat by chat (each under
// its chat lock; a chat still being delivered is left for the next
// pass), then the project row and everything hanging off it. It stops
// after budget (0: no limit) and reports whether the project is gone.
func Purge(ctx context.Context, conn db.Conn, projectID int64, budget time.Duration) (done bool, erased Erased, err error) {
	start := time.Now()
	q := dbsqlc.New(conn)
	busy := 0
	var after int64
	for {
		if budget > 0 && time.Since(start) > budget {
			return false, erased, nil
		}
		ids, err := q.ListProjectChats(ctx, dbsqlc.ListProjectChatsParams{ProjectID: projectID, After: after, MaxRows: purgeChatBatch})
		if err != nil {
			return false, erased, fmt.Errorf("lifecycle: purge: list chats: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			got, b, err := eraseChat(ctx, conn, projectID, id, false)
			if err != nil {
				return false, erased, err
			}
			erased.add(got)
			if b {
				busy++
			}
		}
		after = ids[len(ids)-1]
	}
	if busy > 0 {
		return false, erased, nil
	}
	n, err := q.DeleteProjectRow(ctx, projectID)
	if err != nil {
		return false, erased, fmt.Errorf("lifecycle: purge: delete project: %w", err)
	}
	// Zero rows: a chat appeared meanwhile (it cannot get events: the
	// integrations are gone) or the project is already gone; either way
	// the next pass settles it.
	return n == 1, erased, nil
}

// PurgeArgs is the job that finishes a project's deletion.
type PurgeArgs struct {
	ProjectID int64 `json:"project_id"`
}

// Kind names the job in river_job.
func (PurgeArgs) Kind() string { return "lifecycle_purge_project" }

// purgeWorker runs Purge until the project is gone, a budget at a time.
type purgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	db     db.Conn
	budget time.Duration
}

func (w *purgeWorker) Work(ctx context.Context, job *river.Job[PurgeArgs]) error {
	done, _, err := Purge(ctx, w.db, job.Args.ProjectID, w.budget)
	if err != nil {
		return err
	}
	if !done {
		// Chats still being delivered, or the budget ran out.
		return river.JobSnooze(time.Second)
	}
	return nil
}
