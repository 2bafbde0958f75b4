package integration

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/outbound"
)

// Field limits of the Webim form.
const (
	MinTokenLen     = 8
	MaxTokenLen     = 512
	MaxDepartmentID = 64
	// maxURLInput bounds what is parsed and resolved at all.
	maxURLInput = 2048
)

// lookupTimeout bounds the DNS check of a saved URL, so a slow resolver
// cannot hold a form submission for long.
const lookupTimeout = 5 * time.Second

var (
	departmentRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	operatorRe   = regexp.MustCompile(`^[0-9]{1,18}$`)
)

// Input is the Webim form as submitted: raw strings, field names as in the
// form (token, domain, transfer_to, department_id, operator_id).
type Input struct {
	Token        string
	Domain       string
	TransferTo   string
	DepartmentID string
	OperatorID   string
}

// Settings is a validated Input. Only the transfer target that applies is
// set; the other one is dropped.
type Settings struct {
	// Token is empty when an edit keeps the stored token.
	Token        string
	Domain       string
	TransferTo   string
	DepartmentID string
	OperatorID   int64
}

func (s Settings) departmentPtr() *string {
	if s.TransferTo != TransferDepartment {
		return nil
	}
	return &s.DepartmentID
}

func (s Settings) operatorPtr() *int64 {
	if s.TransferTo != TransferOperator {
		return nil
	}
	return &s.OperatorID
}

// target describes the transfer target for the audit log.
func (s Settings) target() string {
	if s.TransferTo == TransferOperator {
		return "operator:" + strconv.FormatInt(s.OperatorID, 10)
	}
	return "department:" + s.DepartmentID
}

// Validate checks every field and normalises the domain (including the DNS
// check against the outbound policy). requireToken is false for edits,
// where a blank token keeps the stored one. Errors are an apperr.Validation
// keyed by form field, with message-catalog keys as values.
func (in Input) Validate(ctx context.Context, env Env, requireToken bool) (Settings, error) {
	v := apperr.Validation{}
	var s Settings

	s.Token = strings.TrimSpace(in.Token)
	if key := validateToken(s.Token, requireToken); key != "" {
		v.Add("token", key)
	}

	if domain, err := checkURL(ctx, env, in.Domain, true); err != nil {
		v.Add("domain", domainKeys[urlProblem(err)])
	} else {
		s.Domain = domain
	}

	s.TransferTo = in.TransferTo
	switch in.TransferTo {
	case TransferDepartment:
		dep := strings.TrimSpace(in.DepartmentID)
		switch {
		case dep == "":
			v.Add("department_id", "integration.department_id.required")
		case len(dep) > MaxDepartmentID:
			v.Add("department_id", "integration.department_id.long")
		case !departmentRe.MatchString(dep):
			v.Add("department_id", "integration.department_id.invalid")
		default:
			s.DepartmentID = dep
		}
	case TransferOperator:
		op := strings.TrimSpace(in.OperatorID)
		n, err := strconv.ParseInt(op, 10, 64)
		switch {
		case op == "":
			v.Add("operator_id", "integration.operator_id.required")
		case !operatorRe.MatchString(op) || err != nil || n <= 0:
			v.Add("operator_id", "integration.operator_id.invalid")
		default:
			s.OperatorID = n
		}
	default:
		v.Add("transfer_to", "integration.transfer_to.invalid")
	}
	if err := v.Err(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

func validateToken(tok string, required bool) string {
	if tok == "" {
		if required {
			return "integration.token.required"
		}
		return ""
	}
	switch n := len([]rune(tok)); {
	case n < MinTokenLen:
		return "integration.token.short"
	case n > MaxTokenLen:
		return "integration.token.long"
	}
	// Printable ASCII without spaces: the token travels in HTTP requests
	// to Webim, and a stray space or invisible character from a paste is
	// better caught here than as a 401 later.
	for _, r := range tok {
		if r < 0x21 || r > 0x7e {
			return "integration.token.chars"
		}
	}
	return ""
}

// checkURL normalises a tenant URL (a Webim domain or a bot endpoint) and
// checks where it resolves to.
func checkURL(ctx context.Context, env Env, raw string, domain bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxURLInput {
		return "", errTooLong
	}
	var norm string
	var err error
	if domain {
		norm, err = outbound.NormalizeDomain(raw, env.Outbound)
	} else {
		norm, err = outbound.NormalizeEndpoint(raw, env.Outbound)
	}
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	if err := outbound.CheckURL(ctx, env.Outbound, norm, env.Resolver); err != nil {
		return "", err
	}
	return norm, nil
}

var errTooLong = errors.New("integration: address too long")

// urlProblems maps outbound's form messages to the suffix of our catalog
// keys, so each form can word them for its own field. A test runs every
// case through outbound, so a changed message there fails loudly here.
var urlProblems = map[string]string{
	"Enter an address":                                                        "empty",
	"The address must not contain spaces":                                     "spaces",
	"This is not a valid web address":                                         "invalid",
	"The address must start with https://":                                    "https",
	"The address must start with https:// or http://":                         "https_or_http",
	"The address must not contain a user name or password":                    "userinfo",
	"The address must include a host name":                                    "no_host",
	"This is not a valid host name":                                           "bad_host",
	"Enter a full host name, like example.com":                                "short_host",
	"The port must be a number from 1 to 65535":                               "port",
	"This port is not allowed; leave it out to use the standard port 443":     "port_not_allowed",
	"The address must not contain a fragment (the part after #)":              "fragment",
	"Enter the domain only, without a path":                                   "path",
	"Enter the domain only, without a query (the part after ?)":               "query",
	"This address points to a private or local network, which is not allowed": "forbidden",
	"This host name could not be found":                                       "not_found",
	"This host name could not be looked up right now, try again later":        "lookup_failed",
}

// domainKeys are the catalog keys of the domain field's problems, spelled out
// so the catalog test sees every one.
var domainKeys = map[string]string{
	"empty":            "integration.domain.empty",
	"spaces":           "integration.domain.spaces",
	"invalid":          "integration.domain.invalid",
	"https":            "integration.domain.https",
	"https_or_http":    "integration.domain.https_or_http",
	"userinfo":         "integration.domain.userinfo",
	"no_host":          "integration.domain.no_host",
	"bad_host":         "integration.domain.bad_host",
	"short_host":       "integration.domain.short_host",
	"port":             "integration.domain.port",
	"port_not_allowed": "integration.domain.port_not_allowed",
	"fragment":         "integration.domain.fragment",
	"path":             "integration.domain.path",
	"query":            "integration.domain.query",
	"forbidden":        "integration.domain.forbidden",
	"not_found":        "integration.domain.not_found",
	"lookup_failed":    "integration.domain.lookup_failed",
	"long":             "integration.domain.long",
}

// botURLKeys are the catalog keys of the bot URL field's problems.
var botURLKeys = map[string]string{
	"empty":            "bot.endpoint_url.empty",
	"spaces":           "bot.endpoint_url.spaces",
	"invalid":          "bot.endpoint_url.invalid",
	"https":            "bot.endpoint_url.https",
	"https_or_http":    "bot.endpoint_url.https_or_http",
	"userinfo":         "bot.endpoint_url.userinfo",
	"no_host":          "bot.endpoint_url.no_host",
	"bad_host":         "bot.endpoint_url.bad_host",
	"short_host":       "bot.endpoint_url.short_host",
	"port":             "bot.endpoint_url.port",
	"port_not_allowed": "bot.endpoint_url.port_not_allowed",
	"fragment":         "bot.endpoint_url.fragment",
	"path":             "bot.endpoint_url.path",
	"query":            "bot.endpoint_url.query",
	"forbidden":        "bot.endpoint_url.forbidden",
	"not_found":        "bot.endpoint_url.not_found",
	"lookup_failed":    "bot.endpoint_url.lookup_failed",
	"long":             "bot.endpoint_url.long",
}

// DomainErrorKey is the catalog key that words a problem with a Webim
// domain (an error of outbound.NormalizeDomain or of checking it), for any
// form with such a field.
func DomainErrorKey(err error) string { return domainKeys[urlProblem(err)] }

func urlProblem(err error) string {
	if errors.Is(err, errTooLong) {
		return "long"
	}
	if p, ok := urlProblems[err.Error()]; ok {
		return p
	}
	if errors.Is(err, outbound.ErrForbiddenAddress) {
		return "forbidden"
	}
	return "invalid"
}
