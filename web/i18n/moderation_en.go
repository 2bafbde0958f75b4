package i18n

// Moderation for a team of moderators (issue 17): queue counts and
// filters, assignee, evidence check, internal notes, separation of duties,
// revocation, resubmission. The Russian texts, same keys, are in
// moderation_ru.go.

// Families of the evidence check (web.evidenceView).
const (
	EvidenceResult = "moderation.evidence.result"
	EvidenceStep   = "moderation.evidence.step"
)

func init() {
	// The revoked state joins the request families; spelled out here so
	// the catalog test finds every key.
	enums[RequestStatus]["revoked"] = "request.status.revoked"
	enums[RequestVerb]["revoked"] = "request.verb.revoked"
	enums[RequestVerb]["submitted"] = "request.verb.submitted"
	enums[SettingsRequestStatus]["revoked"] = "settings.request_status.revoked"
	enums[EvidenceResult] = map[string]string{
		"ok": "moderation.evidence.result.ok", "fail": "moderation.evidence.result.fail",
		"skip": "moderation.evidence.result.skip", "local": "moderation.evidence.result.local",
	}
	enums[EvidenceStep] = map[string]string{
		"resolve.ok": "moderation.evidence.step.resolve.ok", "resolve.fail": "moderation.evidence.step.resolve.fail",
		"public.ok": "moderation.evidence.step.public.ok", "public.fail": "moderation.evidence.step.public.fail",
		"public.local": "moderation.evidence.step.public.local", "public.skip": "moderation.evidence.step.public.skip",
		"https.ok": "moderation.evidence.step.https.ok", "https.fail": "moderation.evidence.step.https.fail",
		"https.skip":     "moderation.evidence.step.https.skip",
		"certificate.ok": "moderation.evidence.step.certificate.ok", "certificate.fail": "moderation.evidence.step.certificate.fail",
		"certificate.skip": "moderation.evidence.step.certificate.skip",
		"webim.ok":         "moderation.evidence.step.webim.ok", "webim.fail": "moderation.evidence.step.webim.fail",
		"webim.skip": "moderation.evidence.step.webim.skip",
	}
	Register(EN, moderationEN)
}

var moderationEN = map[string]string{
	"request.status.revoked":          "Revoked",
	"request.verb.revoked":            "revoked",
	"request.verb.submitted":          "sent again",
	"settings.request_status.revoked": "Access revoked",

	"flash.request_revoked":            "Access has been revoked: the platform is gone from the project's Settings and its integrations are disabled. The owner has been notified by e-mail.",
	"flash.request_noted":              "Your internal note has been added. Only moderators see it.",
	"flash.evidence_queued":            "The domain check has started; reload the page in a few seconds to see the result.",
	"flash.moderation_none_waiting":    "No requests are waiting to be taken into work.",
	"flash.request_resubmitted":        "Your request has been sent again. We will e-mail you when a moderator takes it into work.",
	"moderation.counts.label":          "Requests by status",
	"moderation.assigned.label":        "Taken by",
	"moderation.assigned.anyone":       "Anyone or nobody",
	"moderation.assigned.me":           "Me",
	"moderation.assigned.none":         "Nobody yet",
	"moderation.col.assignee":          "Taken by",
	"moderation.unassigned":            "Nobody yet",
	"moderation.own_project":           "You are a member of this project, so you cannot take, approve, reject or revoke its requests. Another moderator must decide.",
	"moderation.next_request":          "Next request",
	"moderation.approve.confirm":       "Approve %s for \"%s\"? The project can set up the platform at once.",
	"moderation.revoke":                "Revoke access",
	"moderation.revoke_reason":         "Reason for revoking access",
	"moderation.revoke.label":          "Reason for revoking access",
	"moderation.revoke.hint":           "The owner sees this reason on the request and in the e-mail. They can file a new %s request afterwards.",
	"moderation.revoke.effects":        "Revoking takes %s out of the project's Settings and disables its integrations at once: their webhooks stop answering and chats in progress stop reaching the bot.",
	"moderation.revoke.confirm":        "Revoke %s for \"%s\"? Its integrations stop working at once.",
	"request.revoke_reason.required":   "Enter the reason for revoking access; the owner will see it.",
	"request.revoke_reason.long":       "The reason must be at most 2000 characters.",
	"moderation.comment.hint":          "The owner sees comments. For something only moderators should read, add an internal note below.",
	"moderation.note.label":            "Internal note",
	"moderation.note.hint":             "Only moderators see internal notes. They are never shown or e-mailed to the project's people.",
	"moderation.note.submit":           "Add internal note",
	"moderation.note.badge":            "Internal",
	"moderation.history.noted":         "added an internal note",
	"request.note.required":            "Enter the note.",
	"request.note.long":                "The note must be at most 2000 characters.",
	"moderation.other_requests":        "Other requests by %s",
	"moderation.evidence.title":        "Webim domain check",
	"moderation.evidence.none":         "The domain has not been checked yet.",
	"moderation.evidence.pending":      "The check is running.",
	"moderation.evidence.ok":           "Every check passed",
	"moderation.evidence.failed":       "Some checks failed",
	"moderation.evidence.rerunning":    "A new check is running.",
	"moderation.evidence.checked":      "checked",
	"moderation.evidence.hint":         "botbridge checks the domain the owner named when the request is submitted. \"Looks like Webim\" is a hint from the address and the page, not proof that the account is theirs.",
	"moderation.evidence.again":        "Check again",
	"moderation.evidence.result.ok":    "Passed",
	"moderation.evidence.result.fail":  "Failed",
	"moderation.evidence.result.skip":  "Not checked",
	"moderation.evidence.result.local": "Local",

	"moderation.evidence.step.resolve.ok":       "The name resolves: %s.",
	"moderation.evidence.step.resolve.fail":     "The name could not be found.",
	"moderation.evidence.step.public.ok":        "Every address is public.",
	"moderation.evidence.step.public.fail":      "It points to a private or local network address (%s); botbridge did not connect to it.",
	"moderation.evidence.step.public.local":     "It points to a local address, allowed on this server for development only.",
	"moderation.evidence.step.public.skip":      "Addresses not checked: the name did not resolve.",
	"moderation.evidence.step.https.ok":         "It answers over HTTPS (status %s).",
	"moderation.evidence.step.https.fail":       "It does not answer over HTTPS.",
	"moderation.evidence.step.https.skip":       "HTTPS not tried: an earlier check failed.",
	"moderation.evidence.step.certificate.ok":   "The certificate is valid (until %s).",
	"moderation.evidence.step.certificate.fail": "The certificate is not valid (expired, self-signed or issued for another name).",
	"moderation.evidence.step.certificate.skip": "Certificate not checked: no HTTPS answer.",
	"moderation.evidence.step.webim.ok":         "It looks like a Webim account.",
	"moderation.evidence.step.webim.fail":       "Nothing on its front page looks like Webim.",
	"moderation.evidence.step.webim.skip":       "Not looked at: an earlier check failed.",

	"moderation.project.title":       "Project \"%s\"",
	"moderation.project.intro":       "What moderators may see of this project: its name, its members and its requests. Its settings and integrations stay with its members.",
	"moderation.project.members":     "Members",
	"moderation.project.requests":    "Requests",
	"moderation.project.no_requests": "This project has not filed any requests.",

	"request.resubmit.title":  "Edit and send again: request #%s",
	"request.resubmit.intro":  "Change what the moderator asked about and send the request again. It keeps its history, so the moderator sees the rejection and your changes together.",
	"request.resubmit.submit": "Send again",
	"request.resubmit.link":   "Edit and send again",
	"request.revoked.new":     "File a new request",

	"mail.request.revoked.subject": "Access to %s revoked for \"%s\"",
	"mail.request.revoked.body": "Hello,\n\na moderator has revoked access to %s for the project \"%s\" (request #%s).\n\n" +
		"Reason:\n%s\n\n" +
		"The project's %s integrations have been disabled: their webhooks no longer answer and chats no longer reach your bot.\n\n" +
		"You can file a new request here: %s\n\n-- \nbotbridge\n",
}
