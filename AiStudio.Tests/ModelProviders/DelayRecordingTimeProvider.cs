using System.Collections.Concurrent;

namespace AiStudio.Tests.ModelProviders;

/// <summary>
/// A clock that records every delay asked of it (Task.Delay with this provider) and lets it pass at once, so a test
/// can assert how long the code meant to wait without waiting. Timers created idle (as a CancellationTokenSource's
/// CancelAfter makes them) are real ones, so timeouts still work.
/// </summary>
internal sealed class DelayRecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _delays = new();

    public IReadOnlyList<TimeSpan> Delays => [.. _delays];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return System.CreateTimer(callback, state, dueTime, period);
        }

        _delays.Enqueue(dueTime);
        return System.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}
