package bridge

// Status is where an event is in its delivery: pending → (the bot
// answered) replied → done | failed. A chat's events are delivered strictly
// in id order: a pending or replied event holds the later ones back.
type Status string

// The states of an event (bridge_events.status; TestStatesMatchSchema
// checks them against the table's CHECK constraint).
const (
	StatusPending Status = "pending"
	StatusReplied Status = "replied"
	StatusDone    Status = "done"
	StatusFailed  Status = "failed"
)

// Statuses lists every event state in delivery order.
var Statuses = []Status{StatusPending, StatusReplied, StatusDone, StatusFailed}

// Outcome says what came of an event, for the activity log.
type Outcome string

// The outcomes of an event (bridge_events.outcome).
const (
	OutcomeReplied     Outcome = "replied"
	OutcomeTransferred Outcome = "transferred"
	OutcomeClosed      Outcome = "closed"
	// OutcomeFallback: the bot could not answer; the fallback text and a
	// transfer replaced it.
	OutcomeFallback Outcome = "fallback"
	// OutcomeNothing: the bot had nothing to say (or was not asked).
	OutcomeNothing Outcome = "nothing"
	// OutcomeUnsupported: the bot asked for an action Webim cannot do.
	OutcomeUnsupported Outcome = "unsupported"
)

// ChatState is who holds a chat: the bot, or nobody any more because the
// bot handed it over.
type ChatState string

// The states of a chat (chats.state).
const (
	ChatBot         ChatState = "bot"
	ChatTransferred ChatState = "transferred"
	ChatClosed      ChatState = "closed"
)

// ChatStates lists every chat state.
var ChatStates = []ChatState{ChatBot, ChatTransferred, ChatClosed}
