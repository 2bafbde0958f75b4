// Package testfactory builds the rows tests stand on (users, projects,
// platform grants, integrations, bot endpoints) through botbridge's own
// domain functions, never by INSERTs of its own, so a test's world obeys
// the same rules as production data. Each function takes (ctx, tb, exec,
// *Opts): nil opts or nil fields mean sensible defaults, and a failure
// fails the test. Modelled on River's rivershared/testfactory.
//
// Only tests import this package.
package testfactory

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/secret"
)

// SecretKey is the key of the default keyring.
const SecretKey = "testfactory-secret-key-0123456789abcdef"

// Default values of the factories' fields.
const (
	Password     = "factory password 1"
	ProjectName  = "Factory shop"
	WebimToken   = "webim-token-1234"
	WebimDomain  = "http://127.0.0.1:9"
	Department   = "sales"
	BotURL       = "http://127.0.0.1:9/hook"
	BotTimeout   = "2"
	FallbackText = "Connecting you."
)

var seq atomic.Int64

// Keyring returns a keyring for key, or for SecretKey when key is "".
func Keyring(tb testing.TB, key string) *secret.Keyring {
	tb.Helper()
	if key == "" {
		key = SecretKey
	}
	kr, err := secret.NewKeyring(key)
	require.NoError(tb, err)
	return kr
}

// Env is the integration environment tests use: kr (the default keyring
// when nil) and outbound calls allowed to loopback, where the fakes listen.
func Env(tb testing.TB, kr *secret.Keyring) integration.Env {
	tb.Helper()
	if kr == nil {
		kr = Keyring(tb, "")
	}
	return integration.Env{Keyring: kr, Outbound: outbound.Policy{AllowLocal: true}}
}

// UserOpts are the fields of a user; all optional.
type UserOpts struct {
	// Email defaults to a fresh user-N@example.com.
	Email *string
	// Password defaults to Password.
	Password *string
	// Role defaults to auth.RoleOwner.
	Role *auth.Role
	// Unverified leaves the e-mail address unproved (accounts are
	// verified by default, so tests not about verification can file
	// requests), for tests of the verification gates.
	Unverified bool
}

// User creates an account with auth.CreateUser.
func User(ctx context.Context, tb testing.TB, exec db.DBTX, opts *UserOpts) auth.User {
	tb.Helper()
	if opts == nil {
		opts = &UserOpts{}
	}
	email := valOr(opts.Email, func() string { return fmt.Sprintf("user-%d@example.com", seq.Add(1)) })
	u, err := auth.CreateUser(ctx, exec, email, valOr(opts.Password, constant(Password)), valOr(opts.Role, constant(auth.RoleOwner)))
	require.NoError(tb, err)
	if !opts.Unverified {
		require.NoError(tb, auth.MarkVerified(ctx, exec, u.ID))
		u.Verified = true
	}
	return u
}

// ProjectOpts are the fields of a project; all optional.
type ProjectOpts struct {
	// Name defaults to ProjectName.
	Name *string
	// OwnerID defaults to a new owner made by User.
	OwnerID *int64
}

// Project creates a project with project.Create.
func Project(ctx context.Context, tb testing.TB, exec db.Conn, opts *ProjectOpts) project.Project {
	tb.Helper()
	if opts == nil {
		opts = &ProjectOpts{}
	}
	owner := valOr(opts.OwnerID, func() int64 { return User(ctx, tb, exec, nil).ID })
	p, err := project.Create(ctx, exec, owner, valOr(opts.Name, constant(ProjectName)))
	require.NoError(tb, err)
	return p
}

// GrantOpts say which platform is enabled for which project.
type GrantOpts struct {
	// ProjectID is required.
	ProjectID int64
	// GrantedBy is required (the approving user; owners may stand in).
	GrantedBy int64
	// Platform defaults to Webim.
	Platform *string
}

// Grant enables a platform for a project with request.Grant, as an
// approved request does.
func Grant(ctx context.Context, tb testing.TB, exec db.DBTX, opts *GrantOpts) {
	tb.Helper()
	require.NotNil(tb, opts, "testfactory.Grant: ProjectID and GrantedBy are required")
	require.NotZero(tb, opts.ProjectID, "testfactory.Grant: ProjectID is required")
	require.NotZero(tb, opts.GrantedBy, "testfactory.Grant: GrantedBy is required")
	require.NoError(tb, request.Grant(ctx, exec, opts.ProjectID, valOr(opts.Platform, constant(integration.PlatformWebim)), opts.GrantedBy))
}

// IntegrationOpts are the fields of a Webim integration.
type IntegrationOpts struct {
	// ProjectID is required; the project must have Webim granted.
	ProjectID int64
	// ActorID is required: the member who creates it.
	ActorID int64
	// Keyring encrypts the secrets; the default keyring when nil.
	Keyring *secret.Keyring
	// Input defaults to WebimToken at WebimDomain, transferring to
	// department Department.
	Input *integration.Input
}

// Integration is a created integration and its webhook key in clear.
type Integration struct {
	integration.Integration
	WebhookKey string
}

// DefaultInput is the integration Input the factory uses by default.
func DefaultInput() integration.Input {
	return integration.Input{Token: WebimToken, Domain: WebimDomain, TransferTo: "department", DepartmentID: Department}
}

// NewIntegration creates a Webim integration with integration.Create.
func NewIntegration(ctx context.Context, tb testing.TB, exec db.Conn, opts *IntegrationOpts) Integration {
	tb.Helper()
	require.NotNil(tb, opts, "testfactory.NewIntegration: ProjectID and ActorID are required")
	require.NotZero(tb, opts.ProjectID, "testfactory.NewIntegration: ProjectID is required")
	require.NotZero(tb, opts.ActorID, "testfactory.NewIntegration: ActorID is required")
	env := Env(tb, opts.Keyring)
	in, err := integration.Create(ctx, exec, env, opts.ProjectID, opts.ActorID, integration.PlatformWebim, valOr(opts.Input, DefaultInput))
	require.NoError(tb, err)
	key, err := integration.WebhookKey(env.Keyring, in)
	require.NoError(tb, err)
	return Integration{Integration: in, WebhookKey: key}
}

// BotOpts are the fields of a project's bot endpoint.
type BotOpts struct {
	// ProjectID is required.
	ProjectID int64
	// ActorID is required: the member who saves it.
	ActorID int64
	// Keyring encrypts the signing secret; the default keyring when nil.
	Keyring *secret.Keyring
	// Input defaults to DefaultBotInput.
	Input *integration.BotInput
}

// DefaultBotInput is the bot endpoint form the factory submits by default.
func DefaultBotInput() integration.BotInput {
	return integration.BotInput{URL: BotURL, Timeout: BotTimeout, FallbackMode: integration.FallbackTransfer, FallbackText: FallbackText}
}

// Bot saves a bot endpoint with integration.SaveBot and returns it as the
// bridge engine loads it (with its signing secrets).
func Bot(ctx context.Context, tb testing.TB, exec db.Conn, opts *BotOpts) integration.Bot {
	tb.Helper()
	require.NotNil(tb, opts, "testfactory.Bot: ProjectID and ActorID are required")
	require.NotZero(tb, opts.ProjectID, "testfactory.Bot: ProjectID is required")
	require.NotZero(tb, opts.ActorID, "testfactory.Bot: ActorID is required")
	env := Env(tb, opts.Keyring)
	_, err := integration.SaveBot(ctx, exec, env, opts.ProjectID, opts.ActorID, valOr(opts.Input, DefaultBotInput))
	require.NoError(tb, err)
	b, err := integration.BotEndpoint(ctx, exec, env.Keyring, opts.ProjectID)
	require.NoError(tb, err)
	return b
}

// TenantOpts describe an owner's project wired for the bridge; all optional.
type TenantOpts struct {
	// Owner are the owner's fields (see UserOpts).
	Owner *UserOpts
	// ProjectName defaults to ProjectName.
	ProjectName *string
	// NoGrant leaves Webim not enabled for the project (then there can be
	// no integrations).
	NoGrant bool
	// Keyring encrypts the secrets; the default keyring when nil.
	Keyring *secret.Keyring
	// Integrations are created in order; nil means one with DefaultInput,
	// an empty non-nil slice none.
	Integrations []integration.Input
	// Bot is the bot endpoint to save; none when nil.
	Bot *integration.BotInput
}

// Tenant is what TenantFor built.
type Tenant struct {
	Owner        auth.User
	Project      project.Project
	Integrations []Integration
	// Bot is the saved bot endpoint; nil when TenantOpts.Bot was nil.
	Bot *integration.Bot
}

// Integration is the first integration.
func (t *Tenant) Integration() Integration { return t.Integrations[0] }

// NewTenant makes the world most bridge-facing tests need: an owner, their
// project with Webim granted, its integrations and optionally a bot endpoint.
func NewTenant(ctx context.Context, tb testing.TB, exec db.Conn, opts *TenantOpts) *Tenant {
	tb.Helper()
	if opts == nil {
		opts = &TenantOpts{}
	}
	t := &Tenant{Owner: User(ctx, tb, exec, opts.Owner)}
	t.Project = Project(ctx, tb, exec, &ProjectOpts{Name: opts.ProjectName, OwnerID: &t.Owner.ID})
	if opts.NoGrant {
		require.Empty(tb, opts.Integrations, "testfactory.NewTenant: integrations need the Webim grant")
		return t
	}
	Grant(ctx, tb, exec, &GrantOpts{ProjectID: t.Project.ID, GrantedBy: t.Owner.ID})
	inputs := opts.Integrations
	if inputs == nil {
		inputs = []integration.Input{DefaultInput()}
	}
	for _, in := range inputs {
		t.Integrations = append(t.Integrations, NewIntegration(ctx, tb, exec, &IntegrationOpts{
			ProjectID: t.Project.ID, ActorID: t.Owner.ID, Keyring: opts.Keyring, Input: &in}))
	}
	if opts.Bot != nil {
		b := Bot(ctx, tb, exec, &BotOpts{ProjectID: t.Project.ID, ActorID: t.Owner.ID, Keyring: opts.Keyring, Input: opts.Bot})
		t.Bot = &b
	}
	return t
}

// Ptr returns a pointer to v, for the optional fields of the Opts.
func Ptr[T any](v T) *T { return &v }

func valOr[T any](p *T, def func() T) T {
	if p != nil {
		return *p
	}
	return def()
}

func constant[T any](v T) func() T { return func() T { return v } }
