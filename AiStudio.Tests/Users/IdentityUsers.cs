using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Users;

internal static class IdentityUsers
{
    /// <summary>
    /// An account made through Identity's user manager, as sign-up makes it (with a security stamp, which
    /// Identity needs before it changes a user; <see cref="TestAppHost.CreateUserAsync"/> only adds a row).
    /// </summary>
    public static async Task<Actor> CreateAccountAsync(this TestAppHost app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return new Actor(user.Id, email);
    }
}
