using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Execution;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>Passes every scheduled run to the real (Quartz) scheduler, times it and remembers the last one.</summary>
internal sealed class RecordingScheduler(IPhaseRunScheduler inner) : IPhaseRunScheduler
{
    private Guid? _last;

    public int Scheduled { get; private set; }

    public Samples Timings { get; } = new();

    public async Task ScheduleAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await inner.ScheduleAsync(runId, cancellationToken);
        Timings.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
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
