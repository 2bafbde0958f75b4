package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/botbridge/botbridge/internal/apperr"
)

// argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes)
// keeps a log-in under ~30 ms on a small machine while staying costly to crack.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// hashSlots bounds the argon2id computations running at once in this
// process: each holds 19 MiB for its whole run, so an unbounded burst of
// log-ins or sign-ups would take the memory of the machine. More at once
// than there are CPUs would not finish any sooner either.
var hashSlots = make(chan struct{}, max(1, runtime.NumCPU()))

// HashWait is how long a password waits for a free slot before the request
// is turned away as busy.
const HashWait = 2 * time.Second

// busyRetry is what a busy answer asks the client to wait.
const busyRetry = 5 * time.Second

type busyError struct{}

func (busyError) Error() string {
	return "auth: too many passwords being checked at once, try again shortly"
}

// Is makes errors.Is(err, apperr.ErrUnavailable) true (HTTP 503).
func (busyError) Is(target error) bool { return target == apperr.ErrUnavailable }

// Wait is the Retry-After of the busy answer.
func (busyError) Wait() time.Duration { return busyRetry }

// ErrBusy is returned when a password waited HashWait for a hashing slot.
var ErrBusy error = busyError{}

// withSlot runs fn while holding a hashing slot, waiting at most HashWait
// (or until ctx ends) for one.
func withSlot(ctx context.Context, fn func()) error {
	t := time.NewTimer(HashWait)
	defer t.Stop()
	select {
	case hashSlots <- struct{}{}:
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("auth: waiting to hash: %w", ctx.Err())
	}
	defer func() { <-hashSlots }()
	fn()
	return nil
}

// OccupyHashSlots takes every hashing slot until release is called, so
// tests can see what a saturated server answers.
func OccupyHashSlots() (release func()) {
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
	}
	return func() {
		for range cap(hashSlots) {
			<-hashSlots
		}
	}
}

// HashPassword returns an argon2id hash in the PHC string format, so the
// parameters travel with the hash and can be raised later. It waits for a
// hashing slot; ErrBusy when none came free in time.
func HashPassword(ctx context.Context, password string) (string, error) {
	var h string
	var err error
	if serr := withSlot(ctx, func() { h, err = hashPassword(password) }); serr != nil {
		return "", serr
	}
	return h, err
}

func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC-encoded hash, in
// constant time. It waits for a hashing slot like HashPassword.
func CheckPassword(ctx context.Context, encoded, password string) (bool, error) {
	var ok bool
	err := withSlot(ctx, func() { ok = verifyPassword(encoded, password) })
	return ok, err
}

func verifyPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the e-mail is unknown, so a failed
// log-in takes the same time whether or not the account exists.
var dummyHash, _ = hashPassword("botbridge-timing-equaliser")
