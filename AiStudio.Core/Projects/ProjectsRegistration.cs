using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Projects;

internal static class ProjectsRegistration
{
    public static IServiceCollection AddProjects(this IServiceCollection services) =>
        services.AddSingleton<IProjectService, ProjectService>();
}
