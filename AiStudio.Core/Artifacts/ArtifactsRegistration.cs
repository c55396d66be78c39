using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Artifacts;

public static class ArtifactsRegistration
{
    public static IServiceCollection AddArtifacts(this IServiceCollection services) =>
        services.AddSingleton<IArtifactService, ArtifactService>();
}
