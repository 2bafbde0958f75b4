package request_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/request"
)

func TestSubmitValidation(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)

	with := func(change func(*request.Input)) request.Input {
		in := validInput()
		change(&in)
		return in
	}
	cases := []struct {
		name  string
		in    request.Input
		field string
		key   string
	}{
		{"no platform", with(func(in *request.Input) { in.Platform = " " }), "platform", "request.platform.required"},
		{"tampered platform", with(func(in *request.Input) { in.Platform = "telegram" }), "platform", "request.platform.unknown"},
		{"injected platform", with(func(in *request.Input) { in.Platform = "webim' OR '1'='1" }), "platform", "request.platform.unknown"},
		{"coming soon", with(func(in *request.Input) { in.Platform = "jivo" }), "platform", "request.platform.unavailable"},
		{"bad email", with(func(in *request.Input) { in.ContactEmail = "not-an-address" }), "contact_email", "request.contact_email.invalid"},
		{"display name email", with(func(in *request.Input) { in.ContactEmail = "Bob <bob@example.com>" }), "contact_email", "request.contact_email.invalid"},
		{"no organisation", with(func(in *request.Input) { in.Organisation = "  \t " }), "organisation", "request.organisation.required"},
		{"long organisation", with(func(in *request.Input) { in.Organisation = strings.Repeat("o", 201) }), "organisation", "request.organisation.long"},
		{"no description", with(func(in *request.Input) { in.Description = "" }), "description", "request.description.required"},
		{"short description", with(func(in *request.Input) { in.Description = "Answers questions" }), "description", "request.description.short"},
		{"short after trim", with(func(in *request.Input) { in.Description = "   19 characters..  \r\n  " }), "description", "request.description.short"},
		{"long description", with(func(in *request.Input) { in.Description = strings.Repeat("д", 2001) }), "description", "request.description.long"},
		{"domain with path", with(func(in *request.Input) { in.WebimDomain = "acme.webim.ru/chat" }), "webim_domain", "integration.domain.path"},
		{"domain private", with(func(in *request.Input) { in.WebimDomain = "10.0.0.1" }), "webim_domain", "integration.domain.forbidden"},
		{"domain http", with(func(in *request.Input) { in.WebimDomain = "http://acme.webim.ru" }), "webim_domain", "integration.domain.https"},
		{"domain long", with(func(in *request.Input) { in.WebimDomain = strings.Repeat("a", 256) + ".ru" }), "webim_domain", "request.webim_domain.long"},
		{"no tick", with(func(in *request.Input) { in.AccessRequested = false }), "access_requested", "request.access_requested.required"},
	}
	for _, tc := range cases {
		_, err := request.Submit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, tc.in)
		require.ErrorIs(t, err, apperr.ErrInvalid, tc.name)
		require.Equal(t, tc.key, apperr.Fields(err)[tc.field], "%s: %v", tc.name, err)
	}

	// Several problems at once: each field gets its own message.
	_, err := request.Submit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, request.Input{Platform: "webim", ContactEmail: "x"})
	fields := apperr.Fields(err)
	require.Len(t, fields, 4, "%v", fields)

	// Nothing was written by any refused submission.
	var n int
	require.NoError(t, tx.QueryRow(f.ctx, `SELECT count(*) FROM integration_requests`).Scan(&n))
	require.Zero(t, n)
	require.Empty(t, outbox(t, tx, 0))

	// Limits are inclusive.
	ok := validInput()
	ok.Organisation = strings.Repeat("o", 200)
	ok.Description = strings.Repeat("д", 2000)
	ok.WebimDomain = ""
	ok.ContactEmail = ""
	r, err := request.Submit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, ok)
	require.NoError(t, err)
	require.Equal(t, f.owner.Email, r.ContactEmail, "empty contact address defaults to the account's")
	require.Empty(t, r.WebimDomain)
}

func TestSubmit(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)

	in := validInput()
	in.Description = "  Answers questions about orders\r\nand hands over to a person.  "
	in.WebimDomain = "HTTPS://Acme.Webim.RU:443/"
	in.Organisation = "  Acme   Ltd "
	r, err := request.Submit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, in)
	require.NoError(t, err)
	require.Equal(t, request.Submitted, r.Status)
	require.Equal(t, f.proj.ID, r.ProjectID)
	require.Equal(t, "Acme Shop", r.ProjectName)
	require.Equal(t, "webim", r.Platform)
	require.Equal(t, "Webim", r.PlatformName)
	require.Equal(t, "support@acme.example", r.ContactEmail)
	require.Equal(t, "Acme Ltd", r.Organisation)
	require.Equal(t, "Answers questions about orders\nand hands over to a person.", r.Description)
	require.Equal(t, "https://acme.webim.ru", r.WebimDomain)
	require.True(t, r.AccessRequested)
	require.Equal(t, int32(1), r.Version)
	require.Equal(t, f.owner.Email, r.CreatedByEmail)

	var search string
	require.NoError(t, tx.QueryRow(f.ctx, `SELECT search FROM integration_requests WHERE id = $1`, r.ID).Scan(&search))
	require.Equal(t, "acme shop acme ltd support@acme.example", search)

	hist, err := request.History(f.ctx, tx, request.InProject(f.proj.ID), r.ID)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	require.Equal(t, request.KindTransition, hist[0].Kind)
	require.Equal(t, request.Status(""), hist[0].From)
	require.Equal(t, request.Submitted, hist[0].To)
	require.Equal(t, f.owner.Email, hist[0].ActorEmail)
	require.True(t, hist[0].ActorIsMember)

	// Every active moderator and admin hears about it, in the same
	// transaction; owners do not.
	mails := outbox(t, tx, 0)
	require.Len(t, mails, 2)
	got := map[string]sentMail{}
	for _, m := range mails {
		got[m.To] = m
	}
	require.Contains(t, got, f.mod.Email)
	require.Contains(t, got, f.admin.Email)
	m := got[f.mod.Email]
	require.Equal(t, `New integration request #`+itoa(r.ID)+`: Webim for "Acme Shop"`, m.Subject)
	require.Contains(t, m.Body, "Project: Acme Shop")
	require.Contains(t, m.Body, "Organisation: Acme Ltd")
	require.Contains(t, m.Body, "Contact e-mail: support@acme.example")
	require.Contains(t, m.Body, "Webim account domain: https://acme.webim.ru")
	require.Contains(t, m.Body, "Answers questions about orders\nand hands over")
	require.Contains(t, m.Body, "https://bridge.example/moderation/requests/"+itoa(r.ID))
	require.Equal(t, "request:"+itoa(r.ID)+":submitted", m.Topic)

	// A second open request for the same project and platform is refused
	// and names the open one.
	before := lastMailID(t, tx)
	_, err = request.Submit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, validInput())
	var open *request.OpenRequestError
	require.True(t, errors.As(err, &open), "%v", err)
	require.ErrorIs(t, err, apperr.ErrConflict)
	require.Equal(t, r.ID, open.RequestID)
	require.Empty(t, outbox(t, tx, before))
	list, err := request.ListForProject(f.ctx, tx, f.proj.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)

	// Once it is decided, a new one may be filed.
	_, err = request.Withdraw(f.ctx, tx, f.n, f.proj.ID, r.ID, r.Version, f.owner.ID)
	require.NoError(t, err)
	r2 := f.submit(t)
	require.NotEqual(t, r.ID, r2.ID)
}

func TestSubmitGrantedPlatformRefused(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	r := f.submit(t)
	r, err := request.Take(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID)
	require.NoError(t, err)
	_, err = request.Approve(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID)
	require.NoError(t, err)

	before := lastMailID(t, tx)
	_, err = request.Submit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, validInput())
	require.ErrorIs(t, err, apperr.ErrInvalid)
	require.Equal(t, "request.platform.granted", apperr.Fields(err)["platform"])
	require.Empty(t, outbox(t, tx, before))
}

// Another tenant's project cannot be used to file a request.
func TestSubmitOtherTenant(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	_, err := request.Submit(f.ctx, tx, f.n, f.other.ID, f.proj.ID, validInput())
	require.ErrorIs(t, err, apperr.ErrNotFound)
	// Moderators are not members either.
	_, err = request.Submit(f.ctx, tx, f.n, f.mod.ID, f.proj.ID, validInput())
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.Empty(t, outbox(t, tx, 0))
}
