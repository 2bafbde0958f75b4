package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// maxTestRawBytes bounds the raw reply a test event keeps for the page.
const maxTestRawBytes = 16 << 10

// TestResult is what "Send a test event" saw: the request, the bot's
// answer as it came, and how Webim would show it.
type TestResult struct {
	// Type is the event sent (ping or message.text); Sent its JSON body.
	Type string
	Sent string
	// Status is the bot's HTTP status (0 when it did not answer).
	Status  int
	Latency time.Duration
	// Raw is the reply body (clipped); Truncated says it was longer.
	Raw       string
	Truncated bool
	// Problem is why the exchange failed: unreachable, an HTTP error or a
	// reply that is not valid (Invalid set then); "" when it worked.
	Problem string
	Invalid bool
	// Preview is how Webim would show the reply (webim.Preview of the
	// calls PlanReply makes, as the engine would send them);
	// Unsupported lists actions Webim cannot perform.
	Preview     []webim.PreviewItem
	Unsupported []string
}

// TestEvent sends the project's bot a signed ping, or a message.text with
// sample as the visitor's text when sample is not empty, and reports
// what came back with a preview of what the visitor would see through the
// project's first integration (its transfer target and link-button
// choice; none: the queue). Nothing is stored and nothing reaches Webim.
// A project without a bot endpoint is apperr.ErrNotFound.
func (e *Engine) TestEvent(ctx context.Context, projectID int64, sample string) (TestResult, error) {
	bot, err := integration.BotEndpoint(ctx, e.Pool, e.Keyring, projectID)
	if err != nil {
		return TestResult{}, err
	}
	list, err := integration.List(ctx, e.Pool, projectID)
	if err != nil {
		return TestResult{}, err
	}
	var integ integration.Integration
	if len(list) > 0 {
		integ = list[0]
	}
	ev := testEvent(projectID, integ.ID, strings.TrimSpace(sample), e.now())
	body, err := json.Marshal(ev)
	if err != nil {
		return TestResult{}, fmt.Errorf("bridge: encode test event: %w", err)
	}
	res := TestResult{Type: ev.Type, Sent: string(body)}
	start := time.Now()
	x, err := e.Bots.Exchange(ctx, endpointOf(bot), ev.ID, body)
	res.Latency = time.Since(start)
	res.Status = x.Status
	res.Raw, res.Truncated = string(x.Raw), len(x.Raw) > maxTestRawBytes
	if res.Truncated {
		res.Raw = clip.Text(string(x.Raw[:maxTestRawBytes]), maxTestRawBytes)
	}
	if err != nil {
		res.Problem, res.Invalid = err.Error(), x.Invalid != nil
		return res, nil
	}
	var version string
	if integ.ID != 0 {
		if seen, err := Seen(ctx, e.Pool, projectID, integ.ID); err == nil {
			version = seen.WebimVersion
		}
	}
	plan, err := PlanReply(x.Reply, webim.IntChat(1), integ, ev.Type, version)
	if err != nil {
		res.Problem, res.Invalid = "the reply cannot be translated for Webim: "+err.Error(), errors.Is(err, apperr.ErrInvalid)
		return res, nil
	}
	if res.Preview, err = webim.Preview(plan.Calls); err != nil {
		return TestResult{}, err
	}
	res.Unsupported = plan.Unsupported
	return res, nil
}

// testEvent is the test event's body: a chat and visitor that exist
// nowhere, marked as a test in their ids.
func testEvent(projectID, integrationID int64, sample string, now time.Time) botapi.Event {
	integ := strconv.FormatInt(integrationID, 10)
	name := "Test visitor"
	ev := botapi.Event{
		ID:          "evt_test_" + strings.TrimPrefix(newPublicID(), "evt_"),
		Type:        botapi.TypePing,
		OccurredAt:  now.UTC().Truncate(time.Second),
		Project:     botapi.Project{ID: strconv.FormatInt(projectID, 10)},
		Integration: botapi.Integration{ID: integ, Platform: "webim"},
		Chat:        botapi.Chat{ID: "test", PlatformChatID: "test"},
		User:        botapi.User{ID: "webim:" + integ + ":test", Channel: botapi.ChannelWebim, Name: &name},
		Request:     botapi.Request{UserChannel: botapi.ChannelWebim},
	}
	if sample != "" {
		ev.Type = botapi.TypeMessageText
		ev.Message = &botapi.Message{ID: "test-message", Text: clip.Text(sample, botapi.MaxTextLen)}
	}
	return ev
}
