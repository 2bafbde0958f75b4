package botapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEventJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{
			name: "text message",
			ev: Event{
				ID: "evt_1", Type: TypeMessageText, OccurredAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
				Project: Project{ID: "p1"}, Integration: Integration{ID: "i1", Platform: "webim"},
				Chat:    Chat{ID: "c1", PlatformChatID: "12345"},
				User:    User{ID: "u1", Channel: ChannelWebim, Name: NullString("John")},
				Request: Request{UserChannel: ChannelWebim},
				Message: &Message{ID: "m1", Text: "hello"},
			},
			want: `{"id":"evt_1","type":"message.text","occurred_at":"2026-11-24T10:00:00Z",
				"project":{"id":"p1"},"integration":{"id":"i1","platform":"webim"},
				"chat":{"id":"c1","platform_chat_id":"12345"},
				"user":{"id":"u1","channel":"webim","name":"John","phone":null,"email":null},
				"request":{"userChannel":"webim"},"message":{"id":"m1","text":"hello"}}`,
		},
		{
			name: "action failed",
			ev: Event{
				ID: "evt_2", Type: TypeActionFailed, OccurredAt: time.Date(2026, 11, 24, 10, 0, 1, 0, time.UTC),
				Project: Project{ID: "p1"}, Integration: Integration{ID: "i1", Platform: "webim"},
				Chat:    Chat{ID: "c1", PlatformChatID: "12345"},
				User:    User{ID: "u1", Channel: ChannelWebim},
				Request: Request{UserChannel: ChannelWebim},
				Action:  ActionSendDataToOperator, Reason: ReasonUnsupportedByPlatform,
			},
			want: `{"id":"evt_2","type":"action.failed","occurred_at":"2026-11-24T10:00:01Z",
				"project":{"id":"p1"},"integration":{"id":"i1","platform":"webim"},
				"chat":{"id":"c1","platform_chat_id":"12345"},
				"user":{"id":"u1","channel":"webim","name":null,"phone":null,"email":null},
				"request":{"userChannel":"webim"},
				"action":"send_data_to_operator","reason":"unsupported_by_platform"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.ev)
			require.NoError(t, err)
			require.JSONEq(t, tt.want, string(b))
			var back Event
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, tt.ev, back)
		})
	}
}

func TestNullString(t *testing.T) {
	t.Parallel()
	require.Nil(t, NullString(""))
	require.Equal(t, "x", *NullString("x"))
}
