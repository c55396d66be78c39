using AiStudio.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiStudio.Core.Users;

/// <summary>
/// At start-up (after the database is migrated: hosted services start in registration order) makes sure
/// the Admin role exists and that existing accounts listed in Admin:Emails hold it.
/// </summary>
internal sealed class AdminAccountsStartup(IServiceScopeFactory scopes, ConfiguredAdmins admins, TimeProvider clock, ILogger<AdminAccountsStartup> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await ConfiguredAdmins.EnsureRoleExistsAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        foreach (var email in admins.Emails)
        {
            if (await users.FindByEmailAsync(email) is not { } user)
            {
                continue;
            }

            try
            {
                await admins.EnsureInRoleAsync(scope.ServiceProvider, user, clock.GetUtcNow());
            }
            catch (InvalidOperationException e)
            {
                // One odd account (for example one made outside Identity, with no security stamp) must not stop the app;
                // the address still makes the user an administrator, and the role is given at their next sign-in.
                logger.LogWarning("Could not give user {UserId} the Admin role at start-up: {Reason}", user.Id, e.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
