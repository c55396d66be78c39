using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.Costs;

internal static class CostRegistration
{
    /// <summary>The price table ("Pricing:Models") and the cost calculator. Safe to call more than once.</summary>
    internal static IServiceCollection AddCosts(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(ICostCalculator)))
        {
            return services;
        }

        services.AddOptions<PricingOptions>()
            .Bind(configuration.GetSection(PricingOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PricingOptions>, PricingOptionsValidator>());
        services.TryAddSingleton<ICostCalculator, CostCalculator>();
        return services;
    }
}
