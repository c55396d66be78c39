using AiStudio.Core.ModelProviders.Offline;
using AiStudio.Core.Roles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.ModelProviders;

internal static class ModelProviderRegistration
{
    /// <summary>The role runner, the per-role model catalog and the offline model, configured from "Models".</summary>
    internal static IServiceCollection AddModelProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ModelOptions>()
            .Bind(configuration.GetSection(ModelOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelOptions>, ModelOptionsValidator>());

        services.AddHttpClient(ChatModelCatalog.HttpClientName)
            .ConfigureHttpClient((provider, client) =>
                client.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<ModelOptions>>().Value.TimeoutSeconds))
            // The Authorization header carries the API key.
            .RedactLoggedHeaders(_ => true);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OfflineChatCompletionService>();
        services.TryAddSingleton<IChatModelCatalog, ChatModelCatalog>();
        services.TryAddSingleton<IRoleRunner, RoleRunner>();
        return services;
    }
}
