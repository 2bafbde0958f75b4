package i18n

// Texts the bridge engine sends people (its owner e-mails).
func init() {
	Register(EN, map[string]string{
		"mail.integration.unhealthy.subject": "[botbridge] Webim integration of \"%s\" needs attention",
		"mail.integration.unhealthy.body": "Hello,\n\nWebim refused the Auth token of the integration %s in the project \"%s\", so botbridge has stopped sending the bot's replies to it.\n\n" +
			"Reason: %s\n\nWhat to do: open the integration, press Edit and paste the current Auth token from Webim (Settings → Bots). " +
			"Then retry the failed events from its activity log.\n\n%s\n\n— botbridge\n",
	})
}
