using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Roles;

public sealed record PromptVersionSummary(Guid Id, AiRole Role, int Version, string CreatedBy, DateTimeOffset CreatedAt, string? ChangeNote, bool IsActive);

/// <summary>A role's versions, newest first, and the one that new phase runs use.</summary>
public sealed record RolePromptOverview(AiRole Role, PromptVersionSummary Active, IReadOnlyList<PromptVersionSummary> Versions)
{
    public int LatestVersion => Versions.Count == 0 ? 0 : Versions.Max(v => v.Version);
}

public sealed record PromptVersionText(PromptVersionSummary Summary, string Text);

public static class PromptAuditActions
{
    public const string VersionCreated = "prompt.version-created";
    public const string Activated = "prompt.activated";
}

/// <summary>Admins' management of the roles' system prompts: new versions and roll-backs, never edits.</summary>
public interface IRolePromptService
{
    Task<IReadOnlyList<RolePromptOverview>> ListAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <exception cref="NotFoundException">No such version.</exception>
    Task<PromptVersionText> GetAsync(Actor actor, Guid promptId, CancellationToken cancellationToken = default);

    /// <summary>Adds version <paramref name="expectedLatestVersion"/> + 1 of the role's prompt and makes it the active one.</summary>
    /// <exception cref="InputValidationException">Empty or too long text, or no reason; nothing was written.</exception>
    /// <exception cref="ConcurrencyConflictException">Someone saved another version since the editor was opened.</exception>
    Task<PromptVersionSummary> CreateVersionAsync(Actor actor, AiRole role, string? text, string? changeNote, int expectedLatestVersion, CancellationToken cancellationToken = default);

    /// <summary>Makes an existing version the role's only active one (a roll-back, or a roll-forward again).</summary>
    Task ActivateAsync(Actor actor, Guid promptId, CancellationToken cancellationToken = default);
}

internal sealed class RolePromptService(IDbContextFactory<AiStudioDbContext> contexts, TimeProvider clock) : IRolePromptService
{
    public async Task<IReadOnlyList<RolePromptOverview>> ListAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        EnsureAdmin(actor);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var versions = await Summaries(db.RolePrompts).ToListAsync(cancellationToken);
        return versions
            .GroupBy(v => v.Role)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var list = g.OrderByDescending(v => v.Version).ToList();
                return new RolePromptOverview(g.Key, list.Single(v => v.IsActive), list);
            })
            .ToList();
    }

    public async Task<PromptVersionText> GetAsync(Actor actor, Guid promptId, CancellationToken cancellationToken = default)
    {
        EnsureAdmin(actor);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var prompt = await db.RolePrompts.AsNoTracking().SingleOrDefaultAsync(p => p.Id == promptId, cancellationToken)
            ?? throw new NotFoundException("That prompt version");
        return new PromptVersionText(Summary(prompt), prompt.Text);
    }

    public async Task<PromptVersionSummary> CreateVersionAsync(
        Actor actor, AiRole role, string? text, string? changeNote, int expectedLatestVersion, CancellationToken cancellationToken = default)
    {
        EnsureAdmin(actor);
        var errors = RolePrompt.Validate(text, changeNote);
        if (!Enum.IsDefined(role))
        {
            errors["Role"] = [$"Unknown role; use one of {string.Join(", ", Enum.GetNames<AiRole>())}."];
        }

        if (errors.Count > 0)
        {
            throw new InputValidationException(errors);
        }

        return await InTransactionAsync(async db =>
        {
            var versions = await db.RolePrompts.Where(p => p.Role == role).ToListAsync(cancellationToken);
            var latest = versions.Count == 0 ? 0 : versions.Max(p => p.Version);
            if (latest != expectedLatestVersion)
            {
                throw new ConcurrencyConflictException(
                    $"Someone saved version {latest} of the {role.DisplayName()} prompt while you were editing. Reload, then apply your change again.");
            }

            var current = versions.SingleOrDefault(p => p.IsActive);
            await DeactivateAsync(db, current, cancellationToken);

            var now = clock.GetUtcNow();
            var next = RolePrompt.NextVersion(role, latest, text, changeNote, actor.DisplayName, now);
            db.RolePrompts.Add(next);
            db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, PromptAuditActions.VersionCreated, "RolePrompt",
                next.Id.ToString(), before: current?.Version.ToString(), after: next.Version.ToString(),
                detail: $"{role.DisplayName()}: {next.ChangeNote}", promptVersion: next.Version));
            await db.SaveChangesAsync(cancellationToken);
            return Summary(next);
        }, cancellationToken);
    }

    public async Task ActivateAsync(Actor actor, Guid promptId, CancellationToken cancellationToken = default)
    {
        EnsureAdmin(actor);
        await InTransactionAsync(async db =>
        {
            var target = await db.RolePrompts.SingleOrDefaultAsync(p => p.Id == promptId, cancellationToken)
                ?? throw new NotFoundException("That prompt version");
            if (target.IsActive)
            {
                throw new DomainException($"Version {target.Version} of the {target.Role.DisplayName()} prompt is already active.");
            }

            var current = await db.RolePrompts.SingleOrDefaultAsync(p => p.Role == target.Role && p.IsActive, cancellationToken);
            await DeactivateAsync(db, current, cancellationToken);

            var now = clock.GetUtcNow();
            target.Activate();
            db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, PromptAuditActions.Activated, "RolePrompt",
                target.Id.ToString(), before: current?.Version.ToString(), after: target.Version.ToString(),
                detail: $"{target.Role.DisplayName()}: version {target.Version} made active", promptVersion: target.Version));
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }

    // The unique filtered index allows one active row per role at every statement, so the old version is
    // switched off and saved before the new one is switched on; the transaction makes the pair atomic.
    private static async Task DeactivateAsync(AiStudioDbContext db, RolePrompt? current, CancellationToken cancellationToken)
    {
        if (current is not null)
        {
            current.Deactivate();
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private async Task<T> InTransactionAsync<T>(Func<AiStudioDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            return await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var result = await work(db);
                await transaction.CommitAsync(cancellationToken);
                return result;
            });
        }
        catch (DbUpdateException)
        {
            // The (Role, Version) or the one-active-per-role index refused a change that raced with another admin's.
            throw new ConcurrencyConflictException("Another administrator changed this role's prompt at the same moment. Reload and try again.");
        }
    }

    private static void EnsureAdmin(Actor actor)
    {
        if (!actor.IsAdmin)
        {
            throw new DomainException("Only administrators can manage role prompts.");
        }
    }

    private static IQueryable<PromptVersionSummary> Summaries(IQueryable<RolePrompt> prompts) =>
        prompts.AsNoTracking().Select(p => new PromptVersionSummary(p.Id, p.Role, p.Version, p.CreatedBy, p.CreatedAt, p.ChangeNote, p.IsActive));

    private static PromptVersionSummary Summary(RolePrompt p) => new(p.Id, p.Role, p.Version, p.CreatedBy, p.CreatedAt, p.ChangeNote, p.IsActive);
}

internal static class RolePromptRegistration
{
    public static IServiceCollection AddRolePrompts(this IServiceCollection services) => services
        .AddSingleton<IRolePromptQueries, RolePromptQueries>()
        .AddSingleton<IRolePromptService, RolePromptService>();
}
