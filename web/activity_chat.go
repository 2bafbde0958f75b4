package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/view"
)

// chatStepsPerPage is how many events the chat view shows at once.
const chatStepsPerPage = 100

// ActivityChat shows one conversation: the transcript oldest first, what
// the visitor saw of each bot reply, each step's calls and errors.
// ?fragment=1 answers the transcript alone (self-refresh). Another
// tenant's chat, or a chat of another integration, is a 404.
func (h *Handler) ActivityChat(c echo.Context) error {
	l := langOf(c)
	p, integID, name, err := h.activityIntegration(c)
	if err != nil {
		return err
	}
	chatID, err := paramID(c, "chat")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	chat, err := bridge.GetChat(ctx, h.DB, p.ID, integID, chatID)
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	page, err := bridge.ChatTranscript(ctx, h.DB, p.ID, integID, chatID, before, chatStepsPerPage)
	if err != nil {
		return err
	}
	base := activityBase(p.ID, integID)
	chatURL := base + "/activity/chats/" + view.Itoa(chatID)
	ids := make([]int64, len(page.Steps))
	for i, s := range page.Steps {
		ids[i] = s.ID
	}
	details, err := bridge.ActivityDetails(ctx, h.DB, p.ID, ids)
	if err != nil {
		return err
	}
	var tr view.ChatTranscript
	if page.Before > 0 {
		tr.EarlierURL = chatURL + "?before=" + view.Itoa(page.Before)
	}
	if before > 0 {
		tr.LatestURL = chatURL
	} else {
		tr.RefreshURL = chatURL + "?fragment=1"
	}
	for _, s := range page.Steps {
		row := view.ChatStepRow{ActivityRow: activityRow(l, base, s.Activity, details[s.ID]), Side: stepSide(s.Type)}
		if row.TypeLabel == "" {
			row.TypeLabel = s.Type
		}
		if row.RetryURL != "" {
			row.RetryURL += "?chat=" + view.Itoa(chatID)
		}
		row.Saw, row.Unsent, row.PreviewError = sawItems(l, s)
		tr.Steps = append(tr.Steps, row)
	}
	if wantsFragment(c) {
		return render(c, http.StatusOK, view.ChatTranscriptFragment(csrfToken(c), tr))
	}
	m := view.ChatView{
		Header:      view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "settings"},
		Integration: name, ListURL: base + "/activity", Chat: chat.PlatformChatID, Visitor: chat.VisitorName,
		Phone: chat.VisitorPhone, Email: chat.VisitorEmail, State: string(chat.State), StateLabel: chatStateLabel(l, chat.State),
		Started: chat.CreatedAt, Transcript: tr,
	}
	if can(p, project.ActionConfigureIntegration) { // the erasure route's action
		m.Erase = &view.ChatErase{Action: "/projects/" + view.Itoa(p.ID) + "/erasures", By: "chat_ref", Value: view.Itoa(chat.ID), Back: base + "/activity"}
		if chat.VisitorID != "" {
			m.Erase.By, m.Erase.Value = "visitor", chat.VisitorID
		}
	}
	title := l.T("conversations.chat", chat.PlatformChatID)
	crumbs := activityCrumbs(l, p, name, base, view.Crumb{Label: title})
	return render(c, http.StatusOK, view.Chat(h.page(c, title, crumbs...), m))
}

// stepSide: a visitor's message shows on the visitor's side; the rest
// (the chat given to the bot, returned, assigned, closed, a failed
// action) are events of the chat.
func stepSide(typ string) string {
	switch typ {
	case botapi.TypeMessageText, botapi.TypeMessageButton, botapi.TypeMessageFile, botapi.TypeMessageOther:
		return "visitor"
	}
	return "system"
}
