package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// modState is what a refused moderator action puts back on the page.
type modState struct {
	Notice  string
	Reason  string
	Comment string
	Errs    apperr.Validation
}

func moderationURL(id int64) string { return "/moderation/requests/" + view.Itoa(id) }

func moderationCrumbs(l i18n.Lang, label string) []view.Crumb {
	return []view.Crumb{{Label: l.T("moderation.title"), URL: "/moderation"}, {Label: label}}
}

// renderModeration shows one request to a moderator: everything entered,
// the project's name, the history and the actions its state allows.
func (h *Handler) renderModeration(c echo.Context, status int, id int64, st modState) error {
	l := langOf(c)
	ctx := c.Request().Context()
	r, err := request.Get(ctx, h.DB, request.AsModerator(), id)
	if err != nil {
		return err
	}
	hist, err := request.History(ctx, h.DB, request.AsModerator(), id)
	if err != nil {
		return err
	}
	access := l.T("moderation.access_no")
	if r.AccessRequested {
		access = l.T("moderation.access_yes")
	}
	m := view.ModerationRequest{
		ID: r.ID, Title: l.T("moderation.request.title", view.Itoa(r.ID)), ProjectName: r.ProjectName, PlatformName: r.PlatformName,
		Status: string(r.Status), StatusLabel: statusLabel(l, r.Status),
		ContactEmail: r.ContactEmail, Organisation: r.Organisation, Description: r.Description, WebimDomain: r.WebimDomain,
		AccessRequested: access, CreatedByEmail: r.CreatedByEmail,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DecidedAt: r.DecidedAt, RejectReason: r.RejectReason,
		Version: r.Version, History: historyItems(l, hist, false), Notice: st.Notice, URL: moderationURL(r.ID),
		CanTake:    request.Check(r.Status, request.InReview, request.ByModerator) == nil,
		CanApprove: request.Check(r.Status, request.Approved, request.ByModerator) == nil,
		CanReject:  request.Check(r.Status, request.Rejected, request.ByModerator) == nil,
	}
	if r.Status.Decided() {
		m.Decided = l.T("moderation.decided", statusLabel(l, r.Status))
	}
	m.Reason = field(l, "reason", "moderation.reason.label", st.Reason, st.Errs)
	m.Reason.Required, m.Reason.MaxLength, m.Reason.Hint = true, request.MaxReason, l.T("moderation.reason.hint")
	m.Comment = field(l, "comment", "request.comment.label", st.Comment, st.Errs)
	m.Comment.MaxLength = request.MaxComment
	return render(c, status, view.ModerationShow(h.page(c, m.Title, moderationCrumbs(l, m.Title)...), m))
}

// moderate runs one moderator action and answers like every action does:
// 303 back to the request on success; the page again with the reason on a
// refusal (409) or with field errors (422), nothing changed.
func (h *Handler) moderate(c echo.Context, flash string, st modState, act func(id int64, version int32, userID int64) error) error {
	l := langOf(c)
	id, err := paramID(c, "request")
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	err = act(id, version, currentUser(c).ID)
	if errs := apperr.Fields(err); errs != nil {
		st.Errs = errs
		return h.renderModeration(c, formStatus(err), id, st)
	}
	if msg := refusal(l, err); msg != "" {
		st.Notice = msg
		return h.renderModeration(c, http.StatusConflict, id, st)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, flash)
	return c.Redirect(http.StatusSeeOther, moderationURL(id))
}
