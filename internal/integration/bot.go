package integration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/secret"
)

// Bot endpoint limits and defaults.
const (
	MinBotTimeout     = 1
	MaxBotTimeout     = 30
	DefaultBotTimeout = 10
	MaxFallbackText   = 500
	// FallbackTransfer hands the chat to the integration's "Transfer to"
	// target after sending the fallback text; the only mode so far.
	FallbackTransfer = "transfer"
	// DefaultVisitorLanguage is the language a project's visitors read
	// unless the owner says otherwise (the column default says the same).
	DefaultVisitorLanguage = "ru"
	// SecretOverlap is how long the previous signing secret stays valid
	// after a rotation, so the bot can switch without failed deliveries.
	SecretOverlap = 24 * time.Hour
	// secretReveal is how long a new secret waits to be shown once.
	secretReveal = 15 * time.Minute
)

func botSecretAAD(projectID int64) []byte {
	return []byte("project_bot:" + strconv.FormatInt(projectID, 10) + ":secret")
}

// VisitorLanguages are the languages botbridge can write to a project's
// visitors in.
var VisitorLanguages = []string{"ru", "en"}

// defaultFallbackTexts are what a visitor reads when the bot cannot be
// reached, by visitor language, until the owner writes their own (the
// column default in the migration is the Russian one).
var defaultFallbackTexts = map[string]string{
	"ru": "Извините, наш помощник сейчас недоступен. Соединяем вас с сотрудником.",
	"en": "Sorry, our assistant is unavailable right now. Connecting you to a person.",
}

// DefaultFallbackText is the default fallback text in a visitor language
// (Russian for an unknown one).
func DefaultFallbackText(lang string) string {
	if t, ok := defaultFallbackTexts[lang]; ok {
		return t
	}
	return defaultFallbackTexts[DefaultVisitorLanguage]
}

func validVisitorLanguage(s string) bool {
	_, ok := defaultFallbackTexts[s]
	return ok
}

// BotInput is the bot endpoint form as submitted.
type BotInput struct {
	URL          string
	Timeout      string
	FallbackMode string
	FallbackText string
	// VisitorLanguage is the language of the texts botbridge itself sends
	// the project's visitors ("ru", "en").
	VisitorLanguage string
}

// DefaultBotInput prefills the form of a project without a bot endpoint:
// visitors in lang (DefaultVisitorLanguage when "") with the default text.
func DefaultBotInput(lang string) BotInput {
	if !validVisitorLanguage(lang) {
		lang = DefaultVisitorLanguage
	}
	return BotInput{Timeout: strconv.Itoa(DefaultBotTimeout), FallbackMode: FallbackTransfer,
		FallbackText: DefaultFallbackText(lang), VisitorLanguage: lang}
}

// BotSettings is the bot endpoint as the Settings page shows it: no secret,
// only its last characters.
type BotSettings struct {
	ProjectID      int64
	URL            string
	TimeoutSeconds int
	FallbackMode   string
	FallbackText   string
	// VisitorLanguage is the language of the texts the visitors get.
	VisitorLanguage string
	SecretLast4     string
	// PreviousValidUntil is set while the previous secret still verifies.
	PreviousValidUntil *time.Time
	SecretRotatedAt    time.Time
	UpdatedByEmail     string
	UpdatedAt          time.Time
}

// SecretMask is how the secret is shown after its one-time display.
func (b BotSettings) SecretMask() string { return "••••" + b.SecretLast4 }

// Input turns saved settings back into form values.
func (b BotSettings) Input() BotInput {
	return BotInput{URL: b.URL, Timeout: strconv.Itoa(b.TimeoutSeconds), FallbackMode: b.FallbackMode, FallbackText: b.FallbackText,
		VisitorLanguage: b.VisitorLanguage}
}

type botValues struct {
	url     string
	timeout int32
	mode    string
	text    string
	lang    string
}

// validate checks the form; errors are catalog keys per field.
func (in BotInput) validate(ctx context.Context, env Env) (botValues, error) {
	v := apperr.Validation{}
	var out botValues
	if u, err := checkURL(ctx, env, in.URL, false); err != nil {
		v.Add("endpoint_url", botURLKeys[urlProblem(err)])
	} else {
		out.url = u
	}
	t := strings.TrimSpace(in.Timeout)
	n, err := strconv.Atoi(t)
	switch {
	case t == "":
		v.Add("timeout", "bot.timeout.required")
	case err != nil || n < MinBotTimeout || n > MaxBotTimeout:
		v.Add("timeout", "bot.timeout.invalid")
	default:
		out.timeout = int32(n)
	}
	if in.FallbackMode != FallbackTransfer {
		v.Add("fallback_mode", "bot.fallback_mode.invalid")
	}
	out.mode = in.FallbackMode
	// "" keeps the saved language (a new endpoint gets the default).
	if in.VisitorLanguage != "" && !validVisitorLanguage(in.VisitorLanguage) {
		v.Add("visitor_language", "bot.visitor_language.invalid")
	}
	out.lang = in.VisitorLanguage
	text := strings.TrimSpace(strings.ReplaceAll(in.FallbackText, "\r\n", "\n"))
	// A default text left as it was follows the visitor language: an owner
	// who switches to English is not left with the Russian default.
	for _, l := range VisitorLanguages {
		if text == defaultFallbackTexts[l] && validVisitorLanguage(in.VisitorLanguage) {
			text = DefaultFallbackText(in.VisitorLanguage)
		}
	}
	switch {
	case text == "":
		v.Add("fallback_text", "bot.fallback_text.required")
	case utf8.RuneCountInString(text) > MaxFallbackText:
		v.Add("fallback_text", "bot.fallback_text.long")
	}
	out.text = text
	if err := v.Err(); err != nil {
		return botValues{}, err
	}
	return out, nil
}

// GetBotSettings returns the project's bot endpoint, or apperr.ErrNotFound
// when none is set up.
func GetBotSettings(ctx context.Context, q db.DBTX, projectID int64) (BotSettings, error) {
	r, err := dbsqlc.New(q).GetProjectBot(ctx, projectID)
	if err != nil {
		return BotSettings{}, notFound("bot endpoint", err)
	}
	b := r.ProjectBot
	out := BotSettings{
		ProjectID: b.ProjectID, URL: b.EndpointUrl, TimeoutSeconds: int(b.TimeoutSeconds), FallbackMode: b.FallbackMode,
		FallbackText: b.FallbackText, VisitorLanguage: b.VisitorLanguage, SecretLast4: b.SecretLast4, SecretRotatedAt: b.SecretRotatedAt,
		UpdatedByEmail: deref(r.UpdatedByEmail), UpdatedAt: b.UpdatedAt,
	}
	if b.PreviousValidUntil != nil && b.PreviousValidUntil.After(time.Now()) {
		out.PreviousValidUntil = b.PreviousValidUntil
	}
	return out, nil
}

// SaveBot validates and stores the project's bot endpoint. The first save
// generates the signing secret and marks it for a one-time display to
// actorID (created is true then).
func SaveBot(ctx context.Context, conn db.Conn, env Env, projectID, actorID int64, in BotInput) (created bool, err error) {
	vals, err := in.validate(ctx, env)
	if err != nil {
		return false, err
	}
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		cur, err := q.LockProjectBot(ctx, projectID)
		if errors.Is(err, pgx.ErrNoRows) {
			inserted, ierr := insertBot(ctx, q, env.Keyring, projectID, actorID, vals)
			if ierr != nil || inserted {
				created = inserted
				return ierr
			}
			// Someone else saved the first version meanwhile: update it.
			cur, err = q.LockProjectBot(ctx, projectID)
		}
		if err != nil {
			return fmt.Errorf("integration: lock bot: %w", err)
		}
		if vals.lang == "" {
			vals.lang = cur.VisitorLanguage
		}
		err = q.UpdateProjectBot(ctx, dbsqlc.UpdateProjectBotParams{
			EndpointUrl: vals.url, TimeoutSeconds: vals.timeout, FallbackMode: vals.mode, FallbackText: vals.text,
			VisitorLanguage: vals.lang, ActorID: &actorID, ProjectID: projectID,
		})
		if err != nil {
			return fmt.Errorf("integration: update bot: %w", err)
		}
		return audit(ctx, q, projectID, nil, &actorID, ActionBotEndpointSaved, botDetail(&cur, vals))
	})
	return created, err
}

// insertBot stores the first version with a new signing secret; inserted
// is false when a concurrent first save won.
func insertBot(ctx context.Context, q *dbsqlc.Queries, kr *secret.Keyring, projectID, actorID int64, vals botValues) (inserted bool, err error) {
	if vals.lang == "" {
		vals.lang = DefaultVisitorLanguage
	}
	sec, err := botapi.NewSecret()
	if err != nil {
		return false, err
	}
	sealed, err := kr.EncryptString(sec, botSecretAAD(projectID))
	if err != nil {
		return false, err
	}
	_, err = q.InsertProjectBot(ctx, dbsqlc.InsertProjectBotParams{
		ProjectID: projectID, EndpointUrl: vals.url, TimeoutSeconds: vals.timeout, FallbackMode: vals.mode,
		FallbackText: vals.text, VisitorLanguage: vals.lang, SecretCiphertext: sealed.Ciphertext, SecretKeyID: sealed.KeyID,
		SecretLast4: last4(sec), ActorID: &actorID, RevealSeconds: int32(secretReveal / time.Second),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("integration: insert bot: %w", err)
	}
	return true, audit(ctx, q, projectID, nil, &actorID, ActionBotEndpointSaved, botDetail(nil, vals))
}

// botDetail lists what changed for the audit log (the fallback text only
// as "changed": it is long and not a setting worth repeating).
func botDetail(cur *dbsqlc.ProjectBot, v botValues) string {
	if cur == nil {
		return fmt.Sprintf("url=%s timeout=%ds fallback=%s visitor_language=%s", v.url, v.timeout, v.mode, v.lang)
	}
	var parts []string
	if cur.EndpointUrl != v.url {
		parts = append(parts, "url="+cur.EndpointUrl+"→"+v.url)
	}
	if cur.TimeoutSeconds != v.timeout {
		parts = append(parts, fmt.Sprintf("timeout=%ds→%ds", cur.TimeoutSeconds, v.timeout))
	}
	if cur.FallbackMode != v.mode {
		parts = append(parts, "fallback="+cur.FallbackMode+"→"+v.mode)
	}
	if cur.VisitorLanguage != v.lang {
		parts = append(parts, "visitor_language="+cur.VisitorLanguage+"→"+v.lang)
	}
	if cur.FallbackText != v.text {
		parts = append(parts, "fallback_text=changed")
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, " ")
}

// RotateBotSecret replaces the signing secret; the previous one keeps
// verifying for SecretOverlap. The new one is shown once to actorID.
func RotateBotSecret(ctx context.Context, conn db.Conn, kr *secret.Keyring, projectID, actorID int64) error {
	sec, err := botapi.NewSecret()
	if err != nil {
		return err
	}
	sealed, err := kr.EncryptString(sec, botSecretAAD(projectID))
	if err != nil {
		return err
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		n, err := q.RotateProjectBotSecret(ctx, dbsqlc.RotateProjectBotSecretParams{
			OverlapSeconds: int32(SecretOverlap / time.Second), SecretCiphertext: sealed.Ciphertext, SecretKeyID: sealed.KeyID,
			SecretLast4: last4(sec), ActorID: &actorID, RevealSeconds: int32(secretReveal / time.Second), ProjectID: projectID,
		})
		if err != nil {
			return fmt.Errorf("integration: rotate bot secret: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("integration: rotate bot secret: no bot endpoint: %w", apperr.ErrNotFound)
		}
		return audit(ctx, q, projectID, nil, &actorID, ActionBotSecretRotated, "previous secret valid for 24h")
	})
}

// RevealBotSecret returns the new signing secret to the member who created
// or rotated it, until they hide it (HideBotSecret) or the display window
// closes; anyone else, or later, gets ok = false.
func RevealBotSecret(ctx context.Context, q db.DBTX, kr *secret.Keyring, projectID, userID int64) (sec string, ok bool, err error) {
	r, err := dbsqlc.New(q).PeekBotSecretReveal(ctx, dbsqlc.PeekBotSecretRevealParams{ProjectID: projectID, SecretRevealTo: &userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("integration: reveal bot secret: %w", err)
	}
	sec, err = kr.DecryptString(secret.Sealed{KeyID: r.SecretKeyID, Ciphertext: r.SecretCiphertext}, botSecretAAD(projectID))
	if err != nil {
		return "", false, fmt.Errorf("integration: reveal bot secret: %w", err)
	}
	return sec, true, nil
}

// HideBotSecret ends the display of a new secret once its member says they
// copied it.
func HideBotSecret(ctx context.Context, q db.DBTX, projectID, userID int64) error {
	if _, err := dbsqlc.New(q).HideBotSecretReveal(ctx, dbsqlc.HideBotSecretRevealParams{ProjectID: projectID, SecretRevealTo: &userID}); err != nil {
		return fmt.Errorf("integration: hide bot secret: %w", err)
	}
	return nil
}

// Bot is a project's bot endpoint as the bridge engine uses it.
type Bot struct {
	URL          string
	Timeout      time.Duration
	FallbackMode string
	// FallbackText is in the project's visitor language.
	FallbackText string
	// Secrets sign requests: the current one first, then the previous one
	// while it is within its overlap window.
	Secrets []string
	// PreviousUntil is when that window closes (zero: Secrets has only
	// the current one), so a holder of this value knows when to read again.
	PreviousUntil time.Time
}

// BotEndpoint loads and decrypts the project's bot endpoint for the bridge
// engine; apperr.ErrNotFound when the project has none.
func BotEndpoint(ctx context.Context, q db.DBTX, kr *secret.Keyring, projectID int64) (Bot, error) {
	r, err := dbsqlc.New(q).GetProjectBot(ctx, projectID)
	if err != nil {
		return Bot{}, notFound("bot endpoint", err)
	}
	b := r.ProjectBot
	aad := botSecretAAD(projectID)
	cur, err := kr.DecryptString(secret.Sealed{KeyID: b.SecretKeyID, Ciphertext: b.SecretCiphertext}, aad)
	if err != nil {
		return Bot{}, fmt.Errorf("integration: bot secret: %w", err)
	}
	out := Bot{
		URL: b.EndpointUrl, Timeout: time.Duration(b.TimeoutSeconds) * time.Second,
		FallbackMode: b.FallbackMode, FallbackText: b.FallbackText, Secrets: []string{cur},
	}
	if out.FallbackText == "" {
		out.FallbackText = DefaultFallbackText(b.VisitorLanguage)
	}
	if b.PreviousSecretCiphertext != nil && b.PreviousSecretKeyID != nil && b.PreviousValidUntil != nil && b.PreviousValidUntil.After(time.Now()) {
		prev, err := kr.DecryptString(secret.Sealed{KeyID: *b.PreviousSecretKeyID, Ciphertext: b.PreviousSecretCiphertext}, aad)
		if err != nil {
			return Bot{}, fmt.Errorf("integration: previous bot secret: %w", err)
		}
		out.Secrets = append(out.Secrets, prev)
		out.PreviousUntil = *b.PreviousValidUntil
	}
	return out, nil
}
