using System.Threading.Channels;

namespace AiStudio.Core.Common;

/// <summary>
/// Wakes a background worker after writers committed work for it; the worker also wakes on a timer for rings it missed
/// (another node's, or one lost to a crash). Rings while it works are folded into one.
/// </summary>
internal abstract class Doorbell
{
    private readonly Channel<bool> _rings = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Ring() => _rings.Writer.TryWrite(true);

    /// <summary>Waits for a ring or until <paramref name="interval"/> passes, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(interval);
        try
        {
            await _rings.Reader.WaitToReadAsync(timeout.Token);
            _rings.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The periodic pass.
        }
    }
}
