package web

import (
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/i18n"
)

// accounts is the account flows' policy (Deps.Accounts, or the defaults)
// with their mail going out through the outbox in the catalog's words.
func (h *Handler) accounts() auth.Accounts {
	a := h.Accounts
	if a.ResetTTL == 0 {
		mail := a.Mail
		a = auth.DefaultAccounts
		a.Mail = mail
	}
	if a.Mail == nil {
		base := ""
		if h.Config != nil && h.Config.BaseURL != nil {
			base = h.Config.BaseURL.String()
		}
		a.Mail = &auth.AccountMail{Jobs: h.Jobs, BaseURL: base, T: i18n.Text, DefaultLang: string(defaultLang(h.Config))}
	}
	return a
}
