using AiStudio.Core.Audit;

namespace AiStudio.Core.Projects;

public static class ProjectAuditActions
{
    public const string Created = AuditActions.ProjectCreated;
    public const string MemberAdded = "project.member-added";
    public const string MemberRoleChanged = "project.member-role-changed";
    public const string MemberRemoved = "project.member-removed";
    public const string SettingsChanged = "project.settings-changed";
}
