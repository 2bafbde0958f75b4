package request_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/account"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/request"
)

// The same transition is mailed to a contact address without an account in
// the language the request was filed in: Russian, or English.
func TestMailInTheRequestsLanguage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang                 string
		subject, body, steps string
	}{
		{"ru", "Заявка на Webim для «Acme Shop» взята в работу",
			"Модератор взял в работу вашу заявку №%s на Webim в проекте «Acme Shop».", "Что дальше: модератор проверит указанные данные"},
		{"en", `Your Webim request for "Acme Shop" is in review`,
			`a moderator has taken your request #%s for Webim in the project "Acme Shop" into work.`, "What happens next: the moderator reviews"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			t.Parallel()
			tx := dbtest.Tx(t)
			f := setup(t, tx)
			f.n.DefaultLang = "" // Russian, so English comes from the request alone
			in := validInput()
			in.Language = c.lang
			r, err := request.Submit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, in)
			require.NoError(t, err)
			require.Equal(t, c.lang, r.Language)

			before := lastMailID(t, tx)
			_, err = request.Take(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID)
			require.NoError(t, err)
			mails := outbox(t, tx, before)
			require.Len(t, mails, 1)
			require.Equal(t, "support@acme.example", mails[0].To)
			require.Equal(t, c.subject, mails[0].Subject)
			require.Contains(t, mails[0].Body, fmt.Sprintf(c.body, itoa(r.ID)))
			require.Contains(t, mails[0].Body, c.steps)
		})
	}
}

// A contact address that is an account's gets the account's language,
// whatever the request was filed in; moderators each get their own, and
// DEFAULT_LANGUAGE when they chose none.
func TestMailInTheRecipientsLanguage(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	f.n.DefaultLang = "ru"
	require.NoError(t, account.SetLocale(f.ctx, tx, f.owner.ID, account.Locale{Language: "en"}))
	require.NoError(t, account.SetLocale(f.ctx, tx, f.admin.ID, account.Locale{Language: "en"}))

	in := validInput()
	in.ContactEmail, in.Language = f.owner.Email, "ru"
	before := lastMailID(t, tx)
	r, err := request.Submit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, in)
	require.NoError(t, err)
	subjects := map[string]string{}
	for _, m := range outbox(t, tx, before) {
		subjects[m.To] = m.Subject
	}
	require.Equal(t, "Новая заявка №"+itoa(r.ID)+": Webim для «Acme Shop»", subjects[f.mod.Email], "no choice: DEFAULT_LANGUAGE")
	require.Equal(t, `New integration request #`+itoa(r.ID)+`: Webim for "Acme Shop"`, subjects[f.admin.Email])

	before = lastMailID(t, tx)
	r, err = request.Take(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID)
	require.NoError(t, err)
	_, err = request.Reject(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID, "Нет описания сценария")
	require.NoError(t, err)
	mails := outbox(t, tx, before)
	require.Len(t, mails, 2)
	require.Equal(t, `Your Webim request for "Acme Shop" is in review`, mails[0].Subject)
	require.Equal(t, `Your Webim request for "Acme Shop" was rejected`, mails[1].Subject)
	require.Contains(t, mails[1].Body, "Reason:\nНет описания сценария")
}
