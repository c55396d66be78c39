using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Users;

/// <summary>
/// The accounts named in Admin:Emails. They are administrators whatever the database says, and they are
/// given the Admin role at start-up and at sign-in so that lists and API tokens show them as such.
/// </summary>
public sealed class ConfiguredAdmins(IConfiguration configuration)
{
    public const string SectionKey = "Admin:Emails";

    // Read on each call, as ActorFactory does, so a changed setting applies without a restart.
    public IReadOnlyList<string> Emails =>
        (configuration.GetSection(SectionKey).Get<string[]>() ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()).ToList();

    public bool Contains(string? email) =>
        !string.IsNullOrWhiteSpace(email) && Emails.Contains(email.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Puts a listed account in the Admin role, with its audit row in the same save as any pending change to the user.
    /// </summary>
    /// <returns>True when the user was saved here.</returns>
    internal async Task<bool> EnsureInRoleAsync(IServiceProvider scopedServices, ApplicationUser user, DateTimeOffset now)
    {
        if (!Contains(user.Email))
        {
            return false;
        }

        var users = scopedServices.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.IsInRoleAsync(user, AdminRole.Name))
        {
            return false;
        }

        await EnsureRoleExistsAsync(scopedServices.GetRequiredService<RoleManager<IdentityRole>>());
        var db = scopedServices.GetRequiredService<AiStudioDbContext>();
        db.AuditEvents.Add(AuditEvent.Create(now, Actor.System.UserId, Actor.System.DisplayName, UserAuditActions.Promoted, "User",
            user.Id, before: UserAuditActions.Member, after: UserAuditActions.Admin, detail: $"{user.Email} is listed in {SectionKey}"));
        var result = await users.AddToRoleAsync(user, AdminRole.Name);
        return result.Succeeded;
    }

    internal static async Task EnsureRoleExistsAsync(RoleManager<IdentityRole> roles)
    {
        if (!await roles.RoleExistsAsync(AdminRole.Name))
        {
            await roles.CreateAsync(new IdentityRole(AdminRole.Name));
        }
    }
}
