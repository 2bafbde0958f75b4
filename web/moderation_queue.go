package web

import (
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web/view"
)

// ModerationQueue lists requests across all tenants, oldest first, with
// filters (status, platform, search) and keyset pagination. Filter values
// the form cannot produce and foreign cursors are a 400.
func (h *Handler) ModerationQueue(c echo.Context) error {
	l := langOf(c)
	ctx := c.Request().Context()
	statusIn, platformIn, search := c.QueryParam("status"), c.QueryParam("platform"), c.QueryParam("q")
	assignedIn := c.QueryParam("assigned")
	var f request.QueueFilter
	switch assignedIn {
	case "":
	case "me":
		f.AssignedTo = currentUser(c).ID
	case "none":
		f.Unassigned = true
	default:
		return fmt.Errorf("web: queue assigned %q: %w", assignedIn, apperr.ErrInvalid)
	}
	if statusIn != "" {
		st, ok := request.ParseStatus(statusIn)
		if !ok {
			return fmt.Errorf("web: queue status %q: %w", statusIn, apperr.ErrInvalid)
		}
		f.Statuses = []request.Status{st}
	}
	platforms, err := request.Platforms(ctx, h.DB)
	if err != nil {
		return err
	}
	if platformIn != "" {
		known := false
		for _, pl := range platforms {
			known = known || pl.Key == platformIn
		}
		if !known {
			return fmt.Errorf("web: queue platform %q: %w", platformIn, apperr.ErrInvalid)
		}
		f.Platform = platformIn
	}
	if utf8.RuneCountInString(search) > request.MaxSearch {
		return fmt.Errorf("web: queue search too long: %w", apperr.ErrInvalid)
	}
	f.Search = search

	page, err := request.Queue(ctx, h.DB, f, c.QueryParam("cursor"), request.PageSize)
	if err != nil {
		return err
	}

	counts, err := request.Counts(ctx, h.DB)
	if err != nil {
		return err
	}
	m := view.ModerationQueuePage{}
	// Each count is a link to its status, keeping the other filters.
	for _, st := range request.Statuses {
		m.Counts = append(m.Counts, view.QueueCount{
			Status: string(st), Label: statusLabel(l, st), N: counts[st], Active: string(st) == statusIn,
			URL: queueLink(map[string]string{"status": string(st), "platform": platformIn, "q": search, "assigned": assignedIn}),
		})
	}
	m.Filters.Assigned = field(l, "assigned", "moderation.assigned.label", assignedIn, nil)
	m.Filters.AssignedOptions = []view.Option{
		{Value: "", Label: l.T("moderation.assigned.anyone"), Selected: assignedIn == ""},
		{Value: "me", Label: l.T("moderation.assigned.me"), Selected: assignedIn == "me"},
		{Value: "none", Label: l.T("moderation.assigned.none"), Selected: assignedIn == "none"},
	}
	m.Filters.Status = field(l, "status", "moderation.status.label", statusIn, nil)
	m.Filters.Statuses = []view.Option{{Value: "", Label: l.T("moderation.status.open"), Selected: statusIn == ""}}
	for _, st := range request.Statuses {
		m.Filters.Statuses = append(m.Filters.Statuses, view.Option{Value: string(st), Label: statusLabel(l, st), Selected: string(st) == statusIn})
	}
	m.Filters.Platform = field(l, "platform", "moderation.platform.label", platformIn, nil)
	m.Filters.Platforms = []view.Option{{Value: "", Label: l.T("moderation.platform.all"), Selected: platformIn == ""}}
	for _, pl := range platforms {
		m.Filters.Platforms = append(m.Filters.Platforms, view.Option{Value: pl.Key, Label: pl.Name, Selected: pl.Key == platformIn})
	}
	m.Filters.Search = field(l, "q", "moderation.search.label", search, nil)
	m.Filters.Search.Hint, m.Filters.Search.MaxLength = l.T("moderation.search.hint"), request.MaxSearch

	for _, it := range page.Items {
		m.Rows = append(m.Rows, view.QueueRow{
			ID: it.ID, URL: moderationURL(it.ID), OpenLabel: l.T("moderation.open", view.Itoa(it.ID)),
			ProjectName: it.ProjectName, PlatformName: it.PlatformName, Organisation: it.Organisation,
			ContactEmail: it.ContactEmail, Status: string(it.Status), StatusLabel: statusLabel(l, it.Status), CreatedAt: it.CreatedAt,
			Assignee: it.AssignedEmail,
		})
	}
	link := func(cursor string) string {
		return queueLink(map[string]string{"status": statusIn, "platform": platformIn, "q": search, "assigned": assignedIn, "cursor": cursor})
	}
	if page.Next != "" {
		m.NextURL = link(page.Next)
	}
	if page.Prev != "" {
		m.PrevURL = link(page.Prev)
	}
	if c.QueryParam("cursor") != "" {
		m.FirstURL = link("")
	}
	return render(c, http.StatusOK, view.ModerationQueue(h.page(c, l.T("moderation.title")), m))
}

// queueLink is the queue's URL with the non-empty parameters.
func queueLink(params map[string]string) string {
	q := url.Values{}
	for k, v := range params {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return "/moderation"
	}
	return "/moderation?" + q.Encode()
}
