package botapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

// The Standard Webhooks reference libraries' test vector (also checked
// with `openssl dgst -sha256 -mac HMAC` when this test was written).
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS     = 1614265330
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignStandardWebhooksVector(t *testing.T) {
	t.Parallel()
	got, err := Sign(vectorSecret, vectorID, time.Unix(vectorTS, 0), []byte(vectorBody))
	require.NoError(t, err)
	require.Equal(t, vectorSig, got)

	// Independently: HMAC over the spec's "{id}.{timestamp}.{body}" string.
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(vectorSecret, "whsec_"))
	require.NoError(t, err)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(vectorID + "." + strconv.Itoa(vectorTS) + "." + vectorBody))
	require.Equal(t, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)), got)

	// The prefix is optional, as in the reference libraries.
	bare, err := Sign(strings.TrimPrefix(vectorSecret, SecretPrefix), vectorID, time.Unix(vectorTS, 0), []byte(vectorBody))
	require.NoError(t, err)
	require.Equal(t, vectorSig, bare)
}

func TestSignErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, secret, id, want string
	}{
		{name: "not base64", secret: "whsec_!!!", id: "m", want: "not base64"},
		{name: "too short", secret: "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 16)), id: "m", want: "24..64 bytes"},
		{name: "too long", secret: "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65)), id: "m", want: "24..64 bytes"},
		{name: "no id", secret: vectorSecret, id: "", want: "message id is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Sign(tt.secret, tt.id, time.Unix(1, 0), nil)
			require.ErrorIs(t, err, apperr.ErrInvalid)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestNewSecret(t *testing.T) {
	t.Parallel()
	a, err := NewSecret()
	require.NoError(t, err)
	b, err := NewSecret()
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, SecretPrefix))
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, SecretPrefix))
	require.NoError(t, err)
	require.Len(t, raw, 32)
	_, err = Sign(a, "msg", time.Now(), []byte("{}"))
	require.NoError(t, err)
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	other, err := NewSecret()
	require.NoError(t, err)
	h, err := Headers([]string{vectorSecret, other}, vectorID, time.Unix(vectorTS, 0), []byte(vectorBody))
	require.NoError(t, err)
	require.Equal(t, vectorID, h.Get(HeaderID))
	require.Equal(t, strconv.Itoa(vectorTS), h.Get(HeaderTimestamp))
	sigs := strings.Fields(h.Get(HeaderSignature))
	require.Len(t, sigs, 2)
	require.Equal(t, vectorSig, sigs[0])

	_, err = Headers(nil, "m", time.Unix(1, 0), nil)
	require.ErrorIs(t, err, apperr.ErrInvalid)
	_, err = Headers([]string{"whsec_bad!"}, "m", time.Unix(1, 0), nil)
	require.ErrorIs(t, err, apperr.ErrInvalid)
}

func TestVerify(t *testing.T) {
	t.Parallel()
	oldSecret, err := NewSecret()
	require.NoError(t, err)
	newSecret, err := NewSecret()
	require.NoError(t, err)
	body := []byte(`{"id":"evt_1"}`)
	sent := time.Unix(1_800_000_000, 0)
	sign := func(secret, id string, ts time.Time, b []byte) string {
		s, err := Sign(secret, id, ts, b)
		require.NoError(t, err)
		return s
	}
	hdr := func(id, ts, sig string) http.Header {
		h := http.Header{}
		if id != "" {
			h.Set(HeaderID, id)
		}
		if ts != "" {
			h.Set(HeaderTimestamp, ts)
		}
		if sig != "" {
			h.Set(HeaderSignature, sig)
		}
		return h
	}
	ts := strconv.FormatInt(sent.Unix(), 10)
	good := sign(oldSecret, "evt_1", sent, body)
	tests := []struct {
		name      string
		secrets   []string
		headers   http.Header
		body      []byte
		now       time.Time
		tolerance time.Duration
		wantErr   error
	}{
		{name: "valid", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, good), body: body, now: sent},
		{name: "either secret during rotation", secrets: []string{newSecret, oldSecret}, headers: hdr("evt_1", ts, good), body: body, now: sent},
		{name: "second of several entries", secrets: []string{newSecret}, headers: hdr("evt_1", ts, good+" "+sign(newSecret, "evt_1", sent, body)), body: body, now: sent},
		{name: "other schemes skipped", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, "v1a,AAAA v1,!!notbase64 "+good), body: body, now: sent},
		{name: "standard webhooks vector", secrets: []string{vectorSecret}, headers: hdr(vectorID, strconv.Itoa(vectorTS), vectorSig), body: []byte(vectorBody), now: time.Unix(vectorTS+10, 0)},
		{name: "within tolerance past", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, good), body: body, now: sent.Add(DefaultTolerance)},
		{name: "within tolerance future", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, good), body: body, now: sent.Add(-DefaultTolerance)},
		{name: "wrong secret", secrets: []string{newSecret}, headers: hdr("evt_1", ts, good), body: body, now: sent, wantErr: ErrSignature},
		{name: "tampered body", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, good), body: []byte(`{"id":"evt_2"}`), now: sent, wantErr: ErrSignature},
		{name: "tampered id", secrets: []string{oldSecret}, headers: hdr("evt_2", ts, good), body: body, now: sent, wantErr: ErrSignature},
		{name: "tampered timestamp", secrets: []string{oldSecret}, headers: hdr("evt_1", strconv.FormatInt(sent.Unix()+1, 10), good), body: body, now: sent, wantErr: ErrSignature},
		{name: "too old", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, good), body: body, now: sent.Add(DefaultTolerance + time.Second), wantErr: ErrSignature},
		{name: "too new", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, good), body: body, now: sent.Add(-DefaultTolerance - time.Second), wantErr: ErrSignature},
		{name: "custom tolerance", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, good), body: body, now: sent.Add(11 * time.Second), tolerance: 10 * time.Second, wantErr: ErrSignature},
		{name: "huge timestamp", secrets: []string{oldSecret}, headers: hdr("evt_1", "9223372036854775807", good), body: body, now: sent, wantErr: ErrSignature},
		{name: "most negative timestamp", secrets: []string{oldSecret}, headers: hdr("evt_1", "-9223372036854775808", good), body: body, now: sent, wantErr: ErrSignature},
		{name: "timestamp not a number", secrets: []string{oldSecret}, headers: hdr("evt_1", "yesterday", good), body: body, now: sent, wantErr: ErrSignature},
		{name: "missing id", secrets: []string{oldSecret}, headers: hdr("", ts, good), body: body, now: sent, wantErr: ErrSignature},
		{name: "missing signature", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, ""), body: body, now: sent, wantErr: ErrSignature},
		{name: "signature without version", secrets: []string{oldSecret}, headers: hdr("evt_1", ts, strings.TrimPrefix(good, "v1,")), body: body, now: sent, wantErr: ErrSignature},
		{name: "no secrets", secrets: nil, headers: hdr("evt_1", ts, good), body: body, now: sent, wantErr: apperr.ErrInvalid},
		{name: "bad secret", secrets: []string{"whsec_short"}, headers: hdr("evt_1", ts, good), body: body, now: sent, wantErr: apperr.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(tt.secrets, tt.headers, tt.body, tt.now, tt.tolerance)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestSignatureErrorIsUnauthenticated(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, ErrSignature, apperr.ErrUnauthenticated)
}

func TestVerifyHeadersRoundTrip(t *testing.T) {
	t.Parallel()
	s, err := NewSecret()
	require.NoError(t, err)
	now := time.Now()
	body := []byte(`{"type":"chat.started"}`)
	h, err := Headers([]string{s}, "evt_x", now, body)
	require.NoError(t, err)
	require.NoError(t, Verify([]string{s}, h, body, now, 0))
}
