package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/secret"
)

// The chat events password is stored only as a hash, so the one moment it
// exists in clear is its rotation. To show it the way the bot signing
// secret is shown (until its maker confirms they copied it, never consumed
// by a mere page view, 15 minutes at most) without keeping it in the
// database, the rotation hands it to the maker's browser sealed with the
// keyring (AES-GCM, bound to project, integration and account) in a cookie
// that only this integration's pages receive. The page shows it only while
// it still matches the integration's credentials, so a later rotation by
// anyone makes every older cookie show nothing.
const (
	chatEventsRevealCookie = "bb_chat_events"
	chatEventsReveal       = 15 * time.Minute
)

// requireOwner refuses a plain member: the actions that hand out or change
// credentials are the owners' (the route checks it already; this keeps the
// handler safe wherever it is mounted).
func requireOwner(p project.Project) error {
	return project.Authorize(p, project.ActionConfigureIntegration)
}

func chatEventsAAD(projectID, integrationID, userID int64) []byte {
	return []byte("chat-events-reveal:" + strconv.FormatInt(projectID, 10) + ":" + strconv.FormatInt(integrationID, 10) +
		":" + strconv.FormatInt(userID, 10))
}

// chatEventsURL is the integration's chat events URL for the webhook URL,
// with the Basic credentials written in when user is set (Webim takes
// them only that way: https://user:pass@host/...).
func chatEventsURL(webhookURL, user, password string) string {
	u, err := url.Parse(webhookURL + integration.ChatEventsPath)
	if err != nil {
		return ""
	}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

// sealChatEventsReveal puts the new password in the maker's cookie.
func (h *Handler) sealChatEventsReveal(c echo.Context, p project.Project, in integration.Integration, user, password string) error {
	plain := strconv.FormatInt(time.Now().Add(chatEventsReveal).Unix(), 10) + "\n" + user + "\n" + password
	sealed, err := h.Keyring.EncryptString(plain, chatEventsAAD(p.ID, in.ID, currentUser(c).ID))
	if err != nil {
		return err
	}
	value := base64.RawURLEncoding.EncodeToString([]byte(sealed.KeyID)) + "." + base64.RawURLEncoding.EncodeToString(sealed.Ciphertext)
	c.SetCookie(h.chatEventsCookie(p, in.ID, value, int(chatEventsReveal/time.Second)))
	return nil
}

// clearChatEventsReveal ends the display.
func (h *Handler) clearChatEventsReveal(c echo.Context, p project.Project, id int64) {
	c.SetCookie(h.chatEventsCookie(p, id, "", -1))
}

func (h *Handler) chatEventsCookie(p project.Project, id int64, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: chatEventsRevealCookie, Value: value, Path: integrationURL(p, id), MaxAge: maxAge,
		HttpOnly: true, Secure: h.Config.SecureCookies(), SameSite: http.SameSiteStrictMode}
}

// revealChatEvents returns the password the current account just made for
// this integration, while its display lasts and it is still the one in
// force; ok is false otherwise (and a stale cookie is cleared).
func (h *Handler) revealChatEvents(c echo.Context, p project.Project, in integration.Integration) (password string, ok bool) {
	ck, err := c.Cookie(chatEventsRevealCookie)
	if err != nil || ck.Value == "" {
		return "", false
	}
	password, ok = h.openChatEventsReveal(ck.Value, p, in, currentUser(c).ID)
	if !ok {
		h.clearChatEventsReveal(c, p, in.ID)
	}
	return password, ok
}

func (h *Handler) openChatEventsReveal(value string, p project.Project, in integration.Integration, userID int64) (string, bool) {
	kid, ct, found := strings.Cut(value, ".")
	if !found || h.Keyring == nil {
		return "", false
	}
	keyID, err1 := base64.RawURLEncoding.DecodeString(kid)
	cipher, err2 := base64.RawURLEncoding.DecodeString(ct)
	if err1 != nil || err2 != nil {
		return "", false
	}
	plain, err := h.Keyring.DecryptString(secret.Sealed{KeyID: string(keyID), Ciphertext: cipher}, chatEventsAAD(p.ID, in.ID, userID))
	if err != nil {
		return "", false
	}
	parts := strings.SplitN(plain, "\n", 3)
	if len(parts) != 3 {
		return "", false
	}
	until, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || time.Now().Unix() >= until {
		return "", false
	}
	if !in.ChatEventsAuthorized(parts[1], parts[2]) {
		return "", false
	}
	return parts[2], true
}
