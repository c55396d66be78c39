using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Outbox;

internal static class OutboxRegistration
{
    /// <summary>Register after persistence and execution: the dispatcher starts after the database is migrated and the job engine runs.</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IInterceptor>(sp => new RingAfterCommit<OutboxMessage>(sp.GetRequiredService<OutboxSignal>(), m => m.IsFresh));
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<IOutboxMonitor, OutboxMonitor>();
        services.AddHostedService<OutboxDispatchingService>();
        return services;
    }
}
