using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiStudio.Core.Outbox;

/// <summary>
/// Something to do once a change is committed (schedule a run, tell open pages a build changed), written in the same
/// transaction as the change. <see cref="OutboxDispatcher"/> hands it on and marks it done, trying again later when the
/// hand-off fails, so a crash or a refusal between commit and hand-off loses nothing.
/// </summary>
/// <remarks>Handed on at least once: a message whose hand-off succeeded just before a crash goes out again, so every
/// handler must be safe to repeat (a run is scheduled by replacing its job and claimed once; a page re-reads).</remarks>
public sealed class OutboxMessage
{
    public const int KindMaxLength = 100;
    public const int ErrorMaxLength = 2000;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private OutboxMessage() { }

    public long Id { get; private set; }
    public string Kind { get; private set; } = "";
    public string Payload { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When it may be handed on: at once, later after a failed hand-off.</summary>
    public DateTimeOffset DueAt { get; private set; }

    public int Attempts { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? DispatchedAt { get; private set; }

    /// <summary>Written by this transaction and not yet tried: what the commit should wake the dispatcher for.</summary>
    internal bool IsFresh => Attempts == 0 && DispatchedAt is null;

    public static OutboxMessage For<TNotice>(TNotice notice, DateTimeOffset now)
        where TNotice : IOutboxNotice => new()
    {
        Kind = TNotice.Kind,
        Payload = JsonSerializer.Serialize(notice, Json),
        CreatedAt = now,
        DueAt = now,
    };

    internal void Dispatched(DateTimeOffset now)
    {
        Attempts++;
        DispatchedAt = now;
        LastError = null;
    }

    internal void Failed(string error, DateTimeOffset now)
    {
        Attempts++;
        LastError = error.Length <= ErrorMaxLength ? error : error[..ErrorMaxLength];
        DueAt = now + RetryDelay(Attempts);
    }

    /// <summary>1 s, 2 s, 4 s … at most a minute: a job store that is down for a while is asked again every minute.</summary>
    internal static TimeSpan RetryDelay(int attempts) => TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(attempts - 1, 6))));
}

/// <summary>A notice that leaves a transaction through the outbox. <see cref="Kind"/> is stored with it: never rename one.</summary>
public interface IOutboxNotice
{
    static abstract string Kind { get; }
}
