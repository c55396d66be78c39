using System.Diagnostics;

namespace AiStudio.Tests.Support;

/// <summary>Polls a condition until it holds, for work that finishes on another thread (Quartz, the model stream).</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>; the message says <paramref name="because"/>.</exception>
    public static Task Until(Func<Task<bool>> condition, TimeSpan timeout, string because) =>
        Until(condition, timeout, () => because);

    /// <param name="because">Read only on timeout, so it can describe the state the condition last saw.</param>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> because)
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
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s in vain: {because()}");
            }

            await Task.Delay(PollInterval);
        }
    }
}
