using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiStudio.Core.Observability;

internal static class TelemetryRegistration
{
    /// <summary>AiStudio's spans and instruments; safe to call from every registration that needs them.</summary>
    public static IServiceCollection AddAiStudioTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<AiStudioTelemetry>();
        return services;
    }
}
