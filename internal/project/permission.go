package project

import (
	"fmt"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Action is something a person may try on a project. Every route under
// /projects/:project names the one it performs; Can decides, so what a
// role may do is written down here and nowhere else.
type Action string

// The actions on a project.
const (
	// ActionView: the project, its requests, integrations (without
	// secrets), the bridge's activity and the members list.
	ActionView Action = "view"
	// ActionFileRequest: file, withdraw and comment on integration requests.
	ActionFileRequest Action = "file_request"
	// ActionRetryEvent: put a failed bridge event back in the queue.
	ActionRetryEvent Action = "retry_event"
	// ActionLeave: give up one's own membership.
	ActionLeave Action = "leave"
	// ActionViewSecrets: the webhook URL (it carries the key), the masked
	// Webim token, the chat events credentials.
	ActionViewSecrets Action = "view_secrets"
	// ActionConfigureIntegration: add, edit, disable, enable, delete an
	// integration, rotate its webhook URL and chat events credentials,
	// flip its switches.
	ActionConfigureIntegration Action = "configure_integration"
	// ActionConfigureBot: see and change the bot endpoint and its secret.
	ActionConfigureBot Action = "configure_bot"
	// ActionViewAudit: the audit log.
	ActionViewAudit Action = "view_audit"
	// ActionManageMembers: invite, revoke invitations, change roles,
	// remove members.
	ActionManageMembers Action = "manage_members"
	// ActionRename: change the project's name.
	ActionRename Action = "rename"
	// ActionDelete: delete the project.
	ActionDelete Action = "delete"
)

// Actions lists every action, for the permission table test and docs.
var Actions = []Action{
	ActionView, ActionFileRequest, ActionRetryEvent, ActionLeave, ActionViewSecrets, ActionConfigureIntegration,
	ActionConfigureBot, ActionViewAudit, ActionManageMembers, ActionRename, ActionDelete,
}

// Roles lists the member roles, owner first.
var Roles = []string{RoleOwner, RoleMember}

// memberMay is what a plain member may do: work with the project day to
// day, never anything that hands out or changes a credential, the bot
// endpoint or who is in the team. Owners may do every action.
var memberMay = map[Action]bool{
	ActionView:        true,
	ActionFileRequest: true,
	ActionRetryEvent:  true,
	ActionLeave:       true,
}

// Can reports whether role may perform a. An unknown role or action may
// do nothing.
func Can(role string, a Action) bool {
	known := false
	for _, x := range Actions {
		known = known || x == a
	}
	switch {
	case !known:
		return false
	case role == RoleOwner:
		return true
	case role == RoleMember:
		return memberMay[a]
	}
	return false
}

// ValidRole reports whether s is a member role.
func ValidRole(s string) bool { return s == RoleOwner || s == RoleMember }

// RoleError is the refusal of an action the member's role does not allow.
// It is an apperr.ErrForbidden: the member knows the project exists, so
// pretending it does not (404) would only confuse them.
type RoleError struct {
	ProjectID int64
	Role      string
	Action    Action
}

func (e *RoleError) Error() string {
	return fmt.Sprintf("project %d: role %q may not %s", e.ProjectID, e.Role, e.Action)
}

// Is makes errors.Is(err, apperr.ErrForbidden) true.
func (e *RoleError) Is(target error) bool { return target == apperr.ErrForbidden }

// Authorize returns nil when p's member may perform a, else a *RoleError.
func Authorize(p Project, a Action) error {
	if Can(p.MemberRole, a) {
		return nil
	}
	return &RoleError{ProjectID: p.ID, Role: p.MemberRole, Action: a}
}
