using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Audit;

internal static class AuditRegistration
{
    /// <summary>Register after persistence and execution: the sealer must start after the database is migrated.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditSealSignal>();
        services.AddSingleton<AuditSealer>();
        services.AddSingleton<IAuditSealer>(sp => sp.GetRequiredService<AuditSealer>());
        services.AddSingleton<IInterceptor>(sp => new RingAfterCommit<AuditEvent>(sp.GetRequiredService<AuditSealSignal>(), e => !e.IsSealed));
        services.AddHostedService<AuditSealingService>();

        services.AddSingleton<IAuditChainVerifier, AuditChainVerifier>();
        services.AddSingleton<IAuditQueries, AuditQueries>();
        services.AddSingleton<IAuditExport, AuditExport>();
        services.AddSingleton<IAuditLog, AuditLog>();
        return services;
    }
}
