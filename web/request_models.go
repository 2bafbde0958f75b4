package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// Shared by the request and moderation handlers: view models, the
// notifier and the messages for refused actions.

// notifier is what the workflow needs to mail people from this server.
func (h *Handler) notifier() request.Notifier {
	base := ""
	if h.Config != nil && h.Config.BaseURL != nil {
		base = h.Config.BaseURL.String()
	}
	return request.Notifier{Jobs: h.Jobs, BaseURL: base, T: i18n.Text, DefaultLang: string(defaultLang(h.Config))}
}

func statusLabel(l i18n.Lang, s request.Status) string { return l.Enum(i18n.RequestStatus, string(s)) }

// formVersion reads the hidden version field; anything but a positive
// number was not sent by our form (400, nothing changes).
func formVersion(c echo.Context) (int32, error) {
	v, err := strconv.ParseInt(c.FormValue("version"), 10, 32)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("web: bad request version %q: %w", c.FormValue("version"), apperr.ErrInvalid)
	}
	return int32(v), nil
}

// refusal turns a refused action into the sentence shown above the
// request, or "" when err is not a refusal the page explains.
func refusal(l i18n.Lang, err error) string {
	var te *request.TransitionError
	switch {
	case errors.Is(err, request.ErrStale):
		return l.T("request.stale")
	case errors.As(err, &te):
		return l.T("request.illegal", statusLabel(l, te.From), l.Enum(i18n.RequestVerb, string(te.To)))
	}
	return ""
}

// historyItems builds the history lines; owners see "Moderator" instead of
// a moderator's address.
func historyItems(l i18n.Lang, events []request.Event, forOwner bool) []view.HistoryItem {
	out := make([]view.HistoryItem, len(events))
	for i, e := range events {
		who := e.ActorEmail
		switch {
		case who == "":
			who = l.T("request.actor.deleted")
		case forOwner && !e.ActorIsMember:
			who = l.T("request.actor.moderator")
		}
		it := view.HistoryItem{Who: who, At: e.CreatedAt, Comment: e.Comment,
			IsComment: e.Kind == request.KindComment || e.Kind == request.KindNote, IsNote: e.Kind == request.KindNote}
		if !it.IsComment {
			it.To, it.ToLabel = string(e.To), statusLabel(l, e.To)
			if e.From != "" {
				it.From, it.FromLabel = string(e.From), statusLabel(l, e.From)
			}
		}
		out[i] = it
	}
	return out
}

// ownerRequestAction runs one owner action on a request of the current
// project and answers like moderate does for moderators: 303 back to the
// request's card on success; the Requests tab again with field errors
// (422) or the refusal (409) on that card, nothing changed. st carries
// what the card keeps on a failure (the comment typed).
func (h *Handler) ownerRequestAction(c echo.Context, flash string, st cardState, act func(p project.Project, id int64, version int32, userID int64) error) error {
	l := langOf(c)
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "request")
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	st.RequestID = id
	err = act(p, id, version, currentUser(c).ID)
	if errs := apperr.Fields(err); errs != nil {
		st.Errs = errs
		return h.renderRequestList(c, formStatus(err), p, st)
	}
	if msg := refusal(l, err); msg != "" {
		st.Notice = msg
		return h.renderRequestList(c, http.StatusConflict, p, st)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, flash)
	return c.Redirect(http.StatusSeeOther, requestsURL(p)+"#"+requestAnchor(id))
}

func requestsURL(p project.Project) string { return "/projects/" + view.Itoa(p.ID) + "/requests" }

func requestAnchor(id int64) string { return "request-" + view.Itoa(id) }

func requestCrumbs(l i18n.Lang, p project.Project, label string) []view.Crumb {
	return ProjectCrumbs(l, p, view.Crumb{Label: label})
}
