package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

func TestCommonPasswordList(t *testing.T) {
	require.Len(t, commonPasswords(), 10000, "the 10 000 most common")
	for _, pw := range []string{"password", "123456", "qwertyuiop", "1234567890", "PASSWORD1", "iloveyou"} {
		require.True(t, IsCommonPassword(pw), pw)
	}
	require.False(t, IsCommonPassword("tea and biscuits 1"))
}

func TestNewPasswordRules(t *testing.T) {
	cases := []struct {
		pw, email, want string
	}{
		{"correct horse battery", "ann@example.com", ""},
		{"qwertyuiop", "ann@example.com", "auth.password.common"},
		{"Password123", "x@example.com", "auth.password.common"},
		{"my-Marina-1990", "marina@example.com", "auth.password.has_email"},
		{"ann is great 1", "ann@example.com", ""}, // a local part under 4 characters is not checked
		{"short", "ann@example.com", "auth.password.short"},
		{"", "ann@example.com", "auth.password.required"},
		{strings.Repeat("x", 201), "ann@example.com", "auth.password.long"},
	}
	for _, tc := range cases {
		v := apperr.Validation{}
		checkNewPassword(v, tc.pw, tc.email)
		require.Equal(t, tc.want, v["password"], tc.pw)
	}
}

func TestSignUpRefusesCommonPasswords(t *testing.T) {
	_, err := SignUp{Email: "someone@example.com", Password: "1234567890", Confirm: "1234567890"}.validate()
	require.Equal(t, "auth.password.common", apperr.Fields(err)["password"])
	_, err = SignUp{Email: "someone@example.com", Password: "I am Someone 2026", Confirm: "I am Someone 2026"}.validate()
	require.Equal(t, "auth.password.has_email", apperr.Fields(err)["password"])
}
