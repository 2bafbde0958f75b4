package team_test

import (
	"context"
	"regexp"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/team"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/i18n"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func mailer(t *testing.T) team.Mailer {
	ins, err := jobs.InsertOnly()
	require.NoError(t, err)
	return team.Mailer{Jobs: ins, BaseURL: "http://bridge.test", T: i18n.Text, DefaultLang: "en"}
}

// verified makes an account that proved its address (as factory accounts
// are by default; the update keeps this independent of that default).
func verified(ctx context.Context, t *testing.T, q db.DBTX, email string) auth.User {
	t.Helper()
	u := testfactory.User(ctx, t, q, &testfactory.UserOpts{Email: &email})
	_, err := q.Exec(ctx, "UPDATE users SET email_verified_at = now() WHERE id = $1", u.ID)
	require.NoError(t, err)
	u.Verified = true
	return u
}

func addMember(ctx context.Context, t *testing.T, q db.DBTX, projectID, userID int64, role string) {
	t.Helper()
	_, err := q.Exec(ctx, "INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, $3)", projectID, userID, role)
	require.NoError(t, err)
}

func roleOf(ctx context.Context, t *testing.T, q db.DBTX, projectID, userID int64) string {
	t.Helper()
	var role string
	err := q.QueryRow(ctx, "SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2", projectID, userID).Scan(&role)
	if err == pgx.ErrNoRows {
		return ""
	}
	require.NoError(t, err)
	return role
}

func auditActions(ctx context.Context, t *testing.T, q db.DBTX, projectID int64) []string {
	t.Helper()
	rows, err := q.Query(ctx, "SELECT action FROM integration_audit WHERE project_id = $1 ORDER BY id", projectID)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}

// The last owner can neither leave, be removed nor be demoted; with a
// second owner each of those works and is audited.
func TestLastOwnerRule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	a := verified(ctx, t, tx, "a@example.com")
	b := verified(ctx, t, tx, "b@example.com")
	p := testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{OwnerID: &a.ID})

	require.ErrorIs(t, team.Leave(ctx, tx, p.ID, a.ID), team.ErrLastOwner)
	require.ErrorIs(t, team.Remove(ctx, tx, p.ID, a.ID, a.ID), team.ErrLastOwner)
	require.ErrorIs(t, team.ChangeRole(ctx, tx, p.ID, a.ID, a.ID, project.RoleMember), team.ErrLastOwner)
	require.Equal(t, project.RoleOwner, roleOf(ctx, t, tx, p.ID, a.ID))
	require.Empty(t, auditActions(ctx, t, tx, p.ID), "refusals record nothing")

	addMember(ctx, t, tx, p.ID, b.ID, project.RoleMember)
	// A member is not an owner: the project still has one.
	require.ErrorIs(t, team.Leave(ctx, tx, p.ID, a.ID), team.ErrLastOwner)
	require.NoError(t, team.ChangeRole(ctx, tx, p.ID, a.ID, b.ID, project.RoleOwner))
	require.NoError(t, team.ChangeRole(ctx, tx, p.ID, b.ID, a.ID, project.RoleMember))
	require.ErrorIs(t, team.ChangeRole(ctx, tx, p.ID, b.ID, b.ID, project.RoleMember), team.ErrLastOwner)
	require.NoError(t, team.Leave(ctx, tx, p.ID, a.ID))
	require.Empty(t, roleOf(ctx, t, tx, p.ID, a.ID))
	require.Equal(t, []string{team.ActionRoleChanged, team.ActionRoleChanged, team.ActionLeft}, auditActions(ctx, t, tx, p.ID))

	// Tampered roles and ids change nothing.
	require.Equal(t, "team.role.invalid", apperr.Fields(team.ChangeRole(ctx, tx, p.ID, b.ID, b.ID, "admin"))["role"])
	require.ErrorIs(t, team.ChangeRole(ctx, tx, p.ID, b.ID, a.ID, project.RoleOwner), apperr.ErrNotFound, "no longer a member")
	require.ErrorIs(t, team.Remove(ctx, tx, p.ID, b.ID, 999999), apperr.ErrNotFound)
}

// Two owners demote each other (and leave) at the same moment, over and
// over: the project lock lets exactly one through each time, so the
// project never ends without an owner.
func TestLastOwnerRuleConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	a := verified(ctx, t, pool, "a@example.com")
	b := verified(ctx, t, pool, "b@example.com")
	p := testfactory.Project(ctx, t, pool, &testfactory.ProjectOpts{OwnerID: &a.ID})
	addMember(ctx, t, pool, p.ID, b.ID, project.RoleOwner)

	ops := map[string]func(self, other int64) error{
		"demote each other": func(self, other int64) error {
			return team.ChangeRole(ctx, pool, p.ID, self, other, project.RoleMember)
		},
		"both leave": func(self, _ int64) error { return team.Leave(ctx, pool, p.ID, self) },
		"demote self": func(self, _ int64) error {
			return team.ChangeRole(ctx, pool, p.ID, self, self, project.RoleMember)
		},
	}
	for name, op := range ops {
		for range 15 {
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, pair := range [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = op(pair[0], pair[1])
				}()
			}
			close(start)
			wg.Wait()
			var owners int
			require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM project_members WHERE project_id = $1 AND role = 'owner'", p.ID).Scan(&owners))
			require.Equal(t, 1, owners, name)
			failed := 0
			for _, err := range errs {
				if err != nil {
					require.ErrorIs(t, err, team.ErrLastOwner, name)
					failed++
				}
			}
			require.Equal(t, 1, failed, "%s: exactly one of the two is refused", name)
			// Back to two owners for the next round.
			_, err := pool.Exec(ctx, `INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, 'owner'), ($1, $3, 'owner')
				ON CONFLICT (project_id, user_id) DO UPDATE SET role = 'owner'`, p.ID, a.ID, b.ID)
			require.NoError(t, err)
		}
	}
}

var linkRE = regexp.MustCompile(`http://bridge\.test/invitations/([A-Za-z0-9_-]+)`)

// lastLink reads the newest invitation e-mail to an address from the
// outbox and returns its token.
func lastLink(ctx context.Context, t *testing.T, q db.DBTX, to string) (token, subject, body string) {
	t.Helper()
	require.NoError(t, q.QueryRow(ctx, "SELECT subject, body FROM mail_outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1", to).Scan(&subject, &body))
	m := linkRE.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	return m[1], subject, body
}

func TestInvitationLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	m := mailer(t)
	owner := verified(ctx, t, tx, "owner@example.com")
	p := testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{OwnerID: &owner.ID, Name: testfactory.Ptr("Shop")})

	sent, err := team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "  Bob@Example.com ", Role: project.RoleMember})
	require.NoError(t, err)
	require.Equal(t, team.Sent{Email: "bob@example.com"}, sent)
	token, subject, body := lastLink(ctx, t, tx, "bob@example.com")
	require.Equal(t, "Invitation to the project «Shop» on botbridge", subject)
	require.Contains(t, body, "owner@example.com invites you to the project «Shop» on botbridge as Member.")
	require.Contains(t, body, "for 7 days")
	require.GreaterOrEqual(t, len(token), 32, "≥ 128 bits")
	var stored int
	require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM project_invitations WHERE token_hash = sha256($1::bytea)", []byte(token)).Scan(&stored))
	require.Equal(t, 1, stored, "only the token's hash is stored")

	link, err := team.Lookup(ctx, tx, token)
	require.NoError(t, err)
	require.NoError(t, link.Err)
	require.Equal(t, "Shop", link.ProjectName)
	require.Equal(t, "owner@example.com", link.InvitedBy)

	// Another account cannot take it; nothing changes.
	eve := verified(ctx, t, tx, "eve@example.com")
	_, err = team.Accept(ctx, tx, token, eve)
	var wrong *team.WrongAccountError
	require.ErrorAs(t, err, &wrong)
	require.ErrorIs(t, err, apperr.ErrForbidden)
	require.Empty(t, roleOf(ctx, t, tx, p.ID, eve.ID))

	// The invited address's existing (unverified) account accepts it.
	bob := testfactory.User(ctx, t, tx, &testfactory.UserOpts{Email: testfactory.Ptr("bob@example.com"), Unverified: true})
	require.False(t, bob.Verified)
	pid, err := team.Accept(ctx, tx, token, bob)
	require.NoError(t, err)
	require.Equal(t, p.ID, pid)
	require.Equal(t, project.RoleMember, roleOf(ctx, t, tx, p.ID, bob.ID))
	again, err := auth.GetUserByEmail(ctx, tx, "bob@example.com")
	require.NoError(t, err)
	require.True(t, again.Verified, "the link came by e-mail to the address")

	// Single use.
	_, err = team.Accept(ctx, tx, token, bob)
	require.ErrorIs(t, err, team.ErrInvitationUsed)
	link, err = team.Lookup(ctx, tx, token)
	require.NoError(t, err)
	require.ErrorIs(t, link.Err, team.ErrInvitationUsed)

	// A member cannot be invited again.
	_, err = team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "bob@example.com", Role: project.RoleOwner})
	require.Equal(t, "team.invite.email.member", apperr.Fields(err)["email"])

	// Tampered tokens find nothing.
	for _, bad := range []string{"", "x", token + "x", token[:len(token)-1]} {
		_, err = team.Lookup(ctx, tx, bad)
		require.ErrorIs(t, err, apperr.ErrNotFound, bad)
		_, err = team.Accept(ctx, tx, bad, bob)
		require.ErrorIs(t, err, apperr.ErrNotFound, bad)
	}
	require.Equal(t, []string{team.ActionInvited, team.ActionInvitationAccepted}, auditActions(ctx, t, tx, p.ID))
}

func TestInvitationRevokeExpireReplace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	m := mailer(t)
	owner := verified(ctx, t, tx, "owner@example.com")
	p := testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{OwnerID: &owner.ID})
	carol := testfactory.User(ctx, t, tx, &testfactory.UserOpts{Email: testfactory.Ptr("carol@example.com")})

	// Re-inviting a pending address replaces the invitation: the new role
	// and a fresh link; the old link stops working.
	_, err := team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "carol@example.com", Role: project.RoleMember})
	require.NoError(t, err)
	first, _, _ := lastLink(ctx, t, tx, "carol@example.com")
	sent, err := team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "carol@example.com", Role: project.RoleOwner})
	require.NoError(t, err)
	require.True(t, sent.Replaced)
	second, _, _ := lastLink(ctx, t, tx, "carol@example.com")
	require.NotEqual(t, first, second)
	_, err = team.Lookup(ctx, tx, first)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	pending, err := team.ListPending(ctx, tx, p.ID)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	require.Equal(t, project.RoleOwner, pending[0].Role)

	// Expired: nothing changes on accept.
	_, err = tx.Exec(ctx, "UPDATE project_invitations SET expires_at = now() - interval '1 second' WHERE id = $1", pending[0].ID)
	require.NoError(t, err)
	_, err = team.Accept(ctx, tx, second, carol)
	require.ErrorIs(t, err, team.ErrInvitationExpired)
	require.Empty(t, roleOf(ctx, t, tx, p.ID, carol.ID))

	// Revoked: the same.
	_, err = team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "carol@example.com", Role: project.RoleMember})
	require.NoError(t, err)
	third, _, _ := lastLink(ctx, t, tx, "carol@example.com")
	pending, err = team.ListPending(ctx, tx, p.ID)
	require.NoError(t, err)
	require.NoError(t, team.Revoke(ctx, tx, p.ID, owner.ID, pending[0].ID))
	_, err = team.Accept(ctx, tx, third, carol)
	require.ErrorIs(t, err, team.ErrInvitationRevoked)
	require.Empty(t, roleOf(ctx, t, tx, p.ID, carol.ID))
	require.ErrorIs(t, team.Revoke(ctx, tx, p.ID, owner.ID, pending[0].ID), apperr.ErrNotFound, "already revoked")

	// Another project's owner cannot revoke this project's invitation.
	other := verified(ctx, t, tx, "other@example.com")
	op := testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{OwnerID: &other.ID, Name: testfactory.Ptr("Other")})
	_, err = team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "dan@example.com", Role: project.RoleMember})
	require.NoError(t, err)
	pending, err = team.ListPending(ctx, tx, p.ID)
	require.NoError(t, err)
	require.ErrorIs(t, team.Revoke(ctx, tx, op.ID, other.ID, pending[0].ID), apperr.ErrNotFound)
	still, err := team.ListPending(ctx, tx, p.ID)
	require.NoError(t, err)
	require.Len(t, still, 1)
}

func TestInvitationRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	m := mailer(t)
	owner := verified(ctx, t, tx, "owner@example.com")
	p := testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{OwnerID: &owner.ID})
	var mails int
	countMail := func() int {
		require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM mail_outbox").Scan(&mails))
		return mails
	}

	cases := []struct {
		in    team.Invite
		field string
		key   string
	}{
		{team.Invite{Email: "", Role: project.RoleMember}, "email", "team.invite.email.required"},
		{team.Invite{Email: "not-an-address", Role: project.RoleMember}, "email", "team.invite.email.invalid"},
		{team.Invite{Email: "x@example.com", Role: "admin"}, "role", "team.role.invalid"},
		{team.Invite{Email: "x@example.com", Role: ""}, "role", "team.role.invalid"},
		{team.Invite{Email: "owner@example.com", Role: project.RoleMember}, "email", "team.invite.email.member"},
	}
	for _, c := range cases {
		_, err := team.Send(ctx, tx, m, owner, p.ID, c.in)
		require.Equal(t, c.key, apperr.Fields(err)[c.field], "%+v", c.in)
	}

	unverified := testfactory.User(ctx, t, tx, &testfactory.UserOpts{Unverified: true})
	addMember(ctx, t, tx, p.ID, unverified.ID, project.RoleOwner)
	_, err := team.Send(ctx, tx, m, unverified, p.ID, team.Invite{Email: "x@example.com", Role: project.RoleMember})
	require.ErrorIs(t, err, auth.ErrUnverified)
	require.Zero(t, countMail())

	for i := range team.InvitesPerWindow {
		_, err := team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "n" + itoa(i) + "@example.com", Role: project.RoleMember})
		require.NoError(t, err)
	}
	_, err = team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "one-more@example.com", Role: project.RoleMember})
	var rl *team.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.ErrorIs(t, err, apperr.ErrRateLimited)
	require.Positive(t, rl.Minutes())
	require.Equal(t, team.InvitesPerWindow, countMail())
}

// The e-mail speaks the invitee's language when their account chose one,
// else the inviter's.
func TestInvitationLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	m := mailer(t)
	owner := verified(ctx, t, tx, "owner@example.com")
	p := testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{OwnerID: &owner.ID, Name: testfactory.Ptr("Магазин")})
	ru := testfactory.User(ctx, t, tx, &testfactory.UserOpts{Email: testfactory.Ptr("ru@example.com")})
	_, err := tx.Exec(ctx, "UPDATE users SET language = 'ru' WHERE id = $1", ru.ID)
	require.NoError(t, err)

	_, err = team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "ru@example.com", Role: project.RoleOwner})
	require.NoError(t, err)
	_, subject, body := lastLink(ctx, t, tx, "ru@example.com")
	require.Equal(t, "Приглашение в проект «Магазин» в botbridge", subject)
	require.Contains(t, body, "owner@example.com приглашает вас в проект «Магазин» в botbridge, роль — Владелец.")
	require.Contains(t, body, "действует 7 дней")

	// No account: the inviter's language (English here).
	_, err = team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "new@example.com", Role: project.RoleMember})
	require.NoError(t, err)
	_, subject, _ = lastLink(ctx, t, tx, "new@example.com")
	require.Equal(t, "Invitation to the project «Магазин» on botbridge", subject)
	owner.Language = "ru"
	_, err = team.Send(ctx, tx, m, owner, p.ID, team.Invite{Email: "new2@example.com", Role: project.RoleMember})
	require.NoError(t, err)
	_, subject, _ = lastLink(ctx, t, tx, "new2@example.com")
	require.Equal(t, "Приглашение в проект «Магазин» в botbridge", subject)
}

func TestRename(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	owner := verified(ctx, t, tx, "owner@example.com")
	p := testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{OwnerID: &owner.ID, Name: testfactory.Ptr("Old name")})
	_, err := team.Rename(ctx, tx, p.ID, owner.ID, "x")
	require.Equal(t, "project.name.short", apperr.Fields(err)["name"])
	name, err := team.Rename(ctx, tx, p.ID, owner.ID, "  New   name ")
	require.NoError(t, err)
	require.Equal(t, "New name", name)
	got, err := project.Get(ctx, tx, owner.ID, p.ID)
	require.NoError(t, err)
	require.Equal(t, "New name", got.Name)
	_, err = team.Rename(ctx, tx, p.ID, owner.ID, "New name")
	require.NoError(t, err)
	require.Equal(t, []string{team.ActionRenamed}, auditActions(ctx, t, tx, p.ID), "the same name again records nothing")
	var detail string
	require.NoError(t, tx.QueryRow(ctx, "SELECT detail FROM integration_audit WHERE project_id = $1", p.ID).Scan(&detail))
	d, ok := team.ParseAuditDetail(detail)
	require.True(t, ok)
	require.Equal(t, team.AuditDetail{From: "Old name", To: "New name"}, d)
}

func itoa(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }

// Two acceptances of one link at once: one membership, one audit entry;
// an acceptance racing a re-invitation of the same address ends in either
// order, never a deadlock or an error of the database.
func TestAcceptConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	m := mailer(t)
	owner := verified(ctx, t, pool, "owner@example.com")
	p := testfactory.Project(ctx, t, pool, &testfactory.ProjectOpts{OwnerID: &owner.ID})
	for i := range 10 {
		email := "mate" + itoa(i) + "@example.com"
		u := testfactory.User(ctx, t, pool, &testfactory.UserOpts{Email: &email})
		_, err := team.Send(ctx, pool, m, owner, p.ID, team.Invite{Email: email, Role: project.RoleMember})
		require.NoError(t, err)
		token, _, _ := lastLink(ctx, t, pool, email)

		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, errs[0] = team.Accept(ctx, pool, token, u)
		}()
		go func() {
			defer wg.Done()
			<-start
			if i%2 == 0 {
				_, errs[1] = team.Accept(ctx, pool, token, u)
			} else {
				_, errs[1] = team.Send(ctx, pool, m, owner, p.ID, team.Invite{Email: email, Role: project.RoleOwner})
			}
		}()
		close(start)
		wg.Wait()
		if i%2 == 0 {
			require.True(t, (errs[0] == nil) != (errs[1] == nil), "exactly one acceptance: %v / %v", errs[0], errs[1])
			for _, err := range errs {
				if err != nil {
					require.ErrorIs(t, err, team.ErrInvitationUsed)
				}
			}
			var n int
			require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM integration_audit WHERE project_id = $1 AND action = 'invitation_accepted' AND detail LIKE '%' || $2 || '%'", p.ID, email).Scan(&n))
			require.Equal(t, 1, n)
			continue
		}
		// Accepted first: the re-invitation finds a member. Re-invited
		// first: the old link no longer exists.
		if errs[0] == nil {
			require.Equal(t, "team.invite.email.member", apperr.Fields(errs[1])["email"])
		} else {
			require.ErrorIs(t, errs[0], apperr.ErrNotFound)
			require.NoError(t, errs[1])
		}
	}
}
