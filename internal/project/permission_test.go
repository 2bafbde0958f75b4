package project_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/project"
)

// Every action × role, written out: a change to what a member may do has
// to change this table too.
func TestPermissionTable(t *testing.T) {
	t.Parallel()
	want := map[project.Action]map[string]bool{
		project.ActionView:                 {project.RoleOwner: true, project.RoleMember: true},
		project.ActionFileRequest:          {project.RoleOwner: true, project.RoleMember: true},
		project.ActionRetryEvent:           {project.RoleOwner: true, project.RoleMember: true},
		project.ActionLeave:                {project.RoleOwner: true, project.RoleMember: true},
		project.ActionViewSecrets:          {project.RoleOwner: true, project.RoleMember: false},
		project.ActionConfigureIntegration: {project.RoleOwner: true, project.RoleMember: false},
		project.ActionConfigureBot:         {project.RoleOwner: true, project.RoleMember: false},
		project.ActionViewAudit:            {project.RoleOwner: true, project.RoleMember: false},
		project.ActionManageMembers:        {project.RoleOwner: true, project.RoleMember: false},
		project.ActionRename:               {project.RoleOwner: true, project.RoleMember: false},
		project.ActionDelete:               {project.RoleOwner: true, project.RoleMember: false},
	}
	require.Len(t, want, len(project.Actions), "every action is in the table")
	for _, a := range project.Actions {
		for _, role := range project.Roles {
			w, ok := want[a][role]
			require.True(t, ok, "%s × %s missing from the table", a, role)
			require.Equal(t, w, project.Can(role, a), "%s × %s", a, role)
			err := project.Authorize(project.Project{ID: 7, MemberRole: role}, a)
			if w {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, apperr.ErrForbidden)
				var re *project.RoleError
				require.True(t, errors.As(err, &re))
				require.Equal(t, a, re.Action)
			}
		}
		// A role nobody has (a tampered or future value) may do nothing.
		for _, role := range []string{"", "admin", "OWNER", "moderator"} {
			require.False(t, project.Can(role, a), "%s × %q", a, role)
		}
	}
	require.False(t, project.Can(project.RoleOwner, "launch_missiles"), "an unknown action is refused even to owners")
}
