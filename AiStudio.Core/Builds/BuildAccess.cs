using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;

namespace AiStudio.Core.Builds;

/// <summary>
/// The one place that says which builds an actor may see and act on. Every query and command that
/// takes a build id goes through it; a build the actor may not see is reported as not found.
/// </summary>
internal static class BuildAccess
{
    public static IQueryable<Build> VisibleTo(this AiStudioDbContext db, Actor actor) =>
        actor.IsAdmin
            ? db.Builds
            : db.Builds.Where(b => db.ProjectMembers.Any(m => m.ProjectId == b.ProjectId && m.UserId == actor.UserId));

    public static IQueryable<Build> DecidableBy(this AiStudioDbContext db, Actor actor) =>
        actor.IsAdmin
            ? db.Builds
            : db.Builds.Where(b => db.ProjectMembers.Any(m =>
                m.ProjectId == b.ProjectId && m.UserId == actor.UserId && m.Role != ProjectRole.Viewer));
}
