// Package secret encrypts integration secrets at rest and holds the small
// token and key-derivation helpers the rest of botbridge builds on, so every
// use of SECRET_KEY goes through one audited place.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/botbridge/botbridge/internal/apperr"
)

// MinKeyLength is the shortest SECRET_KEY accepted; HKDF cannot add entropy,
// so a short key would make every derived key guessable.
const MinKeyLength = 32

// hkdfInfo versions the encryption key so a future scheme can derive a
// different key from the same SECRET_KEY.
const hkdfInfo = "botbridge/secret/v1"

// derivePrefix keeps DeriveKey's keys apart from the encryption key even if a
// caller picks the purpose "secret/v1".
const derivePrefix = "botbridge/derive/"

// nonceSize is the standard 96-bit GCM nonce; random nonces of this size are
// safe for far more secrets than botbridge will ever store under one key.
const nonceSize = 12

var (
	// ErrUnknownKey means the ciphertext was sealed under a key that is not in
	// the keyring, usually because an old key was dropped too early.
	ErrUnknownKey = errors.New("secret: unknown key id")
	// ErrDecrypt means authentication failed: wrong key, wrong AAD or a
	// tampered ciphertext. GCM cannot tell these apart, and neither do we.
	ErrDecrypt = errors.New("secret: decryption failed")
)

// Sealed is a ciphertext together with the id of the key that sealed it, so
// both can be stored side by side and keys can rotate.
type Sealed struct {
	// KeyID names the keyring key; it is a hash, never key material.
	KeyID string
	// Ciphertext is the nonce followed by the GCM output (ciphertext + tag).
	Ciphertext []byte
}

// Keyring encrypts under the current key and decrypts under any known key,
// which is what lets SECRET_KEY rotate without re-encrypting everything at once.
type Keyring struct {
	currentID string
	aeads     map[string]cipher.AEAD
}

// NewKeyring derives the current key from secretKey and decryption-only keys
// from oldKeys (previous values of SECRET_KEY).
func NewKeyring(secretKey string, oldKeys ...string) (*Keyring, error) {
	kr := &Keyring{aeads: make(map[string]cipher.AEAD, 1+len(oldKeys))}
	seen := make(map[string]string, 1+len(oldKeys))
	for i, raw := range append([]string{secretKey}, oldKeys...) {
		if len(raw) < MinKeyLength {
			which := "secret key"
			if i > 0 {
				which = fmt.Sprintf("old secret key #%d", i)
			}
			return nil, fmt.Errorf("secret: %s must be at least %d characters: %w", which, MinKeyLength, apperr.ErrInvalid)
		}
		key := hkdfKey(raw, hkdfInfo)
		id := keyID(key)
		if prev, ok := seen[id]; ok {
			if prev == raw {
				continue // the same key listed twice is harmless
			}
			return nil, fmt.Errorf("secret: two different keys share key id %s; replace one of them: %w", id, apperr.ErrInvalid)
		}
		seen[id] = raw
		aead, err := newAEAD(key)
		if err != nil {
			return nil, err
		}
		kr.aeads[id] = aead
		if i == 0 {
			kr.currentID = id
		}
	}
	return kr, nil
}

// KeyID is the id of the current key; rows sealed under another id are due
// for re-encryption.
func (k *Keyring) KeyID() string { return k.currentID }

// Encrypt seals plaintext under the current key. aad is authenticated but not
// stored: pass something identifying the row (e.g. the integration id) so a
// ciphertext copied onto another row fails to decrypt.
func (k *Keyring) Encrypt(plaintext, aad []byte) (Sealed, error) {
	aead := k.aeads[k.currentID]
	out := make([]byte, nonceSize, nonceSize+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return Sealed{}, fmt.Errorf("secret: read nonce: %w", err)
	}
	out = aead.Seal(out, out[:nonceSize], plaintext, aad)
	return Sealed{KeyID: k.currentID, Ciphertext: out}, nil
}

// Decrypt opens s with the key named by s.KeyID, current or old, and the same
// aad that was given to Encrypt.
func (k *Keyring) Decrypt(s Sealed, aad []byte) ([]byte, error) {
	aead, ok := k.aeads[s.KeyID]
	if !ok {
		return nil, fmt.Errorf("%w %q: the key that sealed this secret is no longer configured; add it back as an old key", ErrUnknownKey, s.KeyID)
	}
	if len(s.Ciphertext) < nonceSize+aead.Overhead() {
		return nil, fmt.Errorf("%w: ciphertext too short", ErrDecrypt)
	}
	plain, err := aead.Open(nil, s.Ciphertext[:nonceSize], s.Ciphertext[nonceSize:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}

// EncryptString is Encrypt for the common case of a token held as a string.
func (k *Keyring) EncryptString(plaintext string, aad []byte) (Sealed, error) {
	return k.Encrypt([]byte(plaintext), aad)
}

// DecryptString is Decrypt for secrets that were stored with EncryptString.
func (k *Keyring) DecryptString(s Sealed, aad []byte) (string, error) {
	b, err := k.Decrypt(s, aad)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// DeriveKey returns a 32-byte key for purpose (e.g. "flash-cookie"), so one
// SECRET_KEY can feed independent keys that never equal the encryption key.
func DeriveKey(secretKey, purpose string) []byte {
	return hkdfKey(secretKey, derivePrefix+purpose)
}

// RandomToken returns nbytes from crypto/rand as unpadded base64url, safe in
// URLs and cookies. Use at least 16 bytes for anything that guards access.
func RandomToken(nbytes int) (string, error) {
	if nbytes < 1 {
		return "", fmt.Errorf("secret: token length %d: %w", nbytes, apperr.ErrInvalid)
	}
	b := make([]byte, nbytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("secret: read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is the at-rest form of webhook keys and session tokens: a plain
// SHA-256 suffices because the tokens are high-entropy, and it stays
// deterministic so rows can be looked up by it.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Mask shows enough of a secret for the owner to recognise it without
// revealing it: "••••" plus the last 4 characters, or only "••••" when the
// secret is shorter than 8 characters (the tail would be too much of it).
// An empty secret stays empty so the page can say "not set".
func Mask(secret string) string {
	const dots = "••••"
	if secret == "" {
		return ""
	}
	r := []rune(secret)
	if len(r) < 8 {
		return dots
	}
	return dots + string(r[len(r)-4:])
}

// hkdfKey never fails: HKDF-SHA256 only errors for outputs over 8160 bytes.
func hkdfKey(secretKey, info string) []byte {
	key, err := hkdf.Key(sha256.New, []byte(secretKey), nil, info, 32)
	if err != nil {
		panic("secret: hkdf: " + err.Error())
	}
	return key
}

// keyID is a one-way fingerprint so logs and rows can name a key safely.
func keyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: gcm: %w", err)
	}
	return aead, nil
}
