namespace AiStudio.Web.Components.Pages.Builds.Components;

/// <summary>
/// Runs an action once, a short delay after the first of a burst of pokes. Build events arrive on the
/// publisher's thread and often in bursts (a run starts, streams, finishes); one reload or re-render
/// covers the whole burst instead of one per event.
/// </summary>
public sealed class CoalescingTrigger(Func<Task> action, TimeSpan delay) : IDisposable
{
    private readonly CancellationTokenSource _stopped = new();
    private int _pending;

    public void Poke()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _ = RunAsync();
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await Task.Delay(delay, _stopped.Token);
            Interlocked.Exchange(ref _pending, 0);
            await action();
        }
        catch (OperationCanceledException)
        {
            // The component went away while a run was pending.
        }
        catch (ObjectDisposedException)
        {
            // Same, seen from the token source or the renderer.
        }
    }

    public void Dispose()
    {
        _stopped.Cancel();
        _stopped.Dispose();
    }
}
