package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// modState is what a refused moderator action puts back on the page.
type modState struct {
	Notice  string
	Reason  string
	Revoke  string
	Comment string
	Note    string
	Errs    apperr.Validation
}

func moderationURL(id int64) string { return "/moderation/requests/" + view.Itoa(id) }

func moderationProjectURL(id int64) string { return "/moderation/projects/" + view.Itoa(id) }

func moderationCrumbs(l i18n.Lang, label string) []view.Crumb {
	return []view.Crumb{{Label: l.T("moderation.title"), URL: "/moderation"}, {Label: label}}
}

// otherRequestsLimit bounds the owner's other requests on the page.
const otherRequestsLimit = 10

// renderModeration shows one request to a moderator: everything entered,
// links to the project and the owner's other requests, the evidence check,
// the history with internal notes and the actions its state allows.
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
	q := dbsqlc.New(h.DB)
	member, err := q.IsProjectMember(ctx, dbsqlc.IsProjectMemberParams{ProjectID: r.ProjectID, UserID: currentUser(c).ID})
	if err != nil {
		return err
	}
	others, err := q.ListRequestsByCreator(ctx, dbsqlc.ListRequestsByCreatorParams{CreatedBy: r.CreatedBy, ExceptID: r.ID, Lim: otherRequestsLimit})
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
		ProjectURL: moderationProjectURL(r.ProjectID), Assignee: r.AssignedEmail,
		CanTake:    request.Check(r.Status, request.InReview, request.ByModerator) == nil,
		CanApprove: request.Check(r.Status, request.Approved, request.ByModerator) == nil,
		CanReject:  request.Check(r.Status, request.Rejected, request.ByModerator) == nil,
		CanRevoke:  request.Check(r.Status, request.Revoked, request.ByModerator) == nil,
	}
	if r.Status == request.Revoked {
		m.ReasonLabel = l.T("moderation.revoke_reason")
	} else {
		m.ReasonLabel = l.T("request.reject_reason")
	}
	if member {
		// Separation of duties, said before anyone presses a button; the
		// workflow refuses it as well.
		m.OwnProject = l.T("moderation.own_project")
		m.CanTake, m.CanApprove, m.CanReject, m.CanRevoke = false, false, false, false
	}
	if r.Status.Decided() {
		if !m.CanRevoke {
			m.Decided = l.T("moderation.decided", statusLabel(l, r.Status))
		}
		m.NextURL = "/moderation/next"
	}
	for _, o := range others {
		m.OtherRequests = append(m.OtherRequests, view.OtherRequest{
			URL: moderationURL(o.ID), Label: l.T("request.heading", view.Itoa(o.ID), o.PlatformName) + " · " + o.ProjectName,
			Status: o.Status, StatusLabel: statusLabel(l, request.Status(o.Status)), CreatedAt: o.CreatedAt,
		})
	}
	if r.WebimDomain != "" {
		ev, ok, err := request.GetEvidence(ctx, h.DB, r.ID)
		if err != nil {
			return err
		}
		m.Evidence = evidenceView(l, ev, ok)
		m.CheckAgainURL = m.URL + "/evidence"
	}
	m.Reason = field(l, "reason", "moderation.reason.label", st.Reason, st.Errs)
	m.Reason.Required, m.Reason.MaxLength, m.Reason.Hint = true, request.MaxReason, l.T("moderation.reason.hint")
	m.Revoke = field(l, "revoke_reason", "moderation.revoke.label", st.Revoke, st.Errs)
	m.Revoke.Required, m.Revoke.MaxLength, m.Revoke.Hint = true, request.MaxReason, l.T("moderation.revoke.hint", r.PlatformName)
	m.Comment = field(l, "comment", "request.comment.label", st.Comment, st.Errs)
	m.Comment.MaxLength, m.Comment.Hint = request.MaxComment, l.T("moderation.comment.hint")
	m.Note = field(l, "note", "moderation.note.label", st.Note, st.Errs)
	m.Note.Required, m.Note.MaxLength, m.Note.Hint = true, request.MaxNote, l.T("moderation.note.hint")
	return render(c, status, view.ModerationShow(h.page(c, m.Title, moderationCrumbs(l, m.Title)...), m))
}

// evidenceView words the latest check for the page.
func evidenceView(l i18n.Lang, ev request.Evidence, ok bool) *view.Evidence {
	out := &view.Evidence{}
	if !ok {
		out.Summary = l.T("moderation.evidence.none")
		return out
	}
	out.Pending, out.CheckedAt = ev.Pending, ev.CheckedAt
	switch {
	case ev.CheckedAt == nil:
		out.Summary = l.T("moderation.evidence.pending")
	case ev.OK:
		out.Summary, out.Result = l.T("moderation.evidence.ok"), "approved"
	default:
		out.Summary, out.Result = l.T("moderation.evidence.failed"), "rejected"
	}
	if ev.CheckedAt != nil && ev.Pending {
		out.Summary += " " + l.T("moderation.evidence.rerunning")
	}
	for _, s := range ev.Steps {
		var args []any
		if s.Arg != "" {
			args = append(args, s.Arg) // only the sentences with a datum take one
		}
		out.Steps = append(out.Steps, view.EvidenceStep{
			Name: s.Name, Result: s.Result,
			ResultLabel: l.Enum(i18n.EvidenceResult, s.Result),
			Text:        l.Enum(i18n.EvidenceStep, s.Name+"."+s.Result, args...),
		})
	}
	return out
}

// moderate runs one moderator action and answers like every action does:
// 303 back to the request on success; the page again with the reason on a
// refusal (409, or 403 for separation of duties) or with field errors
// (422), nothing changed.
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
	if errors.Is(err, request.ErrOwnProject) {
		st.Notice = l.T("moderation.own_project")
		return h.renderModeration(c, http.StatusForbidden, id, st)
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
