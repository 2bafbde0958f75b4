package integration

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/secret"
)

// ChatEventsPath is the path of an integration's chat events URL, after
// its webhook path: Webim's account-level chat event handlers
// (chat_started, chat_assigned, chat_closed) call it with Basic auth,
// optionally with the event's name as one more path segment.
const ChatEventsPath = "/chat-events"

// chatEventsSecretBytes is the password's entropy (128 bits).
const chatEventsSecretBytes = 16

// RotateChatEvents gives the integration new Basic credentials for its
// chat events URL and returns them; the password is stored only as a
// hash, so this is the one time it can be shown. The old credentials stop
// working at once.
func RotateChatEvents(ctx context.Context, conn db.Conn, projectID, id, actorID int64) (user, password string, err error) {
	if password, err = secret.RandomToken(chatEventsSecretBytes); err != nil {
		return "", "", err
	}
	tail, err := secret.RandomToken(6)
	if err != nil {
		return "", "", err
	}
	user = "webim-" + strconv.FormatInt(id, 10) + "-" + tail
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		n, err := q.SetChatEventsCredentials(ctx, dbsqlc.SetChatEventsCredentialsParams{
			UserName: user, SecretHash: secret.HashToken(password), ActorID: &actorID, ProjectID: projectID, ID: id})
		if err != nil {
			return fmt.Errorf("integration: chat events credentials: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("integration: chat events credentials %d: %w", id, apperr.ErrNotFound)
		}
		return audit(ctx, q, projectID, &id, &actorID, ActionChatEventsRotated, "")
	})
	if err != nil {
		return "", "", err
	}
	return user, password, nil
}

// ChatEventsAuthorized reports whether user and password are the
// integration's chat events credentials (false while it has none). The
// comparison takes the same time whatever matches.
func (i Integration) ChatEventsAuthorized(user, password string) bool {
	if i.ChatEventsUser == "" || len(i.chatEventsSecretHash) == 0 {
		return false
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(i.ChatEventsUser))
	passOK := subtle.ConstantTimeCompare(secret.HashToken(password), i.chatEventsSecretHash)
	return userOK&passOK == 1
}

// SetLinkButtons turns the experimental "send link buttons as Webim
// buttons" switch on or off.
func SetLinkButtons(ctx context.Context, conn db.Conn, projectID, id, actorID int64, on bool) error {
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		n, err := q.SetLinkButtons(ctx, dbsqlc.SetLinkButtonsParams{LinkButtons: on, ActorID: &actorID, ProjectID: projectID, ID: id})
		if err != nil {
			return fmt.Errorf("integration: link buttons: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("integration: link buttons %d: %w", id, apperr.ErrNotFound)
		}
		return audit(ctx, q, projectID, &id, &actorID, ActionLinkButtonsChanged, strconv.FormatBool(on))
	})
}
