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
		{name: "text", call: NewTextMessage(IntChat(1), "hi"), wantMethod: "send_message", wantBody: `{"chat_id":1,"message":{"kind":"operator","text":"hi"}}`},
		{
			name: "keyboard", call: NewKeyboardMessage(IntChat(1), [][]Button{{{ID: "b1", Text: "One"}, {ID: "b2", Text: "Two"}}, {{ID: "b3", Text: "Three"}}}),
			wantMethod: "send_message", wantBody: `{"chat_id":1,"message":{"kind":"keyboard","buttons":[[{"id":"b1","text":"One"},{"id":"b2","text":"Two"}],[{"id":"b3","text":"Three"}]]}}`,
		},
		{
			name: "file", call: NewFileMessage(IntChat(1), FileData{URL: "https://e.com/x.png", Name: "x.png", MediaType: "image/png"}),
			wantMethod: "send_message", wantBody: `{"chat_id":1,"message":{"kind":"file_operator","data":{"url":"https://e.com/x.png","name":"x.png","media_type":"image/png"}}}`,
		},
		{name: "redirect operator", call: NewRedirectToOperator(IntChat(1), 240001), wantMethod: "redirect_chat", wantBody: `{"chat_id":1,"operator_id":240001}`},
		{name: "redirect department", call: NewRedirectToDepartment(IntChat(1), "sales"), wantMethod: "redirect_chat", wantBody: `{"chat_id":1,"dep_key":"sales"}`},
		{name: "redirect queue", call: NewRedirectToQueue(IntChat(1)), wantMethod: "redirect_chat", wantBody: `{"chat_id":1}`},
		{name: "close", call: NewCloseChat(IntChat(9007199254740993)), wantMethod: "close_chat", wantBody: `{"chat_id":9007199254740993}`},
		{name: "string chat id goes back a string", call: NewTextMessage(ChatRef{ID: "c-7", Quoted: true}, "hi"), wantMethod: "send_message", wantBody: `{"chat_id":"c-7","message":{"kind":"operator","text":"hi"}}`},
		{name: "quoted digits stay quoted", call: NewCloseChat(ChatRef{ID: "12", Quoted: true}), wantMethod: "close_chat", wantBody: `{"chat_id":"12"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.wantMethod, tt.call.Method)
			require.Equal(t, "/api/bot/v2/"+tt.wantMethod, tt.call.Path())
			b, err := json.Marshal(tt.call.Body)
			require.NoError(t, err)
			// Exact bytes: chat_id in the form Webim sent it, an integer never a float.
			require.Equal(t, tt.wantBody, string(b))
		})
	}
}

func TestNewChatRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		quoted  bool
		want    string
		wantErr bool
	}{
		{in: "12345", want: "12345"},
		{in: "9007199254740993", want: "9007199254740993"},
		{in: "0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b", wantErr: true},
		{in: "0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b", quoted: true, want: `"0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"`},
		{in: "", wantErr: true},
		{in: "", quoted: true, wantErr: true},
		{in: "1.5", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := NewChatRef(tt.in, tt.quoted)
			if tt.wantErr {
				require.ErrorIs(t, err, apperr.ErrInvalid)
				return
			}
			require.NoError(t, err)
			b, err := json.Marshal(got)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(b))
			var back ChatRef
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, got, back, "a ChatRef reads back as it was written")
		})
	}
}
