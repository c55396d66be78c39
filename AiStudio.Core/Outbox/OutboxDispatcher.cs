using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AiStudio.Core.Outbox;

/// <summary>
/// Hands committed outbox messages to their handlers (Quartz, the page notifications) in the order they were written, and
/// marks each done; a hand-off that fails is tried again later, with a growing pause, for as long as it takes.
/// </summary>
internal sealed class OutboxDispatcher(
    IDbContextFactory<AiStudioDbContext> contexts,
    IEnumerable<IOutboxHandler> handlers,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger)
{
    public const int BatchSize = 100;

    /// <summary>How long a handed-on message is kept, for a person looking into what happened.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private readonly Dictionary<string, IOutboxHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Hands on every message that is due now; returns how many were handed on.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var total = 0;
            while (true)
            {
                var (handedOn, read) = await DispatchBatchAsync(cancellationToken);
                total += handedOn;
                if (read < BatchSize)
                {
                    return total;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(int HandedOn, int Read)> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var due = await db.OutboxMessages
            .Where(m => m.DispatchedAt == null && m.DueAt <= now)
            .OrderBy(m => m.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        var handedOn = 0;
        foreach (var message in due)
        {
            try
            {
                await HandleAsync(message, cancellationToken);
                message.Dispatched(clock.GetUtcNow());
                handedOn++;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                message.Failed(e.Message, clock.GetUtcNow());
                logger.LogWarning("Outbox message {MessageId} ({Kind}) could not be handed on (attempt {Attempts}): {Error}; trying again at {DueAt:u}",
                    message.Id, message.Kind, message.Attempts, e.Message, message.DueAt);
            }
        }

        // Were this save lost, the messages would be handed on again: at least once, and the handlers may repeat.
        await db.SaveChangesAsync(cancellationToken);
        return (handedOn, due.Count);
    }

    private Task HandleAsync(OutboxMessage message, CancellationToken cancellationToken) =>
        _handlers.TryGetValue(message.Kind, out var handler)
            ? handler.HandleAsync(message.Payload, cancellationToken)
            : throw new InvalidOperationException($"No handler is registered for outbox messages of kind '{message.Kind}'.");

    /// <summary>Forgets messages handed on longer ago than <see cref="Retention"/>; returns how many.</summary>
    public async Task<int> ForgetHandedOnAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var before = clock.GetUtcNow() - Retention;
        return await db.OutboxMessages.Where(m => m.DispatchedAt < before).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>
/// Dispatches at once when a commit rings, and every <see cref="Interval"/> for retries and rings it missed; forgets
/// long handed-on messages about once an hour.
/// </summary>
internal sealed class OutboxDispatchingService(OutboxDispatcher dispatcher, OutboxSignal signal, TimeProvider clock, ILogger<OutboxDispatchingService> logger)
    : DoorbellWorker(signal, Interval, TimeSpan.Zero, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ForgetEvery = TimeSpan.FromHours(1);

    private DateTimeOffset _forgottenAt = DateTimeOffset.MinValue;

    protected override string Work => "Dispatching the outbox";

    protected override async Task DoPassAsync(CancellationToken cancellationToken)
    {
        await dispatcher.DispatchDueAsync(cancellationToken);
        if (clock.GetUtcNow() - _forgottenAt > ForgetEvery)
        {
            await dispatcher.ForgetHandedOnAsync(cancellationToken);
            _forgottenAt = clock.GetUtcNow();
        }
    }
}

/// <summary>Rung after a commit that wrote outbox messages.</summary>
internal sealed class OutboxSignal : Doorbell;
