package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/testfactory"
)

// The Webim side block shows what integration_seen holds: the release last
// reported and, per kind, when it last came ("never" otherwise), webhook
// event names botbridge does not know included; in both languages.
func TestIntegrationSeenBlock(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	page := w.add(stForm(stToken, "salutebot.webim.ru", "department", "sales", ""))
	id := w.integrationID(page)

	r := w.owner.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, r.Text("#webim-version"), "Not known yet")
	for _, sel := range []string{"#seen-webhook-new_chat", "#seen-webhook-new_message", "#seen-chat-events-chat_started",
		"#seen-chat-events-chat_assigned", "#seen-chat-events-chat_closed", "#seen-chat-events-other"} {
		require.Equal(t, "never", r.Text(sel+" + dd"), sel)
	}

	q := dbsqlc.New(w.tx)
	seen := func(kind, version string, ago time.Duration) {
		require.NoError(t, q.TouchIntegrationSeen(w.ctx, dbsqlc.TouchIntegrationSeenParams{IntegrationID: id, Kind: kind, WebimVersion: version}))
		_, err := w.tx.Exec(w.ctx, `UPDATE integration_seen SET last_seen_at = now() - make_interval(secs => $3) WHERE integration_id = $1 AND kind = $2`,
			id, kind, ago.Seconds())
		require.NoError(t, err)
	}
	seen("new_chat", "10.4.1", 3*time.Hour)
	seen("new_message", "10.5.62", 2*time.Minute)
	seen("chat_assigned", "", time.Hour)
	seen("<b>poll_answer</b>", "", 5*time.Minute)

	r = w.owner.Get(page)
	require.Contains(t, r.Text("#webim-version"), "10.5.62", "the latest release reported")
	require.Contains(t, r.Text("#webim-version"), "reported 2 minutes ago")
	require.Contains(t, r.Text("#seen-webhook-new_chat + dd"), "3 hours ago")
	require.Contains(t, r.Text("#seen-webhook-new_message + dd"), "2 minutes ago")
	require.Contains(t, r.Text("#seen-chat-events-chat_assigned + dd"), "1 hour ago")
	require.Equal(t, "never", r.Text("#seen-chat-events-chat_started + dd"))
	require.Equal(t, "never", r.Text("#seen-chat-events-chat_closed + dd"))
	require.Contains(t, r.Text("#seen-webhook-new_chat"), "a chat was given to the bot")
	// A name botbridge does not know is listed with the webhook's, escaped.
	unknown := r.Doc.Find("#seen-webhook dt").Last()
	require.Equal(t, "<b>poll_answer</b>", unknown.Find("code").Text())
	require.Contains(t, unknown.Text(), "an event botbridge does not know")
	require.Contains(t, unknown.Next().Text(), "5 minutes ago")
	require.NotContains(t, r.Body, "<b>poll_answer</b>")

	r = withLang(w.owner, "ru").Get(page)
	require.Equal(t, "Сторона Webim", r.Text("#seen-title"))
	require.Contains(t, r.Text("#webim-version"), "сообщена 2 минуты назад")
	require.Contains(t, r.Text("#seen-webhook-new_message + dd"), "2 минуты назад")
	require.Contains(t, r.Text("#seen-webhook-new_chat"), "диалог передан боту")
	require.Equal(t, "ещё не было", r.Text("#seen-chat-events-chat_closed + dd"))

	// Scoped by project: another tenant's project finds nothing of it.
	otherUser := testfactory.User(w.ctx, t, w.tx, &testfactory.UserOpts{Email: testfactory.Ptr("seen-other@example.com"), Role: testfactory.Ptr(auth.RoleOwner)})
	otherProject := testfactory.Project(w.ctx, t, w.tx, &testfactory.ProjectOpts{OwnerID: &otherUser.ID})
	got, err := bridge.Seen(w.ctx, w.tx, otherProject.ID, id)
	require.NoError(t, err)
	require.Empty(t, got.Kinds)
	require.Empty(t, got.WebimVersion)
	got, err = bridge.Seen(w.ctx, w.tx, w.project.ID, id)
	require.NoError(t, err)
	require.Len(t, got.Kinds, 4)
}
