package web_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/mail"
)

// mailSink is an in-process SMTP server (as in internal/mail's tests) that
// keeps every message it is given, decoded the way a mail client would.
type mailSink struct {
	addr string
	mu   sync.Mutex
	msgs []sunkMail
}

// sunkMail is one received message.
type sunkMail struct {
	To      []string
	Subject string
	Body    string
}

func startSMTPSink(t *testing.T) *mailSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &mailSink{addr: ln.Addr().String()}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(); _ = ln.Close(); <-done })
	return s
}

func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailSinkSession{sink: s}, nil
}

// Messages returns what arrived so far.
func (s *mailSink) Messages() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.msgs...)
}

type mailSinkSession struct {
	sink *mailSink
	to   []string
}

func (ss *mailSinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *mailSinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *mailSinkSession) Reset()        { ss.to = nil }
func (ss *mailSinkSession) Logout() error { return nil }
func (ss *mailSinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return err
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	ss.sink.mu.Lock()
	ss.sink.msgs = append(ss.sink.msgs, sunkMail{To: ss.to, Subject: subj, Body: strings.ReplaceAll(string(b), "\r\n", "\n")})
	ss.sink.mu.Unlock()
	return nil
}

// deliverOutbox sends every unsent outbox message through the real mail
// worker and SMTP sender to the sink, as the River mail queue would.
func deliverOutbox(t *testing.T, pool *pgxpool.Pool, s *mailSink) {
	t.Helper()
	ctx := context.Background()
	sender, err := mail.NewSMTPSender(&url.URL{Scheme: "smtp", Host: s.addr}, "botbridge <noreply@bridge.test>")
	require.NoError(t, err)
	w := &mail.Worker{Pool: pool, Sender: sender}
	sent, err := mail.ListRecent(ctx, pool, 200)
	require.NoError(t, err)
	for _, m := range sent {
		if m.SentAt != nil {
			continue
		}
		job := &river.Job[mail.DeliverArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: mail.DeliverArgs{OutboxID: m.ID}}
		require.NoError(t, w.Work(ctx, job))
	}
}

// linkIn is the path of the botbridge link under prefix in a mail body.
func linkIn(t *testing.T, body, prefix string) string {
	t.Helper()
	for _, l := range mailLinkRE.FindAllStringSubmatch(body, -1) {
		if strings.HasPrefix(l[1], prefix) {
			return l[1]
		}
	}
	t.Fatalf("no %s link in %q", prefix, body)
	return ""
}
