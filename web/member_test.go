package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

// tmVerify marks an account's address as proved (new accounts have not).
func tmVerify(ctx context.Context, t *testing.T, q db.DBTX, userID int64) {
	t.Helper()
	_, err := q.Exec(ctx, "UPDATE users SET email_verified_at = now() WHERE id = $1", userID)
	require.NoError(t, err)
}

func tmJoin(ctx context.Context, t *testing.T, q db.DBTX, projectID, userID int64, role string) {
	t.Helper()
	_, err := q.Exec(ctx, "INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, $3)", projectID, userID, role)
	require.NoError(t, err)
}

func tmRole(ctx context.Context, t *testing.T, q db.DBTX, projectID, userID int64) string {
	t.Helper()
	var role string
	err := q.QueryRow(ctx, "SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2", projectID, userID).Scan(&role)
	if err == pgx.ErrNoRows {
		return ""
	}
	require.NoError(t, err)
	return role
}

var tmLinkRE = regexp.MustCompile(`http://bridge\.test(/invitations/[A-Za-z0-9_-]+)`)

// tmLink reads the newest invitation e-mail to an address from the outbox
// and returns the link's local path.
func tmLink(ctx context.Context, t *testing.T, q db.DBTX, to string) string {
	t.Helper()
	var body string
	require.NoError(t, q.QueryRow(ctx, "SELECT body FROM mail_outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1", to).Scan(&body))
	m := tmLinkRE.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	return m[1]
}

// tmState is what an owner-only action must leave untouched.
func tmState(t *testing.T, w *stWorld, integrationID int64) string {
	t.Helper()
	var s string
	require.NoError(t, w.tx.QueryRow(w.ctx, `SELECT concat_ws('|',
		(SELECT name FROM projects WHERE id = $1),
		(SELECT string_agg(user_id || ':' || role, ',' ORDER BY user_id) FROM project_members WHERE project_id = $1),
		(SELECT count(*) FROM project_invitations WHERE project_id = $1),
		(SELECT count(*) FROM integration_audit WHERE project_id = $1),
		(SELECT version || status || encode(webhook_key_hash, 'hex') || coalesce(chat_events_user, '') || link_buttons || coalesce(deleted_at::text, '') FROM integrations WHERE id = $2),
		(SELECT endpoint_url || timeout_seconds || fallback_text || encode(secret_ciphertext, 'hex') FROM project_bots WHERE project_id = $1),
		(SELECT count(*) FROM mail_outbox))`, w.project.ID, integrationID).Scan(&s))
	return s
}

// A plain member sees the project, its integrations and members, but none
// of the secrets or the controls; every owner-only action answers 403 and
// changes nothing.
func TestMemberPermissions(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	tmVerify(w.ctx, t, w.tx, w.ownerID)
	page := w.add(stForm(stToken, "salutebot.webim.ru", "department", "sales", ""))
	id := w.integrationID(page)
	require.Equal(t, http.StatusSeeOther, w.owner.Post(w.base+"/bot", url.Values{"endpoint_url": {"https://bot.example.com/hook"},
		"timeout": {"10"}, "fallback_mode": {"transfer"}, "fallback_text": {"Bye"}}).StatusCode)
	require.Equal(t, http.StatusSeeOther, w.owner.Post(page+"/chat-events/rotate", nil).StatusCode)
	require.Equal(t, http.StatusSeeOther, w.owner.Post(page+"/chat-events/hide", nil).StatusCode)
	require.Equal(t, http.StatusSeeOther, w.owner.Post("/projects/"+itoa(w.project.ID)+"/members/invitations",
		url.Values{"email": {"pending@example.com"}, "role": {"member"}}).StatusCode)
	var invID int64
	require.NoError(t, w.tx.QueryRow(w.ctx, "SELECT id FROM project_invitations WHERE project_id = $1", w.project.ID).Scan(&invID))

	member, mu := w.user("member@example.com", auth.RoleOwner)
	tmVerify(w.ctx, t, w.tx, mu.ID)
	tmJoin(w.ctx, t, w.tx, w.project.ID, mu.ID, project.RoleMember)
	proj := "/projects/" + itoa(w.project.ID)
	members := proj + "/members"

	// What the owner sees, so the absences below mean something.
	o := w.owner.Get(page)
	require.NotZero(t, o.Doc.Find("#webhook-url").Length())
	require.NotZero(t, o.Doc.Find("#integration-token").Length())
	require.NotZero(t, o.Doc.Find("#chat-events-facts").Length())
	require.NotZero(t, o.Doc.Find(`a[href$="/edit"]`).Length())
	webhookURL := o.Doc.Find("#webhook-url").AttrOr("value", "")
	require.NotEmpty(t, webhookURL)
	require.NotZero(t, w.owner.Get(w.base).Doc.Find("#bot").Length())

	r := member.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Zero(t, r.Doc.Find("#webhook-url").Length(), "the webhook URL carries the key")
	require.NotContains(t, r.Body, webhookURL[strings.LastIndex(webhookURL, "/")+1:], "the key appears nowhere")
	require.Contains(t, r.Text("#webhook-owners-only"), "only the project's owners see it")
	require.Zero(t, r.Doc.Find("#integration-token").Length())
	require.NotContains(t, r.Body, "wxyz", "not even the token's last characters")
	require.Zero(t, r.Doc.Find("#chat-events-facts").Length())
	require.NotZero(t, r.Doc.Find("#chat-events-configured").Length())
	require.Zero(t, r.Doc.Find(`a[href$="/edit"]`).Length())
	require.Zero(t, r.Doc.Find(`form[action$="/delete"], form[action$="/disable"], form[action$="/rotate-webhook"]`).Length())
	require.NotZero(t, r.Doc.Find(`a[href$="/activity"]`).Length(), "the activity log is the member's too")
	require.Contains(t, r.Text("#integration-domain"), "salutebot.webim.ru")

	r = member.Get(w.base)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 1, r.Doc.Find("table#integrations tbody tr").Length())
	require.Zero(t, r.Doc.Find("#bot").Length(), "the bot endpoint is the owners'")
	require.NotContains(t, r.Body, "bot.example.com")
	require.Zero(t, r.Doc.Find(`#platform-choice button[type=submit]`).Length())
	require.Zero(t, r.Doc.Find("#rename").Length())
	require.Zero(t, r.Doc.Find("table.audit").Length())

	r = member.Get(members)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 2, r.Doc.Find("table#members tbody tr").Length())
	require.Zero(t, r.Doc.Find("#invite-form").Length())
	require.Zero(t, r.Doc.Find("#invitations").Length())
	require.NotContains(t, r.Body, "pending@example.com", "pending invitations are the owners'")
	require.Zero(t, r.Doc.Find(`form[action$="/role"]`).Length())
	require.NotZero(t, r.Doc.Find("#leave").Length())
	require.Equal(t, http.StatusOK, member.Get(proj+"/requests").StatusCode)
	require.Equal(t, http.StatusOK, member.Get(proj).StatusCode)
	require.Equal(t, http.StatusOK, member.Get(page+"/activity").StatusCode)

	before := tmState(t, w, id)
	edit := stForm(stToken, "other.webim.ru", "operator", "", "9")
	edit.Set("version", w.owner.Get(page+"/edit").Value("version"))
	gets := []string{w.base + "/integrations/new?platform=webim", page + "/edit", w.base + "/bot", w.base + "/name"}
	posts := map[string]url.Values{
		w.base + "/integrations/new?platform=webim": stForm(stToken, "salutebot.webim.ru", "department", "x", ""),
		page + "/edit":                edit,
		page + "/disable":             nil,
		page + "/enable":              nil,
		page + "/delete":              nil,
		page + "/rotate-webhook":      nil,
		page + "/chat-events/rotate":  nil,
		page + "/chat-events/hide":    nil,
		page + "/link-buttons":        {"link_buttons": {"yes"}},
		w.base + "/bot":               {"endpoint_url": {"https://bot.example.com/evil"}, "timeout": {"3"}, "fallback_mode": {"transfer"}, "fallback_text": {"x"}},
		w.base + "/bot/rotate-secret": nil,
		w.base + "/bot/hide-secret":   nil,
		w.base + "/name":              {"name": {"Taken over"}},
		members + "/invitations":      {"email": {"friend@example.com"}, "role": {"owner"}},
		members + "/invitations/" + itoa(invID) + "/revoke": nil,
		members + "/" + itoa(mu.ID) + "/role":               {"role": {"owner"}},
		members + "/" + itoa(w.ownerID) + "/role":           {"role": {"member"}},
		members + "/" + itoa(w.ownerID) + "/remove":         nil,
	}
	for _, path := range gets {
		r := member.Get(path)
		require.Equal(t, http.StatusForbidden, r.StatusCode, "member GET %s", path)
		require.Contains(t, r.Body, "Only the project&#39;s owners can do this")
	}
	for path, form := range posts {
		require.Equal(t, http.StatusForbidden, member.Post(path, cloneForm(form)).StatusCode, "member POST %s", path)
	}
	require.Equal(t, before, tmState(t, w, id), "nothing changed")

	// A member may leave; the owner stays.
	r = member.Post(members+"/leave", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "/projects", r.Location())
	require.Empty(t, tmRole(w.ctx, t, w.tx, w.project.ID, mu.ID))
	require.Equal(t, http.StatusNotFound, member.Get(proj).StatusCode, "gone at once")
	require.Contains(t, w.owner.Get(w.base).Text("table.audit"), "Member left")
}

// Every team route answers 404 to another tenant and to a moderator, and
// an owner's ids from another project answer 404 under their own project.
func TestTeamTenantIsolation(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	tmVerify(w.ctx, t, w.tx, w.ownerID)
	proj := "/projects/" + itoa(w.project.ID)
	members := proj + "/members"
	require.Equal(t, http.StatusSeeOther, w.owner.Post(members+"/invitations", url.Values{"email": {"p@example.com"}, "role": {"member"}}).StatusCode)
	var invID int64
	require.NoError(t, w.tx.QueryRow(w.ctx, "SELECT id FROM project_invitations WHERE project_id = $1", w.project.ID).Scan(&invID))
	mate, mateUser := w.user("mate@example.com", auth.RoleOwner)
	_ = mate
	tmJoin(w.ctx, t, w.tx, w.project.ID, mateUser.ID, project.RoleMember)

	other, otherUser := w.user("other@example.com", auth.RoleOwner)
	tmVerify(w.ctx, t, w.tx, otherUser.ID)
	otherProject := testfactory.Project(w.ctx, t, w.tx, &testfactory.ProjectOpts{Name: testfactory.Ptr("Other shop"), OwnerID: &otherUser.ID})
	mod, _ := w.user("mod@example.com", auth.RoleModerator)
	anon := w.server()
	before := tmState(t, w, 0)

	gets := []string{members, w.base + "/name"}
	posts := map[string]url.Values{
		members + "/invitations":                            {"email": {"x@example.com"}, "role": {"member"}},
		members + "/invitations/" + itoa(invID) + "/revoke": nil,
		members + "/" + itoa(mateUser.ID) + "/role":         {"role": {"owner"}},
		members + "/" + itoa(mateUser.ID) + "/remove":       nil,
		members + "/leave":                                  nil,
		w.base + "/name":                                    {"name": {"Hijacked"}},
	}
	for who, c := range map[string]*webtest.Client{"other owner": other, "moderator": mod} {
		for _, path := range gets {
			require.Equal(t, http.StatusNotFound, c.Get(path).StatusCode, "%s GET %s", who, path)
		}
		for path, form := range posts {
			require.Equal(t, http.StatusNotFound, c.Post(path, cloneForm(form)).StatusCode, "%s POST %s", who, path)
		}
	}
	for _, path := range gets {
		r := anon.Get(path)
		require.Equal(t, http.StatusSeeOther, r.StatusCode)
		require.True(t, strings.HasPrefix(r.Location(), "/login?next="), path)
	}
	for path, form := range posts {
		require.Equal(t, http.StatusSeeOther, anon.Post(path, cloneForm(form)).StatusCode, "anonymous POST %s", path)
	}
	// This project's member and invitation ids under the other owner's own
	// project: not found there.
	mine := "/projects/" + itoa(otherProject.ID) + "/members"
	require.Equal(t, http.StatusNotFound, other.Post(mine+"/invitations/"+itoa(invID)+"/revoke", nil).StatusCode)
	require.Equal(t, http.StatusNotFound, other.Post(mine+"/"+itoa(mateUser.ID)+"/role", url.Values{"role": {"owner"}}).StatusCode)
	require.Equal(t, http.StatusNotFound, other.Post(mine+"/"+itoa(mateUser.ID)+"/remove", nil).StatusCode)
	// Junk ids.
	for _, p := range []string{"/junk/role", "/0/remove", "/-1/remove", "/invitations/junk/revoke", "/invitations/99999999/revoke"} {
		require.Equal(t, http.StatusNotFound, w.owner.Post(members+p, url.Values{"role": {"owner"}}).StatusCode, p)
	}
	require.Equal(t, before, tmState(t, w, 0), "nothing changed")
}

// Invitations over HTTP: the form (errors beside the field, input kept),
// the pending list, the link opened logged out, by the invited account and
// by the wrong one, sign-up from the link, expiry and revocation.
func TestInvitationFlows(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	proj := "/projects/" + itoa(w.project.ID)
	members := proj + "/members"

	// An unverified owner may not invite yet (factory accounts are
	// verified, so this one forgets it).
	_, err := w.tx.Exec(w.ctx, "UPDATE users SET email_verified_at = NULL WHERE id = $1", w.ownerID)
	require.NoError(t, err)
	r := w.owner.Post(members+"/invitations", url.Values{"email": {"bob@example.com"}, "role": {"member"}})
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Contains(t, r.Text("#invite .error-summary"), "Confirm your own e-mail address")
	require.Equal(t, "bob@example.com", r.Doc.Find("#f-email").AttrOr("value", ""), "input kept")
	tmVerify(w.ctx, t, w.tx, w.ownerID)

	r = w.owner.Post(members+"/invitations", url.Values{"email": {"not an address"}, "role": {"member"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter an e-mail address like name@example.com.", r.FieldError("email"))
	require.Equal(t, "not an address", r.Doc.Find("#f-email").AttrOr("value", ""))
	r = w.owner.Post(members+"/invitations", url.Values{"email": {"owner@example.com"}, "role": {"member"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "This address is already a member of the project.", r.FieldError("email"))
	r = w.owner.Post(members+"/invitations", url.Values{"email": {"bob@example.com"}, "role": {"superuser"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Choose Owner or Member.", r.FieldError("role"))
	var n int
	require.NoError(t, w.tx.QueryRow(w.ctx, "SELECT count(*) FROM project_invitations").Scan(&n))
	require.Zero(t, n)

	// Accept with an existing account.
	_, bobUser := w.user("bob@example.com", auth.RoleOwner)
	r = w.owner.Post(members+"/invitations", url.Values{"email": {"Bob@Example.com"}, "role": {"member"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = w.owner.Follow(r)
	require.Equal(t, "Invitation sent.", r.Text(".flash"))
	require.Contains(t, r.Text("#invitations"), "bob@example.com")
	link := tmLink(w.ctx, t, w.tx, "bob@example.com")

	anon := w.server()
	r = anon.Get(link)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, r.Text("#invitation-text"), "owner@example.com invites you to the project «Salute shop» as Member.")
	require.Equal(t, "/login?next="+url.QueryEscape(link), r.Doc.Find("#invitation-login").AttrOr("href", ""))
	require.Equal(t, "no-referrer", r.Header.Get("Referrer-Policy"))

	// Log in from the link: back to it, now with Accept.
	bob := w.server()
	r = bob.Post("/login", url.Values{"email": {"bob@example.com"}, "password": {stPassword}, "next": {link}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, link, r.Location())
	r = bob.Get(link)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.NotZero(t, r.Doc.Find("#invitation-accept").Length())
	r = bob.Post(link+"/accept", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, proj, r.Location())
	require.Equal(t, project.RoleMember, tmRole(w.ctx, t, w.tx, w.project.ID, bobUser.ID))
	require.Equal(t, http.StatusOK, bob.Get(proj).StatusCode)
	r = bob.Get(link)
	require.Equal(t, http.StatusGone, r.StatusCode)
	require.Contains(t, r.Text("#invitation-closed"), "already been accepted")
	require.Equal(t, http.StatusGone, bob.Post(link+"/accept", nil).StatusCode)

	// The wrong account: a clear refusal, nothing changes.
	r = w.owner.Post(members+"/invitations", url.Values{"email": {"carol@example.com"}, "role": {"owner"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	carolLink := tmLink(w.ctx, t, w.tx, "carol@example.com")
	eve, eveUser := w.user("eve@example.com", auth.RoleOwner)
	r = eve.Get(carolLink)
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Contains(t, r.Text("#invitation-wrong"), "This invitation is for carol@example.com, but you are logged in as eve@example.com.")
	r = eve.Post(carolLink+"/accept", nil)
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Empty(t, tmRole(w.ctx, t, w.tx, w.project.ID, eveUser.ID))
	// Logged in, the sign-up page sends to the invitation page (which refuses).
	require.Equal(t, http.StatusForbidden, eve.Get(carolLink+"/signup").StatusCode)

	// Sign up from the link: the invited address, verified, a member.
	newbie := w.server()
	r = newbie.Get(carolLink + "/signup")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "carol@example.com", r.Text("#invitation-email"))
	r = newbie.Post(carolLink+"/signup", url.Values{"email": {"mallory@example.com"}, "password": {"violets are blue 1"}, "confirm": {"different"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.NotEmpty(t, r.FieldError("confirm"))
	require.Empty(t, r.Doc.Find("#f-password").AttrOr("value", ""), "passwords are never echoed")
	r = newbie.Post(carolLink+"/signup", url.Values{"email": {"mallory@example.com"}, "password": {"violets are blue 1"}, "confirm": {"violets are blue 1"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, proj, r.Location())
	carol, err := auth.GetUserByEmail(w.ctx, w.tx, "carol@example.com")
	require.NoError(t, err)
	require.True(t, carol.Verified, "the link came by e-mail to the address")
	require.Equal(t, project.RoleOwner, tmRole(w.ctx, t, w.tx, w.project.ID, carol.ID))
	_, err = auth.GetUserByEmail(w.ctx, w.tx, "mallory@example.com")
	require.Error(t, err, "the typed address is ignored: the invitation names it")
	require.Equal(t, http.StatusOK, newbie.Get(proj+"/settings").StatusCode, "logged in")

	// An address with an account signs up from the link: told to log in.
	r = w.owner.Post(members+"/invitations", url.Values{"email": {"eve@example.com"}, "role": {"member"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	eveLink := tmLink(w.ctx, t, w.tx, "eve@example.com")
	r = w.server().Post(eveLink+"/signup", url.Values{"password": {"eve password 12"}, "confirm": {"eve password 12"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Contains(t, r.Text("#f-email-error"), "Log in instead")

	// Re-inviting replaces the link; revoking and expiry close it.
	r = w.owner.Post(members+"/invitations", url.Values{"email": {"eve@example.com"}, "role": {"owner"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Contains(t, w.owner.Follow(r).Text(".flash"), "The earlier link no longer works")
	require.Equal(t, http.StatusNotFound, eve.Get(eveLink).StatusCode)
	eveLink = tmLink(w.ctx, t, w.tx, "eve@example.com")
	var invID int64
	require.NoError(t, w.tx.QueryRow(w.ctx, "SELECT id FROM project_invitations WHERE email = 'eve@example.com' AND revoked_at IS NULL AND accepted_at IS NULL").Scan(&invID))
	_, err = w.tx.Exec(w.ctx, "UPDATE project_invitations SET expires_at = now() - interval '1 minute' WHERE id = $1", invID)
	require.NoError(t, err)
	r = eve.Get(eveLink)
	require.Equal(t, http.StatusGone, r.StatusCode)
	require.Contains(t, r.Text("#invitation-closed"), "expired")
	require.Equal(t, http.StatusGone, eve.Post(eveLink+"/accept", nil).StatusCode)
	require.Contains(t, w.owner.Get(members).Text("#invitations"), "Expired")
	r = w.owner.Post(members+"/invitations/"+itoa(invID)+"/revoke", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = eve.Get(eveLink)
	require.Equal(t, http.StatusGone, r.StatusCode)
	require.Contains(t, r.Text("#invitation-closed"), "revoked")
	require.Empty(t, tmRole(w.ctx, t, w.tx, w.project.ID, eveUser.ID))

	// Tampered tokens.
	for _, bad := range []string{"/invitations/x", "/invitations/" + strings.Repeat("A", 32), eveLink + "A"} {
		require.Equal(t, http.StatusNotFound, eve.Get(bad).StatusCode, bad)
		require.Equal(t, http.StatusNotFound, eve.Post(bad+"/accept", nil).StatusCode, bad)
	}

	// Everything is in the project's audit log.
	audit := w.owner.Get(w.base).Text("table.audit")
	for _, s := range []string{"Invitation sent", "Invitation accepted", "Invitation revoked", "bob@example.com · Member", "carol@example.com · Owner"} {
		require.Contains(t, audit, s)
	}
	_ = integration.AuditLimit
}

// Owners change roles and remove members; the last owner cannot leave or
// be demoted (409, nothing changes); a rename keeps the name rules.
func TestMembersAndRename(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	proj := "/projects/" + itoa(w.project.ID)
	members := proj + "/members"

	r := w.owner.Get(members)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Members", r.Text(".tabs a.active"))
	require.Contains(t, r.Text("table#members"), "owner@example.com")
	require.Contains(t, r.Text("#invitations-empty"), "No pending invitations")

	for _, path := range []string{"/leave", "/" + itoa(w.ownerID) + "/remove"} {
		r = w.owner.Post(members+path, nil)
		require.Equal(t, http.StatusConflict, r.StatusCode, path)
		require.Contains(t, r.Text("#members-notice"), "at least one owner")
	}
	r = w.owner.Post(members+"/"+itoa(w.ownerID)+"/role", url.Values{"role": {"member"}})
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Equal(t, project.RoleOwner, tmRole(w.ctx, t, w.tx, w.project.ID, w.ownerID))

	_, mu := w.user("mate@example.com", auth.RoleOwner)
	tmJoin(w.ctx, t, w.tx, w.project.ID, mu.ID, project.RoleMember)
	r = w.owner.Post(members+"/"+itoa(mu.ID)+"/role", url.Values{"role": {"admin"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "a tampered role")
	require.Equal(t, project.RoleMember, tmRole(w.ctx, t, w.tx, w.project.ID, mu.ID))
	r = w.owner.Post(members+"/"+itoa(mu.ID)+"/role", url.Values{"role": {"owner"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, project.RoleOwner, tmRole(w.ctx, t, w.tx, w.project.ID, mu.ID))
	// Now there are two owners: this one may step down.
	r = w.owner.Post(members+"/"+itoa(w.ownerID)+"/role", url.Values{"role": {"member"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, http.StatusForbidden, w.owner.Post(members+"/"+itoa(mu.ID)+"/remove", nil).StatusCode, "a member now")
	_, err := w.tx.Exec(w.ctx, "UPDATE project_members SET role = 'owner' WHERE user_id = $1", w.ownerID)
	require.NoError(t, err)
	r = w.owner.Post(members+"/"+itoa(mu.ID)+"/remove", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Empty(t, tmRole(w.ctx, t, w.tx, w.project.ID, mu.ID))

	// Rename.
	r = w.owner.Get(w.base)
	require.Equal(t, w.base+"/name", r.Doc.Find("#rename").AttrOr("href", ""))
	r = w.owner.Get(w.base + "/name")
	require.Equal(t, "Salute shop", r.Doc.Find("#f-name").AttrOr("value", ""))
	r = w.owner.Post(w.base+"/name", url.Values{"name": {"ab"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.NotEmpty(t, r.FieldError("name"))
	require.Equal(t, "ab", r.Doc.Find("#f-name").AttrOr("value", ""), "input kept")
	r = w.owner.Post(w.base+"/name", url.Values{"name": {"  Salute   store "}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = w.owner.Follow(r)
	require.Equal(t, "Project renamed.", r.Text(".flash"))
	require.Equal(t, "Salute store", r.Text(".page-head h1"))
	audit := r.Text("table.audit")
	require.Contains(t, audit, "Project renamed")
	require.Contains(t, audit, "«Salute shop» → «Salute store»")
	require.Contains(t, audit, "mate@example.com: Member → Owner")
	require.Contains(t, audit, "Member removed")
}

// Every route under /projects/:project was registered through r.Project
// with an action the permission table knows: none skips the role check.
func TestProjectRoutesNameTheirAction(t *testing.T) {
	t.Parallel()
	e := web.New(web.Deps{Config: webtest.Config(t, nil), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	n := 0
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/projects/:project") {
			continue
		}
		n++
		require.True(t, strings.HasPrefix(r.Name, web.RoutePrefix), "%s %s is not registered through r.Project", r.Method, r.Path)
		a := project.Action(strings.TrimPrefix(r.Name, web.RoutePrefix))
		require.True(t, project.Can(project.RoleOwner, a), "%s %s: unknown action %q", r.Method, r.Path, a)
	}
	require.Greater(t, n, 30)
}
