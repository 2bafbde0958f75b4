package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/webim"
)

// scenario is one random run: how many accounts, chats and workers, who
// sends what when, and which failures are injected when. It is a pure
// function of its seed.
type scenario struct {
	Seed         uint64
	Integrations int
	ChatsPer     int
	Workers      int
	Senders      int
	Actions      [][]action // one list per sender goroutine
	Faults       []faultSlot
}

type action struct {
	Chat int // index into the scenario's chats
	// Redeliver re-posts the chat's last acknowledged message as Webim
	// does when it missed our answer; otherwise the visitor writes.
	Redeliver bool
	Pause     time.Duration
}

// faultSlot is what goes wrong during one 150 ms slice of the run.
type faultSlot struct {
	Rate    float64
	Mode    sandbox.FaultMode
	BotDown bool
}

func genScenario(seed uint64) scenario {
	r := rand.New(rand.NewPCG(seed, 0x0bb1d6e))
	sc := scenario{
		Seed:         seed,
		Integrations: 1 + r.IntN(2),
		ChatsPer:     2 + r.IntN(4),
		Workers:      1 + r.IntN(8),
		Senders:      1 + r.IntN(4),
	}
	chats := sc.Integrations * sc.ChatsPer
	n := chats * (6 + r.IntN(10))
	sc.Actions = make([][]action, sc.Senders)
	for i := range n {
		a := action{Chat: r.IntN(chats), Pause: time.Duration(r.IntN(60)) * time.Millisecond}
		a.Redeliver = i > chats && r.IntN(8) == 0
		g := r.IntN(sc.Senders)
		sc.Actions[g] = append(sc.Actions[g], a)
	}
	modes := []sandbox.FaultMode{sandbox.FaultServerError, sandbox.FaultRateLimit, sandbox.FaultTimeout}
	for range 12 {
		sc.Faults = append(sc.Faults, faultSlot{
			Rate:    []float64{0, 0.2, 0.4, 0.6}[r.IntN(4)],
			Mode:    modes[r.IntN(len(modes))],
			BotDown: r.IntN(4) == 0,
		})
	}
	return sc
}

// propertySeeds are the scenarios every run checks; FAULTTEST_SEED adds
// one (to replay a failure or explore).
func propertySeeds(t *testing.T) []uint64 {
	seeds := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	if s := os.Getenv("FAULTTEST_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "FAULTTEST_SEED")
		seeds = append(seeds, n)
	}
	return seeds
}

// Property: whatever the interleaving of chats, senders and workers, and
// whatever fails on the way (Webim 500s, 429s and timeouts, the bot down,
// Webim redelivering a webhook), each chat's replies reach Webim exactly
// once each, in the order its messages arrived.
func TestChatOrderProperty(t *testing.T) {
	t.Parallel()
	for _, seed := range propertySeeds(t) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			limit(t)
			sc := genScenario(seed)
			t.Logf("scenario: %d integrations × %d chats, %d workers, %d senders, %d actions",
				sc.Integrations, sc.ChatsPer, sc.Workers, sc.Senders, countActions(sc))
			runScenario(t, sc)
		})
	}
}

func countActions(sc scenario) int {
	n := 0
	for _, as := range sc.Actions {
		n += len(as)
	}
	return n
}

func runScenario(t *testing.T, sc scenario) {
	p := startInProcess(t, inprocOptions{
		// The bot and Webim are retried until they work: no fallback, no
		// failed event, so the property is about order alone.
		Retry:        bridge.Retry{BotAttempts: 1000, WebimAttempts: 1000, Base: 10 * time.Millisecond, Max: 200 * time.Millisecond},
		Workers:      sc.Workers,
		HTTPTimeout:  400 * time.Millisecond,
		Integrations: sc.Integrations,
	})
	chats := startChats(t, p.Stack, sc.ChatsPer)
	hooks := map[*sandbox.Server]string{}
	for _, a := range p.Accounts {
		hooks[a.Sandbox] = a.WebhookURL
	}

	// Failures follow the scenario's timeline.
	stop := make(chan struct{})
	faultsDone := make(chan struct{})
	go func() {
		defer close(faultsDone)
		for i := 0; ; i++ {
			f := sc.Faults[i%len(sc.Faults)]
			for _, a := range p.Accounts {
				a.Sandbox.SetFaults(sandbox.Faults{Rate: f.Rate, Mode: f.Mode, Seed: sc.Seed + uint64(i), RetryAfter: 1, Delay: 2 * time.Second})
			}
			p.Bot.SetDown(f.BotDown)
			select {
			case <-stop:
				for _, a := range p.Accounts {
					a.Sandbox.SetFaults(sandbox.Faults{})
				}
				p.Bot.SetDown(false)
				return
			case <-time.After(150 * time.Millisecond):
			}
		}
	}()
	stopFaults := sync.OnceFunc(func() { close(stop); <-faultsDone })
	t.Cleanup(stopFaults)

	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	var next int
	redelivered := 0
	for _, list := range sc.Actions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, a := range list {
				time.Sleep(a.Pause)
				c := chats[a.Chat]
				var err error
				if a.Redeliver {
					var did bool
					did, err = redeliver(hooks[c.sb], c)
					if did {
						mu.Lock()
						redelivered++
						mu.Unlock()
					}
				} else {
					mu.Lock()
					next++
					text := msgText(c.id, next)
					mu.Unlock()
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					err = c.sb.SendText(ctx, c.id, text)
					cancel()
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	require.Empty(t, errs, "every webhook is acknowledged")

	// Let the failures play out a little longer, then let things heal so
	// the run ends soon; the order must hold either way.
	time.Sleep(300 * time.Millisecond)
	stopFaults()
	o := verify(t, p.Pool, p.Bot, chats, 60*time.Second)
	injected := 0
	for _, a := range p.Accounts {
		injected += a.Sandbox.Stats().Injected
	}
	t.Logf("%d redeliveries, %d Webim calls failed, bot asked %d times for %d events; %s",
		redelivered, injected, p.Bot.Requests(), len(p.Bot.Events()), o)
	require.Zero(t, o.WebimDup, "no reply repeated")
	require.Zero(t, o.BotDup, "no event repeated at the bot")
	require.Zero(t, o.Unacked)
	// Redeliveries are stored once: one event per chat start and per message.
	require.Equal(t, len(chats)+o.Acked, count(t, p.Pool, `SELECT count(*) FROM bridge_events`))
}

// redeliver re-posts the chat's last acknowledged visitor message, byte
// for byte what Webim would resend; it reports false when there is none yet.
func redeliver(hook string, c chatRef) (bool, error) {
	tr := c.sb.Transcript(c.id)
	var last *sandbox.Message
	for i := range tr.Messages {
		if m := tr.Messages[i]; m.From == sandbox.FromVisitor && ackedMsg(m) {
			last = &tr.Messages[i]
		}
	}
	if last == nil {
		return false, nil
	}
	body, err := json.Marshal(map[string]any{
		"event":   webim.EventNewMessage,
		"chat_id": c.id,
		"message": map[string]string{"id": last.ID, "kind": webim.KindVisitor, "text": last.Text},
	})
	if err != nil {
		return false, err
	}
	req, err := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webim.HeaderVersion, webim.Version2)
	resp, err := httpc.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("redelivery answered %d", resp.StatusCode)
	}
	return true, nil
}
