package webim

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

func TestCallBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		call       Call
		wantMethod string
		wantBody   string
	}{
		{name: "text", call: NewTextMessage(1, "hi"), wantMethod: "send_message", wantBody: `{"chat_id":1,"message":{"kind":"operator","text":"hi"}}`},
		{
			name: "keyboard", call: NewKeyboardMessage(1, [][]Button{{{ID: "b1", Text: "One"}, {ID: "b2", Text: "Two"}}, {{ID: "b3", Text: "Three"}}}),
			wantMethod: "send_message", wantBody: `{"chat_id":1,"message":{"kind":"keyboard","buttons":[[{"id":"b1","text":"One"},{"id":"b2","text":"Two"}],[{"id":"b3","text":"Three"}]]}}`,
		},
		{
			name: "file", call: NewFileMessage(1, FileData{URL: "https://e.com/x.png", Name: "x.png", MediaType: "image/png"}),
			wantMethod: "send_message", wantBody: `{"chat_id":1,"message":{"kind":"file_operator","data":{"url":"https://e.com/x.png","name":"x.png","media_type":"image/png"}}}`,
		},
		{name: "redirect operator", call: NewRedirectToOperator(1, 240001), wantMethod: "redirect_chat", wantBody: `{"chat_id":1,"operator_id":240001}`},
		{name: "redirect department", call: NewRedirectToDepartment(1, "sales"), wantMethod: "redirect_chat", wantBody: `{"chat_id":1,"dep_key":"sales"}`},
		{name: "redirect queue", call: NewRedirectToQueue(1), wantMethod: "redirect_chat", wantBody: `{"chat_id":1}`},
		{name: "close", call: NewCloseChat(9007199254740993), wantMethod: "close_chat", wantBody: `{"chat_id":9007199254740993}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.wantMethod, tt.call.Method)
			require.Equal(t, "/api/bot/v2/"+tt.wantMethod, tt.call.Path())
			b, err := json.Marshal(tt.call.Body)
			require.NoError(t, err)
			// Exact bytes: chat_id must be a JSON integer, never a string or float.
			require.Equal(t, tt.wantBody, string(b))
		})
	}
}

func TestParseChatID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "12345", want: 12345},
		{in: "9007199254740993", want: 9007199254740993},
		{in: "0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b", wantErr: true},
		{in: "", wantErr: true},
		{in: "1.5", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseChatID(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, apperr.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
