// Package integration holds a project's configured chat-platform
// integrations (Webim accounts), its bot endpoint and the audit log of
// changes to both. Secrets (Webim token, webhook key, bot signing secret)
// are stored only encrypted with the secret.Keyring, each bound to its row
// through the AAD; webhook keys are looked up by their SHA-256.
//
// Owner-facing functions take the project id and scope every read and
// write by it. The bridge engine's entry points (LookupByWebhookKey,
// GetByID, Token, BotEndpoint, MarkUnhealthy) are reached
// through an authenticated webhook or the engine's own stored events.
package integration

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/webim"
)

// Integration statuses.
const (
	StatusActive    = "active"
	StatusDisabled  = "disabled"
	StatusUnhealthy = "unhealthy"
)

// "Transfer to" targets.
const (
	TransferDepartment = "department"
	TransferOperator   = "operator"
)

// PlatformWebim is the only platform with a configuration form so far.
const PlatformWebim = "webim"

// WebhookKeyBytes is the webhook key's randomness: 192 bits, comfortably
// above the 128 the design asks for.
const WebhookKeyBytes = 24

// WebhookPath is where Webim posts events; the key follows it.
const WebhookPath = "/webhooks/webim/"

// maxWebhookKeyLen bounds what WebhookKeyHash hashes; real keys are 32
// characters.
const maxWebhookKeyLen = 256

// Env is what writes need beyond the database: the keyring for secrets and
// the outbound policy (plus DNS resolver) for checking tenant URLs.
type Env struct {
	Keyring  *secret.Keyring
	Outbound outbound.Policy
	// Resolver checks host names when a URL is saved; nil means the
	// system resolver.
	Resolver outbound.Resolver
}

// Integration is one configured Webim account of a project. It never holds
// a secret in clear: Token and WebhookKey decrypt on demand.
type Integration struct {
	ID              int64
	ProjectID       int64
	Platform        string
	Status          string
	UnhealthyReason string
	// Domain is the normalised scheme://host[:port] of the Webim account.
	Domain string
	// TokenLast4 is the end of the auth token, for "••••1234".
	TokenLast4 string
	TransferTo string
	// DepartmentID is set when TransferTo is department.
	DepartmentID string
	// OperatorID is set when TransferTo is operator.
	OperatorID int64
	// CreatedByEmail and UpdatedByEmail are empty when the account is gone
	// (and in rows loaded for the bridge engine).
	CreatedByEmail string
	UpdatedByEmail string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Version guards the Edit form against lost updates.
	Version int32
	// DeletedAt is set only on rows loaded with GetByID.
	DeletedAt *time.Time
	// LinkButtons: send link buttons as Webim keyboard buttons
	// (experimental, see webim.Options).
	LinkButtons bool
	// ChatEventsUser is the Basic user of the chat events URL; "" until
	// the owner creates its credentials.
	ChatEventsUser string

	chatEventsSecretHash []byte

	token      secret.Sealed
	webhookKey secret.Sealed
}

// AcceptsWebhooks reports whether the integration's webhook URL stores
// events: not deleted and not disabled by its owner (an unhealthy one keeps
// receiving, so nothing a visitor writes is lost while the token is fixed).
// The database names the same rule once, as the view
// integrations_accepting_webhooks (TestAcceptsWebhooksMatchesView).
func (i Integration) AcceptsWebhooks() bool {
	return i.DeletedAt == nil && (i.Status == StatusActive || i.Status == StatusUnhealthy)
}

// CanSend reports whether the bridge may call Webim for the integration:
// not deleted and active (an unhealthy token stays unused until its owner
// fixes it; a disabled integration sends nothing).
func (i Integration) CanSend() bool {
	return i.DeletedAt == nil && i.Status == StatusActive
}

// WebimTarget is the integration's "Transfer to" setting as Webim calls
// need it: the operator, else the department, else (neither set) the queue.
func (i Integration) WebimTarget() webim.Target {
	if i.TransferTo == "operator" {
		return webim.Target{OperatorID: i.OperatorID}
	}
	return webim.Target{DepKey: i.DepartmentID}
}

// TokenMask is how the token is shown: "••••" and its last 4 characters.
func (i Integration) TokenMask() string { return "••••" + i.TokenLast4 }

func tokenAAD(id int64) []byte { return []byte("integration:" + strconv.FormatInt(id, 10) + ":token") }
func webhookKeyAAD(id int64) []byte {
	return []byte("integration:" + strconv.FormatInt(id, 10) + ":webhook_key")
}

func fromRow(r dbsqlc.Integration, createdBy, updatedBy *string) Integration {
	in := Integration{
		ID: r.ID, ProjectID: r.ProjectID, Platform: r.Platform, Status: r.Status, UnhealthyReason: r.UnhealthyReason,
		Domain: r.Domain, TokenLast4: r.TokenLast4, TransferTo: r.TransferTo,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version, DeletedAt: r.DeletedAt,
		CreatedByEmail: deref(createdBy), UpdatedByEmail: deref(updatedBy),
		LinkButtons: r.LinkButtons, ChatEventsUser: r.ChatEventsUser, chatEventsSecretHash: r.ChatEventsSecretHash,
	}
	if r.DepartmentID != nil {
		in.DepartmentID = *r.DepartmentID
	}
	if r.OperatorID != nil {
		in.OperatorID = *r.OperatorID
	}
	if r.TokenCiphertext != nil && r.TokenKeyID != nil {
		in.token = secret.Sealed{KeyID: *r.TokenKeyID, Ciphertext: r.TokenCiphertext}
	}
	if r.WebhookKeyCiphertext != nil && r.WebhookKeyKeyID != nil {
		in.webhookKey = secret.Sealed{KeyID: *r.WebhookKeyKeyID, Ciphertext: r.WebhookKeyCiphertext}
	}
	return in
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func notFound(what string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("integration: %s: %w", what, apperr.ErrNotFound)
	}
	return fmt.Errorf("integration: %s: %w", what, err)
}

// Get loads a live integration of the project.
func Get(ctx context.Context, q db.DBTX, projectID, id int64) (Integration, error) {
	r, err := dbsqlc.New(q).GetIntegration(ctx, dbsqlc.GetIntegrationParams{ProjectID: projectID, ID: id})
	if err != nil {
		return Integration{}, notFound(fmt.Sprintf("get %d", id), err)
	}
	return fromRow(r.Integration, r.CreatedByEmail, r.UpdatedByEmail), nil
}

// List returns the project's live integrations, oldest first.
func List(ctx context.Context, q db.DBTX, projectID int64) ([]Integration, error) {
	rows, err := dbsqlc.New(q).ListIntegrations(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("integration: list: %w", err)
	}
	out := make([]Integration, len(rows))
	for i, r := range rows {
		out[i] = fromRow(r.Integration, r.CreatedByEmail, r.UpdatedByEmail)
	}
	return out, nil
}

// Create validates in, checks that the project was granted the platform,
// and stores a new integration with a fresh webhook key, auditing it.
func Create(ctx context.Context, conn db.Conn, env Env, projectID, actorID int64, platform string, in Input) (Integration, error) {
	if platform != PlatformWebim {
		return Integration{}, fmt.Errorf("integration: platform %q has no configuration form: %w", platform, apperr.ErrNotFound)
	}
	s, err := in.Validate(ctx, env, true)
	if err != nil {
		return Integration{}, err
	}
	var id int64
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		granted, err := q.PlatformGranted(ctx, dbsqlc.PlatformGrantedParams{ProjectID: projectID, Platform: platform})
		if err != nil {
			return fmt.Errorf("integration: check grant: %w", err)
		}
		if !granted {
			return fmt.Errorf("integration: %s not granted to project %d: %w", platform, projectID, ErrNotGranted)
		}
		if id, err = q.NextIntegrationID(ctx); err != nil {
			return fmt.Errorf("integration: next id: %w", err)
		}
		tok, err := env.Keyring.EncryptString(s.Token, tokenAAD(id))
		if err != nil {
			return err
		}
		key, err := secret.RandomToken(WebhookKeyBytes)
		if err != nil {
			return err
		}
		sealedKey, err := env.Keyring.EncryptString(key, webhookKeyAAD(id))
		if err != nil {
			return err
		}
		_, err = q.InsertIntegration(ctx, dbsqlc.InsertIntegrationParams{
			ID: id, ProjectID: projectID, Platform: platform, Domain: s.Domain,
			TokenCiphertext: tok.Ciphertext, TokenKeyID: &tok.KeyID, TokenLast4: last4(s.Token),
			TransferTo: s.TransferTo, DepartmentID: s.departmentPtr(), OperatorID: s.operatorPtr(),
			WebhookKeyHash: secret.HashToken(key), WebhookKeyCiphertext: sealedKey.Ciphertext, WebhookKeyKeyID: &sealedKey.KeyID,
			ActorID: &actorID,
		})
		if err != nil {
			return fmt.Errorf("integration: insert: %w", err)
		}
		return audit(ctx, q, projectID, &id, &actorID, ActionCreated, "domain="+s.Domain+" transfer="+s.target())
	})
	if err != nil {
		return Integration{}, err
	}
	return Get(ctx, conn, projectID, id)
}

// ErrNotGranted: the project may not configure this platform (no approved
// request). It is an apperr.ErrForbidden.
var ErrNotGranted = fmt.Errorf("platform not granted: %w", apperr.ErrForbidden)

// Update changes an integration's settings; a blank token keeps the old
// one. version is the one the form was rendered with: if someone changed
// the integration since, apperr.ErrConflict.
func Update(ctx context.Context, conn db.Conn, env Env, projectID, id, actorID int64, version int32, in Input) error {
	s, err := in.Validate(ctx, env, false)
	if err != nil {
		return err
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		cur, err := q.GetIntegrationForUpdate(ctx, dbsqlc.GetIntegrationForUpdateParams{ProjectID: projectID, ID: id})
		if err != nil {
			return notFound(fmt.Sprintf("update %d", id), err)
		}
		if cur.Version != version {
			return fmt.Errorf("integration %d: changed since the form was shown: %w", id, apperr.ErrConflict)
		}
		// The stored token goes wherever Domain points: moving it to another
		// host needs the token typed again, or whoever edits the form could
		// have the secret sent to a server of their choosing.
		if s.Token == "" && cur.Domain != s.Domain {
			return apperr.Validation{"token": "integration.token.domain_changed"}
		}
		tokCipher, tokKeyID, tokLast4 := cur.TokenCiphertext, cur.TokenKeyID, cur.TokenLast4
		var changes []string
		if s.Token != "" {
			tok, err := env.Keyring.EncryptString(s.Token, tokenAAD(id))
			if err != nil {
				return err
			}
			tokCipher, tokKeyID, tokLast4 = tok.Ciphertext, &tok.KeyID, last4(s.Token)
			changes = append(changes, "token=replaced")
		}
		if cur.Domain != s.Domain {
			changes = append(changes, "domain="+cur.Domain+"→"+s.Domain)
		}
		old := fromRow(cur, nil, nil)
		if prev := (Settings{TransferTo: old.TransferTo, DepartmentID: old.DepartmentID, OperatorID: old.OperatorID}).target(); prev != s.target() {
			changes = append(changes, "transfer="+prev+"→"+s.target())
		}
		_, err = q.UpdateIntegration(ctx, dbsqlc.UpdateIntegrationParams{
			Domain: s.Domain, TokenCiphertext: tokCipher, TokenKeyID: tokKeyID, TokenLast4: tokLast4,
			TransferTo: s.TransferTo, DepartmentID: s.departmentPtr(), OperatorID: s.operatorPtr(),
			ActorID: &actorID, ProjectID: projectID, ID: id, Version: version,
		})
		if err != nil {
			return notFound(fmt.Sprintf("update %d", id), err)
		}
		if len(changes) == 0 {
			changes = append(changes, "no changes")
		}
		return audit(ctx, q, projectID, &id, &actorID, ActionUpdated, strings.Join(changes, " "))
	})
}

// Disable stops an active or unhealthy integration: its webhook answers
// 404 until it is enabled again. Disabling a disabled one is a conflict.
func Disable(ctx context.Context, conn db.Conn, projectID, id, actorID int64) error {
	return setStatus(ctx, conn, projectID, id, actorID, StatusDisabled, []string{StatusActive, StatusUnhealthy}, ActionDisabled)
}

// Enable makes a disabled integration active again.
func Enable(ctx context.Context, conn db.Conn, projectID, id, actorID int64) error {
	return setStatus(ctx, conn, projectID, id, actorID, StatusActive, []string{StatusDisabled}, ActionEnabled)
}

func setStatus(ctx context.Context, conn db.Conn, projectID, id, actorID int64, to string, from []string, action string) error {
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		cur, err := q.GetIntegrationForUpdate(ctx, dbsqlc.GetIntegrationForUpdateParams{ProjectID: projectID, ID: id})
		if err != nil {
			return notFound(fmt.Sprintf("%s %d", action, id), err)
		}
		n, err := q.SetIntegrationStatus(ctx, dbsqlc.SetIntegrationStatusParams{
			Status: to, ActorID: &actorID, ProjectID: projectID, ID: id, FromStatuses: from,
		})
		if err != nil {
			return fmt.Errorf("integration: %s: %w", action, err)
		}
		if to == StatusActive {
			// A revoked grant disabled it: it stays off until the platform
			// is granted again (rolled back with the transaction).
			granted, err := q.PlatformGranted(ctx, dbsqlc.PlatformGrantedParams{ProjectID: projectID, Platform: cur.Platform})
			if err != nil {
				return fmt.Errorf("integration: check grant: %w", err)
			}
			if !granted {
				return fmt.Errorf("integration: %s not granted to project %d: %w", cur.Platform, projectID, ErrNotGranted)
			}
		}
		if n == 0 {
			return fmt.Errorf("integration %d is %s already: %w", id, cur.Status, apperr.ErrConflict)
		}
		return audit(ctx, q, projectID, &id, &actorID, action, "status="+cur.Status+"→"+to)
	})
}

// Delete removes an integration: its webhook stops at once and its secrets
// are wiped. The row stays (soft delete) for the audit log and the bridge
// engine's history.
func Delete(ctx context.Context, conn db.Conn, projectID, id, actorID int64) error {
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		cur, err := q.GetIntegrationForUpdate(ctx, dbsqlc.GetIntegrationForUpdateParams{ProjectID: projectID, ID: id})
		if err != nil {
			return notFound(fmt.Sprintf("delete %d", id), err)
		}
		if _, err := q.SoftDeleteIntegration(ctx, dbsqlc.SoftDeleteIntegrationParams{ActorID: &actorID, ProjectID: projectID, ID: id}); err != nil {
			return fmt.Errorf("integration: delete: %w", err)
		}
		return audit(ctx, q, projectID, &id, &actorID, ActionDeleted, "domain="+cur.Domain)
	})
}

// RotateWebhook gives the integration a new webhook key; the old one stops
// working at once. It returns the new key.
func RotateWebhook(ctx context.Context, conn db.Conn, kr *secret.Keyring, projectID, id, actorID int64) (string, error) {
	key, err := secret.RandomToken(WebhookKeyBytes)
	if err != nil {
		return "", err
	}
	sealed, err := kr.EncryptString(key, webhookKeyAAD(id))
	if err != nil {
		return "", err
	}
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		n, err := q.RotateIntegrationWebhook(ctx, dbsqlc.RotateIntegrationWebhookParams{
			WebhookKeyHash: secret.HashToken(key), WebhookKeyCiphertext: sealed.Ciphertext, WebhookKeyKeyID: &sealed.KeyID,
			ActorID: &actorID, ProjectID: projectID, ID: id,
		})
		if err != nil {
			return fmt.Errorf("integration: rotate webhook: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("integration: rotate webhook %d: %w", id, apperr.ErrNotFound)
		}
		return audit(ctx, q, projectID, &id, &actorID, ActionWebhookRotated, "")
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// Token decrypts the integration's Webim auth token. Never log or render it.
func Token(_ context.Context, kr *secret.Keyring, in Integration) (string, error) {
	if in.token.Ciphertext == nil {
		return "", fmt.Errorf("integration %d: no token (deleted): %w", in.ID, apperr.ErrNotFound)
	}
	tok, err := kr.DecryptString(in.token, tokenAAD(in.ID))
	if err != nil {
		return "", fmt.Errorf("integration %d: token: %w", in.ID, err)
	}
	return tok, nil
}

// WebhookKey decrypts the integration's current webhook key, so its page
// can show the webhook URL.
func WebhookKey(kr *secret.Keyring, in Integration) (string, error) {
	if in.webhookKey.Ciphertext == nil {
		return "", fmt.Errorf("integration %d: no webhook key (deleted): %w", in.ID, apperr.ErrNotFound)
	}
	key, err := kr.DecryptString(in.webhookKey, webhookKeyAAD(in.ID))
	if err != nil {
		return "", fmt.Errorf("integration %d: webhook key: %w", in.ID, err)
	}
	return key, nil
}

// WebhookURL is the address Webim posts to: BASE_URL + /webhooks/webim/{key}.
func WebhookURL(baseURL *url.URL, key string) string {
	u := url.URL{Scheme: "http", Host: "localhost"}
	if baseURL != nil {
		u = url.URL{Scheme: baseURL.Scheme, Host: baseURL.Host, Path: baseURL.Path}
	}
	u.Path = strings.TrimRight(u.Path, "/") + WebhookPath + key
	return u.String()
}

// WebhookKeyHash is the stored form of a webhook key (integrations.
// webhook_key_hash), by which the ingress finds the integration. A key that
// cannot be one (empty, or longer than any key we issue) is
// apperr.ErrNotFound at once.
func WebhookKeyHash(key string) ([]byte, error) {
	if key == "" || len(key) > maxWebhookKeyLen {
		return nil, fmt.Errorf("integration: webhook key: %w", apperr.ErrNotFound)
	}
	return secret.HashToken(key), nil
}

// LookupByWebhookKey finds the integration a Webim call belongs to, by the
// hash of the key in its URL. Disabled and deleted integrations (and
// unknown keys) are apperr.ErrNotFound.
func LookupByWebhookKey(ctx context.Context, q db.DBTX, key string) (Integration, error) {
	hash, err := WebhookKeyHash(key)
	if err != nil {
		return Integration{}, err
	}
	r, err := dbsqlc.New(q).LookupIntegrationByWebhook(ctx, hash)
	if err != nil {
		return Integration{}, notFound("webhook key", err)
	}
	return fromRow(dbsqlc.Integration(r), nil, nil), nil
}

// GetByID loads an integration for the bridge engine, deleted ones
// included (DeletedAt set). Not for tenant-facing code: it does not scope
// by project.
func GetByID(ctx context.Context, q db.DBTX, id int64) (Integration, error) {
	r, err := dbsqlc.New(q).GetIntegrationByID(ctx, id)
	if err != nil {
		return Integration{}, notFound(fmt.Sprintf("get %d", id), err)
	}
	return fromRow(r, nil, nil), nil
}

// MarkUnhealthy flags an active (or differently unhealthy) integration,
// e.g. after Webim refused its token, and audits it. changed is false when
// nothing changed (already unhealthy for this reason, or disabled), so
// callers notify owners once. A deleted or unknown id is ErrNotFound.
func MarkUnhealthy(ctx context.Context, q db.DBTX, id int64, reason string) (changed bool, err error) {
	reason = clip.Text(strings.TrimSpace(reason), 500)
	if reason == "" {
		reason = "unknown"
	}
	n, err := dbsqlc.New(q).MarkIntegrationUnhealthy(ctx, dbsqlc.MarkIntegrationUnhealthyParams{ID: id, Reason: reason})
	if err != nil {
		return false, fmt.Errorf("integration: mark unhealthy: %w", err)
	}
	if n > 0 {
		return true, nil
	}
	return false, exists(ctx, q, id)
}

func exists(ctx context.Context, q db.DBTX, id int64) error {
	ok, err := dbsqlc.New(q).IntegrationExists(ctx, id)
	if err != nil {
		return fmt.Errorf("integration: exists: %w", err)
	}
	if !ok {
		return fmt.Errorf("integration %d: %w", id, apperr.ErrNotFound)
	}
	return nil
}

func last4(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return ""
	}
	return string(r[len(r)-4:])
}

// Domain returns the Webim domain of one of the project's integrations,
// deleted ones included (their activity log stays readable); another
// project's id is apperr.ErrNotFound.
func Domain(ctx context.Context, q db.DBTX, projectID, id int64) (string, error) {
	d, err := dbsqlc.New(q).GetIntegrationDomain(ctx, dbsqlc.GetIntegrationDomainParams{ProjectID: projectID, ID: id})
	if err != nil {
		return "", notFound(fmt.Sprintf("domain %d", id), err)
	}
	return d, nil
}
