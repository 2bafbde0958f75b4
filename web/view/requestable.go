package view

import "context"

type requestableKey struct{}

// WithRequestable lets the project header ask, when it is drawn, whether
// something can be requested: only pages with project tabs pay for the
// query, and every project handler gets it through CurrentProject.
func WithRequestable(ctx context.Context, f func() bool) context.Context {
	return context.WithValue(ctx, requestableKey{}, f)
}

// Requestable reports whether the header shows "Request integration":
// true when no answer was wired in (a page outside a project's handlers).
func Requestable(ctx context.Context) bool {
	if f, ok := ctx.Value(requestableKey{}).(func() bool); ok {
		return f()
	}
	return true
}
