package request_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/i18n"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// failingJobs writes nothing and fails: the transition must roll back.
type failingJobs struct{}

func (failingJobs) InsertTx(context.Context, pgx.Tx, river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return nil, errors.New("queue unavailable")
}

func (failingJobs) InsertManyTx(context.Context, pgx.Tx, []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return nil, errors.New("queue unavailable")
}

func notifier(t testing.TB) request.Notifier {
	t.Helper()
	ins, err := jobs.InsertOnly() // inserts only: no workers, any job kind
	require.NoError(t, err)
	return request.Notifier{Jobs: ins, BaseURL: "https://bridge.example/", T: i18n.Text, DefaultLang: "en"}
}

var seq atomic.Int64

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// uniq makes addresses unique across parallel tests: concurrent rolled-back
// transactions inserting the same e-mail would block on each other.
func uniq(t testing.TB, name string) string {
	return fmt.Sprintf("%s-%s-%d@example.com", name, strings.Trim(nonWord.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-"), seq.Add(1))
}

type fixture struct {
	ctx       context.Context
	conn      db.Conn
	n         request.Notifier
	owner     auth.User
	other     auth.User
	mod       auth.User
	admin     auth.User
	proj      project.Project
	otherProj project.Project
}

func setup(t testing.TB, conn db.Conn) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{ctx: ctx, conn: conn, n: notifier(t)}
	user := func(name, password string, role auth.Role) auth.User {
		return testfactory.User(ctx, t, conn, &testfactory.UserOpts{Email: testfactory.Ptr(uniq(t, name)), Password: &password, Role: &role})
	}
	f.owner = user("owner", "owner password 1", auth.RoleOwner)
	f.other = user("other", "other password 1", auth.RoleOwner)
	f.mod = user("mod", "moderator password", auth.RoleModerator)
	f.admin = user("admin", "admin password 1", auth.RoleAdmin)
	f.proj = testfactory.Project(ctx, t, conn, &testfactory.ProjectOpts{Name: testfactory.Ptr("Acme Shop"), OwnerID: &f.owner.ID})
	f.otherProj = testfactory.Project(ctx, t, conn, &testfactory.ProjectOpts{Name: testfactory.Ptr("Other Corp"), OwnerID: &f.other.ID})
	return f
}

func validInput() request.Input {
	return request.Input{
		Platform:        "webim",
		ContactEmail:    "Support@Acme.example",
		Organisation:    "Acme Ltd",
		Description:     "Answers questions about orders and hands over to a person when asked.",
		WebimDomain:     "acme.webim.ru",
		AccessRequested: true,
	}
}

func (f *fixture) submit(t testing.TB) request.Request {
	t.Helper()
	r, err := request.Submit(f.ctx, f.conn, f.n, f.owner.ID, f.proj.ID, validInput())
	require.NoError(t, err)
	return r
}

type sentMail struct {
	To, Subject, Body, Topic string
}

// outbox lists the mail written since (and including) id > after.
func outbox(t testing.TB, q db.DBTX, after int64) []sentMail {
	t.Helper()
	rows, err := q.Query(context.Background(), `SELECT to_addr, subject, body, topic FROM mail_outbox WHERE id > $1 ORDER BY id`, after)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sentMail, error) {
		var m sentMail
		err := r.Scan(&m.To, &m.Subject, &m.Body, &m.Topic)
		return m, err
	})
	require.NoError(t, err)
	return out
}

func lastMailID(t testing.TB, q db.DBTX) int64 {
	t.Helper()
	var id int64
	require.NoError(t, q.QueryRow(context.Background(), `SELECT coalesce(max(id), 0) FROM mail_outbox`).Scan(&id))
	return id
}

// snapshot is everything a refused action must leave untouched.
type snapshot struct {
	Status  string
	Version int32
	Reason  string
	Events  int
	Grants  int
	Mail    int64
}

func snap(t testing.TB, q db.DBTX, id int64) snapshot {
	t.Helper()
	var s snapshot
	require.NoError(t, q.QueryRow(context.Background(), `
SELECT r.status, r.version, r.reject_reason,
       (SELECT count(*) FROM request_events e WHERE e.request_id = r.id),
       (SELECT count(*) FROM platform_grants g WHERE g.project_id = r.project_id),
       (SELECT count(*) FROM mail_outbox)
FROM integration_requests r WHERE r.id = $1`, id).Scan(&s.Status, &s.Version, &s.Reason, &s.Events, &s.Grants, &s.Mail))
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
