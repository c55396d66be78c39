using AiStudio.Core.Outbox;
using Quartz;

namespace AiStudio.Core.Execution;

/// <summary>Written to the outbox in the transaction that queues a run; handed on, it becomes the run's Quartz job.</summary>
public sealed record ScheduleRun(Guid RunId) : IOutboxNotice
{
    public static string Kind => "run.schedule";
}

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
        var job = JobBuilder.Create<PhaseRunJob>()
            .WithIdentity(key)
            .UsingJobData(PhaseRunJob.RunIdKey, runId.ToString())
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create().ForJob(key).StartNow().Build();

        // Replace, never skip, a job already stored for this run: it may be one that is just finishing after it
        // found the build on hold, and a resume that skipped it would leave the run queued until the next restart.
        // A run fired twice still executes once: the executor's claim sees to that.
        await scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing, cancellationToken);
    }
}
