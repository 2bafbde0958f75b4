package lifecycle

import (
	"context"
	"fmt"
	"time"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// DefaultPause is what serve sleeps between retention batches: with 10 ms
// the strip ran at ~4 600 rows/s and ingest fell to a third of its rate
// meanwhile, with 100 ms ~2 900 rows/s and half of it (docs/operations.md,
// "Batches or time partitions?"); ~10 million rows an hour is still far
// more than an hour's events.
const DefaultPause = 100 * time.Millisecond

// PaceFactor stretches the pause to this many times the last batch's own
// duration when that is longer than Pause: retention then spends at most
// a fifth of its wall time in statements, and when the database is busy
// (batches get slower) it backs off by itself instead of taking a fixed
// share of a saturated server from ingest and delivery.
const PaceFactor = 4

// Retention removes what projects no longer keep. Content first: finished
// events received more than the project's retention_days ago lose their
// message, payloads and the bot's reply (the row stays, with its times,
// type, status, outcome and attempts: what the charts and the activity
// summary count); chats idle that long lose the visitor's fields. Then
// metadata: finished events older than MetadataDays are deleted with their
// calls, and so are chats left empty. Sent mail loses its body after
// MailBodyDays. Unfinished events (pending, replied, waiting for a retry)
// are never touched.
type Retention struct {
	DB db.Conn
	// MetadataDays is RETENTION_METADATA_DAYS (DefaultMetadataDays when 0).
	MetadataDays int
	// Batch is how many rows one statement changes (500 when 0).
	Batch int
	// Pause is slept between batches, leaving the database to the bridge.
	Pause time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// ChatsAfter resumes the sweep of chats after this id (a run that ran
	// out of budget says where it stopped in Report.ChatsAfter).
	ChatsAfter int64
}

// Report counts what a Run did.
type Report struct {
	// EventsStripped lost their content; ChatsStripped their visitor fields.
	EventsStripped, ChatsStripped int
	// EventsDeleted and ChatsDeleted were older than the metadata limit.
	EventsDeleted, ChatsDeleted int
	MailPruned                  int
	ProjectsPurged              int
	// More: the budget ran out before everything due was done;
	// ChatsAfter is where the next run resumes the sweep of chats.
	More       bool
	ChatsAfter int64
}

type runState struct {
	r      Retention
	start  time.Time
	budget time.Duration
	rep    Report
	// batchStart is when the batch being run began (the end of the last
	// pause).
	batchStart time.Time
}

// over reports whether the run's budget is spent, and pauses otherwise.
func (s *runState) over(ctx context.Context) bool {
	if s.budget > 0 && time.Since(s.start) > s.budget {
		s.rep.More = true
		return true
	}
	if pause := s.pause(); pause > 0 {
		t := time.NewTimer(pause)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	s.batchStart = time.Now()
	return ctx.Err() != nil
}

// pause is Pause, or PaceFactor times the batch just run when that is
// longer; none when Pause is 0 (tests and the command line run flat out).
func (s *runState) pause() time.Duration {
	if s.r.Pause <= 0 {
		return 0
	}
	return max(s.r.Pause, PaceFactor*time.Since(s.batchStart))
}

// Run does one pass, stopping after budget (0: no limit).
func (r Retention) Run(ctx context.Context, budget time.Duration) (Report, error) {
	if r.Batch <= 0 {
		r.Batch = 500
	}
	if r.MetadataDays <= 0 {
		r.MetadataDays = DefaultMetadataDays
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	s := &runState{r: r, start: time.Now(), budget: budget}
	s.batchStart = s.start
	s.rep.ChatsAfter = r.ChatsAfter
	for _, step := range []func(context.Context, *runState) error{purgeDeleted, stripAndDeleteEvents, sweepChats, pruneMail} {
		if err := step(ctx, s); err != nil {
			return s.rep, err
		}
		if s.rep.More || ctx.Err() != nil {
			return s.rep, ctx.Err()
		}
	}
	return s.rep, nil
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// purgeDeleted finishes deletions whose job was lost.
func purgeDeleted(ctx context.Context, s *runState) error {
	ids, err := dbsqlc.New(s.r.DB).ListDeletedProjects(ctx)
	if err != nil {
		return fmt.Errorf("lifecycle: deleted projects: %w", err)
	}
	for _, id := range ids {
		left := time.Duration(0)
		if s.budget > 0 {
			if left = s.budget - time.Since(s.start); left <= 0 {
				s.rep.More = true
				return nil
			}
		}
		done, _, err := Purge(ctx, s.r.DB, id, left)
		if err != nil {
			return err
		}
		if done {
			s.rep.ProjectsPurged++
		}
	}
	return nil
}

func stripAndDeleteEvents(ctx context.Context, s *runState) error {
	q := dbsqlc.New(s.r.DB)
	integs, err := q.ListRetentionIntegrations(ctx)
	if err != nil {
		return fmt.Errorf("lifecycle: retention integrations: %w", err)
	}
	now := s.r.Now()
	metaCutoff := now.Add(-days(s.r.MetadataDays))
	batch := int32(s.r.Batch)
	for _, in := range integs {
		cutoff := now.Add(-days(int(in.RetentionDays)))
		for {
			n, err := q.StripEventContent(ctx, dbsqlc.StripEventContentParams{IntegrationID: in.ID, Cutoff: cutoff, MaxRows: batch})
			if err != nil {
				return fmt.Errorf("lifecycle: strip events: %w", err)
			}
			s.rep.EventsStripped += int(n)
			if n > 0 && s.over(ctx) {
				return nil
			}
			if n < int64(batch) {
				break
			}
		}
		var after int64
		for {
			row, err := q.DeleteOldEvents(ctx, dbsqlc.DeleteOldEventsParams{IntegrationID: in.ID, After: after, Cutoff: metaCutoff, MaxRows: batch})
			if err != nil {
				return fmt.Errorf("lifecycle: delete old events: %w", err)
			}
			s.rep.EventsDeleted += int(row.Deleted)
			if row.Young > 0 || row.Scanned < batch || row.LastOldID == 0 {
				break
			}
			after = row.LastOldID
			if s.over(ctx) {
				return nil
			}
		}
	}
	return nil
}

// sweepChats walks every chat in id ranges: idle ones lose the visitor's
// fields, empty ones past the metadata limit go.
func sweepChats(ctx context.Context, s *runState) error {
	q := dbsqlc.New(s.r.DB)
	metaCutoff := s.r.Now().Add(-days(s.r.MetadataDays))
	after := s.r.ChatsAfter
	defer func() {
		if s.rep.More {
			s.rep.ChatsAfter = after
		} else {
			s.rep.ChatsAfter = 0
		}
	}()
	for {
		row, err := q.StripChatBatch(ctx, dbsqlc.StripChatBatchParams{After: after, MaxRows: int32(s.r.Batch)})
		if err != nil {
			return fmt.Errorf("lifecycle: strip chats: %w", err)
		}
		s.rep.ChatsStripped += int(row.Stripped)
		if row.Scanned == 0 {
			return nil
		}
		n, err := q.DeleteEmptyChats(ctx, dbsqlc.DeleteEmptyChatsParams{After: after, Until: row.LastID, Cutoff: metaCutoff})
		if err != nil {
			return fmt.Errorf("lifecycle: delete empty chats: %w", err)
		}
		s.rep.ChatsDeleted += int(n)
		if row.Scanned < int32(s.r.Batch) {
			return nil
		}
		after = row.LastID
		if s.over(ctx) {
			return nil
		}
	}
}

func pruneMail(ctx context.Context, s *runState) error {
	q := dbsqlc.New(s.r.DB)
	cutoff := s.r.Now().Add(-days(MailBodyDays))
	for {
		n, err := q.PruneMailBodies(ctx, dbsqlc.PruneMailBodiesParams{Cutoff: &cutoff, MaxRows: int32(s.r.Batch)})
		if err != nil {
			return fmt.Errorf("lifecycle: prune mail: %w", err)
		}
		s.rep.MailPruned += int(n)
		if n < int64(s.r.Batch) || s.over(ctx) {
			return nil
		}
	}
}
