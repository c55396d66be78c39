using AiStudio.Core.ApiTokens;
using AiStudio.Core.Audit;
using AiStudio.Core.Artifacts;
using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Execution;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;
using AiStudio.Core.Roles;
using AiStudio.Core.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AiStudio.Core;

public static class DependencyInjection
{
    public static IHostApplicationBuilder AddAiStudioCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var database = DatabaseSettings.From(builder.Configuration, builder.Environment.ContentRootPath);

        services.TryAddSingleton(TimeProvider.System);
        services.AddPersistence(database);
        services.AddModelProviders(builder.Configuration);
        services.AddBuilds();
        services.AddProjects();
        services.AddApiTokens();
        services.AddRolePrompts();
        services.AddArtifacts();
        services.AddBilling(builder.Configuration);
        services.AddExecution(database);
        services.AddUsers(builder.Configuration);
        services.AddOutbox();
        services.AddAudit();
        return builder;
    }
}
