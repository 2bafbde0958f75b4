package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/mail"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testConfig loads a real Config with the given SMTP_URL ("" for none).
func testConfig(t *testing.T, smtpURL string, extra ...string) *config.Config {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL": "postgres://unused/for-tests",
		"APP_ENV":      "development",
		"SMTP_URL":     smtpURL,
		"MAIL_FROM":    "botbridge <noreply@bridge.test>",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	return cfg
}

func smtpSender(t *testing.T, cfg *config.Config) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSender(cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	ss, ok := s.(*mail.SMTPSender)
	require.True(t, ok, "SMTP_URL set must give an SMTPSender, got %T", s)
	return ss
}

// A long, non-ASCII body exercises quoted-printable soft line breaks and
// UTF-8; the subject exercises RFC 2047 encoded words.
const (
	testSubject = "Заявка «Webim» одобрена — project Ünïcode ✓"
	testBody    = "Hello,\n\nyour request for Webim in project \"Shop\" was approved. " +
		"This line is deliberately longer than seventy-six characters so that quoted-printable has to wrap it.\n" +
		"Привет! = equals sign and trailing spaces   \n\n-- \nbotbridge"
)

func TestSMTPSenderDeliversPlainSMTP(t *testing.T) {
	t.Parallel()
	sk := startSink(t, nil, sinkOptions{})
	s := smtpSender(t, testConfig(t, "smtp://"+sk.Addr))

	err := s.Send(context.Background(), mail.Message{To: "owner@example.com", Subject: testSubject, Body: testBody, Topic: "test"})
	require.NoError(t, err)

	got := sk.Wait(t, 5*time.Second)
	require.Equal(t, "noreply@bridge.test", got.From)
	require.Equal(t, []string{"owner@example.com"}, got.To)
	require.False(t, got.TLS, "the sink offers no STARTTLS")
	p := got.parse(t)
	require.Equal(t, testSubject, p.Subject)
	require.Equal(t, testBody, p.Body)
	from, err := p.Header.AddressList("From")
	require.NoError(t, err)
	require.Equal(t, "noreply@bridge.test", from[0].Address)
	require.Equal(t, "botbridge", from[0].Name)
	to, err := p.Header.AddressList("To")
	require.NoError(t, err)
	require.Equal(t, "owner@example.com", to[0].Address)
	require.Equal(t, "auto-generated", p.Header.Get("Auto-Submitted"))
	require.Regexp(t, `^<.+@.+>$`, p.Header.Get("Message-Id"))
	_, err = p.Header.Date()
	require.NoError(t, err)
	require.Len(t, sk.Messages(), 1)
}

func TestSMTPSenderUsesStartTLSAndAuthenticates(t *testing.T) {
	t.Parallel()
	tlsCfg, roots := selfSigned(t)
	sk := startSink(t, nil, sinkOptions{TLS: tlsCfg, User: "bot@bridge.test", Pass: "p:ss w@rd"})
	u := &url.URL{Scheme: "smtp", User: url.UserPassword("bot@bridge.test", "p:ss w@rd"), Host: sk.Addr}
	s := smtpSender(t, testConfig(t, u.String()))
	mail.TrustRoots(s, roots)

	require.NoError(t, s.Send(context.Background(), mail.Message{To: "owner@example.com", Subject: "Hi", Body: "Over TLS."}))
	got := sk.Wait(t, 5*time.Second)
	require.True(t, got.TLS, "STARTTLS is offered, so it must be used")
	require.Equal(t, "bot@bridge.test", got.AuthUser)
	require.Equal(t, "p:ss w@rd", got.AuthPass)
	require.Equal(t, "Over TLS.", got.parse(t).Body)
}

func TestSMTPSenderVerifiesStartTLSCertificate(t *testing.T) {
	t.Parallel()
	tlsCfg, _ := selfSigned(t)
	sk := startSink(t, nil, sinkOptions{TLS: tlsCfg})
	s := smtpSender(t, testConfig(t, "smtp://"+sk.Addr))
	// Not trusting the self-signed certificate: opportunistic STARTTLS must
	// still verify it rather than fall back to sending in the clear.
	err := s.Send(context.Background(), mail.Message{To: "owner@example.com", Subject: "Hi", Body: "x"})
	require.ErrorContains(t, err, "certificate")
	require.NotErrorIs(t, err, mail.ErrRejected)
	require.Empty(t, sk.Messages())
}

func TestSMTPSenderImplicitTLS(t *testing.T) {
	t.Parallel()
	tlsCfg, roots := selfSigned(t)
	sk := startSink(t, nil, sinkOptions{TLS: tlsCfg, Implicit: true, User: "u", Pass: "pw"})
	s := smtpSender(t, testConfig(t, "smtps://u:pw@"+sk.Addr))
	mail.TrustRoots(s, roots)

	require.NoError(t, s.Send(context.Background(), mail.Message{To: "Owner <owner@example.com>", Subject: "Implicit", Body: "Over smtps."}))
	got := sk.Wait(t, 5*time.Second)
	require.True(t, got.TLS)
	require.Equal(t, "u", got.AuthUser)
	require.Equal(t, []string{"owner@example.com"}, got.To)
	require.Equal(t, "Implicit", got.parse(t).Subject)
}

func TestSMTPSenderRefusesPasswordInTheClear(t *testing.T) {
	t.Parallel()
	// The sink offers AUTH PLAIN without TLS: the password must not be
	// sent, and the message must not go out unauthenticated either.
	sk := startSink(t, nil, sinkOptions{User: "u", Pass: "pw", InsecureAuth: true})
	s := smtpSender(t, testConfig(t, "smtp://u:pw@"+sk.Addr))
	err := s.Send(context.Background(), mail.Message{To: "owner@example.com", Subject: "Hi", Body: "x"})
	require.ErrorContains(t, err, "not able to detect a supported authentication mechanism")
	require.NotErrorIs(t, err, mail.ErrRejected)
	require.Zero(t, sk.AuthTries(), "credentials sent in the clear")
	require.Empty(t, sk.Messages())
}

func TestSMTPSenderClassifiesFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		reject    *smtp.SMTPError
		to        string
		permanent bool
	}{
		{"5xx recipient is permanent", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}, "nobody@example.com", true},
		{"4xx recipient is temporary", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try later"}, "busy@example.com", false},
		{"unparsable address is permanent", nil, "not an address", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sk := startSink(t, nil, sinkOptions{RejectRcpt: tc.reject})
			s := smtpSender(t, testConfig(t, "smtp://"+sk.Addr))
			err := s.Send(context.Background(), mail.Message{To: tc.to, Subject: "Hi", Body: "x"})
			require.Error(t, err)
			require.Equal(t, tc.permanent, errors.Is(err, mail.ErrRejected), "error: %v", err)
			require.Empty(t, sk.Messages())
		})
	}
}

func TestSMTPSenderServerDownIsTemporary(t *testing.T) {
	t.Parallel()
	addr := reservePort(t)
	s := smtpSender(t, testConfig(t, "smtp://"+addr))
	mail.SetTimeout(s, 2*time.Second)
	err := s.Send(context.Background(), mail.Message{To: "owner@example.com", Subject: "Hi", Body: "x"})
	require.Error(t, err)
	require.NotErrorIs(t, err, mail.ErrRejected)
	require.Contains(t, err.Error(), addr)
}

func TestNewSenderWithoutSMTPURLLogsTheMail(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	s, err := mail.NewSender(testConfig(t, ""), log)
	require.NoError(t, err)
	require.IsType(t, &mail.LogSender{}, s)
	require.NoError(t, s.Send(context.Background(), mail.Message{To: "owner@example.com", Subject: testSubject, Body: testBody, Topic: "request:1:approved"}))

	var rec map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rec), buf.String())
	require.Equal(t, "INFO", rec["level"])
	require.Equal(t, "owner@example.com", rec["to"])
	require.Equal(t, testSubject, rec["subject"])
	require.Equal(t, testBody, rec["body"])
	require.Equal(t, "request:1:approved", rec["topic"])
}

func TestNewSenderWithoutSMTPURLWarnsInProduction(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	_, err := mail.NewSender(testConfig(t, "", "APP_ENV", "production", "SECRET_KEY", strings.Repeat("k", 32), "METRICS_ADDR", "127.0.0.1:9090"), log)
	require.NoError(t, err)
	require.Contains(t, buf.String(), `"level":"WARN"`)
	require.Contains(t, buf.String(), "SMTP_URL is not set")
}

func TestNewSMTPSenderRejectsBadSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url, from, want string
	}{
		{"bad scheme", "http://mail.example.com", "a@b.c", "scheme"},
		{"bad port", "smtp://mail.example.com:0", "a@b.c", "port"},
		{"bad from", "smtp://mail.example.com", "not an address", "MAIL_FROM"},
	}
	for _, tc := range cases {
		u, err := url.Parse(tc.url)
		require.NoError(t, err)
		_, err = mail.NewSMTPSender(u, tc.from)
		require.ErrorContains(t, err, tc.want, tc.name)
	}
}

func TestBackoffGrowsWithJitterAndIsCapped(t *testing.T) {
	t.Parallel()
	cases := []struct {
		attempt int
		max     time.Duration
	}{
		{0, 15 * time.Second},
		{1, 15 * time.Second},
		{2, 30 * time.Second},
		{3, time.Minute},
		{8, 32 * time.Minute},
		{9, time.Hour},
		{19, time.Hour},
		{1000, time.Hour},
	}
	for _, tc := range cases {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := mail.Backoff(tc.attempt)
			require.LessOrEqual(t, d, tc.max, "attempt %d", tc.attempt)
			require.GreaterOrEqual(t, d, tc.max/2, "attempt %d", tc.attempt)
			seen[d] = true
		}
		require.Greater(t, len(seen), 1, "attempt %d: no jitter", tc.attempt)
	}
}

// reservePort finds a free loopback port and closes it again, so nothing
// listens there until the test starts a server on it.
func reservePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
