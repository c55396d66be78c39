using AiStudio.Core.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Users;

internal static class UsersRegistration
{
    public static IServiceCollection AddUsers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAiStudioIdentityCore();
        services.AddSingleton(new ConfiguredAdmins(configuration));
        services.AddSingleton<IUserAdminService, UserAdminService>();

        // Registered after the start-up tasks that migrate the database.
        services.AddHostedService<AdminAccountsStartup>();
        return services;
    }
}
