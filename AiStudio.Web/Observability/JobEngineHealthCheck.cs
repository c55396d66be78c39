using AiStudio.Core.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace AiStudio.Web.Observability;

/// <summary>Ready when Quartz, which executes phase runs, is running (not created only, on standby or shut down) and its job store answers.</summary>
internal sealed class JobEngineHealthCheck(ISchedulerFactory schedulers) : IHealthCheck
{
    internal static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Only the scheduler the host started is looked at: asking the factory for "the" scheduler would try to build
        // another one once it has shut down.
        var scheduler = (await schedulers.GetAllSchedulers(cancellationToken)).FirstOrDefault();
        var status = scheduler is null ? SchedulerStatus.Shutdown : await scheduler.GetStatus(cancellationToken);
        if (scheduler is null || status != SchedulerStatus.Running)
        {
            return HealthCheckResult.Unhealthy(status switch
            {
                SchedulerStatus.Created => "The job engine has not started yet: phase runs are not executed.",
                SchedulerStatus.Standby => "The job engine is on standby: phase runs are not executed.",
                _ => "The job engine has shut down: phase runs are not executed.",
            });
        }

        try
        {
            // Reads the persistent job store's tables.
            var groups = await scheduler.GetJobGroupNames(cancellationToken).AsTask().WaitAsync(StoreTimeout, cancellationToken);
            return HealthCheckResult.Healthy($"The job engine is running and its job store answered ({groups.Count} job groups).");
        }
        catch (Exception e)
        {
            // Also when the check's own deadline cancelled it: a sentence, not the health service's "A timeout occurred".
            var why = e is TimeoutException or OperationCanceledException
                ? $"it did not answer within {StoreTimeout.TotalSeconds:0} s"
                : DatabaseFailure.Is(e) ? DatabaseFailure.Describe(e) : HealthDescriptions.Plain(e);
            return HealthCheckResult.Unhealthy($"The job engine's store did not answer: {why}");
        }
    }
}
