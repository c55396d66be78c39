using AiStudio.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiStudio.Core.Users;

/// <summary>
/// At start-up (after the database is migrated: hosted services start in registration order) makes sure
/// the Admin role exists and that existing accounts listed in Admin:Emails hold it.
/// </summary>
internal sealed class AdminAccountsStartup(IServiceScopeFactory scopes, ConfiguredAdmins admins, TimeProvider clock) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await ConfiguredAdmins.EnsureRoleExistsAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        foreach (var email in admins.Emails)
        {
            if (await users.FindByEmailAsync(email) is { } user)
            {
                await admins.EnsureInRoleAsync(scope.ServiceProvider, user, clock.GetUtcNow());
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
