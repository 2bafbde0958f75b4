package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// activityIntegration loads the :project (through membership) and the
// :integration within it, for the activity pages.
func (h *Handler) activityIntegration(c echo.Context) (project.Project, int64, string, error) {
	p, err := h.CurrentProject(c)
	if err != nil {
		return p, 0, "", err
	}
	integID, err := paramID(c, "integration")
	if err != nil {
		return p, 0, "", err
	}
	name, err := integration.Domain(c.Request().Context(), h.DB, p.ID, integID)
	return p, integID, name, err
}

// activityBase is the integration page's URL, under which the activity
// pages live.
func activityBase(projectID, integID int64) string {
	return "/projects/" + view.Itoa(projectID) + "/settings/integrations/" + view.Itoa(integID)
}

// maxSearchRunes bounds the search box and the chat id box.
const maxSearchRunes = 200

// wantsFragment: app.js asks for the self-refreshing part of a page alone.
func wantsFragment(c echo.Context) bool { return c.QueryParam("fragment") == "1" }

// conversationQuery is the filter form as submitted, kept as typed.
type conversationQuery struct {
	Failed                 bool
	Chat, From, To, Search string
}

func readConversationQuery(c echo.Context) conversationQuery {
	return conversationQuery{
		Failed: c.QueryParam("failed") == "1",
		Chat:   strings.TrimSpace(c.QueryParam("chat")),
		From:   strings.TrimSpace(c.QueryParam("from")),
		To:     strings.TrimSpace(c.QueryParam("to")),
		Search: strings.TrimSpace(c.QueryParam("q")),
	}
}

// values encodes the filter for links (pager, refresh).
func (q conversationQuery) values() url.Values {
	v := url.Values{}
	if q.Failed {
		v.Set("failed", "1")
	}
	for k, s := range map[string]string{"chat": q.Chat, "from": q.From, "to": q.To, "q": q.Search} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

func (q conversationQuery) active() bool {
	return q.Failed || q.Chat != "" || q.From != "" || q.To != "" || q.Search != ""
}

// parse validates the filter into a bridge filter; the dates are days in
// the page's time zone (To inclusive).
func (q conversationQuery) parse(zone *time.Location) (bridge.ConversationFilter, apperr.Validation) {
	f := bridge.ConversationFilter{FailedOnly: q.Failed, Search: q.Search}
	errs := apperr.Validation{}
	if len([]rune(q.Search)) > maxSearchRunes {
		errs["q"] = "conversations.filter.too_long"
	}
	if len([]rune(q.Chat)) > maxSearchRunes {
		errs["chat"] = "conversations.filter.too_long"
	}
	day := func(name, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, zone)
		if err != nil {
			errs[name] = "conversations.filter.bad_date"
		}
		return t
	}
	f.From = day("from", q.From)
	if to := day("to", q.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if errs["from"] == "" && errs["to"] == "" && !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs["to"] = "conversations.filter.to_before_from"
	}
	return f, errs
}

// ActivityList shows an integration's conversations, the most recently
// active first, with filters; keyset-paginated so it stays fast at
// millions of events. ?fragment=1 answers the list alone (self-refresh).
func (h *Handler) ActivityList(c echo.Context) error {
	l := langOf(c)
	p, integID, name, err := h.activityIntegration(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	base := activityBase(p.ID, integID)
	listURL := base + "/activity"
	q := readConversationQuery(c)
	f, errs := q.parse(zoneOf(c))
	if q.Chat != "" && len(errs) == 0 {
		// A chat id names one conversation: open it.
		id, err := bridge.FindChat(ctx, h.DB, p.ID, integID, q.Chat)
		switch {
		case err == nil:
			return c.Redirect(http.StatusSeeOther, listURL+"/chats/"+view.Itoa(id))
		case errors.Is(err, apperr.ErrNotFound):
			errs["chat"] = "conversations.filter.no_chat"
		default:
			return err
		}
	}
	f.Before, _ = strconv.ParseInt(c.QueryParam("before"), 10, 64)
	list := view.ConversationList{EmptyKey: "activity.empty"}
	if q.active() {
		list.EmptyKey = "conversations.empty_filtered"
	}
	if len(errs) == 0 {
		page, err := bridge.ListConversations(ctx, h.DB, p.ID, integID, f)
		if err != nil {
			return err
		}
		v := q.values()
		if page.Before > 0 {
			v.Set("before", view.Itoa(page.Before))
			list.OlderURL = listURL + "?" + v.Encode()
			v.Del("before")
		}
		if f.Before > 0 {
			list.NewestURL = withQuery(listURL, v)
		} else {
			v.Set("fragment", "1")
			list.RefreshURL = listURL + "?" + v.Encode()
		}
		for _, cv := range page.Items {
			list.Rows = append(list.Rows, conversationRow(l, listURL, cv))
		}
	}
	if wantsFragment(c) {
		return render(c, http.StatusOK, view.ConversationListFragment(list))
	}
	filter := view.ActivityFilter{Action: listURL, Failed: q.Failed, ResetURL: listURL, Active: q.active()}
	filter.Search = field(l, "q", "conversations.filter.search", q.Search, errs)
	filter.Search.Type, filter.Search.MaxLength = "search", maxSearchRunes
	filter.Chat = field(l, "chat", "conversations.filter.chat", q.Chat, errs)
	filter.Chat.MaxLength, filter.Chat.Autocomplete = maxSearchRunes, "off"
	filter.From = field(l, "from", "conversations.filter.from", q.From, errs)
	filter.From.Type = "date"
	filter.To = field(l, "to", "conversations.filter.to", q.To, errs)
	filter.To.Type = "date"
	filter.Errors = view.FormErrors{Fields: []view.Field{filter.Search, filter.Chat, filter.From, filter.To}}
	m := view.ActivityPage{
		Header:      view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "settings"},
		Integration: name, BackURL: base, TrafficURL: base + "/traffic", Filter: filter, List: list,
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, view.Activity(h.page(c, l.T("activity.title", name), activityCrumbs(l, p, name, base)...), m))
}

// activityCrumbs lead from the project through Settings and the
// integration to its activity log; tail adds a chat.
func activityCrumbs(l i18n.Lang, p project.Project, name, base string, tail ...view.Crumb) []view.Crumb {
	crumbs := []view.Crumb{{Label: l.T("project.tab.settings"), URL: "/projects/" + view.Itoa(p.ID) + "/settings"},
		{Label: name, URL: base}, {Label: l.T("activity.crumb")}}
	if len(tail) > 0 {
		crumbs[len(crumbs)-1].URL = base + "/activity"
		crumbs = append(crumbs, tail...)
	}
	return ProjectCrumbs(l, p, crumbs...)
}

func withQuery(u string, v url.Values) string {
	if len(v) == 0 {
		return u
	}
	return u + "?" + v.Encode()
}

// conversationRow is a chat's line in the list.
func conversationRow(l i18n.Lang, listURL string, cv bridge.Conversation) view.ConversationRow {
	a := cv.Last
	return view.ConversationRow{
		URL: listURL + "/chats/" + view.Itoa(cv.ChatID), Chat: cv.PlatformChatID, Visitor: cv.VisitorName,
		State: string(cv.State), StateLabel: chatStateLabel(l, cv.State), At: a.ReceivedAt,
		TypeLabel: cmp.Or(typeLabel(l, a.Type), a.Type), Text: a.Text,
		Status: string(a.Status), StatusLabel: l.Enum(i18n.ActivityStatus, string(a.Status)), LastError: a.LastError,
	}
}

// chatStateLabel words who holds a chat.
func chatStateLabel(l i18n.Lang, s bridge.ChatState) string {
	key, ok := map[bridge.ChatState]string{bridge.ChatBot: "conversations.state.bot",
		bridge.ChatTransferred: "conversations.state.transferred", bridge.ChatClosed: "conversations.state.closed"}[s]
	if !ok {
		return string(s)
	}
	return l.T(key)
}

// typeLabel words an event type, "" for one the catalog does not know.
func typeLabel(l i18n.Lang, typ string) string {
	if s := l.Enum(i18n.ActivityType, typ); s != typ {
		return s
	}
	return ""
}

// activityRow is an event as the log shows it: words for its type,
// status and details, its calls, and Retry when it failed.
func activityRow(l i18n.Lang, base string, a bridge.Activity, d bridge.ActivityDetail) view.ActivityRow {
	row := view.ActivityRow{
		ID: a.ID, Chat: a.PlatformChatID, Visitor: a.VisitorName, Type: a.Type, TypeLabel: typeLabel(l, a.Type), Text: a.Text,
		Status: string(a.Status), StatusLabel: l.Enum(i18n.ActivityStatus, string(a.Status)), Outcome: string(a.Outcome),
		Attempts: a.Attempts, LastError: a.LastError, ReceivedAt: a.ReceivedAt, ProcessedAt: a.ProcessedAt,
		NextAttemptAt: a.NextAttemptAt,
	}
	row.Details = activityDetails(l, a, d)
	for _, n := range a.Notes {
		row.Notes = append(row.Notes, noteText(l, n))
	}
	row.OperatorData = prettyJSON(a.OperatorData)
	if a.Status == bridge.StatusFailed {
		row.RetryURL = base + "/activity/" + view.Itoa(a.ID) + "/retry"
	}
	for _, call := range a.Calls {
		label := call.Target + " " + call.Method + " #" + strconv.Itoa(call.Attempt)
		if call.StatusCode > 0 {
			label += " → " + strconv.Itoa(call.StatusCode)
		}
		label += " · " + l.T("conversations.call_ms", call.DurationMS)
		row.Calls = append(row.Calls, view.ActivityCall{Label: label, OK: call.OK, Error: call.Error})
	}
	return row
}

// activityDetails are the lines the log adds under an event: the Webim
// kind of a message.other, how many messages a chat.returned carried, the
// operator a chat.assigned named, the action an action.failed reports.
func activityDetails(l i18n.Lang, a bridge.Activity, d bridge.ActivityDetail) []string {
	var out []string
	switch a.Type {
	case botapi.TypeMessageOther:
		if d.Kind != "" {
			out = append(out, l.T("activity.kind", d.Kind))
		}
	case botapi.TypeChatReturned:
		out = append(out, l.T("activity.carried", d.Carried))
	case botapi.TypeChatAssigned:
		if op := cmp.Or(d.OperatorName, d.OperatorID); op != "" {
			out = append(out, l.T("activity.operator", op))
		}
	case botapi.TypeActionFailed:
		if d.Action != "" {
			out = append(out, l.T("activity.failed_action", d.Action))
		}
	}
	return out
}

// noteText words a translation note.
func noteText(l i18n.Lang, n webim.Note) string {
	switch {
	case n.Code == webim.NoteQueueReplaced && n.WebimVersion != "":
		return l.T("activity.note.queue_replaced", n.WebimVersion)
	case n.Code == webim.NoteQueueReplaced:
		return l.T("activity.note.queue_replaced_plain")
	}
	return l.T("activity.note.other", n.Code)
}

// prettyJSON indents JSON for reading; anything else is shown as it is.
func prettyJSON(s string) string {
	if s == "" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(s), "", "  "); err != nil {
		return s
	}
	return b.String()
}
