package mail_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// received is one message as the sink got it.
type received struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool
	AuthUser string
	AuthPass string
}

// parsed is a received message decoded the way a mail client would.
type parsed struct {
	Header  netmail.Header
	Subject string
	Body    string
}

// parse decodes headers (RFC 2047 words) and the text/plain body
// (quoted-printable or base64), normalising CRLF line ends to LF. SMTP
// carries whole lines, so a body without a final line break arrives with
// one; that one is dropped again.
func (r received) parse(t *testing.T) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(r.Data))
	require.NoError(t, err)
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	require.NoError(t, err)
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "text/plain", mt)
	require.Equal(t, "utf-8", strings.ToLower(params["charset"]))
	var body io.Reader = m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(m.Body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, m.Body)
	case "", "7bit", "8bit":
	default:
		t.Fatalf("unexpected transfer encoding %q", m.Header.Get("Content-Transfer-Encoding"))
	}
	b, err := io.ReadAll(body)
	require.NoError(t, err)
	text := strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	return parsed{Header: m.Header, Subject: subj, Body: text}
}

// sinkOptions shape the test SMTP server.
type sinkOptions struct {
	// TLS offers STARTTLS with this config (or, with Implicit, speaks TLS
	// from the start).
	TLS      *tls.Config
	Implicit bool
	// User and Pass, when set, require AUTH PLAIN with these credentials.
	User, Pass string
	// InsecureAuth offers AUTH PLAIN without TLS, as a careless server might.
	InsecureAuth bool
	// RejectRcpt, when set, answers RCPT TO with this error.
	RejectRcpt *smtp.SMTPError
}

// sink is an in-process SMTP server that records every message.
type sink struct {
	Addr string
	opt  sinkOptions
	srv  *smtp.Server
	mu   sync.Mutex
	msgs []received
	got  chan received
	// authTries counts AUTH exchanges that reached the credentials check.
	authTries int
}

// startSink serves SMTP on ln (nil: a fresh 127.0.0.1 port) until the test ends.
func startSink(t *testing.T, ln net.Listener, opt sinkOptions) *sink {
	t.Helper()
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
	}
	if opt.Implicit {
		ln = tls.NewListener(ln, opt.TLS)
	}
	s := &sink{Addr: ln.Addr().String(), opt: opt, got: make(chan received, 100)}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "sink.test"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	if !opt.Implicit {
		s.srv.TLSConfig = opt.TLS
	}
	s.srv.AllowInsecureAuth = opt.InsecureAuth
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = s.srv.Close()
		// Close races with Serve registering the listener: close it too.
		_ = ln.Close()
		<-done
	})
	return s
}

// Messages returns a copy of what arrived so far.
func (s *sink) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// AcceptAll stops rejecting recipients.
func (s *sink) AcceptAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.RejectRcpt = nil
}

// AuthTries is how many times a client sent credentials.
func (s *sink) AuthTries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authTries
}

// Wait returns the next message, failing the test after timeout.
func (s *sink) Wait(t *testing.T, timeout time.Duration) received {
	t.Helper()
	select {
	case r := <-s.got:
		return r
	case <-time.After(timeout):
		t.Fatalf("no mail arrived within %s", timeout)
	}
	return received{}
}

func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{sink: s, conn: c}, nil
}

type session struct {
	sink       *sink
	conn       *smtp.Conn
	authed     bool
	user, pass string
	from       string
	to         []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.sink.opt.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		ss.sink.mu.Lock()
		ss.sink.authTries++
		ss.sink.mu.Unlock()
		if user != ss.sink.opt.User || pass != ss.sink.opt.Pass {
			return errors.New("bad credentials")
		}
		ss.authed, ss.user, ss.pass = true, user, pass
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.opt.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.sink.mu.Lock()
	reject := ss.sink.opt.RejectRcpt
	ss.sink.mu.Unlock()
	if reject != nil {
		return reject
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m := received{From: ss.from, To: ss.to, Data: b, TLS: isTLS, AuthUser: ss.user, AuthPass: ss.pass}
	ss.sink.mu.Lock()
	ss.sink.msgs = append(ss.sink.msgs, m)
	ss.sink.mu.Unlock()
	ss.sink.got <- m
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sink.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, pool
}
