using AiStudio.Core.Costs;
using AiStudio.Core.ModelProviders.Offline;
using AiStudio.Core.Observability;
using AiStudio.Core.Roles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.ModelProviders;

internal static class ModelProviderRegistration
{
    /// <summary>The role runner, the per-role model catalog, the offline model and the price table, configured from "Models" and "Pricing".</summary>
    internal static IServiceCollection AddModelProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ModelOptions>()
            .Bind(configuration.GetSection(ModelOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelOptions>, ModelOptionsValidator>());

        services.AddHttpClient(ChatModelCatalog.HttpClientName)
            .ConfigureHttpClient((provider, client) =>
                client.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<ModelOptions>>().Value.TimeoutSeconds))
            // The catalog keeps its clients for the app's lifetime, so connections are recycled here instead
            // of by the factory's handler rotation (which a long-lived client never sees).
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // Authorization, x-api-key and api-key carry the keys.
            .RedactLoggedHeaders(_ => true);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OfflineChatCompletionService>();
        services.TryAddSingleton<IChatModelCatalog, ChatModelCatalog>();
        services.TryAddSingleton<IRoleRunner, RoleRunner>();
        services.AddAiStudioTelemetry();
        services.AddCosts(configuration);
        return services;
    }
}
