using AiStudio.Core.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Identity;

/// <summary>
/// The account rules, and Identity's user and role managers over AiStudio's database. The web app adds
/// sign-in, cookies and email tokens on top (<see cref="IdentityBuilder"/> for <see cref="ApplicationUser"/>).
/// </summary>
public static class IdentityRegistration
{
    public const int MaxFailedAccessAttempts = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public static void Configure(IdentityOptions options)
    {
        options.Password.RequiredLength = 8;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = MaxFailedAccessAttempts;
        options.Lockout.DefaultLockoutTimeSpan = LockoutDuration;
        IdentitySchema.Configure(options);
    }

    internal static IdentityBuilder AddAiStudioIdentityCore(this IServiceCollection services) =>
        services.AddIdentityCore<ApplicationUser>(Configure)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AiStudioDbContext>()
            .AddUserManager<AiStudioUserManager>();
}
