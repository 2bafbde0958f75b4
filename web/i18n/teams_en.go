package i18n

// Messages of teams (issue 15): the Members tab, invitations and their
// e-mail, roles and what members may not do, renaming a project. The
// Russian texts, same keys, are in teams_ru.go.
func init() {
	// The Members tab and the membership audit actions join enumerations
	// enum.go defines; their keys are spelled out here, with their texts.
	enums[ProjectTab]["members"] = "project.tab.members"
	for a, k := range map[string]string{
		"member_invited": "settings.audit.action.member_invited", "invitation_revoked": "settings.audit.action.invitation_revoked",
		"invitation_accepted": "settings.audit.action.invitation_accepted", "member_role_changed": "settings.audit.action.member_role_changed",
		"member_removed": "settings.audit.action.member_removed", "member_left": "settings.audit.action.member_left",
		"project_renamed": "settings.audit.action.project_renamed",
	} {
		enums[AuditAction][a] = k
	}
	Register(EN, teamsEN)
	RegisterPlurals(EN, map[string]Plural{
		"team.invite.throttled": {Arg: 1,
			One:   "This project has sent many invitations in the last hour. Try again in %d minute.",
			Other: "This project has sent many invitations in the last hour. Try again in %d minutes."},
		"mail.invitation.body": {Arg: 5,
			One: "Hello,\n\n%s invites you to the project «%s» on botbridge as %s.\n\n" +
				"To accept, open this link (it works once, for %[5]d day):\n%[4]s\n\n" +
				"If you have no botbridge account yet, you can sign up from the link with this address. " +
				"If you did not expect this invitation, ignore this message: nothing happens without you.\n\n-- \nbotbridge\n",
			Other: "Hello,\n\n%s invites you to the project «%s» on botbridge as %s.\n\n" +
				"To accept, open this link (it works once, for %[5]d days):\n%[4]s\n\n" +
				"If you have no botbridge account yet, you can sign up from the link with this address. " +
				"If you did not expect this invitation, ignore this message: nothing happens without you.\n\n-- \nbotbridge\n"},
	})
}

var teamsEN = map[string]string{
	"project.tab.members": "Members",

	"error.403.owners_only":                   "Only the project's owners can do this. Ask one of them if you need it done.",
	"team.settings.owners_configure":          "Only the project's owners add and configure integrations.",
	"team.integration.webhook_owners_only":    "The webhook URL contains the integration's secret key, so only the project's owners see it.",
	"team.integration.chat_events_configured": "Chat events credentials are set up. Only the project's owners see them.",

	"team.members.title":       "Members",
	"team.members.intro":       "Owners can do everything, including secrets, members and deleting the project. Members see the project, its requests, integrations and activity, can file requests and retry events, but see no tokens or secrets.",
	"team.members.email":       "E-mail",
	"team.members.role":        "Role",
	"team.members.joined":      "Joined",
	"team.members.actions":     "Actions",
	"team.members.you":         "(you)",
	"team.members.role_of":     "Role of %s",
	"team.members.change_role": "Change role",
	"team.leave":               "Leave project",
	"team.leave.confirm":       "Leave this project? You will lose access to it at once; an owner can invite you again.",
	"team.remove":              "Remove",
	"team.remove.confirm":      "Remove %s from the project? They lose access to it at once.",
	"team.last_owner":          "A project always keeps at least one owner. Make someone else an owner first.",
	"team.role.invalid":        "Choose Owner or Member.",

	"team.invite.title":            "Invite a colleague",
	"team.invite.intro":            "We will e-mail them a link that works once, for 7 days.",
	"team.invite.email.label":      "E-mail",
	"team.invite.email.hint":       "The address the invitation goes to; only an account with this address can accept it.",
	"team.invite.role.label":       "Role",
	"team.invite.role.hint":        "Members see no tokens or secrets and cannot change settings or members.",
	"team.invite.submit":           "Invite",
	"team.invite.email.required":   "Enter the e-mail address to invite.",
	"team.invite.email.invalid":    "Enter an e-mail address like name@example.com.",
	"team.invite.email.member":     "This address is already a member of the project.",
	"team.invite.too_many_pending": "The project has too many pending invitations. Revoke some before inviting more.",
	"team.invite.unverified":       "Confirm your own e-mail address before inviting anyone.",

	"team.invitations.title":   "Pending invitations",
	"team.invitations.empty":   "No pending invitations. Invite a colleague with the form above.",
	"team.invitations.sent":    "Sent",
	"team.invitations.expires": "Valid until",
	"team.invitations.by":      "by %s",
	"team.invitations.expired": "Expired",
	"team.revoke":              "Revoke",
	"team.revoke.confirm":      "Revoke the invitation for %s? Its link will stop working.",

	"team.invitation.title":             "Invitation to a project",
	"team.invitation.text":              "%s invites you to the project «%s» as %s.",
	"team.invitation.for":               "The invitation is for %s and is valid until %s.",
	"team.invitation.accept":            "Accept invitation",
	"team.invitation.log_in_or_sign_up": "Log in with this address to accept, or sign up if you have no account yet.",
	"team.invitation.wrong_account":     "This invitation is for %s, but you are logged in as %s. Log out and open the link again to accept it with the invited address.",
	"team.invitation.expired":           "This invitation has expired. Ask the project's owner to invite you again.",
	"team.invitation.revoked":           "This invitation was revoked or replaced by a newer one. Use the link from the latest e-mail, or ask the project's owner to invite you again.",
	"team.invitation.used":              "This invitation has already been accepted.",
	"team.invitation.unknown":           "This invitation link does not work. Check that it was copied in full, or ask the project's owner to invite you again.",
	"team.invitation.someone":           "A project owner",
	"team.invitation.home":              "Go to botbridge",

	"team.signup.title": "Sign up and join",
	"team.signup.intro": "Create your account to join «%s». The invitation's address becomes your log-in and counts as confirmed.",
	"team.signup.taken": "This address already has an account. Log in instead to accept the invitation.",

	"team.rename.section": "Project",
	"team.rename.link":    "Rename",
	"team.rename.name":    "Name",
	"team.rename.title":   "Rename project",
	"team.rename.submit":  "Save name",
	"team.rename.cancel":  "Cancel",

	"team.flash.role_changed": "Role changed.",
	"team.flash.left":         "You left the project.",
	"team.flash.removed":      "Member removed.",
	"team.flash.invited":      "Invitation sent.",
	"team.flash.reinvited":    "Invitation sent again. The earlier link no longer works; the new one is valid for 7 days.",
	"team.flash.revoked":      "Invitation revoked.",
	"team.flash.joined":       "Welcome to the project!",
	"team.flash.renamed":      "Project renamed.",

	"team.audit.detail.member":  "%s · %s",
	"team.audit.detail.role":    "%s: %s → %s",
	"team.audit.detail.renamed": "«%s» → «%s»",

	"settings.audit.action.member_invited":      "Invitation sent",
	"settings.audit.action.invitation_revoked":  "Invitation revoked",
	"settings.audit.action.invitation_accepted": "Invitation accepted",
	"settings.audit.action.member_role_changed": "Role changed",
	"settings.audit.action.member_removed":      "Member removed",
	"settings.audit.action.member_left":         "Member left",
	"settings.audit.action.project_renamed":     "Project renamed",

	"mail.invitation.subject": "Invitation to the project «%s» on botbridge",
}
