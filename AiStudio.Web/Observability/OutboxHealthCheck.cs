using System.Globalization;
using AiStudio.Core.Outbox;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiStudio.Web.Observability;

/// <summary>
/// Degraded, not unhealthy, when notices wait to be handed on: the node still serves people, but runs it was asked to
/// schedule or pages it should tell are waiting (typically on a job store that refuses), and the probe says so.
/// </summary>
internal sealed class OutboxHealthCheck(IOutboxMonitor outbox) : IHealthCheck
{
    internal static readonly TimeSpan Overdue = TimeSpan.FromMinutes(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backlog = await outbox.OverdueAsync(Overdue, cancellationToken);
        if (backlog.Waiting == 0)
        {
            return HealthCheckResult.Healthy("Every notice (schedule a run, tell the pages) was handed on within a minute of its commit.");
        }

        var since = backlog.OldestSince!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        return HealthCheckResult.Degraded(
            $"{backlog.Waiting} notice(s) have waited more than a minute to be handed on, the oldest since {since}; they are tried again " +
            $"every minute at most. Last refusal: {backlog.LastError ?? "none recorded yet"}");
    }
}
