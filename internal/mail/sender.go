package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/botbridge/botbridge/internal/config"
)

// Sender hands one message to the mail system.
type Sender interface {
	Send(ctx context.Context, msg Message) error
}

// ErrRejected marks a permanent failure for this message (the server
// refused the recipient with a 5xx reply, or the address cannot be parsed):
// retrying cannot help, so the delivery job is cancelled.
var ErrRejected = errors.New("mail: rejected permanently")

// NewSender builds the Sender the configuration asks for: SMTP when
// SMTP_URL is set, otherwise a LogSender (development; in production it
// warns, because nobody will receive the mail).
func NewSender(cfg *config.Config, log *slog.Logger) (Sender, error) {
	if log == nil {
		log = slog.Default()
	}
	if cfg.SMTPURL == nil {
		if !cfg.Dev() {
			log.Warn("SMTP_URL is not set: e-mail is written to the log only, nobody receives it")
		}
		return &LogSender{Log: log}, nil
	}
	return NewSMTPSender(cfg.SMTPURL, cfg.MailFrom)
}

// LogSender writes each message to the log instead of sending it, so
// `make run` works without a mail server (the dev page shows them too).
type LogSender struct {
	Log *slog.Logger
}

// Send logs the recipient, subject and body at info level.
func (s *LogSender) Send(ctx context.Context, msg Message) error {
	s.Log.InfoContext(ctx, "mail (not sent: SMTP_URL is not set)",
		slog.String("to", msg.To), slog.String("subject", msg.Subject),
		slog.String("topic", msg.Topic), slog.String("body", msg.Body))
	return nil
}

// SMTPTimeout bounds connecting and each SMTP command, so a hung server
// cannot hold a delivery worker for long.
const SMTPTimeout = 30 * time.Second

// SMTPSender delivers over SMTP with go-mail. smtp://host:port uses
// STARTTLS when the server offers it (opportunistic; certificates are
// verified when it is used) and smtps://host:465 uses implicit TLS. With
// user:password in the URL it authenticates, choosing the strongest
// mechanism the server offers and never sending a password in the clear
// (PLAIN and LOGIN only over TLS). It opens one connection per message,
// which suits the low volume of notification mail and keeps it safe for
// concurrent workers.
type SMTPSender struct {
	host     string
	port     int
	implicit bool // smtps://
	user     string
	pass     string
	from     string
	domain   string // of the From address, for Message-IDs
	timeout  time.Duration
	rootCAs  *x509.CertPool // nil: the system roots (tests trust their own)
}

// NewSMTPSender builds a sender for an smtp:// or smtps:// URL and a From
// address such as "botbridge <noreply@example.com>". Without a port,
// smtp:// uses 25 and smtps:// 465.
func NewSMTPSender(u *url.URL, from string) (*SMTPSender, error) {
	if u == nil || u.Hostname() == "" {
		return nil, errors.New("mail: SMTP_URL has no host")
	}
	s := &SMTPSender{host: u.Hostname(), from: from, timeout: SMTPTimeout}
	switch u.Scheme {
	case "smtp":
		s.port = 25
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("mail: SMTP_URL scheme must be smtp or smtps, got %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: SMTP_URL port %q is not a port number", p)
		}
		s.port = n
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: MAIL_FROM %q is not an e-mail address: %w", from, err)
	}
	s.domain = addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
	return s, nil
}

// Send delivers msg. Errors wrap ErrRejected when retrying cannot help.
func (s *SMTPSender) Send(ctx context.Context, msg Message) error {
	m := gomail.NewMsg()
	if err := m.From(s.from); err != nil {
		return fmt.Errorf("mail: from %q: %w", s.from, err)
	}
	if err := m.To(msg.To); err != nil {
		return fmt.Errorf("%w: recipient %q: %v", ErrRejected, msg.To, err)
	}
	m.Subject(msg.Subject)
	m.SetDate()
	if msg.ref != "" {
		m.SetMessageIDWithValue(msg.ref + "@" + s.domain)
	} else {
		m.SetMessageID()
	}
	// RFC 3834: notifications must not trigger vacation auto-replies.
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, msg.Body)

	c, err := gomail.NewClient(s.host, s.options()...)
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("mail: connect to %s:%d: %w", s.host, s.port, err)
	}
	if err := c.SendWithSMTPClient(sc, m); err != nil {
		_ = c.CloseWithSMTPClient(sc)
		if permanent(err) {
			return fmt.Errorf("%w: %v", ErrRejected, err)
		}
		return fmt.Errorf("mail: send: %w", err)
	}
	// The server has accepted the message: a failing QUIT must not make the
	// caller retry and send it twice.
	_ = c.CloseWithSMTPClient(sc)
	return nil
}

func (s *SMTPSender) options() []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12, RootCAs: s.rootCAs}),
	}
	if s.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	return opts
}

// permanent reports a 5xx reply to RCPT TO: this recipient will never be
// accepted. Other 5xx replies (MAIL FROM, DATA) more often mean a
// misconfigured sender or a server problem that an operator fixes, so those
// keep being retried.
func permanent(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	return se.Reason == gomail.ErrSMTPRcptTo && se.ErrorCode() >= 500 && se.ErrorCode() < 600
}
