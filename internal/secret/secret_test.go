package secret

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

const (
	keyA = "0123456789abcdef0123456789abcdef-key-A"
	keyB = "0123456789abcdef0123456789abcdef-key-B"
)

func newKeyring(t *testing.T, current string, old ...string) *Keyring {
	t.Helper()
	kr, err := NewKeyring(current, old...)
	require.NoError(t, err)
	return kr
}

func TestNewKeyring(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		current string
		old     []string
		wantErr bool
	}{
		{name: "current only", current: keyA},
		{name: "with old key", current: keyA, old: []string{keyB}},
		{name: "duplicate old key is ignored", current: keyA, old: []string{keyA, keyB}},
		{name: "empty key", current: "", wantErr: true},
		{name: "short key", current: "short", wantErr: true},
		{name: "short old key", current: keyA, old: []string{"short"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kr, err := NewKeyring(tt.current, tt.old...)
			if tt.wantErr {
				require.ErrorIs(t, err, apperr.ErrInvalid)
				require.Nil(t, kr)
				return
			}
			require.NoError(t, err)
			require.Len(t, kr.KeyID(), 8)
		})
	}
}

func TestKeyIDDoesNotRevealKey(t *testing.T) {
	t.Parallel()
	a, b := newKeyring(t, keyA), newKeyring(t, keyB)
	require.NotEqual(t, a.KeyID(), b.KeyID())
	require.Equal(t, a.KeyID(), newKeyring(t, keyA).KeyID(), "key id must be stable across restarts")
	require.NotContains(t, keyA, a.KeyID())
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, keyA)
	tests := []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{name: "token", plaintext: []byte("webim-token-123"), aad: []byte("integration:42")},
		{name: "empty plaintext", plaintext: []byte{}, aad: []byte("integration:42")},
		{name: "nil aad", plaintext: []byte("secret"), aad: nil},
		{name: "binary", plaintext: []byte{0, 1, 2, 255}, aad: []byte("x")},
		{name: "unicode", plaintext: []byte("секрет ключ"), aad: []byte("bot:7")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := kr.Encrypt(tt.plaintext, tt.aad)
			require.NoError(t, err)
			require.Equal(t, kr.KeyID(), s.KeyID)
			got, err := kr.Decrypt(s, tt.aad)
			require.NoError(t, err)
			require.True(t, bytes.Equal(tt.plaintext, got))
		})
	}
}

func TestStringRoundTrip(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, keyA)
	s, err := kr.EncryptString("bot-secret", []byte("bot:1"))
	require.NoError(t, err)
	got, err := kr.DecryptString(s, []byte("bot:1"))
	require.NoError(t, err)
	require.Equal(t, "bot-secret", got)

	_, err = kr.DecryptString(s, []byte("bot:2"))
	require.ErrorIs(t, err, ErrDecrypt)
}

func TestCiphertextHidesPlaintext(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, keyA)
	plain := []byte("a-very-recognisable-webim-token-value")
	s, err := kr.Encrypt(plain, []byte("integration:1"))
	require.NoError(t, err)
	require.False(t, bytes.Contains(s.Ciphertext, plain))
	require.NotContains(t, base64.StdEncoding.EncodeToString(s.Ciphertext), base64.StdEncoding.EncodeToString(plain))
	require.Len(t, s.Ciphertext, nonceSize+len(plain)+16)
}

func TestTamperDetection(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, keyA)
	aad := []byte("integration:42")
	s, err := kr.Encrypt([]byte("webim-token"), aad)
	require.NoError(t, err)

	flip := func(i int) Sealed {
		c := bytes.Clone(s.Ciphertext)
		c[i] ^= 0x01
		return Sealed{KeyID: s.KeyID, Ciphertext: c}
	}
	tests := []struct {
		name   string
		sealed Sealed
		aad    []byte
	}{
		{name: "bit flipped in nonce", sealed: flip(0), aad: aad},
		{name: "bit flipped in body", sealed: flip(nonceSize), aad: aad},
		{name: "bit flipped in tag", sealed: flip(len(s.Ciphertext) - 1), aad: aad},
		{name: "wrong aad (swapped row)", sealed: s, aad: []byte("integration:43")},
		{name: "missing aad", sealed: s, aad: nil},
		{name: "truncated", sealed: Sealed{KeyID: s.KeyID, Ciphertext: s.Ciphertext[:nonceSize+3]}, aad: aad},
		{name: "empty", sealed: Sealed{KeyID: s.KeyID}, aad: aad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := kr.Decrypt(tt.sealed, tt.aad)
			require.ErrorIs(t, err, ErrDecrypt)
			require.Nil(t, got)
		})
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	oldRing := newKeyring(t, keyA)
	aad := []byte("integration:9")
	s, err := oldRing.Encrypt([]byte("sealed-before-rotation"), aad)
	require.NoError(t, err)

	rotated := newKeyring(t, keyB, keyA)
	got, err := rotated.Decrypt(s, aad)
	require.NoError(t, err)
	require.Equal(t, "sealed-before-rotation", string(got))

	// New secrets use the new key, which the old keyring cannot open.
	fresh, err := rotated.Encrypt([]byte("sealed-after-rotation"), aad)
	require.NoError(t, err)
	require.Equal(t, rotated.KeyID(), fresh.KeyID)
	require.NotEqual(t, s.KeyID, fresh.KeyID)
	_, err = oldRing.Decrypt(fresh, aad)
	require.ErrorIs(t, err, ErrUnknownKey)
}

func TestUnknownKeyID(t *testing.T) {
	t.Parallel()
	s, err := newKeyring(t, keyA).Encrypt([]byte("x"), nil)
	require.NoError(t, err)

	_, err = newKeyring(t, keyB).Decrypt(s, nil)
	require.ErrorIs(t, err, ErrUnknownKey)
	require.Contains(t, err.Error(), s.KeyID)

	// A forged key id pointing at a known key still fails authentication.
	kr := newKeyring(t, keyB, keyA)
	_, err = kr.Decrypt(Sealed{KeyID: kr.KeyID(), Ciphertext: s.Ciphertext}, nil)
	require.ErrorIs(t, err, ErrDecrypt)
}

func TestNonceUniqueness(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, keyA)
	seen := make(map[string]bool)
	for range 1000 {
		s, err := kr.Encrypt([]byte("same plaintext"), []byte("same aad"))
		require.NoError(t, err)
		nonce := string(s.Ciphertext[:nonceSize])
		require.False(t, seen[nonce], "nonce reused")
		seen[nonce] = true
	}
}

func TestDeriveKey(t *testing.T) {
	t.Parallel()
	flash := DeriveKey(keyA, "flash-cookie")
	require.Len(t, flash, 32)
	require.Equal(t, flash, DeriveKey(keyA, "flash-cookie"))
	require.NotEqual(t, flash, DeriveKey(keyA, "csrf"))
	require.NotEqual(t, flash, DeriveKey(keyB, "flash-cookie"))
	// Even the encryption key's own info string yields a different key.
	require.NotEqual(t, hkdfKey(keyA, hkdfInfo), DeriveKey(keyA, "secret/v1"))
}

func TestRandomToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		nbytes  int
		wantLen int
		wantErr bool
	}{
		{name: "128 bits", nbytes: 16, wantLen: 22},
		{name: "256 bits", nbytes: 32, wantLen: 43},
		{name: "one byte", nbytes: 1, wantLen: 2},
		{name: "zero", nbytes: 0, wantErr: true},
		{name: "negative", nbytes: -1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := RandomToken(tt.nbytes)
			if tt.wantErr {
				require.ErrorIs(t, err, apperr.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Len(t, tok, tt.wantLen)
			require.NotContains(t, tok, "=")
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			require.NoError(t, err)
			require.Len(t, raw, tt.nbytes)
		})
	}

	a, err := RandomToken(16)
	require.NoError(t, err)
	b, err := RandomToken(16)
	require.NoError(t, err)
	require.NotEqual(t, a, b)
}

func TestHashToken(t *testing.T) {
	t.Parallel()
	h := HashToken("webhook-key")
	require.Len(t, h, 32)
	require.Equal(t, h, HashToken("webhook-key"))
	require.NotEqual(t, h, HashToken("webhook-kez"))
	require.False(t, strings.Contains(string(h), "webhook-key"))
}

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{in: "", want: ""},
		{in: "a", want: "••••"},
		{in: "abcdefg", want: "••••"},
		{in: "abcdefgh", want: "••••efgh"},
		{in: "sk-live-1234567890WXYZ", want: "••••WXYZ"},
		{in: "токенсекрет", want: "••••крет"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Mask(tt.in))
		})
	}
}
