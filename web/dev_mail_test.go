package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

func TestDevMailPageListsOutboxInDevelopment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(ctx, tx, "dev@example.com", "dev password 123", auth.RoleAdmin)
	require.NoError(t, err)
	for _, role := range []auth.Role{auth.RoleOwner, auth.RoleModerator} {
		_, err = auth.CreateUser(ctx, tx, string(role)+"@example.com", "dev password 123", role)
		require.NoError(t, err)
	}
	ins, err := jobs.InsertOnly()
	require.NoError(t, err)
	_, err = mail.Enqueue(ctx, tx, ins, mail.Message{To: "older@example.com", Subject: "Older message", Body: "old body"})
	require.NoError(t, err)
	body := "Hello,\n<b>not markup</b>\nYour request is in review."
	_, err = mail.Enqueue(ctx, tx, ins, mail.Message{To: "owner@example.com", Subject: "Your Webim request is in review", Body: body, Topic: "request:9:in_review"})
	require.NoError(t, err)

	srv := webtest.Server(t, tx)
	anon := webtest.NewClient(t, srv)
	r := anon.Get("/dev/mail")
	require.Equal(t, http.StatusSeeOther, r.StatusCode, "logged-in users only")
	// Other people's mail: not for owners or moderators, not even a link.
	for _, role := range []auth.Role{auth.RoleOwner, auth.RoleModerator} {
		o := webtest.NewClient(t, srv)
		o.Login(string(role)+"@example.com", "dev password 123")
		require.Equal(t, http.StatusForbidden, o.Get("/dev/mail").StatusCode, role)
		require.Zero(t, o.Get("/projects").Doc.Find(`a[href="/dev/mail"]`).Length(), role)
	}

	c := webtest.NewClient(t, srv)
	c.Login("dev@example.com", "dev password 123")
	require.Equal(t, 1, c.Get("/projects").Doc.Find(`a[href="/dev/mail"]`).Length(), "admins see the link")
	r = c.Get("/dev/mail")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Sent mail (development)", r.Text("h1"))
	rows := r.Doc.Find("tbody tr")
	require.Equal(t, 2, rows.Length())
	first := rows.First()
	require.Equal(t, "owner@example.com", first.Find(".mail-to").Text())
	require.Equal(t, "Your Webim request is in review", first.Find(".mail-subject").Text())
	require.Equal(t, body, first.Find("details pre.mail-body").Text(), "body shown verbatim, escaped")
	require.Equal(t, "request:9:in_review", first.Find("code").Text())
	require.Equal(t, "Pending", first.Find(".badge.pending").Text())
	require.Equal(t, "0 attempts", first.Find(".mail-attempts").Text())
	require.Equal(t, "Older message", rows.Eq(1).Find(".mail-subject").Text())
	require.NotContains(t, r.Body, "<b>not markup</b>")
}

func TestDevMailPageDoesNotExistInProduction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(ctx, tx, "prod@example.com", "prod password 123", auth.RoleAdmin)
	require.NoError(t, err)
	prod := webtest.Config(t, map[string]string{"APP_ENV": "production", "SECRET_KEY": "0123456789abcdef0123456789abcdef01", "OUTBOUND_ALLOW_LOCAL": "false", "METRICS_ADDR": "127.0.0.1:9090"})
	srv := webtest.Server(t, tx, func(d *web.Deps) { d.Config = prod })

	anon := webtest.NewClient(t, srv)
	require.Equal(t, http.StatusNotFound, anon.Get("/dev/mail").StatusCode)

	c := webtest.NewClient(t, srv)
	c.Login("prod@example.com", "prod password 123")
	r := c.Get("/projects")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Zero(t, r.Doc.Find(`a[href="/dev/mail"]`).Length(), "no link in production")
	require.Equal(t, http.StatusNotFound, c.Get("/dev/mail").StatusCode)
}
