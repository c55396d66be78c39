using System.Net.Mail;
using AiStudio.Core.Audit;
using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Projects;

internal sealed class ProjectService(IDbContextFactory<AiStudioDbContext> contexts, IEntitlementService entitlements, TimeProvider clock) : IProjectService
{
    public const int EmailMaxLength = 256;

    public async Task<Guid> CreateAsync(Actor actor, string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var project = await db.AddNewProjectAsync(actor, name, clock.GetUtcNow(), cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same person created the same name at the same moment: the unique index kept one.
            if (await NameTakenAsync(actor, project.Name, cancellationToken))
            {
                throw ProjectName.Taken(project.Name);
            }

            throw;
        }

        return project.Id;
    }

    public async Task<IReadOnlyList<ProjectSummary>> ListAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ProjectsOf(actor).AsNoTracking()
            .OrderBy(p => p.Name).ThenBy(p => p.CreatedAt)
            .Select(p => new ProjectSummary(p.Id, p.Name, p.Members.Where(m => m.UserId == actor.UserId).Select(m => (ProjectRole?)m.Role).First(),
                p.Members.Count, p.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<ProjectDetails?> GetAsync(Actor actor, Guid projectId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var project = await db.ProjectsVisibleTo(actor).AsNoTracking().Include(p => p.Members).SingleOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return null;
        }

        var userIds = project.Members.Select(m => m.UserId).ToList();
        var emails = await db.Users.Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? u.Id, cancellationToken);
        var members = project.Members
            .Select(m => new ProjectMemberView(m.UserId, emails.GetValueOrDefault(m.UserId, m.UserId), m.Role, m.AddedAt))
            .OrderBy(m => m.Role).ThenBy(m => m.Email, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var builds = await db.Builds.AsNoTracking()
            .Where(b => b.ProjectId == projectId)
            .OrderByDescending(b => b.UpdatedAt)
            .Take(ProjectDetails.BuildLimit)
            .Select(b => new ProjectBuildView(b.Id, b.Title, b.State, b.UpdatedAt))
            .ToListAsync(cancellationToken);
        var role = project.RoleOf(actor.UserId);
        return new ProjectDetails(project.Id, project.Name, project.Version, role, actor.IsAdmin || role == ProjectRole.Owner,
            project.ApprovalRules, members, builds, project.CreatedAt);
    }

    public async Task AddMemberAsync(Actor actor, Guid projectId, int expectedVersion, string email, ProjectRole role, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var project = await db.LoadForManagementAsync(actor, projectId, expectedVersion, cancellationToken);
        var address = ValidateEmail(email);
        var normalized = address.Normalize().ToUpperInvariant();
        var user = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => new { u.Id, u.Email }).FirstOrDefaultAsync(cancellationToken)
            ?? throw Invalid("Email", "No account uses that email; ask them to sign up first.");

        var now = clock.GetUtcNow();
        project.AddMember(user.Id, role, now);
        await entitlements.EnsureProjectMembersAllowedAsync(project.CreatedBy, project.Members.Count, cancellationToken);
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, ProjectAuditActions.MemberAdded, "ProjectMember",
            MemberKey(projectId, user.Id), projectId, after: role.ToString(), detail: $"{user.Email} added to {project.Name} as {role}"));
        await SaveAsync(db, cancellationToken);
    }

    public async Task ChangeRoleAsync(Actor actor, Guid projectId, int expectedVersion, string userId, ProjectRole role, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var project = await db.LoadForManagementAsync(actor, projectId, expectedVersion, cancellationToken);
        var now = clock.GetUtcNow();
        var before = project.ChangeRole(userId, role, now);
        if (before == role)
        {
            return;
        }

        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, ProjectAuditActions.MemberRoleChanged, "ProjectMember",
            MemberKey(projectId, userId), projectId, before: before.ToString(), after: role.ToString(),
            detail: $"{await EmailOfAsync(db, userId, cancellationToken)} in {project.Name}: {before} → {role}"));
        await SaveAsync(db, cancellationToken);
    }

    public async Task RemoveMemberAsync(Actor actor, Guid projectId, int expectedVersion, string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var project = await db.LoadForManagementAsync(actor, projectId, expectedVersion, cancellationToken);
        var now = clock.GetUtcNow();
        var removed = project.RemoveMember(userId, now);
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, ProjectAuditActions.MemberRemoved, "ProjectMember",
            MemberKey(projectId, userId), projectId, before: removed.Role.ToString(),
            detail: $"{await EmailOfAsync(db, userId, cancellationToken)} removed from {project.Name}"));
        await SaveAsync(db, cancellationToken);
    }

    public async Task UpdateSettingsAsync(Actor actor, Guid projectId, int expectedVersion, ApprovalRules settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var project = await db.LoadForManagementAsync(actor, projectId, expectedVersion, cancellationToken);
        var now = clock.GetUtcNow();
        var before = project.UpdateApprovalRules(settings, now);
        if (before == settings)
        {
            return;
        }

        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, ProjectAuditActions.SettingsChanged, "Project",
            projectId.ToString(), projectId, before: before.ToString(), after: settings.ToString()));
        await SaveAsync(db, cancellationToken);
    }

    private async Task<bool> NameTakenAsync(Actor actor, string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Projects.AnyAsync(p => p.CreatedBy == actor.UserId && p.Name == name, cancellationToken);
    }

    private static string ValidateEmail(string? email)
    {
        var text = email?.Trim() ?? "";
        string? error = text switch
        {
            "" => "Member email is required.",
            _ when text.Length > EmailMaxLength => $"Member email must be at most {EmailMaxLength} characters.",
            _ when text.Any(char.IsWhiteSpace) || TextInput.Problem("Member email", text, EmailMaxLength) is not null =>
                "Member email must not contain spaces or control characters.",
            _ when !MailAddress.TryCreate(text, out var parsed) || parsed.Address != text || !parsed.Host.Contains('.') =>
                "That is not an email address; write it as name@example.com.",
            _ => null,
        };
        return error is null ? text : throw Invalid("Email", error);
    }

    private static async Task<string> EmailOfAsync(AiStudioDbContext db, string userId, CancellationToken cancellationToken) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken) ?? userId;

    private static string MemberKey(Guid projectId, string userId) => $"{projectId}/{userId}";

    private static InputValidationException Invalid(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });

    private static async Task SaveAsync(AiStudioDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (SaveConflicts.Lost(e))
        {
            throw ProjectAccess.StaleProject();
        }
    }
}
