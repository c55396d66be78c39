using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.ModelProviders;

internal static class ModelProviderRegistration
{
    // Placeholder until the model-provider branch lands.
    public static IServiceCollection AddModelProviders(this IServiceCollection services, IConfiguration configuration) => services;
}
