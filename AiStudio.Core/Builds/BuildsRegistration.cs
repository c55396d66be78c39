using AiStudio.Core.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Builds;

internal static class BuildsRegistration
{
    public static IServiceCollection AddBuilds(this IServiceCollection services)
    {
        services.AddSingleton<IBuildEvents, InProcessBuildEvents>();
        services.AddSingleton<IBuildCommands, BuildCommands>();
        services.AddSingleton<IBuildQueries, BuildQueries>();
        services.AddOutboxHandler<BuildChanged>((sp, change, _) =>
        {
            sp.GetRequiredService<IBuildEvents>().Publish(change);
            return Task.CompletedTask;
        });
        return services;
    }
}
