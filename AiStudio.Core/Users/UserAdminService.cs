using System.Data;
using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Users;

internal sealed class UserAdminService(
    IServiceScopeFactory scopes,
    IDbContextFactory<AiStudioDbContext> contexts,
    ConfiguredAdmins configuredAdmins,
    TimeProvider clock) : IUserAdminService
{
    public const int MaxPageSize = 100;
    public const int SearchMaxLength = 256;

    public async Task<UserPage> SearchAsync(Actor actor, UserSearch search, CancellationToken cancellationToken = default)
    {
        EnsureAdmin(actor);
        TextInput.Require("Text", "Search", search.Text, SearchMaxLength, minLength: 0);
        var pageSize = Math.Clamp(search.PageSize, 1, MaxPageSize);
        var page = Math.Max(0, search.Page);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var adminRoleId = await AdminRoleIdAsync(db, cancellationToken);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search.Text))
        {
            // Identity's normalizer upper-cases, so a search on the normalized column ignores case on every provider.
            var text = search.Text.Trim().ToUpperInvariant();
            users = users.Where(u => u.NormalizedEmail!.Contains(text));
        }

        var total = await users.CountAsync(cancellationToken);
        var rows = await users
            .OrderBy(u => u.NormalizedEmail).ThenBy(u => u.Id)
            .Skip(page * pageSize).Take(pageSize)
            .Select(u => new
            {
                u.Id,
                u.Email,
                u.LockoutEnd,
                u.CreatedAt,
                u.LastSignInAt,
                InAdminRole = db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == adminRoleId),
            })
            .ToListAsync(cancellationToken);

        var usage = await UsageAsync(db, rows.Select(r => r.Id).ToList(), cancellationToken);
        var now = clock.GetUtcNow();
        var summaries = rows.Select(r =>
        {
            var configured = configuredAdmins.Contains(r.Email);
            return new UserSummary(r.Id, r.Email ?? "", r.InAdminRole || configured, configured, r.LockoutEnd > now, r.LockoutEnd,
                r.CreatedAt, r.LastSignInAt, usage.GetValueOrDefault(r.Id, UserUsage.None));
        }).ToList();
        return new UserPage(summaries, total, page, pageSize);
    }

    public Task LockAsync(Actor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, async change =>
        {
            if (change.User.Id == actor.UserId)
            {
                throw new DomainException("You cannot lock your own account.");
            }

            if (await change.Users.IsLockedOutAsync(change.User))
            {
                throw new DomainException($"{change.User.Email} is already locked.");
            }

            change.Audit(UserAuditActions.Locked, UserAuditActions.Active, UserAuditActions.LockedState);

            // Accounts made outside sign-up may have lockout switched off; an administrator's lock applies to everyone.
            change.User.LockoutEnabled = true;
            Check(await change.Users.SetLockoutEndDateAsync(change.User, DateTimeOffset.MaxValue));

            // A new security stamp ends the user's existing sessions when they are next validated.
            Check(await change.Users.UpdateSecurityStampAsync(change.User));
        }, cancellationToken);

    public Task UnlockAsync(Actor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, async change =>
        {
            if (!await change.Users.IsLockedOutAsync(change.User))
            {
                throw new DomainException($"{change.User.Email} is not locked.");
            }

            change.Audit(UserAuditActions.Unlocked, UserAuditActions.LockedState, UserAuditActions.Active);
            Check(await change.Users.SetLockoutEndDateAsync(change.User, null));
            Check(await change.Users.ResetAccessFailedCountAsync(change.User));
        }, cancellationToken);

    public Task PromoteAsync(Actor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, async change =>
        {
            if (await change.Users.IsInRoleAsync(change.User, AdminRole.Name))
            {
                throw new DomainException($"{change.User.Email} is already an administrator.");
            }

            await ConfiguredAdmins.EnsureRoleExistsAsync(change.Services.GetRequiredService<RoleManager<IdentityRole>>());
            change.Audit(UserAuditActions.Promoted, UserAuditActions.Member, UserAuditActions.Admin);
            Check(await change.Users.AddToRoleAsync(change.User, AdminRole.Name));
        }, cancellationToken);

    public Task DemoteAsync(Actor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, async change =>
        {
            var user = change.User;
            if (configuredAdmins.Contains(user.Email))
            {
                throw new DomainException(
                    $"{user.Email} is an administrator through the {ConfiguredAdmins.SectionKey} setting and cannot be demoted here. Remove the address from that setting instead.");
            }

            if (!await change.Users.IsInRoleAsync(user, AdminRole.Name))
            {
                throw new DomainException($"{user.Email} is not an administrator.");
            }

            if (!await AnyOtherAdminAsync(change.Db, user.Id, cancellationToken))
            {
                throw new DomainException(user.Id == actor.UserId
                    ? "You are the last administrator. Make someone else an administrator before you remove yourself."
                    : $"{user.Email} is the last administrator and cannot be demoted.");
            }

            change.Audit(UserAuditActions.Demoted, UserAuditActions.Admin, UserAuditActions.Member);
            Check(await change.Users.RemoveFromRoleAsync(user, AdminRole.Name));

            // The role is in the user's cookie; a new stamp makes it be issued again without it.
            Check(await change.Users.UpdateSecurityStampAsync(user));
        }, cancellationToken);

    private async Task<bool> AnyOtherAdminAsync(AiStudioDbContext db, string userId, CancellationToken cancellationToken)
    {
        var adminRoleId = await AdminRoleIdAsync(db, cancellationToken);
        if (await db.UserRoles.AnyAsync(r => r.RoleId == adminRoleId && r.UserId != userId, cancellationToken))
        {
            return true;
        }

        var configured = configuredAdmins.Emails.Select(e => e.ToUpperInvariant()).ToList();
        return configured.Count > 0 && await db.Users.AnyAsync(u => u.Id != userId && configured.Contains(u.NormalizedEmail!), cancellationToken);
    }

    /// <summary>
    /// One change to one user: its own scope (Identity's stores share the scope's DbContext, so the audit row
    /// added to that context is saved with the user), in one serializable transaction so that checks such as
    /// "another administrator remains" cannot race.
    /// </summary>
    private async Task ChangeAsync(Actor actor, string userId, Func<UserChange, Task> apply, CancellationToken cancellationToken)
    {
        EnsureAdmin(actor);
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<AiStudioDbContext>();
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        try
        {
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
                var user = await users.FindByIdAsync(userId) ?? throw new NotFoundException("That user");
                await apply(new UserChange(services, db, users, user, actor, clock.GetUtcNow()));
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            });
        }
        catch (DbUpdateException)
        {
            throw new ConcurrencyConflictException("Someone changed this user at the same moment. Reload and try again.");
        }
    }

    private static void Check(IdentityResult result)
    {
        if (result.Succeeded)
        {
            return;
        }

        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure)))
        {
            throw new ConcurrencyConflictException("Someone changed this user at the same moment. Reload and try again.");
        }

        throw new DomainException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    private static async Task<Dictionary<string, UserUsage>> UsageAsync(AiStudioDbContext db, List<string> userIds, CancellationToken cancellationToken)
    {
        var builds = await db.Builds
            .Where(b => userIds.Contains(b.CreatedBy))
            .GroupBy(b => b.CreatedBy)
            .Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.UserId, x => x.Count, cancellationToken);
        var runs = await db.PhaseRuns
            .Join(db.Builds, r => r.BuildId, b => b.Id, (r, b) => new { b.CreatedBy, r.InputTokens, r.OutputTokens, r.Cost })
            .Where(x => userIds.Contains(x.CreatedBy))
            .GroupBy(x => x.CreatedBy)
            .Select(g => new
            {
                UserId = g.Key,
                Runs = g.Count(),
                Input = g.Sum(x => (long)x.InputTokens),
                Output = g.Sum(x => (long)x.OutputTokens),
                Cost = g.Sum(x => x.Cost),
            })
            .ToDictionaryAsync(x => x.UserId, cancellationToken);

        return userIds.ToDictionary(id => id, id => runs.TryGetValue(id, out var r)
            ? new UserUsage(builds.GetValueOrDefault(id), r.Runs, r.Input, r.Output, r.Cost)
            : UserUsage.None with { BuildsStarted = builds.GetValueOrDefault(id) });
    }

    private static Task<string?> AdminRoleIdAsync(AiStudioDbContext db, CancellationToken cancellationToken) =>
        db.Roles.Where(r => r.NormalizedName == AdminRole.NormalizedName).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken);

    private static void EnsureAdmin(Actor actor)
    {
        if (!actor.IsAdmin)
        {
            throw new DomainException("Only administrators can manage users.");
        }
    }

    private sealed record UserChange(
        IServiceProvider Services, AiStudioDbContext Db, UserManager<ApplicationUser> Users, ApplicationUser User, Actor Actor, DateTimeOffset Now)
    {
        public void Audit(string action, string before, string after) =>
            Db.AuditEvents.Add(AuditEvent.Create(Now, Actor.UserId, Actor.DisplayName, action, "User", User.Id,
                before: before, after: after, detail: User.Email));
    }
}
