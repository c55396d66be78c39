using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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

/// <summary>
/// A background worker that does its pass when its doorbell rings, and every <c>interval</c> for rings it missed. A pass
/// that fails is logged and done again on the next ring or tick: what it works on stays in the database meanwhile.
/// </summary>
/// <param name="gather">After a ring, how long to wait for more work to arrive, so a busy stretch is one pass.</param>
internal abstract class DoorbellWorker(Doorbell bell, TimeSpan interval, TimeSpan gather, ILogger logger) : BackgroundService
{
    /// <summary>What <see cref="DoPassAsync"/> does, for the log when it fails ("sealing the audit chain").</summary>
    protected abstract string Work { get; }

    protected abstract Task DoPassAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await DoPassAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "{Work} failed; trying again shortly", Work);
            }

            try
            {
                await bell.WaitAsync(interval, stoppingToken);
                if (gather > TimeSpan.Zero)
                {
                    await Task.Delay(gather, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
