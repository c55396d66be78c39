using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Projects;

/// <summary>Which projects an actor may see and manage. Like <c>BuildAccess</c>: what they may not see is not found.</summary>
internal static class ProjectAccess
{
    /// <summary>The actor's own projects (membership only, admin or not): the "your projects" lists.</summary>
    public static IQueryable<Project> ProjectsOf(this AiStudioDbContext db, Actor actor) =>
        db.Projects.Where(p => p.Members.Any(m => m.UserId == actor.UserId));

    public static IQueryable<Project> ProjectsVisibleTo(this AiStudioDbContext db, Actor actor) =>
        actor.IsAdmin ? db.Projects : db.ProjectsOf(actor);

    /// <summary>Loads the project with its members for a change by an owner or admin, checking the version the actor saw.</summary>
    public static async Task<Project> LoadForManagementAsync(this AiStudioDbContext db, Actor actor, Guid projectId, int expectedVersion, CancellationToken cancellationToken)
    {
        var project = await db.ProjectsVisibleTo(actor).Include(p => p.Members).SingleOrDefaultAsync(p => p.Id == projectId, cancellationToken)
            ?? throw new NotFoundException("That project");
        if (!actor.IsAdmin && project.RoleOf(actor.UserId) != ProjectRole.Owner)
        {
            throw new DomainException($"Only an owner of {project.Name} can change its members and settings.");
        }

        if (project.Version != expectedVersion)
        {
            throw StaleProject();
        }

        return project;
    }

    /// <summary>Adds a new project owned by the actor, with its audit row, to <paramref name="db"/>; the caller saves.</summary>
    public static async Task<Project> AddNewProjectAsync(this AiStudioDbContext db, Actor actor, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var project = Project.Create(name, actor.UserId, now);
        if (await db.Projects.AnyAsync(p => p.CreatedBy == actor.UserId && p.Name == project.Name, cancellationToken))
        {
            throw ProjectName.Taken(project.Name);
        }

        db.Projects.Add(project);
        db.AuditEvents.Add(Audit.AuditEvent.Create(now, actor.UserId, actor.DisplayName, ProjectAuditActions.Created, "Project",
            project.Id.ToString(), project.Id, after: project.Name));
        return project;
    }

    public static ConcurrencyConflictException StaleProject() =>
        new("Someone else changed this project a moment ago, so your change was not applied. The page now shows the latest state; try again if it still applies.");
}
