using AiStudio.Core.Execution;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>Passes every scheduled run to the real (Quartz) scheduler and remembers the last one.</summary>
internal sealed class RecordingScheduler(IPhaseRunScheduler inner) : IPhaseRunScheduler
{
    private Guid? _last;

    public int Scheduled { get; private set; }

    public async Task ScheduleAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await inner.ScheduleAsync(runId, cancellationToken);
        _last = runId;
        Scheduled++;
    }

    public Guid? TakeLast()
    {
        var last = _last;
        _last = null;
        return last;
    }
}
