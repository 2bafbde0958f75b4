package i18n

// Messages of the abuse hardening (issue 14): attack alerts, sign-up and
// busy limits, outbound port refusals. The Russian texts, same keys, are
// in security_ru.go.
func init() {
	Register(EN, securityEN)
	RegisterPlurals(EN, map[string]Plural{
		"auth.signup.throttled": {Arg: 1,
			One:   "Too many sign-ups from your network. Try again in %d minute.",
			Other: "Too many sign-ups from your network. Try again in %d minutes."},
	})
}

var securityEN = map[string]string{
	"integration.domain.port_not_allowed": "This port is not allowed. Leave the port out to use the standard one (443).",
	"bot.endpoint_url.port_not_allowed":   "This port is not allowed. Leave the port out to use the standard one (443), or ask your administrator which ports may be used.",
	"error.503.title":                     "Busy right now",
	"error.503.body":                      "We are handling a lot of log-ins and sign-ups at the moment. Wait a few seconds and try again.",
	"mail.login_attack.subject":           "Someone is trying to log in to your botbridge account",
	"mail.login_attack.body": "Hello,\n\nsomeone is trying to guess the password of your botbridge account %s: " +
		"%d failed log-in attempts in the last %d minutes, from %d address(es).\n\n" +
		"Your account is not locked: you can log in as usual, and attempts from those addresses are slowed down. " +
		"If it was you, you can ignore this message. If it was not, nobody has got in with a wrong password; " +
		"make sure your password is long and not used anywhere else, and tell your administrator if you think someone knows it.\n\n" +
		"Log in: %s\n\n-- \nbotbridge\n",
}
