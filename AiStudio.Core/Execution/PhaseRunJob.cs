using Quartz;

namespace AiStudio.Core.Execution;

/// <summary>The Quartz job that carries one phase run; all it knows is the run's id.</summary>
internal sealed class PhaseRunJob(PhaseRunExecutor executor) : IJob
{
    public const string RunIdKey = "runId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var runId = Guid.Parse(context.MergedJobDataMap.GetString(RunIdKey)!);
        await executor.ExecuteAsync(runId, cancellationToken);
    }
}
