package mail

import (
	"crypto/x509"
	"time"
)

// TrustRoots makes s trust the test SMTP server's self-signed certificate.
func TrustRoots(s *SMTPSender, roots *x509.CertPool) { s.rootCAs = roots }

// SetTimeout shortens the SMTP timeout in tests.
func SetTimeout(s *SMTPSender, d time.Duration) { s.timeout = d }
