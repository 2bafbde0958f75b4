package webim

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotWebim: the domain answered, but not the way Webim's API does (no
// {"error": …} body), so nothing can be said about the token.
var ErrNotWebim = errors.New("webim: the domain does not answer like Webim's bot API")

// CheckToken makes a harmless authenticated call to see whether the
// account accepts token: close_chat of chat 0, which no Webim account has
// (its ids start at 1), so nothing changes anywhere. Webim answers "ok" or
// an error about the chat when the token is good: nil. It returns
// ErrUnauthorized (wrapped in an *APIError) when the token is refused,
// ErrNotWebim when the answer is not Webim's, and a network or retryable
// error when it cannot tell.
func (c Client) CheckToken(ctx context.Context, domain, token string) error {
	_, err := c.Send(ctx, domain, token, NewCloseChat(IntChat(0)))
	var apiErr *APIError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnauthorized):
		return err
	case errors.As(err, &apiErr) && !apiErr.Retryable && apiErr.Code != "":
		// Webim looked at the call with the token accepted and refused the
		// chat (chat_not_found and the like).
		return nil
	case errors.As(err, &apiErr) && !apiErr.Retryable:
		return fmt.Errorf("%w (%w)", ErrNotWebim, err)
	}
	return err
}
