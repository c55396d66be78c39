using AiStudio.Core.Projects;

namespace AiStudio.Tests.Authorization;

public enum Subject
{
    Owner,
    Editor,
    Viewer,
    NonMember,
    Admin,
}

public enum MatrixAction
{
    ViewBuild,
    ListBoard,
    InspectRun,
    StartBuildInProject,
    Approve,
    EditApprove,
    Reject,
    SendBack,
    Pause,
    Resume,
    Cancel,
    Retry,
    ViewProject,
    AddMember,
    ChangeRole,
    RemoveMember,
    UpdateSettings,
    DownloadArtifacts,
    ExportBuild,
}

public enum Outcome
{
    Allowed,

    /// <summary>Answered exactly as for an id that does not exist.</summary>
    NotFound,

    /// <summary>Visible, but the role does not allow it: a domain exception with a message.</summary>
    Refused,
}

/// <summary>The access rules as one table: what each kind of person may do, independent of how they reach it.</summary>
public static class Matrix
{
    public static ProjectRole? RoleOf(Subject subject) => subject switch
    {
        Subject.Owner => ProjectRole.Owner,
        Subject.Editor => ProjectRole.Editor,
        Subject.Viewer => ProjectRole.Viewer,
        _ => null,
    };

    public static Outcome Expected(Subject subject, MatrixAction action) => (subject, Kind(action)) switch
    {
        (Subject.Admin, _) => Outcome.Allowed,
        (Subject.NonMember, _) => Outcome.NotFound,
        (_, Access.Read) => Outcome.Allowed,
        (Subject.Owner or Subject.Editor, Access.Decide) => Outcome.Allowed,
        (Subject.Owner, Access.Manage) => Outcome.Allowed,
        _ => Outcome.Refused,
    };

    /// <summary>Whether the action, when allowed, changes the build or project.</summary>
    public static bool Changes(MatrixAction action) => Kind(action) != Access.Read;

    private static Access Kind(MatrixAction action) => action switch
    {
        MatrixAction.ViewBuild or MatrixAction.ListBoard or MatrixAction.InspectRun or MatrixAction.ViewProject
            or MatrixAction.DownloadArtifacts or MatrixAction.ExportBuild => Access.Read,
        MatrixAction.AddMember or MatrixAction.ChangeRole or MatrixAction.RemoveMember or MatrixAction.UpdateSettings => Access.Manage,
        _ => Access.Decide,
    };

    private enum Access
    {
        Read,
        Decide,
        Manage,
    }
}
