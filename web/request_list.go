package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web/view"
)

// cardState is what a refused action on one request puts back on the page:
// the reason, and the comment that was typed with its error.
type cardState struct {
	RequestID int64
	Notice    string
	Comment   string
	Errs      apperr.Validation
}

// RequestList is the project's Requests tab: every request with its
// status, dates and full history.
func (h *Handler) RequestList(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	return h.renderRequestList(c, http.StatusOK, p, cardState{})
}

func (h *Handler) renderRequestList(c echo.Context, status int, p project.Project, st cardState) error {
	l := langOf(c)
	ctx := c.Request().Context()
	reqs, err := request.ListForProject(ctx, h.DB, p.ID)
	if err != nil {
		return err
	}
	hist, err := request.HistoryForProject(ctx, h.DB, p.ID)
	if err != nil {
		return err
	}
	m := view.RequestListPage{
		Header: view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "requests"},
		NewURL: requestsURL(p) + "/new",
	}
	for _, r := range reqs {
		base := requestsURL(p) + "/" + view.Itoa(r.ID)
		card := view.RequestCard{
			ID: r.ID, Anchor: requestAnchor(r.ID),
			Title:  l.T("request.heading", view.Itoa(r.ID), r.PlatformName),
			Status: string(r.Status), StatusLabel: statusLabel(l, r.Status),
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DecidedAt: r.DecidedAt,
			ContactEmail: r.ContactEmail, Organisation: r.Organisation, Description: r.Description,
			WebimDomain: r.WebimDomain, RejectReason: r.RejectReason, Version: r.Version,
			CanWithdraw: request.Check(r.Status, request.Withdrawn, request.ByOwner) == nil,
			WithdrawURL: base + "/withdraw", CommentURL: base + "/comments",
			CommentID: "f-comment-" + view.Itoa(r.ID),
			History:   historyItems(l, hist[r.ID], true),
		}
		var errs apperr.Validation
		comment := ""
		if st.RequestID == r.ID {
			card.Notice, errs, comment = st.Notice, st.Errs, st.Comment
		}
		card.Comment = field(l, "comment", "request.comment.label", comment, errs)
		card.Comment.MaxLength = request.MaxComment
		card.ReasonLabel = l.T("request.reject_reason")
		switch r.Status {
		case request.Rejected:
			card.ResubmitURL = base + "/resubmit"
		case request.Revoked:
			card.ReasonLabel = l.T("moderation.revoke_reason")
			card.NewURL = requestsURL(p) + "/new?platform=" + r.Platform
		}
		if r.Status == request.Approved {
			card.ApprovedNote = l.T("request.approved.next", r.PlatformName)
			card.SettingsURL = "/projects/" + view.Itoa(p.ID) + "/settings"
		}
		m.Requests = append(m.Requests, card)
	}
	title := l.T("request.list.title")
	return render(c, status, view.RequestList(h.page(c, p.Name+" · "+title, requestCrumbs(l, p, title)...), m))
}
