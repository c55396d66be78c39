using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.ApiTokens;

internal static class ApiTokenRegistration
{
    public static IServiceCollection AddApiTokens(this IServiceCollection services) =>
        services.AddSingleton<IApiTokenService, ApiTokenService>();
}
