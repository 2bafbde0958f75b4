package sandbox

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/botbridge/botbridge/web/i18n"
)

//go:embed assets
var assets embed.FS

// pageTmpl is the page; "t" translates a catalog key into the request's
// language (bound per request).
var pageTmpl = template.Must(template.New("index.html").Funcs(template.FuncMap{"t": i18n.RU.T}).ParseFS(assets, "assets/index.html"))

// contentSecurityPolicy allows only the sandbox's own files: no inline
// script or style anywhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

type pageData struct {
	WebhookURL string
	APIBase    string
	Token      string
	Settings   Settings
	Lang       i18n.Lang
	// Other is the language the switch offers.
	Other i18n.Lang
	// Strings are the script's texts in Lang (JSON in a data attribute:
	// the CSP allows no inline script).
	Strings string
}

// langCookie remembers the page's language switch.
const langCookie = "sandbox_lang"

// language picks the page's language: ?lang=, the switch's cookie, the
// browser's Accept-Language, the sandbox's configured language, Russian.
func (s *Server) language(r *http.Request) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	if l, ok := i18n.Match(r.Header.Get("Accept-Language")); ok {
		return l
	}
	if l, ok := i18n.Parse(s.lang); ok {
		return l
	}
	return i18n.RU
}

// handlePage is the visitor chat page (GET /).
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	lang := s.language(r)
	if _, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(lang), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	other := i18n.EN
	if lang == i18n.EN {
		other = i18n.RU
	}
	strs, _ := json.Marshal(scriptStrings(lang))
	data := pageData{WebhookURL: s.WebhookURL(), APIBase: "http://" + r.Host, Token: s.token, Settings: s.Settings(),
		Lang: lang, Other: other, Strings: string(strs)}
	tmpl, err := pageTmpl.Clone()
	if err == nil {
		tmpl = tmpl.Funcs(template.FuncMap{"t": lang.T})
		err = tmpl.Execute(&buf, data)
	}
	if err != nil {
		s.log.Error("sandbox page", "error", err)
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(lang))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Accept-Language, Cookie")
	_, _ = w.Write(buf.Bytes())
}

var staticTypes = map[string]string{
	"sandbox.js":  "text/javascript; charset=utf-8",
	"sandbox.css": "text/css; charset=utf-8",
}

// handleStatic serves the page's script and stylesheet.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	ct, ok := staticTypes[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

// maxPageBody bounds the JSON bodies of the sandbox endpoints.
const maxPageBody = 64 << 10

// readJSON decodes a sandbox endpoint's body strictly. Requiring
// application/json also keeps other web pages from posting here with
// plain forms.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeAPIError(w, &apiError{http.StatusUnsupportedMediaType, ErrCodeUnsupportedMedia, "send JSON (Content-Type: application/json)"})
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPageBody))
	if err != nil {
		writeAPIError(w, &apiError{http.StatusRequestEntityTooLarge, ErrCodeTooLarge, "body too large"})
		return false
	}
	if e := decodeStrict(body, v); e != nil {
		writeAPIError(w, e)
		return false
	}
	return true
}

// visitorError maps a visitor action's error to an HTTP answer, its desc
// in the page's language.
func (s *Server) visitorError(w http.ResponseWriter, r *http.Request, err error) {
	l := s.language(r)
	var ce *ChatEventError
	switch {
	case errors.Is(err, ErrChatNotFound):
		writeAPIError(w, &apiError{http.StatusNotFound, "not_found", l.T("sandboxui.error.no_chat")})
	case errors.Is(err, ErrChatClosed):
		writeAPIError(w, &apiError{http.StatusConflict, ErrCodeChatClosed, l.T("sandboxui.error.closed")})
	case errors.Is(err, ErrNotWithOperator):
		writeAPIError(w, &apiError{http.StatusConflict, "not_with_operator", l.T("sandboxui.error.not_with_operator")})
	case errors.Is(err, ErrUnknownButton):
		writeAPIError(w, &apiError{http.StatusBadRequest, ErrCodeBadRequest, l.T("sandboxui.error.unknown_button")})
	case errors.Is(err, ErrInvalid):
		writeAPIError(w, &apiError{http.StatusBadRequest, ErrCodeBadRequest, strings.TrimPrefix(err.Error(), "sandbox: ")})
	case errors.As(err, &ce):
		writeAPIError(w, &apiError{http.StatusBadGateway, "chat_event_failed", ce.Result.localizedNote(l)})
	default:
		writeAPIError(w, &apiError{http.StatusInternalServerError, ErrCodeInternal, err.Error()})
	}
}

func pathChatID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// actionAnswer is what the visitor endpoints return: the webhook outcome
// (null when nothing was sent) and the transcript after the action, both
// in the page's language.
type actionAnswer struct {
	ChatID     int64            `json:"chat_id"`
	Webhook    *WebhookResult   `json:"webhook"`
	ChatEvent  *ChatEventResult `json:"chat_event,omitempty"`
	Transcript Transcript       `json:"transcript"`
}

// answer writes an actionAnswer localized for the request.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, id int64, res *WebhookResult) {
	l := s.language(r)
	a := actionAnswer{ChatID: id, Transcript: s.Transcript(id).localized(l)}
	if res != nil {
		x := res.localized(l)
		a.Webhook = &x
	}
	writeJSON(w, status, a)
}

// webhookContext detaches the webhook from the browser's request, so a
// visitor leaving the page does not cut a delivery in half.
func webhookContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
}

// handleStartChat is POST /sandbox/chats {"name": "…"}.
func (s *Server) handleStartChat(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	ctx, cancel := webhookContext(r)
	defer cancel()
	id, res, err := s.startChat(ctx, in.Name)
	if err != nil {
		s.visitorError(w, r, err)
		return
	}
	s.answer(w, r, http.StatusCreated, id, &res)
}

// chatAction serves POST /sandbox/chats/{id}/…: the chat from the path,
// the body as In, the action run with a webhook's deadline, and the answer
// the chat and the webhook's result (a failed webhook is part of the
// answer, not an error).
func chatAction[In any](s *Server, w http.ResponseWriter, r *http.Request, do func(ctx context.Context, id int64, in In) (*WebhookResult, error)) {
	id, ok := pathChatID(r)
	if !ok {
		s.visitorError(w, r, ErrChatNotFound)
		return
	}
	var in In
	if !readJSON(w, r, &in) {
		return
	}
	ctx, cancel := webhookContext(r)
	defer cancel()
	res, err := do(ctx, id, in)
	if err != nil {
		s.visitorError(w, r, err)
		return
	}
	s.answer(w, r, http.StatusOK, id, res)
}

// handleSendText is POST /sandbox/chats/{id}/messages {"text": "…"}.
func (s *Server) handleSendText(w http.ResponseWriter, r *http.Request) {
	chatAction(s, w, r, func(ctx context.Context, id int64, in struct {
		Text string `json:"text"`
	}) (*WebhookResult, error) {
		return s.sendText(ctx, id, in.Text)
	})
}

// handlePressButton is POST /sandbox/chats/{id}/buttons
// {"button_id": "…", "message_id": "<keyboard message, optional>"}.
func (s *Server) handlePressButton(w http.ResponseWriter, r *http.Request) {
	chatAction(s, w, r, func(ctx context.Context, id int64, in struct {
		ButtonID  string `json:"button_id"`
		MessageID string `json:"message_id"`
	}) (*WebhookResult, error) {
		return s.pressButton(ctx, id, in.ButtonID, in.MessageID)
	})
}

// handleSendSticker is POST /sandbox/chats/{id}/stickers {"sticker_id": N}.
func (s *Server) handleSendSticker(w http.ResponseWriter, r *http.Request) {
	chatAction(s, w, r, func(ctx context.Context, id int64, in struct {
		StickerID int `json:"sticker_id"`
	}) (*WebhookResult, error) {
		return s.sendSticker(ctx, id, in.StickerID)
	})
}

// handleOperatorSay is POST /sandbox/chats/{id}/operator/messages {"text": "…"}.
func (s *Server) handleOperatorSay(w http.ResponseWriter, r *http.Request) {
	chatAction(s, w, r, func(_ context.Context, id int64, in struct {
		Text string `json:"text"`
	}) (*WebhookResult, error) {
		return nil, s.OperatorSay(id, in.Text)
	})
}

// handleReturnToBot is POST /sandbox/chats/{id}/operator/return {}.
func (s *Server) handleReturnToBot(w http.ResponseWriter, r *http.Request) {
	chatAction(s, w, r, func(ctx context.Context, id int64, _ struct{}) (*WebhookResult, error) {
		return s.returnToBot(ctx, id)
	})
}

// handleGetChat is GET /sandbox/chats/{id}: the transcript.
func (s *Server) handleGetChat(w http.ResponseWriter, r *http.Request) {
	id, ok := pathChatID(r)
	t := s.Transcript(id)
	if !ok || t.ChatID == 0 {
		s.visitorError(w, r, ErrChatNotFound)
		return
	}
	writeJSON(w, http.StatusOK, t.localized(s.language(r)))
}

// handleCloseByOperator is POST /sandbox/chats/{id}/operator/close {}.
func (s *Server) handleCloseByOperator(w http.ResponseWriter, r *http.Request) {
	id, ok := pathChatID(r)
	if !ok {
		s.visitorError(w, r, ErrChatNotFound)
		return
	}
	var in struct{}
	if !readJSON(w, r, &in) {
		return
	}
	ctx, cancel := webhookContext(r)
	defer cancel()
	res, err := s.closeByOperator(ctx, id)
	var ce *ChatEventError
	if err != nil && !errors.As(err, &ce) {
		s.visitorError(w, r, err)
		return
	}
	l := s.language(r)
	a := actionAnswer{ChatID: id, Transcript: s.Transcript(id).localized(l)}
	if res != nil {
		x := *res
		x.Note = x.localizedNote(l)
		a.ChatEvent = &x
	}
	writeJSON(w, http.StatusOK, a)
}

// handleGetSettings is GET /sandbox/settings.
func (s *Server) handleGetSettings(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Settings())
}

// handleSetSettings is POST /sandbox/settings with every setting.
func (s *Server) handleSetSettings(w http.ResponseWriter, r *http.Request) {
	var in Settings
	if !readJSON(w, r, &in) {
		return
	}
	if err := s.SetSettings(in); err != nil {
		writeAPIError(w, badRequest("%s", strings.TrimPrefix(err.Error(), "sandbox: ")))
		return
	}
	st := s.Settings()
	s.log.Info("sandbox settings", "string_chat_ids", st.StringChatIDs, "no_message_ids", st.NoMessageIDs,
		"webim_version", st.WebimVersion, "chat_events", redactURL(st.ChatEventsURL), "chat_assigned", st.ChatAssigned)
	writeJSON(w, http.StatusOK, st)
}

// ChatSummary is one line of GET /sandbox/chats.
type ChatSummary struct {
	ChatID   int64  `json:"chat_id"`
	Visitor  string `json:"visitor"`
	State    string `json:"state"`
	Target   string `json:"target,omitempty"`
	Messages int    `json:"messages"`
}

// Chats lists the chats, newest first.
func (s *Server) Chats() []ChatSummary {
	s.mu.Lock()
	out := make([]ChatSummary, 0, len(s.chats))
	for _, c := range s.chats {
		out = append(out, ChatSummary{ChatID: c.t.ChatID, Visitor: c.t.Visitor.Name, State: c.t.State,
			Target: c.t.Target, Messages: len(c.t.Messages)})
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ChatID > out[j].ChatID })
	return out
}

func (s *Server) handleListChats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"chats": s.Chats()})
}

// faultsJSON is Faults on the wire (durations in milliseconds).
type faultsJSON struct {
	Mode         FaultMode `json:"mode,omitempty"`
	Rate         float64   `json:"rate"`
	Seed         uint64    `json:"seed"`
	Count        int       `json:"count"`
	Methods      []string  `json:"methods,omitempty"`
	RetryAfter   int       `json:"retry_after"`
	DelayMS      int64     `json:"delay_ms"`
	Unauthorized bool      `json:"unauthorized"`
	LatencyMS    int64     `json:"latency_ms"`
}

func (f Faults) wire() faultsJSON {
	return faultsJSON{Mode: f.Mode, Rate: f.Rate, Seed: f.Seed, Count: f.Count, Methods: f.Methods, RetryAfter: f.RetryAfter,
		DelayMS: f.Delay.Milliseconds(), Unauthorized: f.Unauthorized, LatencyMS: f.Latency.Milliseconds()}
}

func (w faultsJSON) faults() Faults {
	return Faults{Mode: w.Mode, Rate: w.Rate, Seed: w.Seed, Count: w.Count, Methods: w.Methods, RetryAfter: w.RetryAfter,
		Delay: time.Duration(w.DelayMS) * time.Millisecond, Unauthorized: w.Unauthorized,
		Latency: time.Duration(w.LatencyMS) * time.Millisecond}
}

// handleGetFaults is GET /sandbox/faults: the faults in force and the counters.
func (s *Server) handleGetFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults().wire(), "stats": s.Stats()})
}

// handleSetFaults is POST /sandbox/faults with the faults (durations as
// delay_ms and latency_ms); {} restores normal behaviour.
func (s *Server) handleSetFaults(w http.ResponseWriter, r *http.Request) {
	var in faultsJSON
	if !readJSON(w, r, &in) {
		return
	}
	if in.DelayMS < 0 || in.LatencyMS < 0 || in.DelayMS > maxFaultDelay.Milliseconds() || in.LatencyMS > maxFaultDelay.Milliseconds() {
		writeAPIError(w, badRequest("delay_ms and latency_ms must be between 0 and %d", maxFaultDelay.Milliseconds()))
		return
	}
	f := in.faults()
	if err := f.Validate(); err != nil {
		writeAPIError(w, badRequest("%s", strings.ReplaceAll(err.Error(), "\n", "; ")))
		return
	}
	s.SetFaults(f)
	s.log.Info("sandbox faults set", "rate", f.Rate, "mode", string(f.Mode), "unauthorized", f.Unauthorized, "latency", f.Latency)
	writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults().wire(), "stats": s.Stats()})
}

// handleCalls is GET /sandbox/calls: every API call received and the counters.
func (s *Server) handleCalls(w http.ResponseWriter, _ *http.Request) {
	calls := s.Calls()
	if calls == nil {
		calls = []RecordedCall{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"calls": calls, "stats": s.Stats()})
}

func (s *Server) handleGetWebhook(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"url": s.WebhookURL()})
}

// handleSetWebhook is POST /sandbox/webhook {"url": "…"} ("" unsets it).
func (s *Server) handleSetWebhook(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL string `json:"url"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	u := strings.TrimSpace(in.URL)
	if u != "" {
		if err := CheckWebhookURL(u); err != nil {
			writeAPIError(w, badRequest("%s", err.Error()))
			return
		}
	}
	s.SetWebhookURL(u)
	s.log.Info("sandbox webhook URL set", "host", redactURL(u))
	writeJSON(w, http.StatusOK, map[string]string{"url": u})
}

// CheckWebhookURL reports whether u can receive webhooks: an absolute
// http or https URL.
func CheckWebhookURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("the webhook URL must be an absolute http or https URL")
	}
	return nil
}

// SetFaultsAt sets the faults of a sandbox running in another process
// (POST {baseURL}/sandbox/faults).
func SetFaultsAt(ctx context.Context, client *http.Client, baseURL string, f Faults) error {
	if client == nil {
		client = http.DefaultClient
	}
	body, err := json.Marshal(f.wire())
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+"/sandbox/faults", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox: set faults: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sandbox: set faults: %d %s", resp.StatusCode, snippet(answer))
	}
	return nil
}
