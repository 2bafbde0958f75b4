package request_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/request"
)

// Every from × to × role: the only legal moves are the six in the spec plus
// revocation and resubmission (issue 17).
func TestStateMachine(t *testing.T) {
	t.Parallel()
	type move struct {
		from, to request.Status
	}
	legal := map[move]request.Role{
		{request.Submitted, request.InReview}:  request.ByModerator,
		{request.InReview, request.Approved}:   request.ByModerator,
		{request.Submitted, request.Rejected}:  request.ByModerator,
		{request.InReview, request.Rejected}:   request.ByModerator,
		{request.Submitted, request.Withdrawn}: request.ByOwner,
		{request.InReview, request.Withdrawn}:  request.ByOwner,
		{request.Approved, request.Revoked}:    request.ByModerator,
		{request.Rejected, request.Submitted}:  request.ByOwner,
	}
	roles := []request.Role{request.ByOwner, request.ByModerator}
	checked := 0
	for _, from := range request.Statuses {
		for _, to := range request.Statuses {
			for _, by := range roles {
				err := request.Check(from, to, by)
				who, ok := legal[move{from, to}]
				switch {
				case ok && who == by:
					require.NoError(t, err, "%s → %s by %s", from, to, by)
				case ok:
					require.ErrorIs(t, err, apperr.ErrForbidden, "%s → %s by %s: only %s may", from, to, by, who)
				default:
					var te *request.TransitionError
					require.True(t, errors.As(err, &te), "%s → %s by %s must be illegal, got %v", from, to, by, err)
					require.Equal(t, from, te.From)
					require.Equal(t, to, te.To)
					require.ErrorIs(t, err, apperr.ErrConflict)
				}
				checked++
			}
		}
	}
	require.Equal(t, 6*6*2, checked)

	// Unknown states are never legal.
	require.Error(t, request.Check("bogus", request.Approved, request.ByModerator))
	require.Error(t, request.Check(request.InReview, "bogus", request.ByModerator))
	require.Error(t, request.Check(request.InReview, request.Approved, "bogus"))
}

func TestStatusHelpers(t *testing.T) {
	t.Parallel()
	for _, s := range request.Statuses {
		got, ok := request.ParseStatus(string(s))
		require.True(t, ok)
		require.Equal(t, s, got)
		require.NotEqual(t, s.Open(), s.Decided(), s)
	}
	_, ok := request.ParseStatus("SUBMITTED")
	require.False(t, ok)
	_, ok = request.ParseStatus("")
	require.False(t, ok)
	require.True(t, request.InReview.Open())
	require.True(t, request.Withdrawn.Decided())
}
