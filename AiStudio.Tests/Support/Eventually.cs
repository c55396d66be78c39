using System.Diagnostics;

namespace AiStudio.Tests.Support;

/// <summary>Polls a condition until it holds, for work that finishes on another thread (Quartz, the model stream).</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>; the message says <paramref name="because"/>.</exception>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s in vain: {because}");
            }

            await Task.Delay(PollInterval);
        }
    }
}
