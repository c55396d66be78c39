using Quartz;

namespace AiStudio.Core.Execution;

public interface IPhaseRunScheduler
{
    Task ScheduleAsync(Guid runId, CancellationToken cancellationToken = default);
}

/// <summary>Hands a queued run to Quartz's persistent store; the job survives a restart with the store.</summary>
internal sealed class QuartzPhaseRunScheduler(ISchedulerFactory schedulers) : IPhaseRunScheduler
{
    public async Task ScheduleAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = new JobKey($"run-{runId}", "phase-runs");
        if (await scheduler.Exists(key, cancellationToken))
        {
            return;
        }

        var job = JobBuilder.Create<PhaseRunJob>()
            .WithIdentity(key)
            .UsingJobData(PhaseRunJob.RunIdKey, runId.ToString())
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create().ForJob(key).StartNow().Build();
        try
        {
            await scheduler.ScheduleJob(job, trigger, cancellationToken: cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Scheduled a moment ago by start-up recovery or another caller: one job per run is enough.
        }
    }
}
